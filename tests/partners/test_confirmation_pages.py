"""The confirmation pages share one component (templates/includes/confirmation.html): a question,
what will happen, a warning where the step cannot be undone, a POST form with Cancel."""

import html

import pytest
from django.urls import reverse

from tests import factories
from tests.pages import assert_strict_page, text_of

pytestmark = pytest.mark.django_db


def test_deactivating_an_organisation_asks_with_its_name_escaped_and_a_warning_button(
    as_user, admin_user
):
    organisation = factories.OrganisationFactory(name="Brent & Harrow <Shared>")
    response = as_user(admin_user).get(reverse("partners:set_active", args=[organisation.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Deactivate Brent &amp; Harrow &lt;Shared&gt;?</h1>' in body
    assert 'class="govuk-button govuk-button--warning"' in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert f'<a class="govuk-link" href="{organisation.get_absolute_url()}">Cancel</a>' in body
    assert_strict_page(response)


def test_reactivating_a_person_is_a_plain_primary_button(as_user, admin_user, officer):
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    response = as_user(admin_user).get(reverse("users:set_active", args=[officer.pk]))
    body = response.content.decode()
    assert "Reactivate Olive Officer's account?" in html.unescape(text_of(response))
    assert 'class="govuk-button" data-module="govuk-button"' in body
    assert "govuk-button--warning" not in body
    assert f'href="{reverse("users:detail", args=[officer.pk])}">Cancel</a>' in body


def test_a_merge_shows_what_moves_and_warns_and_a_refused_merge_offers_no_form(
    as_user, admin_user, council, other_council
):
    client = as_user(admin_user)
    url = reverse("partners:merge_confirm", args=[council.pk, other_council.pk])
    page = text_of(client.get(url))
    assert '<form method="post" novalidate>' in client.get(url).content.decode()
    assert "Merge Cornwall Council into Leeds City Council?" in page
    assert "What will move" in page and "Warning A merge cannot be undone." in page
    assert "Merge Cancel" in page
    itself = client.get(reverse("partners:merge_confirm", args=[council.pk, council.pk]))
    refused = text_of(itself)
    assert "This merge cannot be made" in refused
    assert "An organisation cannot be merged into itself." in refused
    assert '<form method="post" novalidate>' not in itself.content.decode()
