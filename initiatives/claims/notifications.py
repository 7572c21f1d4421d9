"""Emails about claims: to the lead's managers when a claim awaits them (those who chose that
email on /accounts/), to the submitter when it is decided (always)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from collaborate.kit import mail
from initiatives import permissions
from initiatives.models import SavingsClaim
from partners.services import users as user_services


def _claim(claim_id):
    return (
        SavingsClaim.objects.select_related(
            "initiative__lead", "claimant", "submitted_by", "reviewed_by"
        )
        .filter(pk=claim_id)
        .first()
    )


def _context(claim):
    return {"claim": claim, "link": settings.SITE_URL + reverse("claims:detail", args=[claim.pk])}


def _deciders(claim):
    """The managers who may decide the claim (not one who created, edited or submitted it) and
    chose to hear of submissions."""
    return permissions.deciders_of(claim).filter(email_claims_submitted=True).order_by("pk")


def _awaiting(claim):
    return claim is not None and claim.status == SavingsClaim.Status.SUBMITTED


def claim_submitted_fan_out(*, claim_id):
    """Queue each person claim_submitted_notify would tell an email task of their own (none once
    the claim was withdrawn or decided), so that a retry never re-sends to someone already told.
    Returns how many were queued."""
    from initiatives.claims import tasks  # the tasks call this module

    claim = _claim(claim_id)
    deciders = list(_deciders(claim).values_list("pk", flat=True)) if _awaiting(claim) else []
    for decider in deciders:
        tasks.claim_submitted_notify.delay(claim_id=claim_id, user_id=decider)
    return len(deciders)


def claim_submitted_notify(*, claim_id, user_id=None):
    """Tell each manager who may decide the claim and chose to hear of submissions (or only
    `user_id`, if still one of them) that it awaits them. Returns how many were told."""
    claim = _claim(claim_id)
    if not _awaiting(claim):
        return 0  # withdrawn or decided meanwhile: nothing to ask for
    deciders = _deciders(claim)
    if user_id is not None:
        deciders = deciders.filter(pk=user_id)
    deciders = list(deciders)
    context = {**_context(claim), "preferences_link": user_services.email_preferences_link()}
    body = render_to_string("emails/claim_submitted.txt", context)
    subject = f"Claim {claim.reference} awaits your decision"
    for person in deciders:
        mail.email_deliver(to=person.email, subject=subject, body=body)
    return len(deciders)


def claim_decided_notify(*, claim_id):
    """Tell the submitter what was decided."""
    claim = _claim(claim_id)
    if claim is None or claim.submitted_by is None or claim.status == SavingsClaim.Status.SUBMITTED:
        return 0
    mail.email_deliver(
        to=claim.submitted_by.email,
        subject=f"Claim {claim.reference}: {claim.get_status_display().lower()}",
        body=render_to_string("emails/claim_decided.txt", _context(claim)),
    )
    return 1
