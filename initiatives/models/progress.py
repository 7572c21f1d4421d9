"""Progress figures computed from claims and targets, never typed in (DESIGN.md §2, §4).

The computed tables refer to initiatives without a database constraint: a foreign-key check
would take a lock on the initiative row, which a service editing the initiative holds while it
marks the initiative dirty, and a recompute would deadlock with it. Initiatives are never
deleted, and every computed row is rebuilt from the source tables.

Two levels: claims and targets → per-initiative rows (by year, and by partner and year) →
the fact table that every dashboard figure sums over. Recomputed by Celery; every row says
when it was computed."""

from django.db import models
from django.db.models import Q

from initiatives.models.initiatives import Initiative

MONEY = {"max_digits": 16, "decimal_places": 2, "default": 0}


class Measures(models.Model):
    """The figures every level holds."""

    target = models.DecimalField(**MONEY)
    claimed = models.DecimalField(**MONEY)  # submitted and verified, net
    verified_cash = models.DecimalField("verified cash-releasing", **MONEY)
    verified_non_cash = models.DecimalField("verified non-cash-releasing", **MONEY)
    claims_claimed = models.PositiveIntegerField(default=0)
    claims_verified = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.__class__.__name__} {self.pk}: verified {self.verified} of {self.target}"

    @property
    def verified(self):
        return self.verified_cash + self.verified_non_cash

    @property
    def awaiting_decision(self):
        """Claimed but not yet verified: submitted claims still awaiting a decision."""
        return self.claimed - self.verified

    @property
    def claims_awaiting(self):
        return self.claims_claimed - self.claims_verified


class InitiativeYearMeasures(Measures):
    """The figures of one initiative in one financial year, with the initiative's collaboration
    model and service area beside them for the fact table to group by."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    financial_year = models.PositiveSmallIntegerField()
    collaboration_model = models.CharField(max_length=30)
    service_area = models.CharField(max_length=30)

    class Meta:
        abstract = True


class InitiativeYear(InitiativeYearMeasures):
    """One initiative's figures in one financial year, all partners together."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "financial_year"], name="initiative_year_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["financial_year", "collaboration_model", "service_area"], name="iy_fact_key"
            )
        ]


class InitiativeShareYear(InitiativeYearMeasures):
    """One partner's part of one initiative's figures in one financial year: target and claimed
    by the current shares, verified from the stored attribution."""

    # A plain id, not a foreign key: computed rows are not records that a merge of organisations
    # moves or counts; a merge marks the initiatives dirty and the recompute rebuilds them.
    organisation_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "organisation_id", "financial_year"],
                name="initiative_share_year_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["organisation_id", "financial_year", "collaboration_model", "service_area"],
                name="isy_fact_key",
            )
        ]


class InitiativeProgress(Measures):
    """One row per initiative: its totals, target to date, percentage verified and RAG."""

    class Rag(models.TextChoices):
        GREEN = "green", "Green"
        AMBER = "amber", "Amber"
        RED = "red", "Red"
        GREY = "grey", "No target"

    initiative = models.OneToOneField(
        Initiative,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="progress",
        db_constraint=False,
    )
    target_to_date = models.DecimalField(**MONEY)
    # Wide enough for a tiny target far exceeded (£10,000 verified on a 1p target).
    percent_verified = models.DecimalField(max_digits=16, decimal_places=1, null=True)
    rag = models.CharField(max_length=5, choices=Rag.choices, default=Rag.GREY)
    last_activity = models.DateTimeField(null=True)

    class Meta:
        verbose_name_plural = "initiative progress"
        indexes = [models.Index(fields=["rag", "percent_verified"])]


class ProgressFact(Measures):
    """Organisation × financial year × collaboration model × service area. A row with no
    organisation holds the all-organisations total."""

    # A plain id (see InitiativeShareYear); empty for the all-organisations rows.
    organisation_id = models.BigIntegerField(null=True)
    financial_year = models.PositiveSmallIntegerField()
    collaboration_model = models.CharField(
        max_length=30, choices=Initiative.CollaborationModel.choices
    )
    service_area = models.CharField(max_length=30, choices=Initiative.ServiceArea.choices)
    initiatives = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation_id", "financial_year", "collaboration_model", "service_area"],
                condition=Q(organisation_id__isnull=False),
                name="fact_unique_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["financial_year", "collaboration_model", "service_area"],
                condition=Q(organisation_id__isnull=True),
                name="fact_unique_all_organisations",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organisation_id", "financial_year"], name="fact_organisation_year"
            )
        ]


class ProgressDirty(models.Model):
    """An initiative whose figures changed since they were last computed. The row survives a
    lost message: the sweep recomputes whatever is still here."""

    initiative = models.OneToOneField(
        Initiative,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        db_constraint=False,
    )
    marked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Initiative {self.initiative_id} dirty since {self.marked_at}"
