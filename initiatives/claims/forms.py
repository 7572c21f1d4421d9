"""Forms for savings claims, corrections, decisions and the review queue's "verify selected"."""

import uuid

from django import forms
from django.conf import settings

from collaborate.kit import uploads
from collaborate.kit.edits import VersionedFormMixin
from collaborate.kit.filters import record_id
from initiatives import financial_years
from initiatives.claims import evidence, services
from initiatives.forms import ConstraintErrorsAtFields, your_reference_field
from initiatives.inputs import money_field
from initiatives.models import SavingsClaim


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(uploads.BoundedFileField):
    """Any number of files (each is checked by content in the service), together no larger than
    the evidence routes take (collaborate.kit.uploads)."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        limit = uploads.size_label(settings.EVIDENCE_UPLOAD_MAX_SIZE)
        kwargs.setdefault("help_text", f"{evidence.ACCEPTED_LIST}, up to {limit} in all.")
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(EvidenceField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ClaimForm(ConstraintErrorsAtFields, VersionedFormMixin, forms.ModelForm):
    constraint_fields = {"claim_external_reference_unique_per_claimant": "external_reference"}
    external_reference = your_reference_field("claim", example="a code from your finance system")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    creation_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    financial_year = forms.TypedChoiceField(
        label="Financial year of the saving",
        coerce=int,
        error_messages={
            "required": "Choose the financial year",
            "invalid_choice": "Choose one of the years offered",
        },
    )
    gross_amount = money_field(
        "Gross saving (£)", help_text="The saving before any cost of achieving it."
    )
    implementation_cost = money_field(
        "Implementation cost (£)",
        required=False,
        help_text="What it cost to achieve the saving in this year, if anything. "
        "The net saving is the gross saving minus this.",
    )
    baseline_value = money_field(
        "Baseline value (£)", required=False, help_text="What the service cost before."
    )
    baseline_year = forms.TypedChoiceField(
        label="Baseline year", coerce=int, required=False, empty_value=None
    )
    evidence = EvidenceField(
        label="Evidence files",
        required=False,
    )

    class Meta:
        model = SavingsClaim
        fields = services.CLAIM_FIELDS
        labels = {
            "description": "What was saved, and how the initiative caused it",
            "baseline_method": "How the baseline was worked out",
            "budget_reference": "Budget or cost-centre reference",
            "evidence_text": "Evidence",
            "service_quality": "Were the service's outputs maintained?",
            "service_quality_statement": "How do you know?",
        }
        help_texts = {
            "kind": "Cash-releasing savings free money that can be spent elsewhere.",
            "recurrence": "A recurring saving is claimed again in each year it recurs.",
            "evidence_text": "What shows the saving is real: reports, budgets, invoices. "
            "Attach files below.",
        }
        widgets = {
            "category": forms.RadioSelect,
            "kind": forms.RadioSelect,
            "recurrence": forms.RadioSelect,
            "service_quality": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
            "baseline_method": forms.Textarea(attrs={"rows": 2}),
            "evidence_text": forms.Textarea(attrs={"rows": 3}),
            "service_quality_statement": forms.Textarea(attrs={"rows": 2}),
            "budget_reference": forms.TextInput(attrs={"class": "govuk-input--width-20"}),
        }
        error_messages = {
            "category": {"required": "Choose the category of saving"},
            "kind": {"required": "Choose whether the saving releases cash"},
            "recurrence": {"required": "Choose whether the saving recurs"},
            "description": {
                "required": "Describe what was saved and how the initiative caused it",
                "max_length": "Describe it in 5,000 characters or fewer",
            },
            "service_quality": {"required": "Say whether the service's outputs were maintained"},
            "service_quality_statement": {
                "required": "Say how you know the outputs were maintained"
            },
        }

    def __init__(self, *args, initiative, locked=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("category", "kind", "recurrence", "service_quality"):
            self.fields[name].choices = SavingsClaim._meta.get_field(name).choices
        years = [y for y in initiative.savings_years() if y not in locked]
        if self.instance.pk and self.instance.financial_year not in years:
            years.append(self.instance.financial_year)
        self.fields["financial_year"].choices = [
            ("", "Choose a year"),
            *financial_years.choices(years),
        ]
        baseline_years = range(initiative.first_year - 10, initiative.last_year + 1)
        self.fields["baseline_year"].choices = [
            ("", "Not given"),
            *financial_years.choices(baseline_years),
        ]
        self.order_fields([*self.Meta.fields, "evidence"])
        if not self.is_bound:
            self.initial.setdefault("creation_token", uuid.uuid4())

    def claim_fields(self):
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in ("version", "creation_token", "evidence")
        }


class EvidenceForm(forms.Form):
    evidence = EvidenceField(
        label="Add evidence files",
        required=True,
        error_messages={"required": "Choose a file to upload"},
    )


class AdjustmentForm(forms.Form):
    creation_token = forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)
    change = money_field(
        "Change to the net saving (£)",
        allow_negative=True,
        help_text="Negative to reduce the verified saving, for example -2500.",
    )
    description = forms.CharField(
        label="What is being corrected, and why",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what is being corrected and why"},
    )
    evidence_text = forms.CharField(
        label="Evidence", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = EvidenceField(label="Evidence files", required=False)


class DecisionForm(forms.Form):
    DECISIONS = [("verify", "Verify"), ("return", "Return for revision"), ("reject", "Reject")]
    decision = forms.ChoiceField(
        choices=DECISIONS,
        widget=forms.RadioSelect,
        label="Decision",
        error_messages={"required": "Choose a decision"},
    )
    note = forms.CharField(
        label="Note to the claimant",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when you return or reject a claim.",
    )


class YearLockForm(forms.Form):
    """Why a financial year is being locked or unlocked: the audit log keeps it."""

    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, year, locking, **kwargs):
        super().__init__(*args, **kwargs)
        label, verb = financial_years.label(year), "lock" if locking else "unlock"
        field = self.fields["reason"]
        field.label = f"Why are you {verb}ing {label}?"
        field.help_text = (
            "For example, who signed the figures off and when."
            if locking
            else "For example, which correction has to be made, and who agreed to it."
        )
        field.error_messages["required"] = f"Say why you are {verb}ing {label}"


class TickedBoxes(forms.MultipleHiddenInput):
    """The values of checkboxes of one name that a page draws itself (one per table row, say):
    a visible field, so the error summary links to the first box, #<name>."""

    input_type = "checkbox"


class RecordIdsField(forms.Field):
    """Several records' ids, posted as one name repeated (ticked checkboxes): the ids that
    read as ids (collaborate.kit.filters.record_id), once each; the rest are ignored."""

    widget = TickedBoxes

    def to_python(self, value):
        if not isinstance(value, list | tuple):
            value = [value] if value else []
        ids = (record_id(str(item)) for item in value)
        return sorted({pk for pk in ids if pk is not None})


class VerifySelectedForm(forms.Form):
    """The review queue's "verify selected": the claims ticked and, on the confirmation page,
    `confirm` to verify them."""

    claims = RecordIdsField(error_messages={"required": "Select the claims to verify"})
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        # The first checkbox of the queue is #claims, as GOV.UK names a group's first item.
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
