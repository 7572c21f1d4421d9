"""Admins and managers set up a second factor before anything else (partners.mfa.middleware):
from every page they are sent to enrolment, and may still sign out; single sign-on through a
provider that enforces its own multi-factor authentication is not asked again."""

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners import permissions
from partners.mfa import enrolment
from tests import factories

pytestmark = pytest.mark.usefixtures("postgres")

ENROLMENT = "/accounts/2fa/totp/activate/"


@pytest.fixture
def bare_manager(council):
    """A manager who has not set up a second factor yet."""
    return factories.UserFactory(member_of=[(council, "manager")], second_factor=False)


@pytest.mark.parametrize(
    "path", ["/", "/initiatives/", "/claims/", "/partners/", "/users/", "/accounts/"]
)
def test_a_manager_without_a_second_factor_is_sent_to_set_one_up_from_any_page(
    as_user, bare_manager, path
):
    response = as_user(bare_manager).get(path)
    assert response.status_code == 302
    assert response["Location"] == ENROLMENT


def test_an_admin_without_a_second_factor_is_sent_to_set_one_up(as_user):
    admin = factories.UserFactory(is_staff=True, second_factor=False)
    assert as_user(admin).get("/users/")["Location"] == ENROLMENT


def test_a_form_sent_by_a_manager_without_a_second_factor_is_not_acted_on(as_user, bare_manager):
    client = as_user(bare_manager)
    response = client.post(reverse("accounts:emails"), {})
    assert response.status_code == 302
    assert response["Location"] == ENROLMENT


def test_an_htmx_request_is_told_to_go_to_enrolment(as_user, bare_manager):
    response = as_user(bare_manager).get("/initiatives/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == ENROLMENT


def test_the_enrolment_page_says_why_and_shows_the_qr_code_and_the_key(as_user, bare_manager):
    client = as_user(bare_manager)
    # Setting up a factor asks for the password again when the sign-in is not recent.
    assert client.get(ENROLMENT)["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})
    page = client.get(ENROLMENT).content.decode()
    assert "Your role needs two-factor authentication" in page
    secret = client.session["mfa.totp.secret"]
    assert f'<code id="setup-key" class="collaborate-setup-key">{secret}</code>' in page
    assert 'src="data:image/svg+xml;base64,' in page
    assert 'alt="QR code that adds Collaborate to your authenticator app' in page


def test_a_manager_without_a_second_factor_can_still_sign_out_and_check_health(
    as_user, bare_manager
):
    client = as_user(bare_manager)
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("accessibility")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_officer_without_a_second_factor_is_not_asked_for_one(as_user, officer):
    assert not Authenticator.objects.filter(user=officer).exists()
    assert as_user(officer).get("/").status_code == 200


def test_a_manager_with_a_second_factor_uses_the_site(as_user, manager):
    assert as_user(manager).get("/").status_code == 200


def test_single_sign_on_that_enforces_multi_factor_is_not_asked_again(as_user, bare_manager):
    client = as_user(bare_manager)
    session = client.session
    session[permissions.SSO_MFA_SESSION_KEY] = True
    session.save()
    assert client.get("/").status_code == 200


def _factor_queries(captured):
    return [q["sql"] for q in captured.captured_queries if "mfa_authenticator" in q["sql"]]


def test_enforcement_asks_the_database_nothing_once_the_session_knows(as_user, manager):
    """Sign-in keeps the answer in the session, so pages cost no query more, even when the cache
    is emptied; when a factor changes, the next request asks once, then no more."""
    client = as_user(manager)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/partners/").status_code == 200
    assert _factor_queries(captured) == []
    enrolment.changed(manager.pk)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/partners/").status_code == 200
    assert len(_factor_queries(captured)) == 1
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/partners/").status_code == 200
    assert _factor_queries(captured) == []


def test_a_person_made_a_manager_must_set_up_a_factor_from_their_next_request(as_user, council):
    person = factories.UserFactory(member_of=[(council, "officer")])
    client = as_user(person)
    assert client.get("/partners/").status_code == 200
    membership = person.memberships.get()
    membership.role = "manager"
    membership.save()
    assert client.get("/partners/")["Location"] == ENROLMENT


def test_the_account_page_says_whether_two_factor_authentication_is_on(as_user, officer, manager):
    assert "Two-factor authentication" in as_user(officer).get("/accounts/").content.decode()
    off = as_user(officer).get("/accounts/").content.decode()
    assert "Off. Turn it on" in off and reverse("mfa_index") in off
    on = as_user(manager).get("/accounts/").content.decode()
    assert "On: when you sign in" in on
