"""Reads for the insights pages: the population figures of a scope under the filters (one
query of the nightly figure table; computed in Python on SQLite), an organisation's own
figures (computed at request time from the outcome rows of the initiatives it is an active
partner of), and the tables the pages and downloads show, small figures suppressed."""

from dataclasses import dataclass, field

from django.db import connection

from initiatives import financial_years
from initiatives.insights import measures
from initiatives.models import Initiative, InitiativeOutcome, InsightFigure
from initiatives.models.insights import MEASURES
from initiatives.permissions import INSIGHTS_SMALLEST_SHOWN, has_active_partner
from initiatives.progress import charts
from partners.models import Organisation

MODELS = Initiative.CollaborationModel
COMPARISON = MODELS.OUTSOURCING.value  # the model every other is compared with
SUPPRESSED = f"fewer than {INSIGHTS_SMALLEST_SHOWN} initiatives"
REGIONS = dict(Organisation.Region.choices)
KINDS = dict(Organisation.Kind.choices)
AREAS = dict(Initiative.ServiceArea.choices)


@dataclass(frozen=True)
class Filters:
    """The cohort (the financial year initiatives went live) and the filters; empty: all."""

    year: int | None = None
    area: str = ""
    region: str = ""
    kind: str = ""

    def words(self):
        """The filters in words, for headings and downloads."""
        parts = [
            f"went live in {financial_years.label(self.year)}" if self.year else "",
            AREAS.get(self.area, ""),
            REGIONS.get(self.region, ""),
            KINDS.get(self.kind, ""),
        ]
        return ", ".join(p for p in parts if p) or "all years, every service area and region"


@dataclass
class Figures:
    """What a page shows: per collaboration model, {"initiatives": n, "figures": {measure key:
    (n, median, lower, upper)}}; when it was computed (None: just now, in Python)."""

    by_model: dict = field(default_factory=dict)
    computed_at: object = None
    nightly: bool = False  # read from the nightly figures (else computed now)


def _from_row(row):
    figures = {}
    for m in MEASURES:
        n = getattr(row, f"{m.key}_n")
        lower = getattr(row, f"{m.key}_lower", None)
        upper = getattr(row, f"{m.key}_upper", None)
        figures[m.key] = (n, getattr(row, f"{m.key}_median"), lower, upper)
    return {"initiatives": row.initiatives, "figures": figures}


def _outcomes(filters):
    outcomes = InitiativeOutcome.objects.all()
    if filters.year:
        outcomes = outcomes.filter(cohort=filters.year)
    if filters.area:
        outcomes = outcomes.filter(service_area=filters.area)
    if filters.region:
        outcomes = outcomes.filter(lead_region=filters.region)
    if filters.kind:
        outcomes = outcomes.filter(lead_kind=filters.kind)
    return outcomes


def _in_python(outcomes, *, public=False):
    by_model = measures.figures_of(outcomes, current_year=financial_years.current_financial_year())
    if public:  # what the public version does not show
        for model in by_model.values():
            for m in MEASURES:
                if not m.public:
                    model["figures"][m.key] = (0, None, None, None)
    return Figures(by_model=by_model)


def figures(*, scope, filters):
    """The nightly figures of a scope ("national" or "public") under the filters, per model."""
    if connection.vendor != "postgresql":
        outcomes = _outcomes(filters)
        if scope == InsightFigure.Scope.PUBLIC:
            outcomes = outcomes.filter(published=True)
        return _in_python(outcomes, public=scope == InsightFigure.Scope.PUBLIC)
    rows = InsightFigure.objects.filter(
        scope=scope,
        cohort=filters.year,
        service_area=filters.area or None,
        lead_region=filters.region or None,
        lead_kind=filters.kind or None,
    )
    result = Figures(nightly=True)
    for row in rows:
        result.by_model[row.collaboration_model] = _from_row(row)
        result.computed_at = max(filter(None, [result.computed_at, row.computed_at]), default=None)
    return result


def organisation_figures(*, organisation, filters):
    """The figures of the initiatives `organisation` is an active partner of, computed now."""
    outcomes = _outcomes(filters).filter(
        has_active_partner(organisation.pk, initiative="initiative_id")
    )
    return _in_python(outcomes)


@dataclass
class Cell:
    """One model's figure of one measure, as shown: None values when suppressed or empty."""

    model: str
    label: str
    comparison: bool
    n: int
    value: float | None
    lower: float | None
    upper: float | None
    suppressed: bool
    unit: str = ""

    @property
    def median_words(self):
        return display(self.unit, self.value)

    @property
    def lower_words(self):
        return display(self.unit, self.lower)

    @property
    def upper_words(self):
        return display(self.unit, self.upper)


@dataclass
class Table:
    measure: object
    rows: list
    chart: object = None

    @property
    def shown(self):
        return [row for row in self.rows if row.value is not None]


def tables(result, *, reveal_small, public=False):
    """A table per measure (the public version: only those it shows), a row per collaboration
    model, outsourcing last as the comparison; figures on fewer than 10 initiatives suppressed
    unless `reveal_small`."""
    out = []
    models = [m for m in MODELS if m != COMPARISON] + [MODELS(COMPARISON)]
    for measure in MEASURES:
        if public and not measure.public:
            continue
        rows = []
        for model in models:
            n, value, lower, upper = (
                result.by_model.get(model.value, {}).get("figures", {}).get(measure.key)
            ) or (0, None, None, None)
            suppressed = 0 < n < INSIGHTS_SMALLEST_SHOWN and not reveal_small
            if suppressed or not n:
                value = lower = upper = None
            rows.append(
                Cell(
                    model.value,
                    model.label,
                    model == COMPARISON,
                    n,
                    value,
                    lower,
                    upper,
                    suppressed,
                    measure.unit,
                )
            )
        table = Table(measure, rows)
        table.chart = _chart(table)
        out.append(table)
    return out


def display(unit, value):
    """A figure in words: 120 days, 45%, £1.20 per £1, 36 months, 3.5 of 5."""
    if value is None:
        return ""
    if unit == "days":
        return f"{value:,.0f} day{'' if round(value) == 1 else 's'}"
    if unit == "share":
        return f"{value * 100:.0f}%"
    if unit == "ratio":
        return f"£{value:,.2f} per £1"
    if unit == "months":
        return f"{value:,.0f} months"
    return f"{value:.1f} of 5"


def _chart(table):
    shown = table.shown
    if not shown:
        return None
    unit = table.measure.unit
    rows = [
        (f"{row.label}{' (comparison)' if row.comparison else ''}", {"verified": row.value})
        for row in shown
    ]
    return charts.horizontal_bars(
        f"{table.measure.title}: median by collaboration model"
        if table.measure.quartiles
        else table.measure.title,
        rows,
        [("verified", "Median" if table.measure.key != "stopped" else "Share stopped")],
        format_value=lambda value: display(unit, float(value)),
    )


DOWNLOAD_COLUMNS = [
    "Figures for",
    "Filters",
    "Measure",
    "Collaboration model",
    "Initiatives",
    "Median",
    "Lower quartile",
    "Upper quartile",
    "Unit",
    "Note",
]


def download_rows(tables_, *, whose, filters):
    """The rows of a download: the same figures as the page, suppressed ones as a note."""
    for table in tables_:
        for row in table.rows:
            note = SUPPRESSED if row.suppressed else ("" if row.n else "no initiatives")
            yield [
                whose,
                filters.words(),
                table.measure.title,
                row.label,
                row.n if not row.suppressed else None,
                row.value,
                row.lower,
                row.upper,
                table.measure.unit,
                note,
            ]
