"""Template helpers for initiatives and claims: status tags in GOV.UK colours."""

from django import template
from django.utils.html import format_html

from initiatives import selectors
from initiatives.models import Initiative, InitiativeProgress, SavingsClaim

register = template.Library()

# One colour per status, keyed by the model's own choices: a status added to a model without a
# colour here fails tests/initiatives/test_status_tags.py rather than showing an uncoloured tag.
TAG_COLOURS = {
    Initiative: {
        Initiative.Status.PROPOSED: "govuk-tag--grey",
        Initiative.Status.IN_DESIGN: "govuk-tag--light-blue",
        Initiative.Status.IMPLEMENTING: "govuk-tag--blue",
        Initiative.Status.LIVE: "govuk-tag--green",
        Initiative.Status.PAUSED: "govuk-tag--yellow",
        Initiative.Status.CLOSED: "govuk-tag--purple",
        Initiative.Status.STOPPED: "govuk-tag--red",
    },
    InitiativeProgress: {
        InitiativeProgress.Rag.GREEN: "govuk-tag--green",
        InitiativeProgress.Rag.AMBER: "govuk-tag--orange",
        InitiativeProgress.Rag.RED: "govuk-tag--red",
        InitiativeProgress.Rag.GREY: "govuk-tag--grey",
    },
    SavingsClaim: {
        SavingsClaim.Status.DRAFT: "govuk-tag--grey",
        SavingsClaim.Status.SUBMITTED: "govuk-tag--blue",
        SavingsClaim.Status.RETURNED: "govuk-tag--yellow",
        SavingsClaim.Status.VERIFIED: "govuk-tag--green",
        SavingsClaim.Status.REJECTED: "govuk-tag--red",
    },
}


@register.simple_tag
def status_tag(obj):
    """An initiative's or a claim's status as a GOV.UK tag. The tag always carries the status's
    label as text, so the colour is never the only signal."""
    return format_html(
        '<strong class="govuk-tag {}">{}</strong>',
        TAG_COLOURS[type(obj)][obj.status],
        obj.get_status_display(),
    )


@register.simple_tag
def rag_tag(progress):
    """An initiative's RAG rating as a GOV.UK tag, its name always written out. No progress row
    (`progress` missing: the initiative was never computed) says so in grey, rather than
    claiming a rating."""
    if not progress:
        return format_html(
            '<strong class="govuk-tag {}">{}</strong>',
            TAG_COLOURS[InitiativeProgress][InitiativeProgress.Rag.GREY],
            selectors.NOT_COMPUTED,
        )
    return format_html(
        '<strong class="govuk-tag {}">{}</strong>',
        TAG_COLOURS[InitiativeProgress][progress.rag],
        progress.get_rag_display(),
    )


@register.filter
def awaits_decision(claim):
    """Whether a claim is still waiting for a manager's decision (the review queue offers the
    decision buttons only then)."""
    return claim.status == SavingsClaim.Status.SUBMITTED
