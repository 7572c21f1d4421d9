"""What every list's filters do the same way: the free-text search box."""

import django_filters
from django import forms


def search_box(label, *, spellcheck=True):
    """A list's search box; the FilterSet's `search` method does the matching. Names and email
    addresses turn `spellcheck` off."""
    attrs = {"type": "search", "autocomplete": "off"}
    if not spellcheck:
        attrs["spellcheck"] = "false"
    return django_filters.CharFilter(
        label=label, method="search", widget=forms.TextInput(attrs=attrs)
    )
