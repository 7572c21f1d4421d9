"""The dashboard's filters: organisation, financial year, collaboration model, service area."""

from django import forms

from initiatives import filters as initiative_filters
from initiatives import financial_years
from initiatives.models import Initiative
from initiatives.progress.selectors import ALL


class DashboardForm(forms.Form):
    org = forms.ChoiceField(label="Organisation", required=False)
    fy = forms.TypedChoiceField(
        label="Financial year", required=False, coerce=int, empty_value=None
    )
    model = forms.ChoiceField(label="Collaboration model", required=False)
    area = forms.ChoiceField(label="Service area", required=False)

    def __init__(self, *args, organisations, can_see_all, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(o.pk), o.name) for o in organisations]
        if can_see_all:
            choices.insert(0, (ALL, "All organisations"))
        self.fields["org"].choices = choices
        self.fields["fy"].choices = [
            ("", "All years"),
            *financial_years.choices(initiative_filters.year_range()),
        ]
        self.fields["model"].choices = [("", "All models"), *Initiative.CollaborationModel.choices]
        self.fields["area"].choices = [("", "All service areas"), *Initiative.ServiceArea.choices]
        self.fields["org"].error_messages["invalid_choice"] = "Choose an organisation from the list"

    @classmethod
    def for_dashboard(cls, query, *, organisation, organisations, can_see_all):
        """The filters of a dashboard of `organisation` (None: all of them), choosing among the
        user's `organisations` and the one shown."""
        if organisation is not None and organisation not in organisations:
            organisations = [*organisations, organisation]
        shown = str(organisation.pk) if organisation else ALL
        return cls(
            {**query.dict(), "org": query.get("org") or shown},
            organisations=organisations,
            can_see_all=can_see_all,
        )

    def markup_state(self):
        """Everything the form's markup depends on: the template caches it under this."""
        return repr(
            (
                self.fields["org"].choices,
                sorted(self.data.items()),
                financial_years.current_financial_year(),
            )
        )

    def value(self, name):
        """A filter's clean value; a value that is not valid is ignored (and shown as an error)."""
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) if name not in self.errors else None
