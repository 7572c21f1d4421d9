"""Reads of the health check: an initiative's section (the latest medians across partners, where
partners disagree, the trend, who has answered this period), the organisation dashboard's
initiatives that need attention, and the check-ins due for the weekly reminders. Each is a
constant number of queries however many answers, partners or initiatives there are."""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from statistics import median

from django.db.models import Exists, F, OuterRef, Q, Window
from django.db.models.functions import DenseRank
from django.utils import timezone

from collaborate.kit import cache as kit_cache
from initiatives import permissions
from initiatives.health import charts, periods
from initiatives.models import Dimension, HealthCheck, Initiative, Partnership
from initiatives.models.initiatives import HEALTH_CHECK_PERIODS
from initiatives.progress import selectors as progress_selectors

DISAGREE_SPREAD = 2  # partners' scores this far apart on a dimension: they see it differently
LOW_MEDIAN = 2  # a median at or below this needs attention
FALL = 1.5  # a median falling this much since the previous period needs attention
TREND_PERIODS = 8  # periods the trend chart and its table show
DASHBOARD_LIST = 10  # initiatives the dashboard's panel lists (its count says how many in all)


def _number(value):
    """A median as people read it: 3, 3.5."""
    return f"{value:g}"


@dataclass
class DimensionFigures:
    """One dimension in one period: the median across the partners that answered, its spread,
    the change since the previous period with answers, and what partners commented."""

    dimension: str
    label: str
    median: float
    low: int
    high: int
    change: float | None = None
    comments: list = field(default_factory=list)  # (organisation name, comment)

    @property
    def median_label(self):
        return _number(self.median)

    @property
    def change_label(self):
        if self.change is None:
            return ""
        return "no change" if self.change == 0 else f"{self.change:+g}"

    @property
    def disagree(self):
        return self.high - self.low >= DISAGREE_SPREAD

    @property
    def is_low(self):
        return self.median <= LOW_MEDIAN

    @property
    def is_falling(self):
        return self.change is not None and self.change <= -FALL

    @property
    def rating(self):
        """(words, GOV.UK tag colour) for the median."""
        if self.median <= LOW_MEDIAN:
            return "Weak", "red"
        if self.median < 4:
            return "Fair", "yellow"
        return "Strong", "green"

    @property
    def needs_attention(self):
        return self.is_low or self.is_falling

    def reasons(self):
        """What to look at in this dimension, in words (empty if nothing): a low or falling
        median, and partners who disagree."""
        reasons = []
        if self.is_low:
            reasons.append(f"median {self.median_label}")
        if self.is_falling:
            reasons.append(f"fell by {_number(-self.change)}")
        if self.disagree:
            reasons.append(f"partners disagree ({self.low} to {self.high})")
        return reasons


def _figures(rows, previous=None, *, comments=False):
    """[DimensionFigures] of one period's answers (`rows`: dicts or HealthChecks with every
    dimension), with the change from `previous` (the same for the period before)."""
    before = {f.dimension: f for f in previous or ()}
    figures = []
    for dimension in Dimension:
        scores = [_value(row, dimension.value) for row in rows]
        figure = DimensionFigures(
            dimension.value, dimension.label, median(scores), min(scores), max(scores)
        )
        if dimension.value in before:
            figure.change = figure.median - before[dimension.value].median
        if comments:
            figure.comments = [
                (row.organisation.name, text)
                for row in rows
                if (text := getattr(row, f"{dimension.value}_comment"))
            ]
        figures.append(figure)
    return figures


def _value(row, name):
    return row[name] if isinstance(row, dict) else getattr(row, name)


@dataclass
class Section:
    """What the health-check section shows of one initiative."""

    months: int
    current: object  # the first day of the current period
    latest: object = None  # the first day of the latest period with answers
    figures: list = field(default_factory=list)  # [DimensionFigures] of the latest period
    answers: int = 0  # how many partners answered the latest period
    trend: list = field(default_factory=list)  # [(period start, [DimensionFigures])], oldest first
    answered: list = field(default_factory=list)  # organisations that answered this period
    waiting: list = field(default_factory=list)  # active partners that have not
    own: HealthCheck | None = None  # the acting organisation's answer this period
    today: object = None

    @property
    def overdue(self):
        """Whether the partners that have not answered are past the day it was due by."""
        return self.today > self.due_by

    @property
    def partner_count(self):
        return len(self.answered) + len(self.waiting)

    @property
    def has_comments(self):
        return any(f.comments for f in self.figures)

    @property
    def current_label(self):
        return periods.label(self.current, self.months)

    @property
    def latest_label(self):
        return periods.label(self.latest, self.months) if self.latest else ""

    @property
    def due_by(self):
        return periods.due_by(self.current, self.months)

    @property
    def disagreements(self):
        return [f for f in self.figures if f.disagree]

    @property
    def chart(self):
        return charts.trend("Median score by period", self.trend, self.months)

    @property
    def table(self):
        """Rows of the trend's table: (dimension label, [median label per period])."""
        return [
            (dimension.label, [figures[index].median_label for _, figures in self.trend])
            for index, dimension in enumerate(Dimension)
        ]

    @property
    def table_periods(self):
        return [periods.short_label(start, self.months) for start, _ in self.trend]


def health_section(initiative, *, organisation=None, today=None):
    """The section of `initiative` as `organisation` (the one the user acts for, or None) sees
    it. Two queries: the initiative's answers, its active partners."""
    months = initiative.health_check_months
    today = today or timezone.localdate()
    section = Section(months=months, current=periods.period_of(today, months), today=today)
    checks = list(
        HealthCheck.objects.filter(initiative=initiative)
        .select_related("organisation")
        .order_by("period_start", "organisation__name", "organisation_id")
    )
    by_period = defaultdict(list)
    for check in checks:
        by_period[check.period_start].append(check)
    previous = None
    trend = []
    for start in sorted(by_period):
        figures = _figures(by_period[start], previous, comments=True)
        trend.append((start, figures))
        previous = figures
    if trend:
        section.latest, section.figures = trend[-1]
        section.answers = len(by_period[section.latest])
    section.trend = trend[-TREND_PERIODS:]
    this_period = {c.organisation_id: c for c in by_period.get(section.current, ())}
    partners = (
        Partnership.objects.filter(initiative=initiative, removed_on__isnull=True)
        .select_related("organisation")
        .order_by("organisation__name", "organisation_id")
    )
    for partnership in partners:
        answered = partnership.organisation_id in this_period
        (section.answered if answered else section.waiting).append(partnership.organisation)
    if organisation is not None:
        section.own = this_period.get(organisation.pk)
    return section


# --- the organisation dashboard ---------------------------------------------------------------


@dataclass
class Attention:
    """An initiative whose latest answered period has a dimension that needs attention."""

    initiative: dict  # pk, reference, title
    period: str
    dimensions: list  # (dimension label, "median 2; partners disagree (1 to 3)")


# Moves on when a check-in is answered or answers move with a merge (services).
ANSWERS_VERSION_KEY = "collaborate:health:answers:version"


@dataclass
class AttentionPanel:
    """What the dashboard's panel shows: how many initiatives need attention, and the first
    DASHBOARD_LIST of them by reference."""

    count: int
    first: list  # of Attention


def needing_attention_cached(organisation):
    """The panel of needing_attention, kept per organisation until a check-in is answered
    anywhere, a recompute of an initiative the organisation is involved in commits (a change
    of an initiative's status or partners is recomputed first, as the dashboard's figures are)
    or a full recompute does. At ten times national scale it ranks
    every answer of a large council's initiatives, a third of a second a view; and a thousand
    of them need attention, so only the count and the first few are kept (reading back the
    whole list took 5 ms a view)."""

    def panel():
        attention = needing_attention(organisation)
        return AttentionPanel(count=len(attention), first=attention[:DASHBOARD_LIST])

    key = f"collaborate:health:attention-panel:{organisation.pk}"
    return kit_cache.versioned(
        key,
        (*progress_selectors.organisation_version_keys(organisation.pk), ANSWERS_VERSION_KEY),
        progress_selectors.FIGURES_TIMEOUT,
        panel,
    )


def needing_attention(organisation):
    """The initiatives `organisation` is an active partner of (and that are not closed or
    stopped) whose latest answered period has a dimension with a median of LOW_MEDIAN or below,
    or falling by FALL or more since the period answered before, by reference. One query: the
    answers of each initiative's two latest periods with answers."""
    rank = Window(DenseRank(), partition_by=[F("initiative_id")], order_by=F("period_start").desc())
    rows = (
        HealthCheck.objects.filter(
            permissions.has_active_partner(organisation.pk, initiative="initiative_id")
        )
        .exclude(initiative__status__in=Initiative.FINAL)
        .annotate(rank=rank)
        .filter(rank__lte=2)
        .order_by()
        .values(
            "rank",
            "period_start",
            "initiative_id",
            "initiative__reference",
            "initiative__title",
            "initiative__health_check_months",
            *Dimension.values,
        )
    )
    grouped = defaultdict(lambda: ([], []))
    for row in rows:
        grouped[row["initiative_id"]][row["rank"] - 1].append(row)
    attention = []
    for latest, before in grouped.values():
        figures = _figures(latest, _figures(before) if before else None)
        if any(f.needs_attention for f in figures):
            # Listed for a low or falling median; where partners disagree is said too.
            reasons = [(f.label, "; ".join(f.reasons())) for f in figures if f.reasons()]
            first = latest[0]
            attention.append(
                Attention(
                    {
                        "pk": first["initiative_id"],
                        "reference": first["initiative__reference"],
                        "title": first["initiative__title"],
                    },
                    periods.label(first["period_start"], first["initiative__health_check_months"]),
                    reasons,
                )
            )
    attention.sort(key=lambda a: a.initiative["reference"])
    return attention


# --- reminders --------------------------------------------------------------------------------


def due_check_ins(*, today):
    """Active partnerships of active organisations in live initiatives whose organisation has
    not answered the initiative's current period, with the period's first day as
    `period_start`. One query, whatever the initiatives' periods."""
    answered = HealthCheck.objects.filter(
        initiative=OuterRef("initiative_id"), organisation=OuterRef("organisation_id")
    )
    unanswered = reduce(
        or_,
        (
            Q(initiative__health_check_months=months)
            & ~Exists(answered.filter(period_start=periods.current_period(months, today=today)))
            for months, _ in HEALTH_CHECK_PERIODS
        ),
    )
    partnerships = list(
        Partnership.objects.filter(
            unanswered,
            removed_on__isnull=True,
            organisation__active=True,
            initiative__status=Initiative.Status.LIVE,
        )
        .select_related("initiative", "organisation")
        .order_by("initiative__reference", "organisation__name")
    )
    for partnership in partnerships:
        months = partnership.initiative.health_check_months
        partnership.period_start = periods.current_period(months, today=today)
    return partnerships
