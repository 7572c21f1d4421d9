"""Who gets which reminder in a run, and what it lists. The rows of a run are read in a
constant number of queries however many claims or initiatives there are; the awaiting-decision
selection adds two queries per person it reminds (their roles, their claims), because it asks
the review queue's own rule, `claims_to_review_by`, for each of them."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from initiatives import financial_years, permissions
from initiatives.models import (
    FinancialYearLock,
    Initiative,
    ReminderSent,
    SavingsClaim,
    SavingsTarget,
)
from partners.models import Membership, Organisation, User

WAITING_WORKING_DAYS = 5  # a claim awaiting a decision longer than this is reminded of
QUIET_DAYS = 90  # an initiative with no claim for this long is reminded of


@dataclass
class Reminder:
    """One email of a run: the person, what it lists, and the organisations that are why they
    get it."""

    person: User
    items: list = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)


def start_of_day(day):
    """Midnight at the start of `day`, in the service's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def people_to_remind(preference, kind, period):
    """Active people who chose this reminder (`preference`, their setting on /accounts/) and
    were not yet sent it for this period."""
    already_sent = ReminderSent.objects.filter(user=OuterRef("pk"), kind=kind, period=period)
    return User.objects.filter(
        ~Exists(already_sent), is_active=True, anonymised_at__isnull=True, **{preference: True}
    )


def awaiting_decision(*, submitted_before, period):
    """Each manager to remind of the claims that have awaited their decision since before
    `submitted_before`: the claims they may decide (the review queue's rule, so never one they
    created, edited or submitted), across every lead organisation they manage, in one
    reminder."""
    kind = ReminderSent.Kind.AWAITING_DECISION
    # A claim of a locked year cannot be decided until the year is unlocked: no reminder.
    locked = FinancialYearLock.objects.values("year")
    leads_waiting = (
        SavingsClaim.objects.filter(
            status=SavingsClaim.Status.SUBMITTED, submitted_at__lt=submitted_before
        )
        .exclude(financial_year__in=locked)
        .values("initiative__lead_id")
    )
    managers = (
        people_to_remind("email_awaiting_decision", kind, period)
        .filter(
            Exists(
                Membership.objects.filter(
                    user=OuterRef("pk"),
                    role=Membership.Role.MANAGER,
                    organisation__active=True,
                    organisation_id__in=leads_waiting,
                )
            )
        )
        .order_by("pk")
    )
    reminders = []
    for person in managers:
        claims = list(
            permissions.claims_to_review_by(user=person)
            .filter(submitted_at__lt=submitted_before)
            .exclude(financial_year__in=locked)
            .select_related("initiative__lead", "claimant")
            .order_by("submitted_at", "pk")
        )
        if claims:
            leads = {claim.initiative.lead for claim in claims}
            reminders.append(Reminder(person, claims, sorted(leads, key=lambda o: (o.name, o.pk))))
    return reminders


def quiet_initiatives(*, today, period):
    """Each officer to remind of the live initiatives their organisations lead that have a
    target this financial year and no claim made in the last QUIET_DAYS days (initiatives
    recorded more recently have not had the time to be quiet), all in one reminder. Two
    queries, however many initiatives and officers there are."""
    kind = ReminderSent.Kind.QUIET_INITIATIVES
    since = start_of_day(today - timedelta(days=QUIET_DAYS))
    year = financial_years.financial_year_of(today)
    targets = SavingsTarget.objects.filter(
        initiative=OuterRef("pk"), financial_year=year, amount__gt=0
    )
    claims = SavingsClaim.objects.filter(initiative=OuterRef("pk"))
    initiatives = (
        Initiative.objects.filter(
            status=Initiative.Status.LIVE, lead__active=True, created_at__lt=since
        )
        .filter(Exists(targets))
        .exclude(Exists(claims.filter(created_at__gte=since)))
        .annotate(
            target_this_year=Subquery(targets.values("amount")[:1]),
            last_claim_at=Subquery(claims.order_by("-created_at").values("created_at")[:1]),
        )
        .select_related("lead")
        .order_by("reference")
    )
    by_lead = defaultdict(list)
    for initiative in initiatives:
        by_lead[initiative.lead_id].append(initiative)
    if not by_lead:
        return []
    officers = (
        Membership.objects.filter(
            role=Membership.Role.OFFICER,
            organisation_id__in=by_lead,
            user__in=people_to_remind("email_quiet_initiatives", kind, period),
        )
        .select_related("user", "organisation")
        .order_by("user_id", "organisation__name", "organisation_id")
    )
    reminders = {}
    for membership in officers:
        reminder = reminders.setdefault(membership.user_id, Reminder(membership.user))
        reminder.organisations.append(membership.organisation)
        reminder.items.extend(by_lead[membership.organisation_id])
    return list(reminders.values())
