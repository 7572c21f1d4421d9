"""Forms of audit sampling: choosing the organisation and year, drawing, recording an outcome."""

from django import forms

from initiatives import financial_years
from initiatives.inputs import money_field
from initiatives.models import AuditOutcome

YEARS_BACK = 12  # the years offered: this one and the eleven before it


def year_choices():
    current = financial_years.current_financial_year()
    return financial_years.choices(range(current, current - YEARS_BACK, -1))


def _number(label, *, initial, help_text, maximum):
    return forms.IntegerField(
        label=label,
        initial=initial,
        min_value=0,
        max_value=maximum,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-4", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as a whole number, like 25",
            "min_value": f"Enter the {label.lower()} as 0 or more",
            "max_value": f"Enter the {label.lower()} as {maximum} or less",
        },
    )


class ChooseForm(forms.Form):
    """What to sample (a GET form): an organisation the auditor audits (or, for an auditor of
    every organisation, none: every one) and a financial year."""

    organisation = forms.ModelChoiceField(
        queryset=None,
        label="Organisation",
        error_messages={
            "required": "Choose the organisation whose claims to sample",
            "invalid_choice": "Choose one of the organisations offered",
        },
    )
    financial_year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        error_messages={
            "required": "Choose the financial year",
            "invalid_choice": "Choose one of the years offered",
        },
    )

    def __init__(self, *args, organisations, every_organisation=False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.queryset = organisations
        if every_organisation:
            field.required = False
            field.empty_label = "Every organisation"
        self.fields["financial_year"].choices = year_choices()
        self.fields["financial_year"].initial = financial_years.current_financial_year() - 1


class DrawForm(ChooseForm):
    """Draw (a POST form): the choice made, carried in hidden fields, and how many claims."""

    sample_size = _number(
        "Monetary-unit selections",
        initial=25,
        maximum=500,
        help_text="The larger a claim, the likelier it is chosen; one above the sampling "
        "interval always is.",
    )
    stratum_size = _number(
        "Claims drawn at random from the rest",
        initial=5,
        maximum=200,
        help_text="Every remaining claim has the same chance, however small.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].widget = forms.HiddenInput()
        self.fields["financial_year"].widget = forms.HiddenInput()


class OutcomeForm(forms.Form):
    result = forms.ChoiceField(
        label="What did the audit find?",
        choices=AuditOutcome.Result.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the audit found"},
    )
    audited_amount = money_field(
        "Net saving the evidence supports (£)",
        required=False,
        help_text="Only when the audit adjusts the claim.",
    )
    note = forms.CharField(
        label="What the audit found",
        required=False,
        max_length=2000,
        help_text="Needed when the claim is adjusted or not supported: it becomes the "
        "reason of the correction the lead's managers decide.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("result") == AuditOutcome.Result.ADJUSTED
            and cleaned.get("audited_amount") is None
            and "audited_amount" not in self.errors
        ):
            self.add_error("audited_amount", "Enter the net saving the evidence supports")
        if (
            cleaned.get("result")
            in (
                AuditOutcome.Result.ADJUSTED,
                AuditOutcome.Result.NOT_SUPPORTED,
            )
            and not (cleaned.get("note") or "").strip()
        ):
            self.add_error("note", "Say what the audit found and why")
        return cleaned
