"""A manager of the lead finds a partner's claim in the claims list, by its filters and then by
its reference; an admin locks a financial year, is warned of the claim still awaiting a
decision, gives a reason, and sees the lock recorded. In Chromium, with and without
JavaScript; every page, and every swap, passes axe-core and raises no CSP violation."""

import re

import pytest
from playwright.sync_api import expect

from initiatives.models import FinancialYearLock
from partners.models import AuditEvent
from tests import factories
from tests.fixtures_browser import banner, menu, send_empty, sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "The audit committee signed off the 2025/26 figures on 12 June."


def change(checked, where, action, apply=True):
    """Change a filter: with JavaScript the results swap in by themselves; without it the
    filters are applied by their button."""
    if checked.javascript:
        checked.after_swap(action, where)
    else:
        action()
        if apply:
            checked.page.get_by_role("button", name="Apply filters").click()
            checked.check(where)


def find_claim(checked, wanted):
    page = checked.page
    menu(page).get_by_role("link", name="Claims", exact=True).click()
    checked.check("claims: my open claims")
    expect(page.get_by_role("heading", level=1)).to_have_text("Claims")
    expect(page.locator("#results-count")).to_have_text("0 open claims of yours")

    change(
        checked,
        "all claims I can see",
        lambda: page.get_by_label("All claims I can see").check(),
    )
    expect(page.locator("#results-count")).to_have_text("4 claims")
    change(
        checked,
        "awaiting a decision",
        lambda: page.get_by_label("Status", exact=True).select_option(label="Awaiting decision"),
    )
    expect(page.locator("#results-count")).to_have_text("2 claims")
    expect(page).to_have_url(re.compile(r"show=all&.*status=submitted"))

    change(
        checked,
        "search by reference",
        lambda: page.get_by_label(
            "Claim or initiative reference (Collaborate's or your own), or initiative title"
        ).fill(wanted.reference.lower()),
    )
    expect(page.locator("#results-count")).to_have_text("1 claim")
    results = page.locator("#results")
    expect(results.get_by_role("link", name=re.compile(r"^CLM-"))).to_have_count(1)
    results.get_by_role("link", name=wanted.reference).click()
    checked.check("the claim found")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Claim {wanted.reference}")


def lock_year(checked, admin):
    page = checked.page
    menu(page).get_by_role("link", name="Financial years").click()
    checked.check("financial years")
    page.get_by_role("link", name="Lock 2025/26").click()
    checked.check("lock 2025/26: confirm")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lock 2025/26?")
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "2 claims of 2025/26 still await a decision."
    )
    expect(
        page.get_by_role("link", name="See the claims of 2025/26 awaiting a decision")
    ).to_have_attribute("href", "/claims/?show=all&fy=2025&status=submitted")

    send_empty(checked, "Lock 2025/26", "Say why you are locking 2025/26")
    assert not FinancialYearLock.objects.exists()
    page.get_by_label("Why are you locking 2025/26?").fill(REASON)
    page.get_by_role("button", name="Lock 2025/26").click()
    checked.check("financial years after locking")
    expect(banner(page)).to_contain_text("2025/26 is locked.")
    row = page.locator("#year-2025")
    expect(row).to_contain_text("Locked")
    expect(row).to_contain_text(f"by {admin.full_name}: {REASON}")
    expect(row.get_by_role("link", name="Unlock 2025/26")).to_be_visible()
    row.get_by_text("History of 2025/26 (1)").click()
    expect(row.locator(".govuk-details__text")).to_contain_text(f"by {admin.email}: {REASON}")
    event = AuditEvent.objects.get(action=AuditEvent.Action.YEAR_LOCKED)  # besides signing in
    assert (event.actor_id, event.detail["reason"]) == (admin.pk, REASON)


def test_claims_list_journey(
    checked, initiative, manager, admin_user, password, partner_council, partner_officer
):
    claim = factories.SavingsClaimFactory

    def partner_claim(**fields):
        return claim(
            initiative=initiative, claimant=partner_council, created_by=partner_officer, **fields
        )

    wanted = partner_claim(submitted=True)
    partner_claim(submitted=True)
    partner_claim(verified=True)
    partner_claim(returned=True)
    partner_claim()  # a draft: the lead's manager does not see it

    sign_in(checked, manager, password)
    find_claim(checked, wanted)
    sign_out(checked)

    sign_in(checked, admin_user, password)
    lock_year(checked, admin_user)
