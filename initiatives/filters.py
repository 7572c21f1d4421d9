"""The initiatives list's search, filters and sort, all kept in the URL."""

import django_filters
from django import forms
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Value, When

from collaborate.kit.filters import search_box
from initiatives import financial_years, permissions, selectors
from initiatives.models import Initiative, InitiativeProgress, SavingsTarget
from partners.models import Organisation

Rag = InitiativeProgress.Rag
# Worst first: red, amber, green, grey (no target); initiatives never computed count as grey.
RAG_WORST_FIRST = Case(
    When(progress__rag=Rag.RED, then=Value(0)),
    When(progress__rag=Rag.AMBER, then=Value(1)),
    When(progress__rag=Rag.GREEN, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
PERCENT = F("progress__percent_verified")

SORTS = {
    "-created": ("Newest first", ["-created_at", "-pk"]),
    "reference": ("Reference", ["reference"]),
    "title": ("Title (A to Z)", ["title", "pk"]),
    "status": ("Status", ["status", "-created_at", "-pk"]),
    "-updated": ("Recently changed", ["-updated_at", "-pk"]),
}
# Sorts by the computed figures: the initiatives list only (the public register shows
# verified savings, not how they stand against targets).
PROGRESS_SORTS = {
    "rag": ("RAG (red first)", [RAG_WORST_FIRST, PERCENT.asc(nulls_last=True), "-pk"]),
    "percent": (
        "Verified % of target to date (lowest first)",
        [PERCENT.asc(nulls_last=True), "-pk"],
    ),
    "-percent": (
        "Verified % of target to date (highest first)",
        [PERCENT.desc(nulls_last=True), "-pk"],
    ),
}


def year_range():
    """Financial years a filter offers: fifteen back and ten ahead, newest first."""
    this_year = financial_years.current_financial_year()
    return range(this_year + 10, this_year - 16, -1)


class RegisterFilterSet(django_filters.FilterSet):
    """Search, filters and sorts that the public register offers too."""

    sorts = SORTS
    q = search_box("Search by title, summary or reference")
    status = django_filters.ChoiceFilter(
        choices=Initiative.Status.choices, empty_label="Any status"
    )
    model = django_filters.ChoiceFilter(
        label="Collaboration model",
        field_name="collaboration_model",
        choices=Initiative.CollaborationModel.choices,
        empty_label="Any model",
    )
    area = django_filters.ChoiceFilter(
        label="Service area",
        field_name="service_area",
        choices=Initiative.ServiceArea.choices,
        empty_label="Any service area",
    )
    partner = django_filters.NumberFilter(method="filter_partner", widget=forms.HiddenInput)
    region = django_filters.ChoiceFilter(
        label="Lead's region",
        field_name="lead__region",
        choices=Organisation.Region.choices,
        empty_label="Any region",
    )
    fy = django_filters.ChoiceFilter(
        label="With a target in",
        choices=lambda: financial_years.choices(year_range()),
        method="filter_year",
        empty_label="Any financial year",
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by",
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        empty_label=None,
        method="sort_by",
    )

    class Meta:
        model = Initiative
        fields = ["q", "status", "model", "area", "partner", "region", "fy", "sort"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters.move_to_end("sort")  # after any filter a subclass adds
        self.filters["fy"].extra["choices"] = financial_years.choices(year_range())
        self.filters["sort"].extra["choices"] = [(k, label) for k, (label, _) in self.sorts.items()]
        self.form.fields["fy"].choices = [
            ("", "Any financial year"),
            *self.filters["fy"].extra["choices"],
        ]
        self.form.fields["sort"].choices = self.filters["sort"].extra["choices"]

    def search(self, queryset, name, value):
        return selectors.search(queryset, value)

    def filter_partner(self, queryset, name, value):
        return queryset.filter(permissions.has_active_partner(int(value)))

    def filter_year(self, queryset, name, value):
        return queryset.filter(
            Exists(
                SavingsTarget.objects.filter(initiative=OuterRef("pk"), financial_year=int(value))
            )
        )

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*self.sorts[value][1])

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*SORTS["-created"][1])
        return queryset


class InitiativeFilterSet(RegisterFilterSet):
    """The initiatives list's: the register's, and RAG and percentage verified, read from the
    computed progress (the queryset comes through selectors.with_progress)."""

    sorts = {**SORTS, **PROGRESS_SORTS}
    q = search_box("Search by title, summary, reference or your reference")
    rag = django_filters.ChoiceFilter(
        label="RAG status",
        choices=Rag.choices,
        empty_label="Any RAG status",
        method="filter_rag",
    )

    class Meta(RegisterFilterSet.Meta):
        fields = [*RegisterFilterSet.Meta.fields, "rag"]

    def search(self, queryset, name, value):
        """The register's search, and the lead's own reference (which the register does not
        show)."""
        text = " ".join(value.split())
        return super().search(queryset, name, value) | queryset.filter(
            external_reference__iexact=text
        )

    def filter_rag(self, queryset, name, value):
        if value == Rag.GREY:  # never computed: no rating yet, so counted with no target
            return queryset.filter(Q(progress__rag=Rag.GREY) | Q(progress__isnull=True))
        return queryset.filter(progress__rag=value)
