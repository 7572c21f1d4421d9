"""An admin opens the audit log from the menu, finds their own sign-in in it, narrows it to the
failed sign-ins and then to one address, and is offered the download of just those. In
Chromium, with and without JavaScript; every page and every swap passes axe-core and raises no
CSP violation."""

import re

import pytest
from playwright.sync_api import expect

from partners.models import AuditEvent
from tests import factories
from tests.fixtures_browser import choose_filter, menu, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def failed_sign_in(email):
    factories.AuditEventFactory(
        actor=None,
        actor_id=None,
        actor_email="",
        action=AuditEvent.Action.SIGN_IN_FAILED,
        ip_address="192.0.2.66",
        detail={"email": email, "method": "password"},
    )


def test_an_admin_filters_the_audit_log_by_action(checked, admin_user, password, council):
    factories.AuditEventFactory(
        actor=admin_user,
        action=AuditEvent.Action.MEMBERSHIP_ADDED,
        organisation_id=council.pk,
        organisation_name=council.name,
        detail={"email": "new.person@example.gov.uk", "role": "officer"},
    )
    failed_sign_in("guessing@example.gov.uk")
    failed_sign_in("olive.officer@example.gov.uk")

    sign_in(checked, admin_user, password)
    page = checked.page
    menu(page).get_by_role("link", name="Audit log").click()
    checked.check("the audit log")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    expect(page.locator("#results-count")).to_have_text("4 events")
    newest = page.locator("#results tbody tr").first
    expect(newest).to_contain_text("Signed in")  # the admin's own sign-in, just now
    expect(newest).to_contain_text(admin_user.email)

    choose_filter(checked, "What", "Sign-in failed", "failed sign-ins")
    expect(page.locator("#results-count")).to_have_text("2 events")
    expect(page).to_have_url(re.compile(r"action=sign_in_failed"))
    results = page.locator("#results")
    expect(results).to_contain_text("guessing@example.gov.uk")
    expect(results).not_to_contain_text("Membership added")

    who = page.get_by_label("Who")
    if checked.javascript:
        checked.after_swap(lambda: (who.fill("olive"), who.press("Enter")), "one address")
    else:
        who.fill("olive")
        page.get_by_role("button", name="Apply filters").click()
        checked.check("one address")
    expect(page.locator("#results-count")).to_have_text("1 event")
    expect(results).to_contain_text("olive.officer@example.gov.uk")
    expect(page).to_have_url(re.compile(r"who=olive"))
    download = page.get_by_role("link", name="Download these events as CSV")
    expect(download).to_have_attribute(
        "href", re.compile(r"^/audit/events\.csv\?(?=.*action=sign_in_failed)(?=.*who=olive)")
    )
