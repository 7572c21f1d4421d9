"""django-allauth's pages that Collaborate keeps are in the site's layout and GOV.UK markup
under the strict CSP; the ones it does not use are not there, and nobody signs themselves up."""

import pytest
from django.urls import reverse

from partners.models import User
from tests.pages import assert_strict_page, text_of

pytestmark = pytest.mark.django_db


def test_sign_up_is_closed_in_the_site_style(client):
    page = client.get("/accounts/signup/")
    assert page.status_code == 200
    assert "You need an invitation to use Collaborate" in text_of(page)
    assert_strict_page(page)
    sent = client.post(
        "/accounts/signup/",
        {"email": "new.person@example.gov.uk", "password1": "a long enough password"},
    )
    assert sent.status_code == 200
    assert not User.objects.filter(email="new.person@example.gov.uk").exists()


def test_re_authentication_is_in_the_site_style(as_user, officer):
    page = as_user(officer).get(reverse("account_reauthenticate"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="govuk-button' in html
    assert 'class="govuk-grid-column-two-thirds"' in html
    assert "Password" in text_of(page)
    assert_strict_page(page)


def test_the_forgotten_password_link_on_allauths_pages_goes_to_collaborates(client):
    response = client.get(reverse("account_reset_password"))
    assert response.status_code == 302 and response["Location"] == reverse("password_reset")


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/password/set/",
        "/accounts/password/reset/key/1-set-password/",
        "/accounts/confirm-email/",
        "/accounts/login/code/confirm/",
        "/accounts/reauthenticate/code/",
        "/accounts/inactive/",
        "/accounts/3rdparty/",
        "/accounts/social/signup/",
    ],
)
def test_allauths_pages_that_collaborate_does_not_use_are_not_there(as_user, officer, path):
    assert as_user(officer).get(path).status_code == 404
