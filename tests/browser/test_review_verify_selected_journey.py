"""A manager of the lead ticks two of three claims in the review queue, is told when they
press "Verify selected claims" with none ticked, confirms the two on one page and sees them
verified; the third still waits. In Chromium, with and without JavaScript; every page passes
axe-core and raises no CSP violation."""

import re

import pytest
from playwright.sync_api import expect

from initiatives.claims import services
from initiatives.models import SavingsClaim
from tests.factories import make_claim
from tests.fixtures_browser import banner, error_summary, menu, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_verify_selected_journey(checked, initiative, officer, manager, password):
    claims = []
    for year in (2025, 2026, 2027):
        claim = make_claim(officer, initiative, initiative.lead, financial_year=year)
        services.claim_submit(actor=officer, claim=claim)
        claims.append(claim)
    first, second, third = claims
    page = checked.page
    sign_in(checked, manager, password)
    menu(page).get_by_role("link", name="Review claims").click()
    checked.check("review queue")

    page.get_by_role("button", name="Verify selected claims").click()
    checked.check("verify selected, none ticked")
    expect(error_summary(page)).to_contain_text("Select the claims to verify")
    error_summary(page).get_by_role("link", name="Select the claims to verify").click()
    expect(page.get_by_label(f"Select {first.reference}, {initiative.title}")).to_be_focused()

    for claim in (first, third):
        page.get_by_label(f"Select {claim.reference}, {initiative.title}").check()
    page.get_by_role("button", name="Verify selected claims").click()
    checked.check("confirm verify selected")
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify these 2 claims?")
    table = page.get_by_role("table", name="Claims to verify")
    expect(table).to_contain_text(first.reference)
    expect(table).to_contain_text(third.reference)
    expect(table).not_to_contain_text(second.reference)
    expect(table).to_contain_text("£18,000.00")
    assert SavingsClaim.objects.filter(status="verified").count() == 0

    page.get_by_role("button", name="Verify these 2 claims").click()
    checked.check("queue after verify selected")
    expect(page).to_have_url(re.compile(r"/claims/review/$"))
    expect(banner(page)).to_contain_text("2 claims verified")
    expect(page.locator(f"#claim-row-{second.pk}")).to_contain_text(second.reference)
    expect(page.locator(f"#claim-row-{first.pk}")).to_have_count(0)
    assert {c.pk: c.status for c in SavingsClaim.objects.all()} == {
        first.pk: "verified",
        second.pk: "submitted",
        third.pk: "verified",
    }
