"""Template helpers for GOV.UK Frontend markup: widget classes, money, financial years."""

from decimal import Decimal, InvalidOperation

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()

BASE_CLASSES = {
    "select": "govuk-select",
    "textarea": "govuk-textarea",
    "file": "govuk-file-upload",
    "radio": "govuk-radios__input",
    "checkbox": "govuk-checkboxes__input",
}
ERROR_CLASSES = {
    "select": "govuk-select--error",
    "textarea": "govuk-textarea--error",
    "file": "govuk-file-upload--error",
    "radio": "",
    "checkbox": "",
}


@register.filter
def govuk_class(widget, kind=""):
    """The class attribute for a rendered widget: GOV.UK's base class, its error modifier when
    the field is invalid (Django marks the widget aria-invalid), and any class the form set."""
    kind = kind or widget.get("type", "")
    attrs = widget.get("attrs", {})
    if kind == "hidden":
        return attrs.get("class", "")
    classes = [BASE_CLASSES.get(kind, "govuk-input")]
    if attrs.get("aria-invalid") == "true":
        classes.append(ERROR_CLASSES.get(kind, "govuk-input--error"))
    if attrs.get("class"):
        classes.append(attrs["class"])
    return " ".join(c for c in classes if c)


@register.filter
def money(value, places=2):
    """£1,234.56 (negative as −£1,234.56); an empty value as an en dash."""
    if value is None or value == "":
        return "–"
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    places = int(places)
    quantum = Decimal(1).scaleb(-places)
    amount = amount.quantize(quantum)
    sign = "−" if amount < 0 else ""
    return f"{sign}£{intcomma(f'{abs(amount):.{places}f}')}"


@register.filter
def pounds(value):
    """Whole pounds, for headline figures: £1,234,567."""
    return money(value, 0)


@register.filter
def financial_year(start_year):
    """A financial year stored as its starting year, shown as 2025/26."""
    if start_year in (None, ""):
        return "–"
    start_year = int(start_year)
    return f"{start_year}/{(start_year + 1) % 100:02d}"


@register.filter
def external_link(url):
    """A link to an address someone gave (an organisation's website), only when it is an
    http(s) address: one loaded from a file or an import never had the form's check, and a
    `javascript:` or `data:` address must stay text, never a link."""
    if not url:
        return "–"
    if not str(url).lower().startswith(("https://", "http://")):
        return url
    return format_html('<a class="govuk-link" href="{}" rel="noreferrer noopener">{}</a>', url, url)


@register.simple_tag(takes_context=True)
def htmx_script(context, version=2):
    """htmx (the copy django-htmx ships, pinned with it) loaded with the request's CSP nonce.

    django-htmx's own tag adds, with DEBUG on, a helper that runs eval() on error pages; our
    CSP forbids eval in every mode, so we load htmx alone."""
    if int(version) != 2:
        raise template.TemplateSyntaxError("Collaborate pins htmx 2.")
    return format_html(
        '<script src="{}" defer nonce="{}"></script>',
        static("django_htmx/htmx-2.min.js"),
        context.get("csp_nonce", ""),
    )
