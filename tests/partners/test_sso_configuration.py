"""An admin configuring single sign-on on the organisation's page: who may, what is checked, how
the secret is kept (and never shown), and what the audit log says."""

import json
import re

import pytest
from allauth.socialaccount.models import SocialApp
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners import sso
from partners.models import AuditEvent, IdentityProvider, OrganisationSignOn
from partners.sso import adapter, secrets
from partners.sso import services as sso_services
from tests import factories
from tests.fixtures_oidc import sign_on
from tests.pages import assert_error_at_field, assert_strict_page, text_of

pytestmark = pytest.mark.django_db

SECRET = "very-secret-client-secret-9d2f"
ISSUER = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"


def provider_form(**changes):
    return {
        "name": "Leeds Entra ID",
        "issuer": ISSUER,
        "client_id": "6731de76-14a6-49ae-97bc-6eba6914391e",
        "client_secret": SECRET,
        "client_secret_env": "",
        "subject_claim": "oid",
        "token_auth_method": "client_secret_post",
        **changes,
    }


def make_provider(name="Leeds Entra ID", issuer=ISSUER, client_id="leeds-client", **fields):
    return IdentityProvider.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-"),
        issuer=issuer,
        client_id=client_id,
        client_secret_encrypted=secrets.encrypt(SECRET),
        **fields,
    )


def urls(council):
    return [
        reverse("partners:sso", args=[council.pk]),
        reverse("partners:sso_provider_create", args=[council.pk]),
        reverse("partners:sso_provider_edit", args=[council.pk]),
        reverse("partners:sso_remove", args=[council.pk]),
    ]


def test_sso_configuration_pages_are_not_found_for_anyone_but_admins(
    as_user, officer, manager, council
):
    sign_on(council, make_provider(), "leeds.gov.uk")
    for user in (officer, manager):
        client = as_user(user)
        for url in urls(council):
            assert client.get(url).status_code == 404
            assert client.post(url, provider_form()).status_code == 404
    assert OrganisationSignOn.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_sso_organisation_page_links_admins_to_single_sign_on(
    as_user, admin_user, manager, council
):
    link = reverse("partners:sso", args=[council.pk])
    admin_page = as_user(admin_user).get(council.get_absolute_url())
    assert link in admin_page.content.decode()
    assert link not in as_user(manager).get(council.get_absolute_url()).content.decode()


def test_sso_admin_adds_a_provider_whose_secret_is_kept_encrypted_and_never_shown(
    as_user, admin_user, council
):
    client = as_user(admin_user)

    response = client.post(
        reverse("partners:sso_provider_create", args=[council.pk]), provider_form(), follow=True
    )

    provider = IdentityProvider.objects.get()
    assert provider.slug == "leeds-entra-id"
    assert SECRET not in provider.client_secret_encrypted
    assert secrets.client_secret(provider) == SECRET
    page = response.content.decode()
    assert SECRET not in page
    # Back on the single sign-on page, the new provider chosen, and its redirect URI told.
    assert response.redirect_chain[-1][0].endswith(f"?provider={provider.pk}")
    assert "/accounts/oidc/leeds-entra-id/login/callback/" in text_of(response)
    assert re.search(rf'value="{provider.pk}"[^>]*\bchecked', page)
    assert_strict_page(response)
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.SSO_CONFIGURED)
    assert event.organisation_id == council.pk
    assert "client_secret" in event.detail["changed"]
    assert SECRET not in json.dumps(event.detail)


def test_sso_changing_a_provider_keeps_the_secret_unless_a_new_one_is_typed(
    as_user, admin_user, council
):
    provider = make_provider()
    sign_on(council, provider, "leeds.gov.uk")
    client = as_user(admin_user)
    url = reverse("partners:sso_provider_edit", args=[council.pk])

    page = client.get(url)
    assert "A secret is saved" in text_of(page)
    assert SECRET not in page.content.decode()
    client.post(url, provider_form(client_secret="", enforces_mfa="on"))
    provider.refresh_from_db()
    assert provider.enforces_mfa
    assert secrets.client_secret(provider) == SECRET
    client.post(url, provider_form(client_secret="a-new-secret-2026", enforces_mfa="on"))
    provider.refresh_from_db()
    assert secrets.client_secret(provider) == "a-new-secret-2026"

    changes = [e.detail["changed"] for e in AuditEvent.objects.filter(action="sso_configured")]
    assert changes == [["client_secret"], ["client_id", "subject_claim", "enforces_mfa"]]
    assert "a-new-secret-2026" not in json.dumps(changes)


def test_sso_secret_may_come_from_the_environment_instead(
    as_user, admin_user, council, monkeypatch
):
    monkeypatch.setenv("SSO_LEEDS_SECRET", "from-the-environment")
    client = as_user(admin_user)

    client.post(
        reverse("partners:sso_provider_create", args=[council.pk]),
        provider_form(client_secret="", client_secret_env="SSO_LEEDS_SECRET"),
    )

    provider = IdentityProvider.objects.get()
    assert provider.client_secret_encrypted == ""
    assert secrets.client_secret(provider) == "from-the-environment"


def test_sso_provider_needs_a_secret(as_user, admin_user, council):
    response = as_user(admin_user).post(
        reverse("partners:sso_provider_create", args=[council.pk]),
        provider_form(client_secret=""),
    )
    assert_error_at_field(response, "client_secret", "Enter the client secret")
    assert not IdentityProvider.objects.exists()


def test_sso_admin_sets_the_domains_and_newcomers(as_user, admin_user, council):
    provider = make_provider()
    client = as_user(admin_user)

    response = client.post(
        reverse("partners:sso", args=[council.pk]),
        {
            "identity_provider": provider.pk,
            "domains": "Leeds.gov.uk\nleeds.gov.uk, schools.leeds.gov.uk",
            "creates_accounts": "on",
        },
    )

    assert response.status_code == 302
    configured = OrganisationSignOn.objects.get(organisation=council)
    assert configured.creates_accounts
    assert sorted(configured.domains.values_list("domain", flat=True)) == [
        "leeds.gov.uk",
        "schools.leeds.gov.uk",
    ]
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.SSO_CONFIGURED)
    assert event.detail["changed"] == ["identity_provider", "domains", "creates_accounts"]
    assert sso.provider_for_email("someone@LEEDS.GOV.UK") == provider
    assert sso.provider_for_email("a@b@schools.leeds.gov.uk") == provider
    for elsewhere in ("someone@evil-leeds.gov.uk", "someone@x.leeds.gov.uk", "leeds.gov.uk"):
        assert sso.provider_for_email(elsewhere) is None


@pytest.mark.parametrize(
    ("domains", "message"),
    [
        ("olive@leeds.gov.uk", "is an email address: enter only the part after the @"),
        ("leeds", "leeds is not a domain"),
        ("leeds gov uk", "leeds is not a domain"),
        ("-leeds.gov.uk", "-leeds.gov.uk is not a domain"),
        ("  ", "Enter the email domains this organisation vouches for"),
    ],
)
def test_sso_domains_that_are_not_domains_are_refused(
    as_user, admin_user, council, domains, message
):
    provider = make_provider()
    response = as_user(admin_user).post(
        reverse("partners:sso", args=[council.pk]),
        {"identity_provider": provider.pk, "domains": domains},
    )
    assert_error_at_field(response, "domains", message)
    assert not OrganisationSignOn.objects.exists()


def test_sso_domain_of_another_provider_is_refused_but_shared_on_the_same_one(
    as_user, admin_user, council, partner_council, other_council
):
    leeds = make_provider()
    cornwall = make_provider("Cornwall Entra ID", client_id="cornwall-client")
    sign_on(other_council, cornwall, "cornwall.gov.uk")
    sign_on(partner_council, leeds, "shared.gov.uk")
    client = as_user(admin_user)
    url = reverse("partners:sso", args=[council.pk])

    refused = client.post(
        url, {"identity_provider": leeds.pk, "domains": "leeds.gov.uk\ncornwall.gov.uk"}
    )
    assert_error_at_field(
        refused,
        "domains",
        "cornwall.gov.uk is vouched for by Cornwall Council with another identity provider, "
        "Cornwall Entra ID",
    )
    shared = client.post(url, {"identity_provider": leeds.pk, "domains": "shared.gov.uk"})
    assert shared.status_code == 302
    assert sso.provider_for_email("pat@shared.gov.uk") == leeds


def test_sso_page_lists_the_providers_in_the_same_queries_however_many(
    as_user, admin_user, council
):
    client = as_user(admin_user)
    url = reverse("partners:sso", args=[council.pk])
    make_provider()
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for number in range(9):
        make_provider(f"Provider {number}", client_id=f"client-{number}")
    with CaptureQueriesContext(connection) as ten:
        page = client.get(url)
    assert "Provider 8" in text_of(page)
    assert len(ten.captured_queries) == len(one.captured_queries)


def test_sso_admin_turns_single_sign_on_off(as_user, admin_user, council):
    provider = make_provider()
    sign_on(council, provider, "leeds.gov.uk")
    client = as_user(admin_user)
    url = reverse("partners:sso_remove", args=[council.pk])

    assert "Turn off single sign-on?" in text_of(client.get(url))
    client.post(url)

    assert not OrganisationSignOn.objects.exists()
    assert IdentityProvider.objects.filter(pk=provider.pk).exists()
    assert sso.provider_for_email("olive@leeds.gov.uk") is None
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.SSO_REMOVED)
    assert event.detail == {"identity_provider": "Leeds Entra ID", "domains": ["leeds.gov.uk"]}
    assert client.get(url).status_code == 404


def test_sso_services_refuse_anyone_but_admins(manager, council):
    provider = make_provider()
    with pytest.raises(PermissionDenied):
        sso_services.sign_on_set(
            actor=manager,
            organisation=council,
            identity_provider=provider,
            domains=["leeds.gov.uk"],
            creates_accounts=False,
        )


def test_sso_allauth_apps_are_made_in_memory_from_the_providers(rf):
    provider = make_provider(subject_claim="oid")

    [app] = adapter.SocialAccountAdapter().list_apps(rf.get("/"), provider="leeds-entra-id")

    assert app.pk is None
    assert not SocialApp.objects.exists()
    assert (app.provider, app.provider_id, app.client_id) == (
        "openid_connect",
        provider.slug,
        "leeds-client",
    )
    assert app.secret == SECRET
    assert app.settings["uid_field"] == "oid"
    assert app.settings["oauth_pkce_enabled"] is True
    assert app.settings["server_url"] == f"{ISSUER}/.well-known/openid-configuration"
    assert adapter.SocialAccountAdapter().list_apps(rf.get("/"), provider="other") == []


def test_sso_entra_id_tokens_must_come_from_the_issuers_tenant():
    entra = IdentityProvider(issuer=ISSUER, subject_claim="oid")
    tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    check = adapter.SocialAccountAdapter()._wrong_tenant
    assert entra.tenant_id == tenant
    assert not check(entra, {"tid": tenant.upper()})
    assert check(entra, {"tid": "00000000-0000-0000-0000-000000000000"})
    assert check(entra, {})
    assert not check(IdentityProvider(issuer="https://idp.example.com"), {"tid": "x"})


def test_sso_secrets_cannot_be_read_under_another_key():
    token = secrets.encrypt(SECRET)
    assert secrets.decrypt(token) == SECRET
    with override_settings(SSO_SECRETS_KEY="another key altogether"):
        assert secrets.decrypt(token) == ""


def test_sso_secret_is_never_in_an_audit_event(as_user, admin_user, council):
    client = as_user(admin_user)
    client.post(reverse("partners:sso_provider_create", args=[council.pk]), provider_form())
    provider = IdentityProvider.objects.get()
    client.post(
        reverse("partners:sso", args=[council.pk]),
        {"identity_provider": provider.pk, "domains": "leeds.gov.uk"},
    )
    client.post(
        reverse("partners:sso_provider_edit", args=[council.pk]),
        provider_form(client_secret="second-secret-value"),
    )
    written = json.dumps([e.detail for e in AuditEvent.objects.all()])
    assert AuditEvent.objects.count() == 3
    assert SECRET not in written and "second-secret-value" not in written
    assert provider.client_secret_encrypted not in written


def test_sso_account_is_made_only_where_the_organisation_allows_and_only_once(council):
    provider = make_provider()
    configured = sign_on(council, provider, "leeds.gov.uk")
    factories.UserFactory(email="sam@leeds.gov.uk")
    arguments = {
        "request": None,
        "sociallogin": None,
        "full_name": "Sam",
        "identity_provider": provider,
        "organisation": council,
        "chosen": False,
    }
    with pytest.raises(ValidationError, match="does not give accounts"):
        sso_services.account_create(email="nia@leeds.gov.uk", **arguments)
    configured.creates_accounts = True
    configured.save()
    with pytest.raises(ValidationError, match="made meanwhile"):
        sso_services.account_create(email="sam@leeds.gov.uk", **arguments)
    assert not council.memberships.exists()
    assert not AuditEvent.objects.exists()


def test_a_provider_asked_for_by_a_malformed_address_is_ignored(as_user, admin_user, council):
    """A hand-typed ?provider= that is not a number: the page, not a server error."""
    for value in ("abc", "1e3", "-1", "²", "99999999999999999999999"):
        page = as_user(admin_user).get(f"/partners/{council.pk}/single-sign-on/?provider={value}")
        assert page.status_code == 200
