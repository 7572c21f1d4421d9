"""The practice library's search and filters, kept in the URL."""

import django_filters
from django.db.models import Q

from collaborate.kit.filters import search_box
from initiatives.filters import RegisterFilterSet
from initiatives.models import PracticeDocument


def _of_the_initiative(name):
    """The register's filter `name` (collaboration model, service area), on the document's
    initiative: the same words and choices as the register's and the initiatives list's."""
    register = RegisterFilterSet.declared_filters[name]
    return django_filters.ChoiceFilter(
        label=register.label,
        field_name=f"initiative__{register.field_name}",
        choices=register.extra["choices"],
        empty_label=register.extra["empty_label"],
    )


class DocumentFilterSet(django_filters.FilterSet):
    q = search_box("Search by title, description or initiative")
    model = _of_the_initiative("model")
    area = _of_the_initiative("area")
    kind = django_filters.ChoiceFilter(
        label="Kind of document", choices=PracticeDocument.Kind.choices, empty_label="Any kind"
    )

    class Meta:
        model = PracticeDocument
        fields = ["q", "model", "area", "kind"]

    def search(self, queryset, name, value):
        text = " ".join(value.split())
        if not text:
            return queryset
        return queryset.filter(
            Q(title__icontains=text)
            | Q(description__icontains=text)
            | Q(initiative__title__icontains=text)
        )
