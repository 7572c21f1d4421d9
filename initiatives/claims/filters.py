"""The claim lists' filters and sort, kept in the URL: every claim a user may see
(`ClaimFilterSet`) and a manager's review queue (`ReviewFilterSet`)."""

import django_filters
from django import forms
from django.db.models import Q

from collaborate.kit.filters import record_id, search_box
from initiatives import filters as initiative_filters
from initiatives import financial_years
from initiatives.claims import selectors
from initiatives.models import SavingsClaim
from partners import permissions as partner_permissions


def _sort(sorts):
    """The sort choice of a list whose SORTS are `sorts`: {key: (label, ordering)}."""
    return django_filters.ChoiceFilter(
        label="Sort by",
        choices=[(key, label) for key, (label, _) in sorts.items()],
        empty_label=None,
        method="sort_by",
    )


class _ClaimFilters(django_filters.FilterSet):
    """What the claim lists share: the search by reference, the financial year, the kind, and
    the sort by one of the subclass's SORTS (DEFAULT_SORT when none is chosen)."""

    SORTS = {}
    DEFAULT_SORT = ""

    q = search_box("Claim or initiative reference (Collaborate's or your own), or initiative title")
    fy = django_filters.ChoiceFilter(
        label="Financial year",
        field_name="financial_year",
        choices=lambda: financial_years.choices(initiative_filters.year_range()),
        empty_label="Any financial year",
    )
    kind = django_filters.ChoiceFilter(choices=SavingsClaim.Kind.choices, empty_label="Any kind")

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(reference__iexact=value)
            | Q(external_reference__iexact=value)
            | Q(initiative__reference__iexact=value)
            | Q(initiative__external_reference__iexact=value)
            | Q(initiative__title__icontains=value)
        )

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*self.SORTS[value][1])

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*self.SORTS[self.DEFAULT_SORT][1])
        return queryset


class ReviewFilterSet(_ClaimFilters):
    SORTS = {
        "oldest": ("Waiting longest", ["submitted_at", "pk"]),
        "newest": ("Newest first", ["-submitted_at", "-pk"]),
        "-net": ("Largest saving", ["-net_amount", "pk"]),
    }
    DEFAULT_SORT = "oldest"
    sort = _sort(SORTS)

    class Meta:
        model = SavingsClaim
        fields = ["q", "fy", "kind", "sort"]


SHOW_MINE, SHOW_ALL = "mine", "all"


class ClaimFilterSet(_ClaimFilters):
    """Every claim the user may see. Unless the URL says `show=all`, only the user's open
    claims: those they created, edited or submitted that are a draft, returned or awaiting a
    decision. The choice is a field of the form like the others, so the form shows it and a
    bookmark keeps it. Needs `request` (whose user "my" means)."""

    SORTS = {
        "-updated": ("Recently changed", ["-updated_at", "-pk"]),
        "reference": ("Reference", ["reference"]),
        "-year": ("Financial year, latest first", ["-financial_year", "-updated_at", "-pk"]),
        "-net": ("Largest saving", ["-net_amount", "pk"]),
    }
    DEFAULT_SORT = "-updated"
    sort = _sort(SORTS)

    show = django_filters.ChoiceFilter(
        label="Show",
        choices=[
            (SHOW_MINE, "My open claims: drafts, returned and awaiting a decision"),
            (SHOW_ALL, "All claims I can see"),
        ],
        empty_label=None,
        method="filter_show",
        widget=forms.RadioSelect,
    )
    status = django_filters.ChoiceFilter(
        choices=SavingsClaim.Status.choices, empty_label="Any status"
    )
    initiative = django_filters.CharFilter(
        label="Initiative reference",
        field_name="initiative__reference",
        lookup_expr="iexact",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    org = django_filters.CharFilter(
        label="Claimant organisation",
        help_text="Its name, or its number",
        method="filter_org",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = SavingsClaim
        fields = ["show", "q", "status", "initiative", "org", "fy", "kind", "sort"]

    def __init__(self, data=None, *args, request, **kwargs):
        data = data.copy() if data is not None else None
        if data is not None and data.get("show") not in (SHOW_MINE, SHOW_ALL):
            data["show"] = SHOW_MINE
        super().__init__(data, *args, request=request, **kwargs)
        if not partner_permissions.is_admin(request.user):
            self.filters["org"] = self._own_organisations_filter()

    def _own_organisations_filter(self):
        """Anyone but an admin chooses among their own organisations (one the request has
        already loaded for the header's switcher)."""
        org = django_filters.ChoiceFilter(
            label="Claimant organisation",
            choices=[
                (str(m.organisation_id), m.organisation.name)
                for m in partner_permissions.memberships_for_acting(self.request)
            ],
            empty_label="Any organisation",
            method="filter_org",
        )
        org.model, org.parent = self.queryset.model, self
        return org

    @property
    def showing_mine(self):
        return self.data.get("show") == SHOW_MINE

    def filter_show(self, queryset, name, value):
        if value == SHOW_MINE:
            return selectors.claims_open_for(queryset, user=self.request.user)
        return queryset

    def filter_org(self, queryset, name, value):
        value = value.strip()
        if (organisation_id := record_id(value)) is not None:
            return queryset.filter(claimant_id=organisation_id)
        return queryset.filter(
            Q(claimant__name__icontains=value) | Q(claimant__short_name__iexact=value)
        )
