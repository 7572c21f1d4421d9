"""The review queue's filters and sort, kept in the URL."""

import django_filters
from django.db.models import Q

from collaborate.kit.filters import search_box
from initiatives import filters as initiative_filters
from initiatives import financial_years
from initiatives.models import SavingsClaim

SORTS = {
    "oldest": ("Waiting longest", ["submitted_at", "pk"]),
    "newest": ("Newest first", ["-submitted_at", "-pk"]),
    "-net": ("Largest saving", ["-net_amount", "pk"]),
}


class ReviewFilterSet(django_filters.FilterSet):
    q = search_box("Initiative or claim reference, or title")
    fy = django_filters.ChoiceFilter(
        label="Financial year",
        field_name="financial_year",
        choices=lambda: financial_years.choices(initiative_filters.year_range()),
        empty_label="Any financial year",
    )
    kind = django_filters.ChoiceFilter(choices=SavingsClaim.Kind.choices, empty_label="Any kind")
    sort = django_filters.ChoiceFilter(
        label="Sort by",
        choices=[(k, label) for k, (label, _) in SORTS.items()],
        empty_label=None,
        method="sort_by",
    )

    class Meta:
        model = SavingsClaim
        fields = ["q", "fy", "kind", "sort"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(reference__iexact=value)
            | Q(initiative__reference__iexact=value)
            | Q(initiative__title__icontains=value)
        )

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORTS[value][1])

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*SORTS["oldest"][1])
        return queryset
