"""An officer submits a savings claim with evidence; a manager of the lead returns it with a
note; the officer revises and resubmits it; the manager verifies it from the review queue and
sees it split between the partners. Emails go out through a real Celery worker. In Chromium,
with and without JavaScript; every page, and every swap, passes axe-core and raises no CSP
violation."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from initiatives.models import ClaimAttribution, ClaimEvidence, SavingsClaim
from tests.fixtures_browser import (
    banner,
    emails_arrived,
    error_summary,
    menu,
    send_empty,
    sign_in,
    sign_out,
)

pytestmark = pytest.mark.django_db(transaction=True)

DESCRIPTION = "Leeds and Bradford merged their revenues teams: one manager post was deleted."
STATEMENT = "Processing times for new claims stayed at 14 days, as the monthly report shows."
RETURN_NOTE = "The gross saving counts a post that was vacant. Take it out and resubmit."
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def open_claims_section(checked, initiative):
    """The initiative's Claims section: swapped in by htmx when JavaScript runs."""
    page = checked.page
    checked.goto(f"/initiatives/{initiative.pk}/")
    link = page.get_by_role("navigation", name="Sections of this initiative").get_by_role(
        "link", name="Claims", exact=True
    )
    if checked.javascript:
        checked.after_swap(link.click, "Claims section swap")
        expect(link).to_have_attribute("aria-current", "page")
    else:
        link.click()
        checked.check("Claims section")
    expect(page).to_have_url(re.compile(rf"/initiatives/{initiative.pk}/claims/$"))


def make_claim(checked, initiative, tmp_path):
    page = checked.page
    open_claims_section(checked, initiative)
    page.get_by_role("link", name="Make a claim").click()
    checked.check("make a claim")
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a claim")

    send_empty(
        checked,
        "Save draft",
        "Choose the financial year",
        "Choose the category of saving",
        "Choose whether the saving releases cash",
        "Choose whether the saving recurs",
        "Enter the gross saving",
        "Describe what was saved and how the initiative caused it",
        "Say whether the service's outputs were maintained",
        "Say how you know the outputs were maintained",
    )
    assert not SavingsClaim.objects.exists()

    report = tmp_path / "savings-report.pdf"
    report.write_bytes(PDF)
    page.get_by_label("Financial year of the saving").select_option(label="2025/26")
    page.get_by_label("Cost reduction", exact=True).check()
    page.get_by_label("Cash-releasing", exact=True).check()
    page.get_by_label("Recurring", exact=True).check()
    page.get_by_label("Gross saving (£)").fill("12000")
    page.get_by_label("Implementation cost (£)").fill("2000")
    page.get_by_label("What was saved, and how the initiative caused it").fill(DESCRIPTION)
    page.get_by_label("Outputs maintained", exact=True).check()
    page.get_by_label("How do you know?").fill(STATEMENT)
    page.get_by_label("Evidence files").set_input_files(report)
    page.get_by_role("button", name="Save draft").click()
    checked.check("the new draft claim")

    claim = SavingsClaim.objects.get(initiative=initiative)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Claim {claim.reference}")
    expect(banner(page)).to_contain_text(f"Claim {claim.reference} was saved as a draft")
    expect(page.get_by_role("link", name="savings-report.pdf")).to_be_visible()
    assert (claim.status, claim.gross_amount, claim.net_amount) == (
        SavingsClaim.Status.DRAFT,
        Decimal("12000.00"),
        Decimal("10000.00"),
    )
    assert list(ClaimEvidence.objects.values_list("original_name", "content_type")) == [
        ("savings-report.pdf", "application/pdf")
    ]
    return claim


def refuse_disguised_image(checked, claim, tmp_path):
    """A PNG named as a PDF is refused, with a message saying so, and nothing is stored."""
    page = checked.page
    fake = tmp_path / "budget-extract.pdf"
    fake.write_bytes(PNG)
    page.get_by_role("link", name="Add evidence files").click()
    checked.check("add evidence")
    page.get_by_label("Add evidence files").set_input_files(fake)
    page.get_by_role("button", name="Upload").click()
    checked.check("add evidence: a PNG named as a PDF")
    expect(error_summary(page)).to_contain_text(
        "budget-extract.pdf is named as a PDF but it is a PNG image. Upload the file itself"
    )
    assert ClaimEvidence.objects.filter(claim=claim).count() == 1
    page.get_by_role("link", name="Back").click()
    checked.check("back to the claim")


def submit(checked, claim):
    page = checked.page
    page.get_by_role("button", name="Submit for a decision").click()
    checked.check("after submitting")
    expect(banner(page)).to_contain_text(f"Claim {claim.reference} was submitted")
    expect(page.locator("main")).to_contain_text("Awaiting decision")
    claim.refresh_from_db()
    assert claim.status == SavingsClaim.Status.SUBMITTED


def open_review_queue(checked, claim):
    page = checked.page
    menu(page).get_by_role("link", name="Review claims").click()
    checked.check("review queue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Claims awaiting your decision")
    row = page.locator(f"#claim-row-{claim.pk}")
    expect(row).to_contain_text(claim.reference)
    expect(row).to_contain_text(f"£{claim.net_amount:,.2f}")
    return row


def decide_in_queue(checked, claim, decision, done, note=""):
    """Verify or return the claim from its row: in place with JavaScript, else by the form."""
    page = checked.page
    claim.refresh_from_db()
    row = open_review_queue(checked, claim)
    if checked.javascript and decision == "Return":
        checked.after_swap(
            row.get_by_role("button", name=f"Return {claim.reference}").click,
            "return with no note, in the row",
        )
        row = page.locator(f"#claim-row-{claim.pk}")
        expect(row).to_contain_text("Say why the claim is being returned")
        claim.refresh_from_db()
        assert claim.status == SavingsClaim.Status.SUBMITTED
    if note:
        row.get_by_label(f"Note to the claimant about {claim.reference}").fill(note)
    button = row.get_by_role("button", name=f"{decision} {claim.reference}")
    message = f"Claim {claim.reference}: {done}."
    if checked.javascript:
        checked.after_swap(button.click, f"{decision.lower()} in the row")
        row = page.locator(f"#claim-row-{claim.pk}")
        expect(row.get_by_role("status")).to_have_text(message)
        expect(row.get_by_role("button")).to_have_count(0)
    else:
        button.click()
        checked.check(f"review queue after {decision.lower()}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Claims awaiting your decision")
        expect(banner(page)).to_contain_text(message)
        expect(page.locator(f"#claim-row-{claim.pk}")).to_have_count(0)
    return row


def revise_and_resubmit(checked, claim):
    page = checked.page
    menu(page).get_by_role("link", name="Claims", exact=True).click()
    checked.check("your claims")
    expect(
        page.get_by_label("My open claims: drafts, returned and awaiting a decision")
    ).to_be_checked()
    status = page.get_by_label("Status", exact=True)
    if checked.javascript:
        checked.after_swap(lambda: status.select_option(label="Returned for revision"), "returned")
    else:
        status.select_option(label="Returned for revision")
        page.get_by_role("button", name="Apply filters").click()
        checked.check("returned claims")
    expect(page).to_have_url(re.compile(r"/claims/\?show=mine&.*status=returned"))
    expect(page.locator("#results-count")).to_have_text("1 open claim of yours")
    page.get_by_role("link", name=claim.reference).click()
    checked.check("the returned claim")
    note = page.locator(".govuk-inset-text")
    expect(note).to_contain_text("Returned for revision by Mona Manager")
    expect(note).to_contain_text(RETURN_NOTE)

    page.get_by_role("link", name="Edit claim").click()
    checked.check("edit the returned claim")
    expect(page.get_by_label("Gross saving (£)")).to_have_value("12000.00")
    page.get_by_label("Gross saving (£)").fill("11500")
    page.get_by_role("button", name="Save draft").click()
    checked.check("the revised claim")
    expect(banner(page)).to_contain_text(f"Claim {claim.reference} was saved")
    expect(page.locator("main")).to_contain_text("£9,500.00")
    submit(checked, claim)


def see_attribution(checked, claim, council, partner_council):
    page = checked.page
    table = page.get_by_role(
        "table", name="How the verified net saving is split between the partners"
    )
    expect(page.get_by_role("heading", name="Attribution to partners")).to_be_visible()
    expect(table.get_by_role("row", name=re.compile(council.name))).to_contain_text(
        re.compile(r"60\.00%\s*£5,700\.00")
    )
    expect(table.get_by_role("row", name=re.compile(partner_council.name))).to_contain_text(
        re.compile(r"40\.00%\s*£3,800\.00")
    )
    expect(table.get_by_role("row", name=re.compile("Total"))).to_contain_text("£9,500.00")
    expect(page.locator("main")).to_contain_text("Verified")
    amounts = dict(
        ClaimAttribution.objects.filter(claim=claim).values_list("organisation_id", "amount")
    )
    assert amounts == {council.pk: Decimal("5700.00"), partner_council.pk: Decimal("3800.00")}


def open_decided_claim(checked, claim, row):
    """With JavaScript the decided row still links to the claim; without it the claim has
    left the queue and is opened from its initiative."""
    page = checked.page
    if checked.javascript:
        row.get_by_role("link", name=claim.reference).click()
    else:
        open_claims_section(checked, claim.initiative)
        page.get_by_role("link", name=claim.reference).click()
    checked.check("the verified claim")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Claim {claim.reference}")


def sent(count):
    """(to, subject) of each email, once `count` have gone out."""
    return [(message.to, message.subject) for message in emails_arrived(count)]


def test_claim_journey(
    checked,
    celery_worker,
    tmp_path,
    initiative,
    officer,
    manager,
    password,
    council,
    partner_council,
):
    sign_in(checked, officer, password)
    claim = make_claim(checked, initiative, tmp_path)
    refuse_disguised_image(checked, claim, tmp_path)
    submit(checked, claim)
    awaits = ([manager.email], f"Claim {claim.reference} awaits your decision")
    assert sent(1) == [awaits]
    sign_out(checked)

    sign_in(checked, manager, password)
    decide_in_queue(checked, claim, "Return", "returned for revision", note=RETURN_NOTE)
    claim.refresh_from_db()
    assert (claim.status, claim.review_note) == (SavingsClaim.Status.RETURNED, RETURN_NOTE)
    returned = ([officer.email], f"Claim {claim.reference}: returned for revision")
    assert sent(2) == [awaits, returned]
    assert RETURN_NOTE in mail.outbox[1].body
    sign_out(checked)

    sign_in(checked, officer, password)
    revise_and_resubmit(checked, claim)
    assert sent(3) == [awaits, returned, awaits]
    sign_out(checked)

    sign_in(checked, manager, password)
    row = decide_in_queue(checked, claim, "Verify", "verified")
    open_decided_claim(checked, claim, row)
    see_attribution(checked, claim, council, partner_council)
    verified = ([officer.email], f"Claim {claim.reference}: verified")
    assert sent(4) == [awaits, returned, awaits, verified]
    claim.refresh_from_db()
    assert (claim.status, claim.gross_amount, claim.net_amount, claim.reviewed_by) == (
        SavingsClaim.Status.VERIFIED,
        Decimal("11500.00"),
        Decimal("9500.00"),
        manager,
    )
