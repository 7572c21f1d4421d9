"""Retention of what the initiatives app keeps about people: which deactivated people the
privacy notice lets go (the nightly job anonymises them), and the record of reminders sent.

A person is anonymised once all of these hold: the account is deactivated; for ACCOUNT_YEARS
nobody has signed in to it, it has changed nothing and nothing about it has changed; and every
claim they created, edited, submitted, decided or attached evidence to, and every year they
locked, is in a financial year locked more than ACCOUNT_YEARS ago. One query selects them,
however many people and claims there are."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from initiatives.models import ClaimEvidence, FinancialYearLock, ReminderSent, SavingsClaim
from partners.services import retention

# A reminder's record is needed only while its week or month can be run again.
REMINDERS_SENT_DAYS = 365


def people_due_for_anonymisation(*, now=None):
    cutoff = retention.years_before(now or timezone.now(), retention.ACCOUNT_YEARS)
    released_years = FinancialYearLock.objects.filter(locked_at__lt=cutoff).values("year")
    kept_claims = SavingsClaim.objects.exclude(financial_year__in=released_years)
    kept_evidence = ClaimEvidence.objects.exclude(claim__financial_year__in=released_years)
    person = OuterRef("pk")
    return retention.people_quiet_since(cutoff).filter(
        ~Exists(kept_claims.filter(created_by=person)),
        ~Exists(kept_claims.filter(submitted_by=person)),
        ~Exists(kept_claims.filter(reviewed_by=person)),
        ~Exists(kept_claims.filter(participants=person)),
        ~Exists(kept_evidence.filter(uploaded_by=person)),
        ~Exists(FinancialYearLock.objects.filter(locked_by=person, locked_at__gte=cutoff)),
    )


@transaction.atomic
def accounts_anonymise_due(*, now=None):
    """Anonymise every person due (see the module's rule). Returns their ids."""
    return retention.people_anonymise(
        people=people_due_for_anonymisation(now=now), rule=retention.Rule.DEACTIVATED_ACCOUNT
    )


@transaction.atomic
def reminders_sent_delete_old(*, now=None):
    """Delete the records of reminder emails sent more than REMINDERS_SENT_DAYS ago."""
    cutoff = (now or timezone.now()) - timedelta(days=REMINDERS_SENT_DAYS)
    return ReminderSent.objects.filter(sent_at__lt=cutoff).delete()[0]
