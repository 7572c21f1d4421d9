"""The lead's internal auditor signs in with their second factor, chooses an organisation and a
year, sees the frame, draws a sample, records each outcome (confirmed; adjusted, with the
amount; not supported), is told when they leave the form empty, sees each correction await
the lead's decision and checks the draw. In Chromium, with and without JavaScript; every page
passes axe-core and raises no CSP violation."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from initiatives.claims import services
from initiatives.models import AuditOutcome, AuditSample, SavingsClaim
from tests import factories
from tests.factories import make_claim
from tests.fixtures_browser import banner, error_summary, menu, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_assurance_journey(checked, initiative, officer, manager, council, password):
    claims = []
    for gross in ("10000", "40000", "5000"):
        claim = make_claim(officer, initiative, council, gross_amount=Decimal(gross))
        services.claim_submit(actor=officer, claim=claim)
        claims.append(services.claim_decide(actor=manager, claim=claim, decision="verify"))
    auditor = factories.UserFactory(full_name="Audrey Auditor", member_of=[(council, "auditor")])
    page = checked.page
    sign_in(checked, auditor, password)
    menu(page).get_by_role("link", name="Assurance").click()
    checked.check("assurance")
    page.get_by_role("button", name="Draw a sample").click()
    checked.check("draw a sample")

    page.get_by_label("Organisation").select_option(label=council.name)
    page.get_by_label("Financial year").select_option(label="2025/26")
    page.get_by_role("button", name="Show the frame").click()
    checked.check("the frame")
    expect(page.locator("#frame")).to_contain_text("3 verified claims coming to £52,000.00")
    page.get_by_label("Monetary-unit selections").fill("2")
    page.get_by_label("Claims drawn at random from the rest").fill("3")
    page.get_by_role("button", name="Draw the sample").click()
    checked.check("the sample")
    sample = AuditSample.objects.get()
    expect(banner(page)).to_contain_text(f"Sample {sample.reference} was drawn")
    expect(page.locator("#coverage")).to_contain_text("3 claims coming to £52,000.00 (100.0%")
    expect(page.get_by_role("table", name="Selected claims")).to_contain_text(
        "No evidence attached"
    )

    confirmed, adjusted, unsupported = claims
    page.get_by_role("link", name=f"Record the outcome for {confirmed.reference}").click()
    checked.check("outcome form")
    page.get_by_role("button", name="Record the outcome").click()
    checked.check("outcome form, empty")
    expect(error_summary(page)).to_contain_text("Choose what the audit found")
    page.get_by_label("Confirmed").check()
    page.get_by_role("button", name="Record the outcome").click()
    checked.check("confirmed")
    expect(banner(page)).to_contain_text(f"{confirmed.reference}: confirmed")

    page.get_by_role("link", name=f"Record the outcome for {adjusted.reference}").click()
    page.get_by_label("Adjusted").check()
    page.get_by_label("What the audit found", exact=True).fill("Two posts were never filled.")
    page.get_by_role("button", name="Record the outcome").click()
    checked.check("adjusted without an amount")
    expect(error_summary(page)).to_contain_text("Enter the net saving the evidence supports")
    page.get_by_label("Adjusted").check()
    page.get_by_label("Net saving the evidence supports (£)").fill("30000")
    page.get_by_role("button", name="Record the outcome").click()
    checked.check("adjusted")
    expect(banner(page)).to_contain_text("awaits the lead's decision")

    page.get_by_role("link", name=f"Record the outcome for {unsupported.reference}").click()
    page.get_by_label("Not supported").check()
    page.get_by_label("What the audit found", exact=True).fill("No invoice behind it.")
    page.get_by_role("button", name="Record the outcome").click()
    checked.check("not supported")
    table = page.get_by_role("table", name="Selected claims")
    expect(table).to_contain_text("Confirmed")
    expect(table).to_contain_text("Not supported")
    expect(table).to_contain_text("awaiting decision")

    outcomes = {o.row.claim_id: o for o in AuditOutcome.objects.select_related("correction")}
    assert outcomes[confirmed.pk].correction is None
    assert outcomes[adjusted.pk].correction.net_amount == Decimal("-9000.00")
    assert outcomes[unsupported.pk].correction.net_amount == Decimal("-4000.00")
    assert (
        SavingsClaim.objects.filter(
            corrects__isnull=False, status="submitted", created_by=auditor
        ).count()
        == 2
    )

    page.get_by_role("link", name="Check the draw").click()
    checked.check("check the draw")
    expect(page.locator("#check-result")).to_contain_text("The same selection")
    expect(page).to_have_url(re.compile(rf"/assurance/{sample.pk}/check/$"))
