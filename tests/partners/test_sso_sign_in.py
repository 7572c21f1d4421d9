"""Signing in through a real OpenID Provider (tests/oidc/provider.mjs) without a browser: who
the person becomes, and every answer that must be refused."""

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.conf import settings

from partners import permissions
from partners.models import AuditEvent, IdentityProvider, Membership, User
from tests import factories
from tests.fixtures_oidc import free_port, sign_on

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]

REFUSED = "You cannot sign in with single sign-on"
DID_NOT_WORK = "Single sign-on did not work"


@pytest.fixture
def identity_provider(oidc_provider, council):
    provider = oidc_provider.identity_provider()
    sign_on(council, provider, "leeds.gov.uk")
    return provider


@pytest.fixture
def olive(council):
    return factories.UserFactory(email="olive@leeds.gov.uk", member_of=[(council, "officer")])


def events(action):
    return list(AuditEvent.objects.filter(action=action))


def refusal_reasons():
    return [e.detail["reason"] for e in events(AuditEvent.Action.SSO_SIGN_IN_REFUSED)]


def test_sso_first_sign_in_links_the_user_with_the_vouched_for_domain(
    person, oidc_provider, identity_provider, olive, council
):
    oidc_provider.account("olive-sub", email="Olive@Leeds.gov.uk")

    page = person.sign_in("olive@leeds.gov.uk", "olive-sub")

    assert page.status_code == 200
    assert person.signed_in_user_id == olive.pk
    assert SocialAccount.objects.get(user=olive).uid == "olive-sub"
    [linked] = events(AuditEvent.Action.SSO_LINKED)
    assert (linked.actor_id, linked.organisation_id) == (olive.pk, council.pk)
    assert linked.detail["subject"] == "olive-sub"
    [signed_in] = events(AuditEvent.Action.SIGNED_IN)
    assert signed_in.actor_id == olive.pk
    assert signed_in.detail == {"method": "single sign-on"}


def test_sso_link_is_recorded_for_the_persons_own_organisation_among_those_vouching(
    person, oidc_provider, identity_provider, partner_council
):
    sign_on(partner_council, identity_provider, "leeds.gov.uk")
    pat = factories.UserFactory(email="pat@leeds.gov.uk", member_of=[(partner_council, "officer")])
    oidc_provider.account("pat-sub", email="pat@leeds.gov.uk")

    person.sign_in("pat@leeds.gov.uk", "pat-sub")

    assert person.signed_in_user_id == pat.pk
    [linked] = events(AuditEvent.Action.SSO_LINKED)
    assert (linked.organisation_id, linked.organisation_name) == (
        partner_council.pk,
        "Bradford Council",
    )


def test_sso_sign_in_goes_on_to_the_page_asked_for(
    person, oidc_provider, identity_provider, olive, council
):
    oidc_provider.account("olive-sub", email="olive@leeds.gov.uk")

    page = person.sign_in("olive@leeds.gov.uk", "olive-sub", next_url=f"/partners/{council.pk}/")

    assert page.status_code == 200
    assert page.url == f"{person.base_url}/partners/{council.pk}/"


def test_sso_authorisation_request_carries_pkce_state_nonce_and_the_login_hint(
    person, identity_provider
):
    response = person.start("olive@leeds.gov.uk")

    # A page that refreshes at once to the provider, with a link to it.
    assert response.status_code == 200
    assert "Continue to Test IdP" in response.text
    query = parse_qs(urlsplit(person.authorisation_url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 12
    assert len(query["nonce"][0]) >= 32
    assert query["login_hint"] == ["olive@leeds.gov.uk"]
    assert query["client_id"] == [identity_provider.client_id]
    assert set(query["scope"][0].split()) == {"openid", "profile", "email"}


def test_sso_linked_user_whose_email_claim_changes_stays_the_same_user(
    person, another_person, oidc_provider, identity_provider, olive, council
):
    victim = factories.UserFactory(email="mona@leeds.gov.uk", member_of=[(council, "manager")])
    oidc_provider.account("olive-sub", email="olive@leeds.gov.uk")
    person.sign_in("olive@leeds.gov.uk", "olive-sub")
    # Olive changes her own email claim at the provider to her manager's address.
    oidc_provider.account("olive-sub", email="mona@leeds.gov.uk")

    another_person.sign_in("mona@leeds.gov.uk", "olive-sub")

    assert another_person.signed_in_user_id == olive.pk != victim.pk
    olive.refresh_from_db()
    assert olive.email == "olive@leeds.gov.uk"
    assert not SocialAccount.objects.filter(user=victim).exists()
    assert len(events(AuditEvent.Action.SSO_LINKED)) == 1


def test_sso_another_identity_with_a_linked_users_email_is_refused(
    person, another_person, oidc_provider, identity_provider, olive
):
    oidc_provider.account("olive-sub", email="olive@leeds.gov.uk")
    person.sign_in("olive@leeds.gov.uk", "olive-sub")
    oidc_provider.account("impostor-sub", email="olive@leeds.gov.uk")

    page = another_person.sign_in("olive@leeds.gov.uk", "impostor-sub")

    assert page.status_code == 403
    assert REFUSED in page.text and "Ask your Collaborate admin" in page.text
    assert another_person.signed_in_user_id is None
    assert refusal_reasons() == ["linked_to_another"]
    assert SocialAccount.objects.filter(user=olive).count() == 1


def test_sso_email_of_a_domain_nobody_vouches_for_is_refused(
    person, oidc_provider, identity_provider, council
):
    outsider = factories.UserFactory(email="oscar@cornwall.gov.uk")
    # The provider vouches, but no organisation on it vouches for cornwall.gov.uk.
    oidc_provider.account("oscar-sub", email="oscar@cornwall.gov.uk")
    person.start("olive@leeds.gov.uk")

    page = person.follow(person.request("GET", person.authorisation_url), "oscar-sub")

    assert page.status_code == 403
    assert person.signed_in_user_id is None
    assert not SocialAccount.objects.filter(user=outsider).exists()
    [refused] = events(AuditEvent.Action.SSO_SIGN_IN_REFUSED)
    assert refused.detail == {
        "identity_provider": "Test IdP",
        "reason": "domain",
        "email": "oscar@cornwall.gov.uk",
    }


def test_sso_unknown_person_is_refused_when_the_organisation_does_not_allow_accounts(
    person, oidc_provider, identity_provider
):
    oidc_provider.account("new-sub", email="newcomer@leeds.gov.uk")

    page = person.sign_in("newcomer@leeds.gov.uk", "new-sub")

    assert page.status_code == 403
    assert "does not create one" in page.text
    assert not User.objects.filter(email="newcomer@leeds.gov.uk").exists()
    assert refusal_reasons() == ["no_account"]


def test_sso_unknown_person_gets_an_officers_account_when_the_organisation_allows_it(
    person, oidc_provider, identity_provider, council
):
    identity_provider.sign_ons.update(creates_accounts=True)
    oidc_provider.account("new-sub", email="Nia.New@leeds.gov.uk", name="Nia New")

    page = person.sign_in("nia.new@leeds.gov.uk", "new-sub")

    assert page.status_code == 200
    user = User.objects.get(email="nia.new@leeds.gov.uk")
    assert person.signed_in_user_id == user.pk
    assert user.full_name == "Nia New"
    assert not user.has_usable_password()
    assert list(user.memberships.values_list("organisation", "role")) == [
        (council.pk, Membership.Role.OFFICER)
    ]
    [created] = events(AuditEvent.Action.SSO_ACCOUNT_CREATED)
    assert (created.actor_id, created.organisation_id) == (user.pk, council.pk)
    assert created.detail["role"] == "officer"
    assert not events(AuditEvent.Action.SSO_ORGANISATION_CHOSEN)


def test_sso_domain_shared_by_two_organisations_the_newcomer_chooses_once(
    person, another_person, oidc_provider, identity_provider, council, partner_council
):
    identity_provider.sign_ons.update(creates_accounts=True)
    sign_on(partner_council, identity_provider, "leeds.gov.uk", creates_accounts=True)
    oidc_provider.account("shared-sub", email="sam@leeds.gov.uk", name="Sam Shared")

    page = person.sign_in("sam@leeds.gov.uk", "shared-sub")

    assert "Which organisation do you work for?" in page.text
    assert "Bradford Council" in page.text and "Leeds City Council" in page.text
    assert person.signed_in_user_id is None
    assert not User.objects.filter(email="sam@leeds.gov.uk").exists()
    token = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    page = person.follow(
        person.request(
            "POST",
            page.url,
            data={"csrfmiddlewaretoken": token, "organisation": partner_council.pk},
        )
    )

    user = User.objects.get(email="sam@leeds.gov.uk")
    assert person.signed_in_user_id == user.pk
    assert list(user.memberships.values_list("organisation", "role")) == [
        (partner_council.pk, "officer")
    ]
    [chosen] = events(AuditEvent.Action.SSO_ORGANISATION_CHOSEN)
    assert (chosen.actor_id, chosen.organisation_id) == (user.pk, partner_council.pk)
    assert events(AuditEvent.Action.SIGNED_IN)[0].detail == {"method": "single sign-on"}

    # Next time: straight in, nothing asked.
    another_person.sign_in("sam@leeds.gov.uk", "shared-sub")
    assert another_person.signed_in_user_id == user.pk
    assert len(events(AuditEvent.Action.SSO_ORGANISATION_CHOSEN)) == 1


def test_sso_the_choice_of_organisation_is_limited_to_those_offered(
    person, oidc_provider, identity_provider, council, partner_council, other_council
):
    identity_provider.sign_ons.update(creates_accounts=True)
    sign_on(partner_council, identity_provider, "leeds.gov.uk", creates_accounts=True)
    oidc_provider.account("shared-sub", email="sam@leeds.gov.uk")
    page = person.sign_in("sam@leeds.gov.uk", "shared-sub")
    token = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]

    page = person.request(
        "POST", page.url, data={"csrfmiddlewaretoken": token, "organisation": other_council.pk}
    )

    assert page.status_code == 422
    assert not User.objects.filter(email="sam@leeds.gov.uk").exists()


@pytest.mark.parametrize(
    "id_token",
    [
        pytest.param({"iss": "https://login.example.com/someone-else"}, id="wrong issuer"),
        pytest.param({"aud": "another-application"}, id="wrong audience"),
        pytest.param({"expired": True}, id="expired"),
        pytest.param({"foreign_key": True}, id="signed with a key the provider never published"),
    ],
)
def test_sso_id_token_that_fails_its_checks_signs_nobody_in(
    person, oidc_provider, identity_provider, olive, id_token
):
    oidc_provider.account("olive-sub", email="olive@leeds.gov.uk", id_token=id_token)

    page = person.sign_in("olive@leeds.gov.uk", "olive-sub")

    assert DID_NOT_WORK in page.text
    assert person.signed_in_user_id is None
    assert not SocialAccount.objects.exists()
    [refused] = events(AuditEvent.Action.SSO_SIGN_IN_REFUSED)
    assert refused.detail["identity_provider"] == "Test IdP"
    assert "OAuth2Error" in refused.detail["reason"]


def test_sso_id_token_with_another_nonce_signs_nobody_in(
    person, oidc_provider, identity_provider, olive
):
    oidc_provider.account("olive-sub", email="olive@leeds.gov.uk", id_token={"nonce": "stolen"})

    page = person.sign_in("olive@leeds.gov.uk", "olive-sub")

    assert page.status_code == 403
    assert person.signed_in_user_id is None
    assert refusal_reasons() == ["nonce"]


def test_sso_replayed_callback_signs_nobody_in(
    person, another_person, oidc_provider, identity_provider, olive
):
    oidc_provider.account("olive-sub", email="olive@leeds.gov.uk")
    person.sign_in("olive@leeds.gov.uk", "olive-sub")
    assert person.signed_in_user_id == olive.pk

    # Someone else replays the answer (its code and state) in their own session...
    stolen = another_person.get(person.callback_url)
    assert DID_NOT_WORK in stolen.text
    assert another_person.signed_in_user_id is None
    # ...and the state is spent in the session it belonged to.
    again = person.get(person.callback_url)
    assert DID_NOT_WORK in again.text
    assert len(events(AuditEvent.Action.SIGNED_IN)) == 1
    assert len(events(AuditEvent.Action.SSO_SIGN_IN_REFUSED)) == 2


def test_sso_deactivated_user_is_refused(
    person, another_person, oidc_provider, identity_provider, olive
):
    oidc_provider.account("olive-sub", email="olive@leeds.gov.uk")
    person.sign_in("olive@leeds.gov.uk", "olive-sub")
    User.objects.filter(pk=olive.pk).update(is_active=False)
    again = another_person

    page = again.sign_in("olive@leeds.gov.uk", "olive-sub")

    assert page.status_code == 403
    assert "deactivated" in page.text
    assert again.signed_in_user_id is None
    assert refusal_reasons() == ["inactive"]


def test_sso_linked_user_is_refused_once_single_sign_on_is_turned_off(
    person, another_person, oidc_provider, identity_provider, olive
):
    oidc_provider.account("olive-sub", email="olive@leeds.gov.uk")
    person.sign_in("olive@leeds.gov.uk", "olive-sub")
    another_person.start("olive@leeds.gov.uk")
    identity_provider.sign_ons.all().delete()

    page = another_person.follow(
        another_person.request("GET", another_person.authorisation_url), "olive-sub"
    )

    assert page.status_code == 403
    assert another_person.signed_in_user_id is None
    assert refusal_reasons() == ["domain"]


def test_sso_identity_cannot_be_added_to_a_signed_in_account(
    person, oidc_provider, identity_provider, olive, council
):
    factories.UserFactory(email="mona@leeds.gov.uk", member_of=[(council, "officer")])
    oidc_provider.account("olive-sub", email="olive@leeds.gov.uk")
    oidc_provider.account("mona-sub", email="mona@leeds.gov.uk")
    person.sign_in("olive@leeds.gov.uk", "olive-sub")
    token = person.http.cookies.get(settings.CSRF_COOKIE_NAME)

    # allauth's "connect": Olive adds her manager's identity at the provider to her account.
    page = person.follow(
        person.request(
            "POST",
            f"{person.base_url}/accounts/oidc/test-idp/login/?process=connect",
            data={"csrfmiddlewaretoken": token},
            headers={"Referer": f"{person.base_url}/accounts/"},
        ),
        "mona-sub",
    )

    assert page.status_code == 403
    assert list(SocialAccount.objects.values_list("uid", flat=True)) == ["olive-sub"]
    assert refusal_reasons() == ["not_sign_in"]


@pytest.mark.parametrize(
    ("amr", "enforces_mfa", "vouched"),
    [
        pytest.param(["pwd", "mfa"], False, True, id="amr shows mfa"),
        pytest.param(["pwd"], True, True, id="the provider enforces it"),
        pytest.param(["pwd"], False, False, id="neither"),
    ],
)
def test_sso_provider_vouches_for_a_second_factor(
    person, oidc_provider, identity_provider, olive, amr, enforces_mfa, vouched
):
    identity_provider.enforces_mfa = enforces_mfa
    identity_provider.save()
    oidc_provider.account("olive-sub", email="olive@leeds.gov.uk", amr=amr)

    person.sign_in("olive@leeds.gov.uk", "olive-sub")

    assert person.signed_in_user_id == olive.pk
    assert bool(person.session.get(permissions.SSO_MFA_SESSION_KEY)) is vouched


def test_sso_audit_events_and_pages_never_hold_tokens_or_the_secret(
    person, another_person, oidc_provider, identity_provider, olive
):
    oidc_provider.account("olive-sub", email="olive@leeds.gov.uk", id_token={"expired": True})
    person.sign_in("olive@leeds.gov.uk", "olive-sub")
    oidc_provider.account("olive-sub", email="olive@leeds.gov.uk")
    page = another_person.sign_in("olive@leeds.gov.uk", "olive-sub")

    written = json.dumps([e.detail for e in AuditEvent.objects.all()])
    code = parse_qs(urlsplit(person.callback_url).query)["code"][0]
    for secret in ("oidc-test-client-secret", code, "eyJ"):
        assert secret not in written
        assert secret not in page.text


@pytest.mark.parametrize(
    ("enforces_mfa", "asked_for_a_code"),
    [
        pytest.param(True, False, id="the provider enforces a second factor"),
        pytest.param(False, True, id="it does not"),
    ],
)
def test_an_app_code_is_asked_after_sso_only_where_the_provider_does_not_vouch(
    person, oidc_provider, identity_provider, olive, enforces_mfa, asked_for_a_code
):
    factories.second_factor_enrol(olive)
    identity_provider.enforces_mfa = enforces_mfa
    identity_provider.save()
    oidc_provider.account("olive-sub", email="olive@leeds.gov.uk", amr=["pwd"])

    answer = person.sign_in("olive@leeds.gov.uk", "olive-sub")

    if not asked_for_a_code:
        assert person.signed_in_user_id == olive.pk
        assert events(AuditEvent.Action.SIGNED_IN)[0].detail == {"method": "single sign-on"}
        return
    assert answer.url.endswith("/accounts/2fa/authenticate/")
    assert person.signed_in_user_id is None
    page = person.request("GET", answer.url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    done = person.request(
        "POST",
        answer.url,
        data={"csrfmiddlewaretoken": token, "code": factories.totp_code()},
        headers={"Referer": answer.url},
    )
    assert done.status_code == 302
    assert person.signed_in_user_id == olive.pk
    assert events(AuditEvent.Action.SIGNED_IN)[0].detail == {
        "method": "single sign-on and second factor"
    }


def test_a_manager_who_has_only_single_sign_on_can_set_up_the_second_factor_their_role_needs(
    person, oidc_provider, identity_provider, council
):
    """No password to confirm the change with: the sign-on a moment ago counts instead."""
    mona = factories.UserFactory(
        email="mona@leeds.gov.uk", member_of=[(council, "manager")], second_factor=False
    )
    mona.set_unusable_password()
    mona.save()
    oidc_provider.account("mona-sub", email="mona@leeds.gov.uk", amr=["pwd"])

    person.sign_in("mona@leeds.gov.uk", "mona-sub")
    assert person.signed_in_user_id == mona.pk

    enrolment = person.request("GET", f"{person.base_url}/accounts/2fa/totp/activate/")
    assert enrolment.status_code == 200
    assert 'name="code"' in enrolment.text


def test_a_provider_that_cannot_be_reached_gets_a_page_saying_so(client, council):
    """Its discovery document does not answer: a page that says what to do, not an error."""
    unreachable = IdentityProvider.objects.create(
        name="Leeds Entra ID",
        slug="leeds-entra-id",
        issuer=f"http://127.0.0.1:{free_port()}/tenant/v2.0",
        client_id="collaborate",
    )
    sign_on(council, unreachable, "leeds.gov.uk")

    page = client.post("/accounts/login/", {"login": "olive@leeds.gov.uk"})

    assert page.status_code == 502
    assert "Collaborate could not reach Leeds Entra ID" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_password_is_never_checked_for_an_address_whose_organisation_signs_people_in(
    person, identity_provider, olive
):
    """Olive still has a password from before single sign-on: a hand-made password POST goes
    to the provider like the email step, so switching her off there switches her off here."""
    page = person.request("GET", f"{person.base_url}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    answer = person.request(
        "POST",
        f"{person.base_url}/accounts/login/",
        data={
            "csrfmiddlewaretoken": token,
            "login": "Olive@Leeds.gov.uk",
            "password": factories.PASSWORD,
        },
        headers={"Referer": f"{person.base_url}/accounts/login/"},
    )

    assert answer.headers["Refresh"].partition(";url=")[2].startswith(person.provider.issuer)
    assert person.signed_in_user_id is None
    assert not events(AuditEvent.Action.SIGNED_IN)


def test_a_refused_sign_on_vouches_for_no_second_factor_at_a_later_password_sign_in(
    person, oidc_provider, identity_provider, other_council
):
    """The provider enforces a second factor but refuses Oscar (nobody vouches for his domain);
    a manager without one then signs in with a password in the same browser: she is still sent
    to set one up."""
    identity_provider.enforces_mfa = True
    identity_provider.save()
    oidc_provider.account("oscar-sub", email="oscar@cornwall.gov.uk")
    person.start("olive@leeds.gov.uk")
    refused = person.follow(person.request("GET", person.authorisation_url), "oscar-sub")
    assert refused.status_code == 403
    mina = factories.UserFactory(
        email="mina@cornwall.gov.uk", member_of=[(other_council, "manager")], second_factor=False
    )

    page = person.request("GET", f"{person.base_url}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    person.request(
        "POST",
        f"{person.base_url}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "login": mina.email, "password": factories.PASSWORD},
        headers={"Referer": f"{person.base_url}/accounts/login/"},
    )

    assert person.signed_in_user_id == mina.pk
    assert not person.session.get(permissions.SSO_MFA_SESSION_KEY)
    home = person.request("GET", f"{person.base_url}/")
    assert home.status_code == 302
    assert "/accounts/2fa/" in home.headers["Location"]
