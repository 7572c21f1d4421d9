"""Template helpers for initiatives: status tags in GOV.UK colours."""

from django import template
from django.utils.html import format_html

register = template.Library()

STATUS_COLOURS = {
    "proposed": "govuk-tag--grey",
    "in_design": "govuk-tag--light-blue",
    "implementing": "govuk-tag--blue",
    "live": "govuk-tag--green",
    "paused": "govuk-tag--yellow",
    "closed": "govuk-tag--purple",
    "stopped": "govuk-tag--red",
}


@register.simple_tag
def status_tag(initiative):
    return format_html(
        '<strong class="govuk-tag {}">{}</strong>',
        STATUS_COLOURS.get(initiative.status, ""),
        initiative.get_status_display(),
    )
