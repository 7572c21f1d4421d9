"""Reads about savings claims that pages share."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum

from initiatives import financial_years, permissions
from initiatives.models import FinancialYearLock, SavingsClaim
from partners import history
from partners.models import AuditEvent

Status = SavingsClaim.Status


def claims_for_page(*, user):
    """The claims whose pages this user may open, with what a claim page shows. Views fetch
    one with get_object_or_404, so one the user may not see is a 404."""
    return permissions.claims_visible_to(user=user).select_related(
        "initiative__lead", "claimant", "submitted_by", "reviewed_by", "corrects"
    )


def claims_of_initiative(initiative, *, user):
    """The initiative's claims this user may see (other partners' drafts are not among them)."""
    return (
        permissions.claims_visible_to(user=user)
        .filter(initiative=initiative)
        .select_related("claimant", "submitted_by")
        .order_by("-financial_year", "-created_at", "-pk")
    )


def adjustments_of(claim, *, user):
    """The adjustments of a verified claim that this user may see."""
    return list(
        permissions.claims_visible_to(user=user).filter(corrects=claim).order_by("created_at")
    )


def claim_totals(initiative, *, user):
    """Net totals and counts by financial year and status of the claims this user may see: one
    aggregate query, a table of at most (years × statuses) cells."""
    rows = (
        permissions.claims_visible_to(user=user)
        .filter(initiative=initiative)
        .values("financial_year", "status")
        .annotate(total=Sum("net_amount"), count=Count("pk"))
    )
    by_year = defaultdict(lambda: {s.value: {"total": Decimal("0"), "count": 0} for s in Status})
    overall = {s.value: {"total": Decimal("0"), "count": 0} for s in Status}
    for row in rows:
        cell = by_year[row["financial_year"]][row["status"]]
        cell["total"], cell["count"] = row["total"], row["count"]
        overall[row["status"]]["total"] += row["total"]
        overall[row["status"]]["count"] += row["count"]
    years = [
        {"label": financial_years.label(year), "cells": [by_year[year][s.value] for s in Status]}
        for year in sorted(by_year)
    ]
    return {"statuses": list(Status), "years": years, "overall": [overall[s.value] for s in Status]}


OPEN = [Status.DRAFT, Status.RETURNED, Status.SUBMITTED]


def claims_open_for(claims, *, user):
    """Of `claims`, those the user created, edited or submitted that still need something: a
    draft, a returned claim, or one awaiting a decision ("my open claims").

    The user's claims are found first, through the indexes on who created and who submitted
    a claim and on its participants, then checked against `claims`: a condition with OR over
    the three would read every claim of every initiative the user's council is in (a large
    council's tens of thousands at ten times national scale) to find a handful."""
    theirs = (
        SavingsClaim.objects.filter(created_by=user)
        .values("pk")
        .union(
            SavingsClaim.objects.filter(submitted_by=user).values("pk"),
            SavingsClaim.participants.through.objects.filter(user_id=user.pk).values(
                "savingsclaim_id"
            ),
        )
    )
    return claims.filter(status__in=OPEN, pk__in=theirs)


def awaiting_decision_in(year, *, user):
    """How many claims of a financial year that this user may see still await a decision."""
    return (
        permissions.claims_visible_to(user=user)
        .filter(financial_year=year, status=Status.SUBMITTED)
        .count()
    )


def review_queue(user):
    return permissions.claims_to_review_by(user=user).select_related(
        "initiative", "claimant", "submitted_by"
    )


def claim_history(claim):
    return history.history_of(claim)


def claim_attributions(claim):
    return list(claim.attributions.select_related("organisation"))


def locks():
    return {lock.year: lock for lock in FinancialYearLock.objects.select_related("locked_by")}


def lock_history(years):
    """{year: [audit events]}: every lock and unlock of these financial years, newest first,
    from the audit log (which keeps a lock's record after the year is unlocked)."""
    events = AuditEvent.objects.filter(
        action__in=[AuditEvent.Action.YEAR_LOCKED, AuditEvent.Action.YEAR_UNLOCKED],
        detail__year__in=list(years),
    ).order_by("-at", "-id")
    by_year = defaultdict(list)
    for event in events:
        by_year[event.detail["year"]].append(event)
    return by_year


def locked_years():
    """The financial years whose figures are signed off."""
    return set(FinancialYearLock.objects.values_list("year", flat=True))


def first_open_year(from_year):
    """The first financial year from `from_year` on that is not locked."""
    locked = locked_years()
    year = from_year
    while year in locked:
        year += 1
    return year


def corrected_total(corrected, extra=Decimal("0")):
    """What a verified claim comes to with its verified adjustments, and `extra`."""
    adjustments = corrected.adjustments.filter(status=Status.VERIFIED).aggregate(
        total=Sum("net_amount")
    )["total"]
    return corrected.net_amount + (adjustments or 0) + extra
