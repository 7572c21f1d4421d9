"""Reads for dashboards and the public register: sums over bounded slices of the computed
tables, never over claims."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, DecimalField, Exists, F, Max, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from initiatives.models import (
    Initiative,
    InitiativeProgress,
    InitiativeYear,
    Partnership,
    ProgressDirty,
    ProgressFact,
)
from initiatives.progress.services import year_fraction

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2))
LIST_LIMIT = 10


@dataclass
class Scope:
    """What a dashboard shows: one organisation (or all of them), and the filters."""

    organisation: object = None  # None: all organisations
    year: int | None = None
    model: str = ""
    area: str = ""
    query: dict = field(default_factory=dict)

    @property
    def organisation_id(self):
        return self.organisation.pk if self.organisation else None


def _facts(scope):
    facts = ProgressFact.objects.filter(organisation_id=scope.organisation_id)
    if scope.year is not None:
        facts = facts.filter(financial_year=scope.year)
    if scope.model:
        facts = facts.filter(collaboration_model=scope.model)
    if scope.area:
        facts = facts.filter(service_area=scope.area)
    return facts


def _measures():
    """Sums of the measures, named apart from the fields they sum (an annotation named like a
    field would hide the field from the expressions that use it)."""
    current_year, fraction = year_fraction(timezone.localdate())
    return {
        "sum_target": Coalesce(Sum("target"), ZERO),
        "sum_to_date": Coalesce(
            Sum(
                Case(
                    When(financial_year__lt=current_year, then=F("target")),
                    When(financial_year=current_year, then=F("target") * Value(fraction)),
                    default=ZERO,
                    output_field=DecimalField(max_digits=20, decimal_places=6),
                )
            ),
            ZERO,
        ),
        "sum_claimed": Coalesce(Sum("claimed"), ZERO),
        "sum_verified_cash": Coalesce(Sum("verified_cash"), ZERO),
        "sum_verified_non_cash": Coalesce(Sum("verified_non_cash"), ZERO),
    }


def _with_derived(row):
    for key in [k for k in row if k.startswith("sum_")]:
        row[key.removeprefix("sum_")] = row.pop(key)
    row["verified"] = row["verified_cash"] + row["verified_non_cash"]
    row["to_date"] = Decimal(row["to_date"]).quantize(Decimal("0.01"))
    row["percent"] = (
        (row["verified"] * 100 / row["to_date"]).quantize(Decimal("0.1"))
        if row["to_date"] > 0
        else None
    )
    return row


def headline(scope):
    row = _facts(scope).aggregate(**_measures(), computed_at=Max("computed_at"))
    return _with_derived(row)


def breakdown(scope, dimension):
    """The slice summed by one dimension: financial_year, collaboration_model or service_area."""
    rows = _facts(scope).values(dimension).annotate(**_measures()).order_by(dimension)
    return [_with_derived(dict(row)) for row in rows]


def _initiatives_of(scope):
    initiatives = Initiative.objects.all()
    if scope.organisation is not None:
        initiatives = initiatives.filter(
            Exists(
                Partnership.objects.filter(
                    initiative=OuterRef("pk"),
                    organisation_id=scope.organisation_id,
                    removed_on__isnull=True,
                )
            )
        )
    if scope.model:
        initiatives = initiatives.filter(collaboration_model=scope.model)
    if scope.area:
        initiatives = initiatives.filter(service_area=scope.area)
    return initiatives


def at_risk(scope):
    """Red and amber initiatives, furthest behind first."""
    return list(
        InitiativeProgress.objects.filter(
            rag__in=[InitiativeProgress.Rag.RED, InitiativeProgress.Rag.AMBER],
            initiative__in=_initiatives_of(scope).exclude(status__in=["closed", "stopped"]),
        )
        .select_related("initiative__lead")
        .order_by("percent_verified", "initiative_id")[:LIST_LIMIT]
    )


def gaps(scope):
    """Live initiatives with neither a target nor a reason for having none."""
    return list(
        _initiatives_of(scope)
        .filter(status=Initiative.Status.LIVE, not_for_savings=False)
        .filter(Q(progress__target=0) | Q(progress__isnull=True))
        .select_related("lead")
        .order_by("reference")[:LIST_LIMIT]
    )


def pending(scope):
    """Whether a recompute of the figures this dashboard shows is waiting."""
    dirty = ProgressDirty.objects.all()
    if scope.organisation is not None:
        dirty = dirty.filter(
            Exists(
                Partnership.objects.filter(
                    initiative=OuterRef("initiative_id"),
                    organisation_id=scope.organisation_id,
                    removed_on__isnull=True,
                )
            )
        )
    return dirty.exists()


def published_with_savings(queryset):
    """Published initiatives with their verified savings from the progress table."""
    return queryset.select_related("lead", "progress")


def register_totals(queryset):
    return InitiativeProgress.objects.filter(initiative__in=queryset).aggregate(
        verified_cash=Coalesce(Sum("verified_cash"), ZERO),
        verified_non_cash=Coalesce(Sum("verified_non_cash"), ZERO),
    )


def register_years(initiative):
    return list(
        InitiativeYear.objects.filter(initiative=initiative)
        .filter(
            Q(verified_cash__gt=0)
            | Q(verified_non_cash__gt=0)
            | Q(verified_cash__lt=0)
            | Q(verified_non_cash__lt=0)
        )
        .order_by("financial_year")
    )
