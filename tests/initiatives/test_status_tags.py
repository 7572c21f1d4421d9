"""Status tags: one GOV.UK colour per status of each model's choices, and always the label as
text, so colour is never the only signal."""

import pytest
from django.template import Context, Template

from initiatives.models import Initiative, InitiativeProgress, SavingsClaim
from initiatives.templatetags.initiatives import TAG_COLOURS

TAG = Template("{% load initiatives %}{% status_tag thing %}")


@pytest.mark.parametrize("model", [Initiative, SavingsClaim])
def test_every_status_of_the_model_has_a_colour(model):
    assert set(TAG_COLOURS[model]) == set(model.Status)


@pytest.mark.parametrize(
    "thing",
    [Initiative(status=status) for status in Initiative.Status]
    + [SavingsClaim(status=status) for status in SavingsClaim.Status],
    ids=lambda thing: f"{type(thing).__name__}-{thing.status}",
)
def test_a_status_tag_carries_its_label_and_its_colour(thing):
    html = TAG.render(Context({"thing": thing}))
    colour = TAG_COLOURS[type(thing)][thing.status]
    assert html == f'<strong class="govuk-tag {colour}">{thing.get_status_display()}</strong>'


def test_a_submitted_claim_says_awaiting_decision_in_blue():
    html = TAG.render(Context({"thing": SavingsClaim(status=SavingsClaim.Status.SUBMITTED)}))
    assert html == '<strong class="govuk-tag govuk-tag--blue">Awaiting decision</strong>'


def test_every_rag_rating_has_a_colour_and_says_its_name():
    assert set(TAG_COLOURS[InitiativeProgress]) == set(InitiativeProgress.Rag)
    rag = Template("{% load initiatives %}{% rag_tag row %}")
    for rating in InitiativeProgress.Rag:
        html = rag.render(Context({"row": InitiativeProgress(rag=rating)}))
        colour = TAG_COLOURS[InitiativeProgress][rating]
        assert html == f'<strong class="govuk-tag {colour}">{rating.label}</strong>'
