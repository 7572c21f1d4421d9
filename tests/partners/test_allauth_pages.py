"""django-allauth's pages that Collaborate keeps are in the site's layout and GOV.UK markup
under the strict CSP; the ones it does not use go to its own, and nobody signs themselves up."""

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
    assert 'class="govuk-button' in page.content.decode()
    assert "Password" in text_of(page)
    assert_strict_page(page)


@pytest.mark.parametrize(
    ("path", "goes_to"),
    [
        ("/accounts/password/change/", "password_change"),
        ("/accounts/password/set/", "password_change"),
        ("/accounts/password/reset/", "password_reset"),
        ("/accounts/email/", "accounts:account"),
    ],
)
def test_allauths_own_password_and_email_pages_go_to_collaborates(as_user, officer, path, goes_to):
    response = as_user(officer).get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse(goes_to)
