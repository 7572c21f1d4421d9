"""What the sweeps found while they were being written, each pinned by a plain test: a stored
`javascript:` link, redirects to a `next` that is not a path, and ids that are digits to
`str.isdigit` but not numbers to `int` (all 500s before)."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

# Superscript two: str.isdigit() says yes, int() says no.
NOT_A_NUMBER = "²"


def test_an_organisation_website_is_a_link_only_when_it_is_a_web_address(as_user, officer):
    loaded = factories.OrganisationFactory(website="javascript:alert(document.cookie)")
    typed = factories.OrganisationFactory(website="https://www.leeds.gov.uk/")
    client = as_user(officer)
    page = client.get(reverse("partners:detail", args=[loaded.pk])).content.decode()
    assert "javascript:alert(document.cookie)" in page  # shown, as text
    assert 'href="javascript:' not in page
    page = client.get(reverse("partners:detail", args=[typed.pk])).content.decode()
    assert 'href="https://www.leeds.gov.uk/"' in page


def test_a_recompute_asked_to_go_next_to_something_not_a_path_goes_to_the_dashboard(
    as_user, admin_user
):
    response = as_user(admin_user).post(reverse("dashboard:recompute"), {"next": "0"})
    assert response.status_code == 302
    assert response.url == reverse("dashboard:show")


def test_choosing_whom_to_act_for_with_a_next_not_a_path_goes_to_the_account_page(
    as_user, officer, partner_council
):
    factories.MembershipFactory(user=officer, organisation=partner_council)
    response = as_user(officer).post(
        reverse("accounts:acting_for"), {"organisation": partner_council.pk, "next": "0"}
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:account")


@pytest.mark.parametrize("attempt", ["abc", NOT_A_NUMBER, ""])
def test_unlocking_a_sign_in_that_is_not_a_number_is_not_found(as_user, admin_user, attempt):
    response = as_user(admin_user).post(reverse("users:locked"), {"attempt": attempt})
    assert response.status_code == 404


@pytest.mark.parametrize("organisation", ["abc", NOT_A_NUMBER, ""])
def test_adding_a_partner_that_is_not_a_number_is_not_found(
    as_user, manager, initiative, organisation
):
    response = as_user(manager).post(
        reverse("initiatives:partner_add", args=[initiative.pk]), {"organisation": organisation}
    )
    assert response.status_code == 404
    assert initiative.partnerships.count() == 2  # nothing was added


def test_lists_given_an_organisation_that_is_not_a_number_answer_as_for_any_unknown_one(
    as_user, officer, initiative
):
    client = as_user(officer)
    initiatives = client.get(reverse("initiatives:list"), {"partner": NOT_A_NUMBER})
    assert initiatives.status_code == 200
    assert initiative.reference in initiatives.content.decode()  # the filter is ignored
    claims = client.get(reverse("claims:list"), {"org": NOT_A_NUMBER, "show": "all"})
    assert claims.status_code == 200
    assert client.get(reverse("dashboard:show"), {"org": NOT_A_NUMBER}).status_code == 404
