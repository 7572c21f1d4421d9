"""Single sign-on in Chromium, with and without JavaScript, through the real OpenID Provider
(tests/oidc/provider.mjs): the email address first, the provider's own sign-in page, and back
signed in; an admin, signed in that way, sets up single sign-on for another organisation; a
newcomer whose domain two organisations share chooses theirs once. Every Collaborate page on the
way is checked (axe-core, CSP); the provider's page is not ours."""

import re

import pytest
from playwright.sync_api import expect

from partners.models import AuditEvent, IdentityProvider, OrganisationSignOn, User
from tests import factories
from tests.fixtures_browser import banner, send_empty
from tests.fixtures_oidc import sign_on

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def sign_in_with_the_provider(checked, oidc_provider, email, account):
    """The email address on Collaborate's sign-in page, then the provider's page (which has the
    account filled in from the login hint), then back."""
    page = checked.page
    checked.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{oidc_provider.issuer}/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Test identity provider")
    expect(page.get_by_label("Account")).to_have_value(account)
    page.get_by_role("button", name="Sign in to the test identity provider").click()
    page.wait_for_url(f"{checked.base_url}/**")


def test_an_admin_signs_in_through_the_provider_and_sets_up_single_sign_on(
    checked, oidc_provider, council, partner_council
):
    # The provider enforces multi-factor authentication: the admin is not asked to add a factor.
    provider = oidc_provider.identity_provider(enforces_mfa=True)
    sign_on(council, provider, "leeds.gov.uk")
    admin = factories.UserFactory(
        email="ada@leeds.gov.uk", full_name="Ada Admin", is_staff=True, second_factor=False
    )
    oidc_provider.account("ada-sub", email="ada@leeds.gov.uk", name="Ada Admin")
    page = checked.page

    sign_in_with_the_provider(checked, oidc_provider, "ada@leeds.gov.uk", "ada-sub")
    checked.check("home, signed in through the provider")
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_contain_text("Ada Admin")

    checked.goto(partner_council.get_absolute_url())
    page.get_by_role("link", name=f"single sign-on settings of {partner_council.name}").click()
    checked.check("single sign-on, not set up")
    expect(page.locator("main")).to_contain_text("Single sign-on is not set up")
    page.get_by_role("link", name="Add an identity provider").click()
    checked.check("add an identity provider")
    send_empty(
        checked,
        "Add identity provider",
        "Enter a name for the identity provider",
        "Enter the issuer URL",
        "Enter the client ID",
    )
    page.get_by_label("Name", exact=True).fill("Bradford Entra ID")
    page.get_by_label("Issuer URL").fill(
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"
    )
    page.get_by_label("Client ID (application ID)").fill("bradford-client")
    page.get_by_label("Client secret", exact=True).fill("bradford-secret-value")
    page.get_by_label(re.compile("^oid:")).check()
    page.get_by_role("button", name="Add identity provider").click()
    checked.check("single sign-on, the provider added")
    expect(banner(page)).to_contain_text("/accounts/oidc/bradford-entra-id/login/callback/")
    expect(page.get_by_label("Bradford Entra ID")).to_be_checked()
    page.get_by_label("Email domains this organisation vouches for").fill("Bradford.gov.uk")
    page.get_by_role("button", name="Save single sign-on").click()
    checked.check("single sign-on, set up")
    expect(banner(page)).to_contain_text("Single sign-on for Bradford Council was saved")
    expect(page.locator("main")).to_contain_text("A secret is saved")
    assert "bradford-secret-value" not in page.content()

    configured = OrganisationSignOn.objects.get(organisation=partner_council)
    assert configured.identity_provider == IdentityProvider.objects.get(name="Bradford Entra ID")
    assert list(configured.domains.values_list("domain", flat=True)) == ["bradford.gov.uk"]
    signed_in = AuditEvent.objects.get(action=AuditEvent.Action.SIGNED_IN)
    assert (signed_in.actor_id, signed_in.detail) == (admin.pk, {"method": "single sign-on"})


def test_a_newcomer_whose_domain_two_organisations_share_chooses_theirs_once(
    checked, oidc_provider, council, partner_council
):
    provider = oidc_provider.identity_provider()
    sign_on(council, provider, "shared.gov.uk", creates_accounts=True)
    sign_on(partner_council, provider, "shared.gov.uk", creates_accounts=True)
    oidc_provider.account("sam-sub", email="sam@shared.gov.uk", name="Sam Shared")
    page = checked.page

    sign_in_with_the_provider(checked, oidc_provider, "sam@shared.gov.uk", "sam-sub")
    checked.check("which organisation")
    send_empty(checked, "Continue", "Select the organisation you work for")
    page.get_by_label("Bradford Council").check()
    page.get_by_role("button", name="Continue").click()
    checked.check("home, as a new officer of Bradford")
    expect(page.get_by_role("button", name=re.compile("Sign out"))).to_contain_text("Sam Shared")

    sam = User.objects.get(email="sam@shared.gov.uk")
    assert list(sam.memberships.values_list("organisation", "role")) == [
        (partner_council.pk, "officer")
    ]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SSO_ORGANISATION_CHOSEN).count() == 1
