"""A manager who has no second factor signs in, is taken to set one up and can do nothing else
until done: scans the QR code (or types the key shown beside it), enters the app's code, sees
ten recovery codes once, and from then on signs in with a code. In Chromium, with and without
JavaScript, every page checked with axe."""

import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from partners.models import AuditEvent
from tests import factories
from tests.fixtures_browser import enrol_authenticator_app, sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_manager_sets_up_two_factor_authentication_and_signs_in_with_it(
    checked, council, password
):
    manager = factories.UserFactory(
        full_name="Nia Newmanager", member_of=[(council, "manager")], second_factor=False
    )
    page = checked.page
    checked.goto("/accounts/login/")
    page.get_by_label("Email address").fill(manager.email)
    page.get_by_role("button", name="Continue").click()
    checked.check("the password step")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    checked.check("sent to set up an authenticator app")
    expect(page).to_have_url(re.compile("/accounts/2fa/totp/activate/$"))
    why = page.get_by_role("region", name="Important")
    expect(why).to_contain_text("Your role needs two-factor authentication")

    checked.goto("/initiatives/")  # nothing else until done
    expect(page).to_have_url(re.compile("/accounts/2fa/totp/activate/$"))
    qr = page.get_by_role("img", name=re.compile("QR code that adds Collaborate"))
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.naturalWidth") > 0  # shown under the CSP

    secret, codes = enrol_authenticator_app(checked)
    assert len(codes) == 10 and all(re.fullmatch(r"\d{8}", code) for code in codes)
    page.get_by_role("link", name="Continue").click()
    checked.check("home after enrolment")
    expect(page.get_by_role("heading", level=1)).not_to_have_text(re.compile("Set up"))

    checked.goto("/accounts/2fa/recovery-codes/")
    expect(page.locator("body")).to_contain_text("cannot be shown again")
    assert not any(code in page.content() for code in codes)

    sign_out(checked)
    sign_in(checked, manager, password, secret=secret)
    expect(page.locator("header")).to_contain_text("Nia Newmanager")


def test_the_second_factor_pages_and_an_admins_reset(checked, manager, admin_user, password):
    """A manager looks at their second factors, cannot remove their only app and is told why,
    and opens the pages for security keys and new recovery codes; an admin resets them."""
    page = checked.page
    sign_in(checked, manager, password)
    checked.goto("/accounts/")
    page.get_by_role("link", name="Manage two-factor authentication").click()
    checked.check("two-factor authentication")
    page.get_by_role("link", name="Remove authenticator app").click()
    checked.check("removing the only app is refused")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Your role needs two-factor")
    checked.goto("/accounts/2fa/webauthn/add/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a security key or passkey")
    checked.goto("/accounts/2fa/webauthn/")
    checked.goto("/accounts/2fa/recovery-codes/generate/")
    expect(page.get_by_role("button", name="Make new codes")).to_be_visible()
    sign_out(checked)

    sign_in(checked, admin_user, password)
    checked.goto(f"/users/{manager.pk}/")
    page.get_by_role("link", name="Reset two-factor authentication").click()
    checked.check("reset confirmation")
    page.get_by_role("button", name="Reset two-factor authentication").click()
    checked.check("after the reset")
    expect(page.get_by_role("alert")).to_contain_text("two-factor authentication was reset")


def test_a_manager_adds_a_security_key_and_signs_in_with_it(
    checked_page, manager, password, settings
):
    """Chromium's virtual authenticator stands in for a security key; allauth's WebAuthn
    scripts run under the CSP (static files, data in JSON blocks)."""
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the test server is plain HTTP
    checked, page = checked_page, checked_page.page
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    sign_in(checked, manager, password)
    checked.goto("/accounts/2fa/webauthn/add/")
    page.get_by_label("Name").fill("Blue key")
    page.get_by_role("button", name="Add", exact=True).click()
    # Away from the form's own page (/webauthn/add/), once the key is saved.
    page.wait_for_url(re.compile("/accounts/2fa/(recovery-codes|webauthn)/$"))
    checked.check("after adding a security key")
    assert Authenticator.objects.filter(user=manager, type="webauthn").count() == 1
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.SECOND_FACTOR_ADDED, detail={"type": "webauthn"}
    ).exists()
    sign_out(checked)

    checked.goto("/accounts/login/")
    page.get_by_label("Email address").fill(manager.email)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile("/accounts/2fa/authenticate/$"))
    checked.check("the code step")
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url(re.compile(r"^https?://[^/]+/$"))
    checked.check("home, signed in with the key")
    expect(page.locator("header")).to_contain_text(manager.full_name)
