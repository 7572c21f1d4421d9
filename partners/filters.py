"""The organisation directory's search, filters and sort, all kept in the URL."""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from collaborate.kit.filters import record_id, search_box
from partners import selectors
from partners.models import AuditEvent, Membership, Organisation, User

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


def _text_box(**attrs):
    return forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", **attrs})


def _day_filter(label, method, hint):
    """A date typed as text, ISO first: 2026-04-01 (1/4/2026 works too)."""
    return django_filters.DateFilter(
        label=label,
        method=method,
        help_text=hint,
        widget=_text_box(**{"class": "govuk-input--width-10", "inputmode": "numeric"}),
        error_messages={"invalid": "Enter a real date, like 2026-04-01"},
    )


def _start_of(day):
    """The first moment of `day` in the service's time zone (Europe/London)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AuditEventFilterForm(forms.Form):
    """The audit log's filters, checked together: a period must not end before it starts."""

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", "The date to must be the same as or after the date from")
        return cleaned


class AuditEventFilterSet(django_filters.FilterSet):
    """Who, what, when and which organisation: the questions an admin asks of the audit log."""

    who = django_filters.CharFilter(
        label="Who",
        method="filter_who",
        help_text="Part of an email address: of the person who acted, or of the account the "
        "event is about (a failed sign-in, a reset asked for)",
        widget=_text_box(),
    )
    action = django_filters.ChoiceFilter(
        label="What", choices=AuditEvent.Action.choices, empty_label="Any action"
    )
    since = _day_filter("From", "filter_since", "A date, for example 2026-04-01")
    until = _day_filter(
        "To", "filter_until", "A date, for example 2026-04-30 (the whole day is included)"
    )
    organisation = django_filters.CharFilter(
        label="Organisation",
        method="filter_organisation",
        help_text="Its name, or part of it, or its number",
        widget=_text_box(),
    )

    class Meta:
        model = AuditEvent
        form = AuditEventFilterForm
        fields = ["who", "action", "since", "until", "organisation"]

    def filter_who(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(actor_email__icontains=value) | Q(detail__email__icontains=value))

    def filter_since(self, queryset, name, value):
        return queryset.filter(at__gte=_start_of(value))

    def filter_until(self, queryset, name, value):
        if value == datetime.date.max:
            return queryset  # no day after it: everything is before its end
        return queryset.filter(at__lt=_start_of(value + datetime.timedelta(days=1)))

    def filter_organisation(self, queryset, name, value):
        value = value.strip()
        matches = Q(organisation_name__icontains=value)
        if (organisation_id := record_id(value)) is not None:
            matches |= Q(organisation_id=organisation_id)
        return queryset.filter(matches)
