"""Initiatives (one collaboration each), their partners and savings targets."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from initiatives import financial_years
from partners.models import Organisation

# Savings are counted from an initiative's start year until ten years after it ends (or after it
# starts, when no end is planned): recurring savings go on after a project ends.
YEARS_AFTER_END = 10
MAX_AMOUNT = Decimal("1000000000.00")  # £1bn: larger figures are typing mistakes
MONEY = {"max_digits": 14, "decimal_places": 2}  # an amount typed in: pounds and pence


HEALTH_CHECK_PERIODS = [
    (1, "Month"),
    (3, "Quarter"),
    (6, "Six months"),
    (12, "Year"),
]


class ReferenceSequence(models.Model):
    """The last number used for a kind of reference in a year (INI-2026-0001, CLM-…).

    Numbers come from incrementing this row inside the creating transaction: the update locks
    the row, so two people creating at once wait for each other and never get the same number,
    and a number is never reused."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="reference_sequence_unique")
        ]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.last}"


class Initiative(models.Model):
    class CollaborationModel(models.TextChoices):
        SHARED_SERVICE = "shared_service", "Shared service"
        CAPACITY_EXCHANGE = (
            "capacity_exchange",
            "Capacity or expertise exchange between authorities",
        )
        SPIN_OUT = "spin_out", "Social-enterprise or co-operative spin-out"
        INSOURCED_EXPERTISE = "insourced_expertise", "In-sourced business or third-sector expertise"
        CO_DESIGN = "co_design", "Co-design or co-production with communities"
        PUBLIC_SOCIAL = "public_social", "Public–social partnership"
        BUSINESS_SOCIAL = "business_social", "Business–social partnership"
        NEW_COMMISSIONING = "new_commissioning", "New commissioning model"
        OUTSOURCING = "outsourcing", "Traditional outsourcing"

    class ServiceArea(models.TextChoices):
        REVENUES_BENEFITS = "revenues_benefits", "Revenues and benefits"
        ICT = "ict", "ICT"
        HR_PAYROLL = "hr_payroll", "HR and payroll"
        LEGAL = "legal", "Legal"
        PROCUREMENT = "procurement", "Procurement"
        WASTE = "waste", "Waste"
        HIGHWAYS = "highways", "Highways"
        ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
        CHILDRENS_SERVICES = "childrens_services", "Children's services"
        PUBLIC_HEALTH = "public_health", "Public health"
        PLANNING = "planning", "Planning"
        BUILDING_CONTROL = "building_control", "Building control"
        ENVIRONMENTAL_HEALTH = "environmental_health", "Environmental health"
        TRADING_STANDARDS = "trading_standards", "Trading standards"
        LIBRARIES_CULTURE = "libraries_culture", "Libraries and culture"
        HOUSING = "housing", "Housing"
        FINANCE_AUDIT = "finance_audit", "Finance and audit"
        CUSTOMER_SERVICES = "customer_services", "Customer services"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        IN_DESIGN = "in_design", "In design"
        IMPLEMENTING = "implementing", "Implementing"
        LIVE = "live", "Live"
        PAUSED = "paused", "Paused"
        CLOSED = "closed", "Closed"
        STOPPED = "stopped", "Stopped"

    class Governance(models.TextChoices):
        JOINT_COMMITTEE = "joint_committee", "Joint committee"
        LEAD_AUTHORITY = "lead_authority", "Lead-authority agreement"
        COMPANY = "company", "Company"
        INFORMAL = "informal", "Informal"
        OTHER = "other", "Other"

    class Visibility(models.TextChoices):
        PARTNERS = "partners", "Partners only"
        PUBLIC = "public", "Public register"

    reference = models.CharField(max_length=20, unique=True, editable=False)
    # The lead organisation's own id for it (a project code, a row of its spreadsheet): what an
    # import matches a row on when the row has no reference of ours.
    external_reference = models.CharField(
        "your reference",
        max_length=50,
        blank=True,
        help_text="Your organisation's own reference for it, if it has one",
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=5000, blank=True)
    collaboration_model = models.CharField(max_length=30, choices=CollaborationModel.choices)
    service_area = models.CharField(max_length=30, choices=ServiceArea.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    # The status a paused initiative returns to.
    paused_from = models.CharField(max_length=20, choices=Status.choices, blank=True)
    governance = models.CharField(
        "governance model", max_length=20, choices=Governance.choices, default=Governance.INFORMAL
    )
    start_date = models.DateField()
    planned_end_date = models.DateField(null=True, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PARTNERS
    )
    published_at = models.DateTimeField(null=True, blank=True)
    lead = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="led_initiatives",
        verbose_name="lead organisation",
        db_index=False,  # Meta's initiative_lead, which holds the id too
    )
    not_for_savings = models.BooleanField("not meant to save money", default=False)
    not_for_savings_reason = models.TextField(max_length=2000, blank=True)
    # The financial year savings are first expected in, for an initiative whose savings come
    # later: kept apart from the dashboard's gaps (initiatives with no target and no reason).
    savings_expected_from = models.PositiveSmallIntegerField(
        "savings expected from", null=True, blank=True
    )
    # What comparing collaboration with outsourcing needs (all optional). The day it went live
    # and the day it stopped or closed come from its status changes; `live_since` is typed only
    # for an arrangement that was live before it was recorded here.
    setup_cost = models.DecimalField(
        "one-off set-up cost (£)",
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)],
        help_text="Including procurement, legal and transition costs",
        **MONEY,
    )
    contract_months = models.PositiveSmallIntegerField(
        "contract term (months)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )
    contract_break_points = models.CharField(
        "break points",
        max_length=200,
        blank=True,
        help_text="When either side may end the contract early, for example “after 3 and 5 years”",
    )
    procurement_started_on = models.DateField("procurement started", null=True, blank=True)
    contract_awarded_on = models.DateField("contract awarded", null=True, blank=True)
    live_since = models.DateField(
        "live since",
        null=True,
        blank=True,
        help_text="Only for an arrangement that was already live before it was recorded here",
    )
    went_live_on = models.DateField(null=True, blank=True, editable=False)
    ended_on = models.DateField(null=True, blank=True, editable=False)  # stopped or closed
    health_check_months = models.PositiveSmallIntegerField(
        "health check every",
        choices=HEALTH_CHECK_PERIODS,
        default=3,
        help_text="How often each partner answers the collaboration health check",
    )
    # Whether other organisations finding partners may write to the lead's managers about it.
    accepts_interest = models.BooleanField(
        "other councils may contact us about it",
        default=True,
        help_text="Organisations that find it when looking for partners can send your managers "
        "a message through Collaborate",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # DESIGN.md §2: the only status changes there are.
    TRANSITIONS = {
        Status.PROPOSED: {Status.IN_DESIGN, Status.STOPPED},
        Status.IN_DESIGN: {Status.IMPLEMENTING, Status.PROPOSED, Status.PAUSED, Status.STOPPED},
        Status.IMPLEMENTING: {Status.LIVE, Status.IN_DESIGN, Status.PAUSED, Status.STOPPED},
        Status.LIVE: {Status.CLOSED, Status.PAUSED, Status.STOPPED},
        Status.PAUSED: {Status.STOPPED},  # and back to the status it was paused from
        Status.CLOSED: set(),
        Status.STOPPED: set(),
    }
    FINAL = (Status.CLOSED, Status.STOPPED)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_date__isnull=True)
                | Q(planned_end_date__gte=F("start_date")),
                name="initiative_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(not_for_savings=False) | ~Q(not_for_savings_reason=""),
                name="initiative_not_for_savings_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(setup_cost__isnull=True) | Q(setup_cost__gte=0),
                name="initiative_setup_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(contract_awarded_on__isnull=True)
                | Q(procurement_started_on__isnull=True)
                | Q(contract_awarded_on__gte=F("procurement_started_on")),
                name="initiative_awarded_after_procurement_started",
            ),
            models.UniqueConstraint(
                fields=["lead", "external_reference"],
                condition=~Q(external_reference=""),
                name="initiative_external_reference_unique_per_lead",
                violation_error_message="Another initiative your organisation leads has this "
                "reference",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "service_area"]),
            models.Index(fields=["service_area", "status"]),
            models.Index(fields=["visibility", "published_at"]),
            # Finding partners: the initiatives of an area (and model) that are published,
            # read from the index alone (PostgreSQL; other databases ignore `include`).
            models.Index(
                fields=["service_area", "collaboration_model"],
                include=["id", "visibility", "published_at"],
                name="initiative_findable",
            ),
            # The public register, newest first: its first page read from the index alone.
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(visibility="public", published_at__isnull=False),
                name="initiative_register_order",
            ),
            # The initiatives a council leads (its review queue, its dashboard), their ids read
            # from the index alone.
            models.Index(fields=["lead"], include=["id"], name="initiative_lead"),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("initiatives:detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.planned_end_date and self.start_date and self.planned_end_date < self.start_date:
            raise ValidationError(
                {"planned_end_date": "The planned end date must be on or after the start date"}
            )
        if self.not_for_savings and not self.not_for_savings_reason.strip():
            raise ValidationError(
                {"not_for_savings_reason": "Say why this initiative is not meant to save money"}
            )
        started, awarded = self.procurement_started_on, self.contract_awarded_on
        if started and awarded and awarded < started:
            raise ValidationError(
                {
                    "contract_awarded_on": "The contract must be awarded on or after the day "
                    "procurement started"
                }
            )

    def allowed_statuses(self):
        """The statuses this initiative may move to now."""
        allowed = set(self.TRANSITIONS[self.Status(self.status)])
        if self.status == self.Status.PAUSED and self.paused_from:
            allowed.add(self.Status(self.paused_from))
        return [s for s in self.Status if s in allowed]

    @property
    def is_final(self):
        return self.status in self.FINAL

    @property
    def is_published(self):
        return self.visibility == self.Visibility.PUBLIC and self.published_at is not None

    @property
    def live_from(self):
        """The day it went live: from its status changes, or typed for an arrangement that was
        live before it was recorded here."""
        return self.went_live_on or self.live_since

    @property
    def first_year(self):
        return financial_years.financial_year_of(self.start_date)

    @property
    def last_year(self):
        """The last financial year targets and claims may fall in."""
        end = self.planned_end_date or self.start_date
        return financial_years.financial_year_of(end) + YEARS_AFTER_END

    def savings_years(self):
        return range(self.first_year, self.last_year + 1)


class Partnership(models.Model):
    """An organisation taking part in an initiative, with its share of the savings."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.PROTECT, related_name="partnerships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="partnerships"
    )
    savings_share = models.DecimalField(
        "share of savings (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    joined_on = models.DateField(default=date.today)
    removed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-savings_share", "organisation__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(savings_share__gte=0) & Q(savings_share__lte=100),
                name="partnership_share_between_0_and_100",
            ),
            models.UniqueConstraint(
                fields=["initiative", "organisation"],
                condition=Q(removed_on__isnull=True),
                name="partnership_one_active_per_organisation",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organisation", "initiative"],
                condition=Q(removed_on__isnull=True),
                name="partnership_active_org",
            )
        ]

    def __str__(self):
        return f"{self.organisation} in {self.initiative.reference}"

    @property
    def active(self):
        return self.removed_on is None


class SavingsTarget(models.Model):
    """What an initiative plans to save in one financial year, all kinds together."""

    initiative = models.ForeignKey(Initiative, on_delete=models.PROTECT, related_name="targets")
    financial_year = models.PositiveSmallIntegerField()
    amount = models.DecimalField(
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)], **MONEY
    )

    class Meta:
        ordering = ["financial_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "financial_year"], name="target_one_per_year"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="target_not_negative"),
        ]

    def __str__(self):
        return f"{self.initiative.reference} {self.year_label}: {self.amount}"

    @property
    def year_label(self):
        return financial_years.label(self.financial_year)
