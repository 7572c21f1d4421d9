"""Risk-based audit samples of verified claims: the stored sampling frame, seed and parameters
(so a sample can be drawn again and checked), the claims selected and what the auditor found."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from initiatives import financial_years
from initiatives.models.claims import SavingsClaim
from initiatives.models.initiatives import MONEY
from partners.models import Organisation


class AuditSample(models.Model):
    """One draw: monetary-unit sampling over the frame's weighted amounts (n selections at a
    fixed interval from a random start) plus a stratum drawn uniformly from the rest."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    # None: every organisation (only an auditor an admin gave every organisation draws one).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    financial_year = models.PositiveSmallIntegerField()
    seed = models.BigIntegerField()
    sample_size = models.PositiveIntegerField("monetary-unit selections")
    stratum_size = models.PositiveIntegerField("claims drawn at random from the rest")
    # {risk factor code: multiplier of the claim's amount}, as they were when drawn.
    risk_weights = models.JSONField(default=dict)
    # What the draw found, kept to compare with a check (each is recomputed from the frame).
    frame_total = models.DecimalField(**MONEY)
    frame_count = models.PositiveIntegerField()
    interval = models.DecimalField(max_digits=24, decimal_places=4)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-drawn_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "financial_year"], name="audit_sample_org_year")
        ]

    def __str__(self):
        return self.reference

    @property
    def year_label(self):
        return financial_years.label(self.financial_year)


class AuditFrameRow(models.Model):
    """One claim of the frame as it was drawn from: its net amount, the risk factors found then
    and the weight they gave it, and whether (and how) the draw selected it."""

    class Selection(models.TextChoices):
        NONE = "", "Not selected"
        MONETARY = "monetary", "Monetary-unit"
        STRATUM = "stratum", "Random stratum"

    sample = models.ForeignKey(AuditSample, on_delete=models.CASCADE, related_name="frame")
    position = models.PositiveIntegerField()
    claim = models.ForeignKey(SavingsClaim, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(**MONEY)
    risk_factors = models.JSONField(default=list)
    weight = models.DecimalField(max_digits=8, decimal_places=4)
    selection = models.CharField(max_length=10, choices=Selection.choices, blank=True)

    class Meta:
        ordering = ["sample", "position"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "position"], name="frame_row_position"),
            models.UniqueConstraint(fields=["sample", "claim"], name="frame_row_claim_once"),
        ]
        indexes = [
            models.Index(
                fields=["sample", "position"],
                condition=~Q(selection=""),
                name="frame_row_selected",
            )
        ]

    def __str__(self):
        return f"{self.sample.reference} #{self.position}"


class AuditOutcome(models.Model):
    """What the auditor found for one selected claim. "Adjusted" and "not supported" made a
    correction (an adjustment through the claims service) that a lead manager decides."""

    class Result(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        ADJUSTED = "adjusted", "Adjusted"
        NOT_SUPPORTED = "not_supported", "Not supported"

    row = models.OneToOneField(AuditFrameRow, on_delete=models.CASCADE, related_name="outcome")
    result = models.CharField(max_length=15, choices=Result.choices)
    # The net amount the auditor found supported ("adjusted" only).
    audited_amount = models.DecimalField(null=True, blank=True, **MONEY)
    note = models.TextField(max_length=2000, blank=True)
    correction = models.OneToOneField(
        SavingsClaim, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(result="confirmed", correction__isnull=True)
                | (~Q(result="confirmed") & Q(correction__isnull=False)),
                name="audit_outcome_correction_unless_confirmed",
            ),
            models.CheckConstraint(
                condition=Q(result="adjusted", audited_amount__gte=0)
                | (~Q(result="adjusted") & Q(audited_amount__isnull=True)),
                name="audit_outcome_amount_when_adjusted",
            ),
        ]

    def __str__(self):
        return f"{self.row}: {self.get_result_display()}"
