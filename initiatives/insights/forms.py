"""The insights pages' filters: whose figures (signed-in pages only), the financial year the
initiatives went live in, service area, region and type of the lead organisation."""

from django import forms

from initiatives import filters as initiative_filters
from initiatives import financial_years
from initiatives.insights.selectors import Filters
from initiatives.models import Initiative
from partners.models import Organisation


class InsightsForm(forms.Form):
    org = forms.ChoiceField(label="Figures for", required=False)
    fy = forms.TypedChoiceField(label="Went live in", required=False, coerce=int, empty_value=None)
    area = forms.ChoiceField(label="Service area", required=False)
    region = forms.ChoiceField(label="Region of the lead organisation", required=False)
    kind = forms.ChoiceField(label="Type of lead organisation", required=False)

    def __init__(self, *args, organisations=(), public=False, **kwargs):
        super().__init__(*args, **kwargs)
        if public:
            del self.fields["org"]
        else:
            self.fields["org"].choices = [
                ("", "All organisations (national figures)"),
                *((str(o.pk), o.name) for o in organisations),
            ]
        self.fields["fy"].choices = [
            ("", "Any financial year"),
            *financial_years.choices(initiative_filters.year_range()),
        ]
        self.fields["area"].choices = [("", "All service areas"), *Initiative.ServiceArea.choices]
        self.fields["region"].choices = [("", "All regions"), *Organisation.Region.choices]
        self.fields["kind"].choices = [("", "All types"), *Organisation.Kind.choices]

    def value(self, name):
        """A filter's clean value; one that is not valid is ignored (and shown as an error)."""
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) if name not in self.errors else None

    def filters(self):
        return Filters(
            year=self.value("fy"),
            area=self.value("area") or "",
            region=self.value("region") or "",
            kind=self.value("kind") or "",
        )
