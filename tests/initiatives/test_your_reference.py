"""'Your reference': an organisation's own id for its initiatives and claims, set on the forms,
shown on the pages, found by the lists' searches, and unique per lead (initiatives) or per
claimant (claims), a duplicate being an error at the field."""

import html

import pytest
from django.urls import reverse

from initiatives.models import Initiative, SavingsClaim
from tests import factories, form_data
from tests.factories import CLAIM_DEFAULTS, make_claim, make_initiative
from tests.pages import assert_error_at_field, assert_strict_page, text_of

pytestmark = pytest.mark.django_db

LABEL = "Your reference (optional)"
HINT = (
    "Your organisation's own reference for this initiative, such as a project code. "
    "A spreadsheet import uses it to recognise the initiative."
)


def test_the_initiative_form_sets_it_and_the_page_shows_it(as_user, officer, council):
    client = as_user(officer)
    form = client.get(reverse("initiatives:create"))
    page = html.unescape(form.content.decode())
    assert (
        f'<label class="govuk-label govuk-label--s" for="id_external_reference">{LABEL}</label>'
        in page
    )
    assert f'<div class="govuk-hint" id="id_external_reference_helptext">{HINT}</div>' in page
    assert 'name="external_reference"' in page and 'type="text"' in page
    assert_strict_page(form)

    response = client.post(
        reverse("initiatives:create"), form_data.initiative(external_reference=" PRJ-0042 ")
    )
    assert response.status_code == 302
    initiative = Initiative.objects.get()
    assert initiative.external_reference == "PRJ-0042"
    text = text_of(client.get(initiative.get_absolute_url()))
    assert "Lead organisation's own reference PRJ-0042" in text

    edit = client.get(reverse("initiatives:edit", args=[initiative.pk]))
    assert 'value="PRJ-0042"' in edit.content.decode()


def test_without_one_the_page_has_no_such_row(as_user, officer, initiative):
    text = text_of(as_user(officer).get(initiative.get_absolute_url()))
    assert "own reference" not in text


def test_a_duplicate_under_the_same_lead_is_an_error_at_the_field(as_user, officer, council):
    make_initiative(officer, council, external_reference="PRJ-0042")
    client = as_user(officer)
    response = client.post(
        reverse("initiatives:create"),
        form_data.initiative(title="Another one", external_reference="PRJ-0042"),
    )
    assert_error_at_field(
        response,
        "external_reference",
        "Another initiative your organisation leads has this reference",
    )
    assert not Initiative.objects.filter(title="Another one").exists()


def test_a_duplicate_when_editing_is_an_error_at_the_field_and_nothing_is_saved(
    as_user, officer, council
):
    make_initiative(officer, council, external_reference="PRJ-0042")
    other = make_initiative(officer, council, title="Second", external_reference="PRJ-0043")
    response = as_user(officer).post(
        reverse("initiatives:edit", args=[other.pk]),
        form_data.initiative(
            title="Second, renamed", external_reference="PRJ-0042", version=other.version
        ),
    )
    assert_error_at_field(
        response,
        "external_reference",
        "Another initiative your organisation leads has this reference",
    )
    other.refresh_from_db()
    assert (other.title, other.external_reference) == ("Second", "PRJ-0043")


def test_the_same_reference_under_another_lead_is_fine(
    as_user, officer, partner_officer, partner_council
):
    make_initiative(partner_officer, partner_council, external_reference="PRJ-0042")
    response = as_user(officer).post(
        reverse("initiatives:create"), form_data.initiative(external_reference="PRJ-0042")
    )
    assert response.status_code == 302
    assert Initiative.objects.filter(external_reference="PRJ-0042").count() == 2


def test_the_initiatives_search_finds_it(as_user, officer, council):
    wanted = make_initiative(officer, council, title="Waste", external_reference="PRJ-0042")
    make_initiative(officer, council, title="Roads", external_reference="PRJ-0043")
    client = as_user(officer)
    text = text_of(client.get(reverse("initiatives:list"), {"q": "prj-0042"}))
    assert wanted.reference in text and "Roads" not in text
    assert "1 initiative" in text
    # The search box says so.
    page = client.get(reverse("initiatives:list")).content.decode()
    assert "Search by title, summary, reference or your reference" in page


def test_the_claim_form_sets_it_and_the_page_shows_it(client, initiative, officer):
    client.force_login(officer)
    form = client.get(reverse("initiatives:claim_create", args=[initiative.pk]))
    page = html.unescape(form.content.decode())
    assert f'for="id_external_reference">{LABEL}</label>' in page
    assert "Your organisation's own reference for this claim" in page
    response = client.post(
        reverse("initiatives:claim_create", args=[initiative.pk]),
        {**CLAIM_DEFAULTS, "external_reference": "FIN-7"},
    )
    assert response.status_code == 302
    claim = SavingsClaim.objects.get()
    assert claim.external_reference == "FIN-7"
    assert "Claimant's own reference FIN-7" in text_of(client.get(claim.get_absolute_url()))


def test_a_duplicate_claim_reference_is_an_error_at_the_field(client, initiative, officer):
    make_claim(officer, initiative, initiative.lead, external_reference="FIN-7")
    client.force_login(officer)
    response = client.post(
        reverse("initiatives:claim_create", args=[initiative.pk]),
        {**CLAIM_DEFAULTS, "external_reference": "FIN-7", "description": "The second"},
    )
    assert_error_at_field(
        response, "external_reference", "Another claim by your organisation has this reference"
    )
    assert SavingsClaim.objects.count() == 1


def test_another_claimant_may_use_the_same_claim_reference(
    client, initiative, officer, partner_officer, partner_council
):
    make_claim(officer, initiative, initiative.lead, external_reference="FIN-7")
    client.force_login(partner_officer)
    response = client.post(
        reverse("initiatives:claim_create", args=[initiative.pk]),
        {**CLAIM_DEFAULTS, "external_reference": "FIN-7"},
    )
    assert response.status_code == 302
    assert SavingsClaim.objects.filter(external_reference="FIN-7").count() == 2


def test_the_claims_search_finds_a_claim_by_its_reference_and_its_initiatives(
    client, initiative, officer, council
):
    wanted = make_claim(officer, initiative, initiative.lead, external_reference="FIN-7")
    other = make_claim(officer, initiative, initiative.lead, external_reference="FIN-8")
    client.force_login(officer)
    text = text_of(client.get(reverse("claims:list"), {"q": "fin-7", "show": "all"}))
    assert wanted.reference in text and other.reference not in text
    # By the initiative's own reference: every claim of it.
    Initiative.objects.filter(pk=initiative.pk).update(external_reference="PRJ-0042")
    elsewhere = make_initiative(officer, council, title="Elsewhere")
    factories.SavingsClaimFactory(initiative=elsewhere, created_by=officer, status="draft")
    text = text_of(client.get(reverse("claims:list"), {"q": "PRJ-0042", "show": "all"}))
    assert wanted.reference in text and other.reference in text
    assert "2 claims" in text
