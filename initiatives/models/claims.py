"""Savings claims, their evidence and their attribution to partners; locked financial years."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from collaborate.kit import uploads
from initiatives import financial_years
from initiatives.models.initiatives import MAX_AMOUNT, MONEY, Initiative
from partners.models import Organisation


class FinancialYearLock(models.Model):
    """A financial year whose figures are signed off: no claim in it is created, changed or
    decided while it is locked."""

    year = models.PositiveSmallIntegerField(unique=True)
    locked_at = models.DateTimeField(default=timezone.now)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["year"]

    def __str__(self):
        return f"{financial_years.label(self.year)} locked"


class SavingsClaim(models.Model):
    """A saving an initiative made, with what UK efficiency guidance expects of one: causation
    (description), valuation (amounts, baseline), attribution (shares) and validation
    (evidence, service quality, a decision by someone else)."""

    class Category(models.TextChoices):
        COST_REDUCTION = "cost_reduction", "Cost reduction"
        INCOME = "income", "Income"
        COST_AVOIDANCE = "cost_avoidance", "Cost avoidance"

    class Kind(models.TextChoices):
        CASH_RELEASING = "cash_releasing", "Cash-releasing"
        NON_CASH_RELEASING = "non_cash_releasing", "Non-cash-releasing"

    class Recurrence(models.TextChoices):
        RECURRING = "recurring", "Recurring"
        ONE_OFF = "one_off", "One-off"

    class ServiceQuality(models.TextChoices):
        IMPROVED = "improved", "Outputs improved"
        MAINTAINED = "maintained", "Outputs maintained"
        FELL = "fell", "Outputs fell"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Awaiting decision"
        RETURNED = "returned", "Returned for revision"
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Rejected"

    EDITABLE = (Status.DRAFT, Status.RETURNED)
    FINAL = (Status.VERIFIED, Status.REJECTED)

    reference = models.CharField(max_length=20, unique=True, editable=False)
    # The claimant's own id for the claim, as for initiatives: what an import matches on.
    external_reference = models.CharField("your reference", max_length=50, blank=True)
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.PROTECT,
        related_name="claims",
        db_index=False,  # Meta's claim_progress, which starts with it
    )
    claimant = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="savings_claims",
        verbose_name="claimant organisation",
    )
    financial_year = models.PositiveSmallIntegerField()
    category = models.CharField(max_length=20, choices=Category.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recurrence = models.CharField(max_length=10, choices=Recurrence.choices)
    gross_amount = models.DecimalField("gross saving", **MONEY)
    implementation_cost = models.DecimalField(default=Decimal("0.00"), **MONEY)
    net_amount = models.GeneratedField(
        expression=F("gross_amount") - F("implementation_cost"),
        output_field=models.DecimalField(**MONEY),
        db_persist=True,
        verbose_name="net saving",
    )
    baseline_value = models.DecimalField(null=True, blank=True, **MONEY)
    baseline_year = models.PositiveSmallIntegerField(null=True, blank=True)
    baseline_method = models.TextField(max_length=2000, blank=True)
    budget_reference = models.CharField(
        "budget or cost-centre reference", max_length=60, blank=True
    )
    description = models.TextField(max_length=5000)
    evidence_text = models.TextField("evidence", max_length=5000, blank=True)
    service_quality = models.CharField(max_length=12, choices=ServiceQuality.choices)
    service_quality_statement = models.TextField(max_length=2000)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adjustments",
        verbose_name="claim it corrects",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(max_length=2000, blank=True)
    # The token of the form that created the claim: a second post of the same form (a double
    # click) finds the claim the first one made instead of making another.
    creation_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # Everyone who edited or submitted the claim, each submission kept (a claim withdrawn or
    # returned is submitted again, maybe by someone else): with its creator, the people
    # separation of duties keeps from deciding it.
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(corrects__isnull=False)
                | (Q(gross_amount__gt=0) & Q(implementation_cost__lte=F("gross_amount"))),
                name="claim_normal_gross_positive_cost_within_gross",
            ),
            models.CheckConstraint(
                condition=Q(implementation_cost__gte=0), name="claim_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(gross_amount__lte=MAX_AMOUNT)
                & Q(gross_amount__gte=-MAX_AMOUNT)
                & Q(implementation_cost__lte=MAX_AMOUNT),
                name="claim_amounts_within_1bn",
            ),
            models.UniqueConstraint(
                fields=["claimant", "external_reference"],
                condition=~Q(external_reference=""),
                name="claim_external_reference_unique_per_claimant",
                violation_error_message="Another claim by your organisation has this reference",
            ),
        ]
        indexes = [
            # An initiative's claims by status, with what its recompute sums: a batch of the
            # reconcile reads its initiatives' claims from the index alone, not from heap
            # pages scattered over the whole table (half the reconcile at ten times national
            # scale).
            models.Index(
                fields=["initiative", "status"],
                include=["financial_year", "kind", "net_amount", "updated_at", "id"],
                name="claim_progress",
            ),
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["claimant", "status"]),
            models.Index(fields=["financial_year", "status"]),
            # A manager's review queue, counted and read from the index alone: the claims
            # awaiting a decision of the initiatives their council leads.
            models.Index(
                fields=["initiative"],
                include=["id", "submitted_by", "created_by", "submitted_at"],
                condition=Q(status="submitted"),
                name="claim_awaiting_decision",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.initiative.reference}"

    def get_absolute_url(self):
        return reverse("claims:detail", args=[self.pk])

    @property
    def is_adjustment(self):
        return self.corrects_id is not None

    @property
    def year_label(self):
        return financial_years.label(self.financial_year)

    @property
    def editable(self):
        return self.status in self.EDITABLE


def evidence_path(instance, filename):
    return uploads.stored_name("evidence", filename)


class ClaimEvidence(models.Model):
    claim = models.ForeignKey(SavingsClaim, on_delete=models.PROTECT, related_name="evidence_files")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name_plural = "claim evidence"

    def __str__(self):
        return self.original_name


class ClaimAttribution(models.Model):
    """A verified claim's net amount split to one partner, stored at verification so that
    later share changes never rewrite history."""

    claim = models.ForeignKey(
        SavingsClaim,
        on_delete=models.PROTECT,
        related_name="attributions",
        db_index=False,  # Meta's attribution_of_claim
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="claim_attributions"
    )
    share = models.DecimalField(max_digits=5, decimal_places=2)
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["-share", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "organisation"], name="attribution_one_per_organisation"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "claim"]),
            # A claim's attributions with what the recompute sums, from the index alone.
            models.Index(
                fields=["claim"], include=["organisation", "amount"], name="attribution_of_claim"
            ),
        ]

    def __str__(self):
        return f"{self.claim.reference}: {self.organisation} {self.amount}"
