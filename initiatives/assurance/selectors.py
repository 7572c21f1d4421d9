"""Reads for audit sampling: the frame a sample is drawn from (verified claims in the auditor's
scope with their risk factors, one query), the samples a user may see, a sample's selected
claims with their outcomes, and the dashboard's share of verified savings audited."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum

from collaborate.kit import cache as kit_cache
from initiatives import permissions
from initiatives.assurance import sampling
from initiatives.models import (
    AuditFrameRow,
    AuditOutcome,
    ClaimEvidence,
    SavingsClaim,
    SavingsTarget,
)
from initiatives.progress import selectors as progress_selectors
from partners.models import Membership

# Moves on when an audit outcome is recorded (services.audit_outcome_record).
OUTCOMES_VERSION_KEY = "collaborate:assurance:outcomes:version"

Status = SavingsClaim.Status
Result = AuditOutcome.Result
QUICK = timedelta(days=1)


def frame_claims(*, organisation, year):
    """The verified claims (not adjustments) of `year` that an audit of `organisation` (None:
    every organisation) covers, in the order of their ids: the sampling frame."""
    claims = SavingsClaim.objects.filter(
        status=Status.VERIFIED, corrects__isnull=True, financial_year=year
    )
    if organisation is not None:
        claims = claims.filter(permissions.audit_scope([getattr(organisation, "pk", organisation)]))
    return claims.order_by("pk")


def frame_figures(claims):
    """How many claims a frame holds and what they come to (one query)."""
    figures = claims.aggregate(count=Count("pk"), total=Sum("net_amount"))
    return {"count": figures["count"], "total": figures["total"] or Decimal("0")}


def frame_with_risks(*, organisation, year):
    """[(claim id, net amount, [risk factor codes])] for the frame, in one query."""
    earlier_verified = SavingsClaim.objects.filter(
        initiative=OuterRef("initiative"),
        corrects__isnull=True,
        status=Status.VERIFIED,
        pk__lt=OuterRef("pk"),
    )
    target = SavingsTarget.objects.filter(
        initiative=OuterRef("initiative"), financial_year=OuterRef("financial_year")
    ).values("amount")[:1]
    rows = (
        frame_claims(organisation=organisation, year=year)
        .annotate(
            earlier=Exists(earlier_verified),
            target=Subquery(target),
            evidenced=Exists(ClaimEvidence.objects.filter(claim=OuterRef("pk"))),
            corrected=Exists(
                SavingsClaim.objects.filter(
                    corrects=OuterRef("pk"), status__in=[Status.SUBMITTED, Status.VERIFIED]
                )
            ),
            decider_member=Exists(
                Membership.objects.filter(
                    user=OuterRef("reviewed_by"), organisation=OuterRef("claimant")
                )
            ),
        )
        .values_list(
            "pk",
            "net_amount",
            "earlier",
            "target",
            "submitted_at",
            "reviewed_at",
            "baseline_method",
            "evidenced",
            "corrected",
            "decider_member",
        )
    )
    frame = []
    for pk, net, earlier, target, submitted, reviewed, method, evidenced, corrected, member in rows:
        found = {
            "first_claim": not earlier,
            "large_against_target": target is not None and net * 2 > target,
            "quick_verification": bool(submitted and reviewed and reviewed - submitted < QUICK),
            "baseline_estimated": "estimat" in (method or "").lower(),
            "no_evidence": not evidenced,
            "corrected_since": corrected,
            "decider_in_claimant": member,
        }
        frame.append((pk, net, [code for code in sampling.RISK_FACTORS if found[code]]))
    return frame


def frame_items(sample):
    """The stored frame of a sample as the draw reads it."""
    return [
        sampling.FrameItem(position, amount, weight)
        for position, amount, weight in sample.frame.values_list("position", "amount", "weight")
    ]


def sample_check(sample):
    """Draw the sample again from its stored frame, seed and parameters: (whether the same
    claims are selected the same way, the positions selected now, the positions stored)."""
    again = sampling.draw(
        frame_items(sample),
        seed=sample.seed,
        sample_size=sample.sample_size,
        stratum_size=sample.stratum_size,
    ).selected
    stored = dict(
        sample.frame.exclude(selection="").values_list("position", "selection").order_by("position")
    )
    return again == stored, again, stored


def samples_for_list(*, user):
    """The samples a user may see, newest first, with how many claims each selected and how
    many outcomes are recorded (one query a page)."""
    return (
        permissions.audit_samples_visible_to(user=user)
        .select_related("organisation", "drawn_by")
        .annotate(
            selected=Count("frame", filter=~Q(frame__selection="")),
            recorded=Count("frame__outcome"),
        )
        .order_by("-drawn_at", "-pk")
    )


def sample_for_page(*, user, pk):
    """One sample the user may see, or DoesNotExist."""
    return (
        permissions.audit_samples_visible_to(user=user)
        .select_related("organisation", "drawn_by")
        .get(pk=pk)
    )


def selected_rows(sample):
    """The sample's selected claims in frame order, each with its claim, its outcome and the
    outcome's correction (one query, however many claims there are)."""
    return list(
        AuditFrameRow.objects.filter(sample=sample)
        .exclude(selection="")
        .select_related(
            "claim__initiative",
            "claim__claimant",
            "outcome__recorded_by",
            "outcome__correction",
        )
        .order_by("position")
    )


def sample_row(sample, pk):
    """One selected row of a sample, or DoesNotExist."""
    return (
        AuditFrameRow.objects.filter(sample=sample)
        .exclude(selection="")
        .select_related("claim__initiative", "claim__claimant", "sample", "outcome__correction")
        .get(pk=pk)
    )


def sample_summary(sample, rows):
    """Figures for the top of a sample's page, from its rows (no query)."""
    selected_value = sum((row.amount for row in rows), Decimal("0"))
    outcomes = [row.outcome for row in rows if getattr(row, "outcome", None) is not None]
    counts = {result.value: 0 for result in Result}
    for outcome in outcomes:
        counts[outcome.result] += 1
    factors = {}
    for row in rows:
        for code in row.risk_factors:
            factors[code] = factors.get(code, 0) + 1
    return {
        "selected": len(rows),
        "selected_value": selected_value,
        "coverage": selected_value / sample.frame_total * 100 if sample.frame_total else None,
        "recorded": len(outcomes),
        "counts": counts,
        "factors": [(sampling.RISK_FACTORS[code][0], count) for code, count in factors.items()],
    }


def audited_share_cached(*, organisation, year=None):
    """audited_share, kept per organisation and year until a recompute of an initiative the
    organisation is involved in commits (a claim verified, corrected or moved between partners
    is recomputed first, as the dashboard's figures are), a full recompute does, or an audit
    outcome is recorded: at ten times national scale it reads every verified claim of a large
    council's initiatives, a second a view."""
    key = f"collaborate:assurance:audited-share:{getattr(organisation, 'pk', organisation)}:{year}"
    return kit_cache.versioned(
        key,
        (
            *progress_selectors.organisation_version_keys(
                getattr(organisation, "pk", organisation)
            ),
            OUTCOMES_VERSION_KEY,
        ),
        progress_selectors.FIGURES_TIMEOUT,
        lambda: audited_share(organisation=organisation, year=year),
    )


def audited_share(*, organisation, year=None):
    """Of the verified savings an audit of `organisation` covers (in `year`, or every year):
    the total, the part whose claims were audited (an outcome recorded) and the part confirmed.
    One aggregate query."""
    claims = SavingsClaim.objects.filter(status=Status.VERIFIED, corrects__isnull=True).filter(
        permissions.audit_scope([getattr(organisation, "pk", organisation)])
    )
    if year is not None:
        claims = claims.filter(financial_year=year)
    outcomes = AuditOutcome.objects.filter(row__claim=OuterRef("pk"))
    figures = claims.annotate(
        audited=Exists(outcomes), confirmed=Exists(outcomes.filter(result=Result.CONFIRMED))
    ).aggregate(
        total=Sum("net_amount"),
        audited_total=Sum("net_amount", filter=Q(audited=True)),
        confirmed_total=Sum("net_amount", filter=Q(confirmed=True)),
    )
    total = figures["total"] or Decimal("0")
    audited = figures["audited_total"] or Decimal("0")
    confirmed = figures["confirmed_total"] or Decimal("0")
    return {
        "total": total,
        "audited": audited,
        "confirmed": confirmed,
        "audited_percent": (audited / total * 100) if total else None,
        "confirmed_percent": (confirmed / total * 100) if total else None,
    }
