"""The collaboration health check: each partner's periodic answer on the barriers the founding
article names (shared vision, leadership willing to share power, time in relationships,
governance, structural fit) and on what shared services often fail to deliver besides money
(service improvement, resilience)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from initiatives.models.initiatives import Initiative
from partners.models import Organisation

SCORE_MIN, SCORE_MAX = 1, 5


class Dimension(models.TextChoices):
    """What each partner scores, 1 (not at all) to 5 (fully), in the article's words."""

    SHARED_VISION = "shared_vision", "Shared vision and objectives"
    LEADERSHIP = "leadership", "Leadership willing to cede and share resources and power"
    RELATIONSHIPS = "relationships", "Time invested in relationships and trust"
    GOVERNANCE = "governance", "Governance"
    STRUCTURAL_FIT = "structural_fit", "Structural fit (systems, contracts, geography)"
    SERVICE_IMPROVEMENT = "service_improvement", "Service improvement"
    RESILIENCE = "resilience", "Resilience"


def _score(dimension):
    return models.PositiveSmallIntegerField(
        dimension.label,
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)],
    )


def _comment(dimension):
    return models.TextField(f"{dimension.label}: comment", max_length=1000, blank=True)


class HealthCheck(models.Model):
    """One partner organisation's answer for one period of an initiative (the period starts on
    `period_start`, a month aligned to the financial year, and lasts the initiative's
    `health_check_months`). Answering again in the same period changes the answer."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.PROTECT, related_name="health_checks"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField()
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    answered_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)

    shared_vision = _score(Dimension.SHARED_VISION)
    shared_vision_comment = _comment(Dimension.SHARED_VISION)
    leadership = _score(Dimension.LEADERSHIP)
    leadership_comment = _comment(Dimension.LEADERSHIP)
    relationships = _score(Dimension.RELATIONSHIPS)
    relationships_comment = _comment(Dimension.RELATIONSHIPS)
    governance = _score(Dimension.GOVERNANCE)
    governance_comment = _comment(Dimension.GOVERNANCE)
    structural_fit = _score(Dimension.STRUCTURAL_FIT)
    structural_fit_comment = _comment(Dimension.STRUCTURAL_FIT)
    service_improvement = _score(Dimension.SERVICE_IMPROVEMENT)
    service_improvement_comment = _comment(Dimension.SERVICE_IMPROVEMENT)
    resilience = _score(Dimension.RESILIENCE)
    resilience_comment = _comment(Dimension.RESILIENCE)

    class Meta:
        ordering = ["-period_start", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "organisation", "period_start"],
                name="health_check_one_per_partner_per_period",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{dimension}__gte": SCORE_MIN})
                    & Q(**{f"{dimension}__lte": SCORE_MAX}),
                    name=f"health_check_{dimension}_1_to_5",
                )
                for dimension in Dimension.values
            ),
        ]
        indexes = [models.Index(fields=["initiative", "-period_start"])]

    def __str__(self):
        return f"{self.initiative.reference} {self.organisation} from {self.period_start}"

    def scores(self):
        """{dimension: score}, in the order of Dimension."""
        return {dimension: getattr(self, dimension) for dimension in Dimension.values}
