"""The organisation directory's search, filters and sort, all kept in the URL."""

import django_filters
from django.db.models import Q

from collaborate.kit.filters import search_box
from partners import selectors
from partners.models import Membership, Organisation, User

ACTIVE_CHOICES = [("yes", "Active"), ("no", "Inactive"), ("all", "Active and inactive")]
SORT_CHOICES = [
    ("name", "Name (A to Z)"),
    ("-name", "Name (Z to A)"),
    ("kind", "Kind"),
    ("region", "Region"),
    ("-updated", "Recently changed"),
]
SORT_ORDER = {
    "name": ["name", "pk"],
    "-name": ["-name", "-pk"],
    "kind": ["kind", "name", "pk"],
    "region": ["region", "name", "pk"],
    "-updated": ["-updated_at", "-pk"],
}


class OrganisationFilterSet(django_filters.FilterSet):
    q = search_box("Search by name", spellcheck=False)
    sector = django_filters.ChoiceFilter(
        choices=Organisation.Sector.choices, empty_label="Any sector"
    )
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices, empty_label="Any kind")
    nation = django_filters.ChoiceFilter(
        choices=Organisation.Nation.choices, empty_label="Any nation"
    )
    region = django_filters.ChoiceFilter(
        choices=Organisation.Region.choices, empty_label="Any region"
    )
    active = django_filters.ChoiceFilter(
        label="Status", choices=ACTIVE_CHOICES, empty_label=None, method="filter_active"
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by", choices=SORT_CHOICES, empty_label="Best match", method="sort_by"
    )

    class Meta:
        model = Organisation
        fields = ["q", "sector", "kind", "nation", "region", "active", "sort"]

    def __init__(self, data=None, *args, **kwargs):
        # Active organisations unless the person asks otherwise.
        data = data.copy() if data is not None else None
        if data is not None and not data.get("active"):
            data["active"] = "yes"
        super().__init__(data, *args, **kwargs)

    def search(self, queryset, name, value):
        return selectors.organisations_search(queryset, value)

    def filter_active(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(active=True)
        if value == "no":
            return queryset.filter(active=False)
        return queryset

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORT_ORDER[value])

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        searching = bool(self.form.cleaned_data.get("q", "").strip())
        if not self.form.cleaned_data.get("sort") and not searching:
            queryset = queryset.order_by("name", "pk")
        return queryset


USER_STATUS_CHOICES = [
    ("active", "Active"),
    ("invited", "Invited, not yet signed in"),
    ("deactivated", "Deactivated"),
]


class UserFilterSet(django_filters.FilterSet):
    q = search_box("Search by name or email", spellcheck=False)
    # Organisation and role apply to the same membership: see filter_queryset.
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.none(), empty_label="Any organisation", method="later"
    )
    role = django_filters.ChoiceFilter(
        choices=Membership.Role.choices, empty_label="Any role", method="later"
    )
    status = django_filters.ChoiceFilter(
        choices=USER_STATUS_CHOICES, method="filter_status", empty_label="Any status"
    )

    class Meta:
        model = User
        fields = ["q", "organisation", "role", "status"]

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["organisation"].queryset = organisations
        self.form.fields["organisation"].queryset = organisations

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(full_name__icontains=value) | Q(email__icontains=value))

    def filter_status(self, queryset, name, value):
        if value == "deactivated":
            return queryset.filter(is_active=False)
        invited = Q(invitation__isnull=False, invitation__accepted_at__isnull=True)
        if value == "invited":
            return queryset.filter(invited, is_active=True)
        return queryset.filter(is_active=True).exclude(invited)

    def later(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        membership = {}
        if organisation := self.form.cleaned_data.get("organisation"):
            membership["memberships__organisation"] = organisation
        if role := self.form.cleaned_data.get("role"):
            membership["memberships__role"] = role
        if membership:
            queryset = queryset.filter(**membership)
        # A filter across memberships can repeat a person; each appears once, by name.
        return queryset.distinct().order_by("full_name", "email", "pk")
