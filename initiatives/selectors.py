"""Reads about initiatives that pages share, shaped for the page that shows them."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery

from initiatives import financial_years, permissions
from initiatives.models import (
    Initiative,
    InitiativeProgress,
    InitiativeYear,
    Partnership,
    ProgressDirty,
    SavingsTarget,
)
from initiatives.progress.sql import AMBER_FROM, GREEN_FROM
from partners import history
from partners import permissions as partner_permissions
from partners import selectors as partner_selectors


def initiatives_for_page(*, user):
    """The initiatives whose pages this user may open, with what every such page shows. Views
    fetch one with get_object_or_404, so one the user may not see is a 404 that reveals
    nothing."""
    return permissions.initiatives_visible_to(user=user).select_related("lead")


NOT_COMPUTED = "Not calculated yet"  # an initiative whose figures were never computed
# The rule the recompute applies (DESIGN.md §2), in words, from the thresholds it applies.
RAG_RULE = (
    f"Green when {GREEN_FROM}% or more of the target to date is verified, amber from "
    f"{AMBER_FROM}%, red below {AMBER_FROM}%, and grey (no target) while there is no target "
    "to date."
)


def with_progress(queryset):
    """The initiatives with their computed figures beside them, in the same query: `progress`
    (missing until the initiative is first computed) and `progress_pending`, whether a
    recompute of them is waiting."""
    return queryset.select_related("progress").annotate(
        progress_pending=Exists(ProgressDirty.objects.filter(initiative_id=OuterRef("pk")))
    )


@dataclass(frozen=True)
class ProgressPanel:
    """An initiative's standing as its page shows it, read from the computed tables only."""

    progress: InitiativeProgress | None  # None: never computed yet
    pending: bool  # a recompute is waiting: the figures may be behind recent changes
    year: int  # the current financial year
    target_this_year: Decimal | None  # None: never computed yet
    rule: str = RAG_RULE


def progress_panel(initiative):
    """The figures of an initiative's progress panel, in one query."""
    year = financial_years.current_financial_year()
    this_year = InitiativeYear.objects.filter(
        initiative_id=OuterRef("pk"), financial_year=year
    ).values("target")[:1]
    row = (
        with_progress(Initiative.objects.filter(pk=initiative.pk))
        .annotate(target_this_year=Subquery(this_year))
        .get()
    )
    progress = getattr(row, "progress", None)
    target_this_year = None
    if progress is not None:
        target_this_year = row.target_this_year or Decimal("0.00")
    return ProgressPanel(
        progress=progress,
        pending=row.progress_pending,
        year=year,
        target_this_year=target_this_year,
    )


def partnerships_of(initiative):
    """Active partners first (largest share first), then those who left."""
    return list(
        Partnership.objects.filter(initiative=initiative)
        .select_related("organisation")
        .order_by("removed_on", "-savings_share", "organisation__name")
    )


def targets_of(initiative):
    return list(initiative.targets.order_by("financial_year"))


def initiative_history(initiative):
    return history.history_of(initiative)


def organisations_to_add(initiative, text):
    """Active organisations matching the text that are not yet active partners."""
    candidates = partner_permissions.organisations_selectable().exclude(
        pk__in=initiative.partnerships.filter(removed_on__isnull=True).values("organisation_id")
    )
    return partner_selectors.organisations_search(candidates, text)[:20]


def _active_partnerships():
    return Prefetch(
        "partnerships",
        queryset=Partnership.objects.filter(removed_on__isnull=True)
        .select_related("organisation")
        .order_by("-savings_share", "organisation__name"),
        to_attr="active_partnerships",
    )


def for_download(queryset):
    """Initiatives with what their download shows beside them: active partners (to_attr
    active_partnerships) and targets by year (download_targets), a query each per chunk."""
    return queryset.prefetch_related(
        _active_partnerships(),
        Prefetch(
            "targets",
            queryset=SavingsTarget.objects.order_by("financial_year"),
            to_attr="download_targets",
        ),
    )


def partnerships_for_download(initiatives):
    """The active partnerships of these initiatives, one row each, in reference order."""
    return (
        Partnership.objects.filter(initiative__in=initiatives.values("pk"), removed_on__isnull=True)
        .select_related("initiative", "organisation")
        .order_by("initiative__reference", "-savings_share", "organisation__name")
    )


def targets_for_download(initiatives):
    """The targets of these initiatives, one row per initiative and financial year."""
    return (
        SavingsTarget.objects.filter(initiative__in=initiatives.values("pk"))
        .select_related("initiative")
        .order_by("initiative__reference", "financial_year")
    )


def published():
    """What the public register shows: initiatives their lead chose to publish."""
    return Initiative.objects.filter(
        visibility=Initiative.Visibility.PUBLIC, published_at__isnull=False
    ).select_related("lead")


def published_for_page():
    """Published initiatives with what a register page shows: figures and active partners."""
    return published().select_related("progress").prefetch_related(_active_partnerships())


def search(queryset, text):
    text = " ".join(text.split())
    if not text:
        return queryset
    return queryset.filter(
        Q(reference__iexact=text) | Q(title__icontains=text) | Q(summary__icontains=text)
    )
