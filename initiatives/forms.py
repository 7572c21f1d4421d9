"""Forms for initiatives, partners, shares, targets and status: input validation only (the
services hold the rules)."""

import datetime

from django import forms

from collaborate.kit.edits import VersionedFormMixin
from initiatives import financial_years, inputs, services
from initiatives.models import Initiative
from initiatives.models.initiatives import HEALTH_CHECK_PERIODS


class DateInputWidget(forms.MultiWidget):
    """GOV.UK's date input: day, month and year boxes in a fieldset."""

    template_name = "widgets/govuk_date.html"
    use_fieldset = True

    def __init__(self, attrs=None):
        numeric = {"inputmode": "numeric", "spellcheck": "false"}
        super().__init__(
            [
                forms.TextInput(
                    {**numeric, "class": "govuk-date-input__input govuk-input--width-2"}
                ),
                forms.TextInput(
                    {**numeric, "class": "govuk-date-input__input govuk-input--width-2"}
                ),
                forms.TextInput(
                    {**numeric, "class": "govuk-date-input__input govuk-input--width-4"}
                ),
            ],
            attrs,
        )

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DateField(forms.MultiValueField):
    """A date typed as day, month and year, with GOV.UK's error messages."""

    widget = DateInputWidget

    def __init__(self, *, label, **kwargs):
        self.label_text = label
        fields = [forms.CharField(required=False) for _ in range(3)]
        super().__init__(fields, label=label, require_all_fields=False, **kwargs)
        self.error_messages["required"] = f"Enter the {label.lower()}"

    def compress(self, values):
        if not values or not any(values):
            return None
        day, month, year = (str(v or "").strip() for v in values)
        missing = [name for name, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise forms.ValidationError(
                f"The {self.label_text.lower()} must include a {' and '.join(missing)}"
            )
        try:
            value = datetime.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):  # not numbers, no such day, or digits past any date
            raise forms.ValidationError(
                f"The {self.label_text.lower()} must be a real date"
            ) from None
        if not 1990 <= value.year <= 2100:
            raise forms.ValidationError(
                f"The {self.label_text.lower()} must be between 1990 and 2100"
            )
        return value


def your_reference_field(what, *, example):
    """The "your reference" input of an initiative's or a claim's form: the organisation's own id
    for the record, which a spreadsheet import matches rows on."""
    return forms.CharField(
        label="Your reference (optional)",
        required=False,
        max_length=50,
        help_text=f"Your organisation's own reference for this {what}, such as {example}. "
        f"A spreadsheet import uses it to recognise the {what}.",
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-20", "spellcheck": "false", "autocomplete": "off"}
        ),
        error_messages={"max_length": "Enter a reference of 50 characters or fewer"},
    )


class ConstraintErrorsAtFields:
    """A ModelForm mixin: a unique constraint over a field of the form and one it does not have
    (the lead, the claimant) is checked by the service's full_clean, which reports it for the
    whole form; `constraint_fields` ({constraint name: field}) shows it at the field instead,
    where the user can correct it."""

    constraint_fields = {}

    def add_error(self, field, error):
        by_field = isinstance(error, dict) or hasattr(error, "error_dict")  # model.clean()'s
        if field is None and not by_field and self.constraint_fields:
            at_field = {
                constraint.get_violation_error_message(): self.constraint_fields[constraint.name]
                for constraint in self._meta.model._meta.constraints
                if constraint.name in self.constraint_fields
            }
            rest = []
            for item in forms.ValidationError(error).error_list:
                message = " ".join(item.messages)
                if message in at_field:
                    super().add_error(at_field[message], item)
                else:
                    rest.append(item)
            if not rest:
                return
            error = rest
        super().add_error(field, error)


class InitiativeForm(ConstraintErrorsAtFields, VersionedFormMixin, forms.ModelForm):
    constraint_fields = {"initiative_external_reference_unique_per_lead": "external_reference"}
    external_reference = your_reference_field("initiative", example="a project code")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    start_date = DateField(label="Start date", help_text="For example, 1 4 2026")
    planned_end_date = DateField(
        label="Planned end date", required=False, help_text="Leave blank if it has no planned end."
    )
    # Comparing with outsourcing (initiatives/includes/initiative_fields.html shows them apart).
    setup_cost = inputs.setup_cost_field()
    contract_months = inputs.contract_months_field()
    contract_break_points = inputs.break_points_field()
    procurement_started_on = DateField(label="Procurement started", required=False)
    contract_awarded_on = DateField(
        label="Contract awarded", required=False, help_text="On or after procurement started."
    )
    live_since = DateField(
        label="Live since",
        required=False,
        help_text="Only for an arrangement that was already live before it was recorded here. "
        "Otherwise the day it went live is recorded when its status becomes live.",
    )
    health_check_months = forms.TypedChoiceField(
        label="Health check every",
        choices=HEALTH_CHECK_PERIODS,
        coerce=int,
        empty_value=None,
        required=False,  # left out (an older client, a script): kept as it is
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
        help_text="How often each partner answers the collaboration health check.",
        error_messages={
            "required": "Choose how often partners answer the health check",
            "invalid_choice": "Choose how often partners answer the health check",
        },
    )
    accepts_interest = forms.TypedChoiceField(
        label="Other councils may contact us about it",
        choices=[(True, "Yes"), (False, "No")],
        coerce=lambda value: value in (True, "True"),
        empty_value=None,
        required=False,  # left out (an older client, a script): kept as it is
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
        help_text="Organisations that find it when looking for partners can send your managers "
        "a message through Collaborate, which gives them the sender's address to reply to.",
    )
    template_name = "initiatives/includes/initiative_fields.html"
    CONTRACT_FIELDS = [
        "contract_months",
        "contract_break_points",
        "procurement_started_on",
        "contract_awarded_on",
    ]

    class Meta:
        model = Initiative
        fields = services.EDITABLE_FIELDS
        labels = {"collaboration_model": "Collaboration model", "governance": "Governance model"}
        help_texts = {
            "summary": "What the partners do together, and what it should achieve.",
            "collaboration_model": "How the partners work together.",
        }
        widgets = {
            "collaboration_model": forms.RadioSelect,
            "governance": forms.RadioSelect,
            "summary": forms.Textarea(attrs={"rows": 5}),
        }
        error_messages = {
            "title": {
                "required": "Enter a title",
                "max_length": "Enter a title of 200 characters or fewer",
            },
            "summary": {"max_length": "Enter a summary of 5,000 characters or fewer"},
            "collaboration_model": {"required": "Choose the collaboration model"},
            "service_area": {"required": "Choose the service area"},
        }

    def __init__(self, *args, lead_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collaboration_model"].choices = Initiative.CollaborationModel.choices
        self.fields["governance"].choices = Initiative.Governance.choices
        if lead_choices is not None:
            self.fields["lead"] = forms.ModelChoiceField(
                queryset=lead_choices,
                label="Lead organisation",
                empty_label="Choose the lead organisation",
                error_messages={"required": "Choose the lead organisation"},
            )
            self.order_fields(["lead"])
        if self.instance.pk is None or self.instance.went_live_on is not None:
            # Typed only for an arrangement live before it was recorded here: a new initiative
            # is proposed, and one whose going live is recorded has its day already.
            del self.fields["live_since"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("planned_end_date")
        if start and end and end < start:
            self.add_error(
                "planned_end_date", "The planned end date must be on or after the start date"
            )
        for kept in ("health_check_months", "accepts_interest"):
            if cleaned.get(kept) is None:
                cleaned[kept] = getattr(self.instance, kept)
        return cleaned

    def _apart(self):
        return {
            "setup_cost",
            "live_since",
            "health_check_months",
            "accepts_interest",
            *self.CONTRACT_FIELDS,
        }

    def main_fields(self):
        """The initiative's description, before the comparison's fieldset."""
        return [bf for bf in self.visible_fields() if bf.name not in self._apart()]

    def contract_fields(self):
        return [self[name] for name in self.CONTRACT_FIELDS]

    def live_since_field(self):
        return self["live_since"] if "live_since" in self.fields else None


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="New status",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the new status"},
    )
    reason = forms.CharField(
        label="Why is the status changing?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the status is changing"},
    )

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s.value, s.label) for s in initiative.allowed_statuses()]
        self.fields["status"].error_messages["invalid_choice"] = (
            f"An initiative that is {initiative.get_status_display().lower()} "
            "cannot move to that status"
        )


class PartnerSearchForm(forms.Form):
    q = forms.CharField(label="Name of the organisation", max_length=200)


class SharesForm(forms.Form):
    """One share box per active partner; the service checks they add up to 100."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, partnerships, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnerships = list(partnerships)
        for partnership in self.partnerships:
            self.fields[f"share_{partnership.organisation_id}"] = forms.CharField(
                label=f"{partnership.organisation.name} (%)",
                max_length=10,
                initial=partnership.savings_share,
                widget=forms.TextInput(
                    attrs={
                        "class": "govuk-input--width-5",
                        "inputmode": "decimal",
                        "spellcheck": "false",
                        # The inputs sit in the table, outside the <form> element.
                        "form": "shares-form",
                    }
                ),
                error_messages={"required": f"Enter a share for {partnership.organisation.name}"},
            )

    def rows(self):
        """(partnership, its share field) for each active partner, in order."""
        return [(p, self[f"share_{p.organisation_id}"]) for p in self.partnerships]

    def shares(self):
        return {
            p.organisation_id: self.cleaned_data[f"share_{p.organisation_id}"]
            for p in self.partnerships
        }


class TargetsForm(forms.Form):
    """One amount per financial year the initiative may save in, and the 'not meant to save
    money' statement."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    savings_expected_from = forms.TypedChoiceField(
        label="Savings expected from (optional)",
        required=False,
        coerce=int,
        empty_value=None,
        help_text=(
            "If its savings come later and it has no targets yet, the first financial year they "
            "are expected in. Dashboards then list it apart from the gaps."
        ),
        error_messages={"invalid_choice": "Choose a financial year from the list"},
    )
    not_for_savings = forms.BooleanField(
        label="This initiative is not meant to save money",
        required=False,
        help_text="For example, it exists for resilience or to improve a service.",
    )
    not_for_savings_reason = forms.CharField(
        label="Why is it not meant to save money?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = list(initiative.savings_years())
        existing = {t.financial_year: t.amount for t in initiative.targets.all()}
        for year in self.years:
            self.fields[f"target_{year}"] = forms.CharField(
                label=f"{financial_years.label(year)} (£)",
                required=False,
                max_length=20,
                initial=existing.get(year, ""),
                widget=forms.TextInput(
                    attrs={
                        "class": "govuk-input--width-10",
                        "inputmode": "decimal",
                        "spellcheck": "false",
                    }
                ),
            )
        self.order_fields([f"target_{y}" for y in self.years])
        self.fields["savings_expected_from"].choices = [
            ("", "Not set"),
            *financial_years.choices(self.years),
        ]
        if not self.is_bound:
            self.initial.update(
                {
                    "version": initiative.version,
                    "savings_expected_from": initiative.savings_expected_from,
                    "not_for_savings": initiative.not_for_savings,
                    "not_for_savings_reason": initiative.not_for_savings_reason,
                }
            )

    def rows(self):
        """(financial year label, its amount field) for each year, in order."""
        return [(financial_years.label(y), self[f"target_{y}"]) for y in self.years]

    def targets(self):
        return {year: self.cleaned_data[f"target_{year}"] for year in self.years}
