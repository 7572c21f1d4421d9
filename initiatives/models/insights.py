"""Collaboration compared with outsourcing (issue 18), computed, never typed in: one outcome
row per initiative, rebuilt with its progress rows (the dirty marks and the reconcile), and the
population figures over them — medians and quartiles per collaboration model, per cohort and
per filter — rebuilt nightly into a table of their own.

Each measure of `MEASURES` has columns `<key>_n` (how many initiatives the figure rests on) and
`<key>_median`, and, where it has quartiles, `<key>_lower` and `<key>_upper`."""

from dataclasses import dataclass

from django.db import models

from initiatives.models.health import Dimension
from initiatives.models.initiatives import Initiative

MONEY = {"max_digits": 16, "decimal_places": 2}
YEARS_AFTER_LIVE = (1, 2, 3)  # the years after going live whose targets are compared


@dataclass(frozen=True)
class Measure:
    """A figure of the insights page: what it is called, its unit ("days", "share", "ratio",
    "months", "score"), whether it has quartiles, and whether the public version shows it (only
    what the register itself shows: when it went live, verified savings, whether it stopped)."""

    key: str
    title: str
    unit: str
    quartiles: bool = True
    public: bool = False
    contracted: bool = False  # only arrangements with a contract


MEASURES = [
    Measure(
        "first_saving_days",
        "Time from going live to the first verified saving",
        "days",
        public=True,
    ),
    *(
        Measure(f"realised_y{k}", f"Share of target realised in year {k} after going live", "share")
        for k in YEARS_AFTER_LIVE
    ),
    Measure("savings_per_pound", "Verified savings per pound of set-up cost", "ratio"),
    Measure("stopped", "Initiatives stopped", "share", quartiles=False, public=True),
    Measure("stop_days", "Time from going live (or starting) to stopping", "days", public=True),
    Measure(
        "procurement_days",
        "Procurement: from starting to awarding the contract",
        "days",
        contracted=True,
    ),
    Measure("contract_months", "Contract length", "months", contracted=True),
    *(
        Measure(f"health_{dimension.value}", dimension.label, "score", quartiles=False)
        for dimension in Dimension
    ),
]
MEASURE_KEYS = [measure.key for measure in MEASURES]


class InitiativeOutcome(models.Model):
    """What one initiative achieved, from its own record, its progress rows and its claims:
    the row every insight figure is computed from. The cohort is the financial year it went
    live (or started, for one that never went live)."""

    initiative = models.OneToOneField(
        Initiative,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        db_constraint=False,  # as the progress tables: no lock on the initiative's row
    )
    collaboration_model = models.CharField(max_length=30)
    service_area = models.CharField(max_length=30)
    lead_id = models.BigIntegerField()
    lead_region = models.CharField(max_length=20)
    lead_kind = models.CharField(max_length=30)
    published = models.BooleanField()
    live_from = models.DateField(null=True)
    cohort = models.PositiveSmallIntegerField()
    first_verified_on = models.DateField(null=True)
    days_to_first_saving = models.IntegerField(null=True)
    setup_cost = models.DecimalField(null=True, **MONEY)
    verified_total = models.DecimalField(**MONEY)
    target_y1 = models.DecimalField(null=True, **MONEY)
    verified_y1 = models.DecimalField(null=True, **MONEY)
    target_y2 = models.DecimalField(null=True, **MONEY)
    verified_y2 = models.DecimalField(null=True, **MONEY)
    target_y3 = models.DecimalField(null=True, **MONEY)
    verified_y3 = models.DecimalField(null=True, **MONEY)
    stopped = models.BooleanField()
    ended_on = models.DateField(null=True)
    days_to_end = models.IntegerField(null=True)
    procurement_days = models.IntegerField(null=True)
    contract_months = models.PositiveSmallIntegerField(null=True)
    health_period = models.DateField(null=True)  # the latest period any partner answered
    health_shared_vision = models.FloatField(null=True)
    health_leadership = models.FloatField(null=True)
    health_relationships = models.FloatField(null=True)
    health_governance = models.FloatField(null=True)
    health_structural_fit = models.FloatField(null=True)
    health_service_improvement = models.FloatField(null=True)
    health_resilience = models.FloatField(null=True)
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["collaboration_model", "cohort"], name="outcome_model")]

    def __str__(self):
        return f"Outcome of initiative {self.initiative_id}"


def _figure_fields(measure):
    fields = {
        f"{measure.key}_n": models.PositiveIntegerField(default=0),
        f"{measure.key}_median": models.FloatField(null=True),
    }
    if measure.quartiles:
        fields[f"{measure.key}_lower"] = models.FloatField(null=True)
        fields[f"{measure.key}_upper"] = models.FloatField(null=True)
    return fields


class InsightFigureBase(models.Model):
    class Meta:
        abstract = True


for _measure in MEASURES:
    for _name, _field in _figure_fields(_measure).items():
        InsightFigureBase.add_to_class(_name, _field)


class InsightFigure(InsightFigureBase):
    """The figures of one collaboration model over a group of initiatives: a scope (national:
    every initiative; public: the published ones), a cohort and the filters. An empty filter
    column (NULL) means "all"; a lead with no region is ''."""

    class Scope(models.TextChoices):
        NATIONAL = "national", "National"
        PUBLIC = "public", "Published initiatives"

    scope = models.CharField(max_length=8, choices=Scope.choices)
    collaboration_model = models.CharField(
        max_length=30, choices=Initiative.CollaborationModel.choices
    )
    # NULL is "all" (GROUPING SETS leave a column out that way); '' is a lead with no region.
    cohort = models.PositiveSmallIntegerField(null=True)
    service_area = models.CharField(max_length=30, null=True)  # noqa: DJ001
    lead_region = models.CharField(max_length=20, null=True)  # noqa: DJ001
    lead_kind = models.CharField(max_length=30, null=True)  # noqa: DJ001
    initiatives = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["scope", "cohort", "service_area", "lead_region", "lead_kind"],
                name="insight_figure_lookup",
            )
        ]

    def __str__(self):
        return f"{self.scope} {self.collaboration_model} {self.cohort or 'all years'}"
