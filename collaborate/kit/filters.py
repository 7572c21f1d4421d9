"""What every list's filters do the same way: the free-text search box, and reading a record's
id from what was typed or sent."""

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


def record_id(text):
    """The id that `text` (a query parameter, a posted field) names, or None: ASCII digits only
    ("²" passes str.isdigit() but not int()), and short enough to fit a 64-bit key."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None
