"""A manager asks "which of our initiatives are behind, and by how much": on the initiatives list
they filter by RAG status and sort the worst first, read each one's RAG (a tag with its name)
and verified savings against its target to date, and open the one behind to read its progress
panel with the rule in words. A claim verified while the page is open shows as "Recalculating"
until the recompute has run; then the panel updates by itself (with JavaScript) or on the
refresh link (without). In Chromium, with and without JavaScript; every page and every swap
passes axe-core and raises no CSP violation."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from initiatives import financial_years
from initiatives import services as initiative_services
from initiatives.claims import services as claim_services
from initiatives.progress import reconcile
from initiatives.progress import services as progress_services
from tests.factories import make_claim, make_initiative, make_partnered_initiative
from tests.fixtures_browser import choose_filter, menu, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

LAST_YEAR = financial_years.current_financial_year() - 1
ON_TRACK = "Shared revenues and benefits service"  # the `initiative` fixture
BEHIND = "Shared waste collection"
NO_TARGET = "Community library co-design"


@pytest.fixture
def standings(celery_queue, initiative, officer, manager, council, partner_council):
    """Three initiatives of Leeds, computed: on track (green, 90%), behind (red, 25%) and one
    with no target (grey). Returns a claim on the one behind, submitted and not yet decided."""
    behind = make_partnered_initiative(
        officer, council, partner_council, manager=manager, title=BEHIND, service_area="waste"
    )
    make_initiative(officer, council, title=NO_TARGET, collaboration_model="co_design")
    initiative_services.targets_set(
        actor=officer, initiative=initiative, targets={LAST_YEAR: "10000"}
    )
    initiative_services.targets_set(actor=officer, initiative=behind, targets={LAST_YEAR: "20000"})

    def claim(on, net, decide=True):
        made = make_claim(
            officer,
            on,
            council,
            financial_year=LAST_YEAR,
            gross_amount=Decimal(net),
            implementation_cost=Decimal("0"),
        )
        made = claim_services.claim_submit(actor=officer, claim=made)
        if decide:
            claim_services.claim_decide(actor=manager, claim=made, decision="verify")
        return made

    claim(initiative, "9000")
    claim(behind, "5000")
    waiting = claim(behind, "4000", decide=False)
    reconcile.progress_reconcile()
    return waiting


def rows(page):
    return page.locator("#results tbody tr")


def find_the_ones_behind(checked):
    page = checked.page
    menu(page).get_by_role("link", name="Initiatives").click()
    checked.check("initiatives")
    table = page.locator("#results table")
    expect(table.get_by_role("columnheader", name="RAG", exact=True)).to_be_visible()
    expect(table.get_by_role("columnheader", name="Verified to date")).to_be_visible()

    choose_filter(checked, "RAG status", "Red", "initiatives filtered to red")
    expect(page).to_have_url(re.compile(r"[?&]rag=red(&|$)"))
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text(BEHIND)
    expect(rows(page).locator(".govuk-tag--red")).to_have_text("Red")
    expect(rows(page)).to_contain_text("£5,000")
    expect(rows(page)).to_contain_text("25.0% of £20,000 target to date")

    choose_filter(checked, "RAG status", "Any RAG status", "initiatives, any RAG status")
    choose_filter(checked, "Sort by", "RAG (red first)", "initiatives sorted worst first")
    expect(page).to_have_url(re.compile(r"[?&]sort=rag(&|$)"))
    expect(rows(page).locator("td:first-child a")).to_have_text([BEHIND, ON_TRACK, NO_TARGET])
    expect(rows(page).nth(1).locator(".govuk-tag--green")).to_have_text("Green")
    expect(rows(page).nth(2)).to_contain_text("No target")


def figure(panel, key):
    """The value of one row of the progress panel, found by its key."""
    row = panel.locator(".govuk-summary-list__row").filter(
        has=panel.page.locator("dt", has_text=re.compile(rf"^{re.escape(key)}$"))
    )
    return row.locator("dd")


def read_the_panel(checked):
    page = checked.page
    rows(page).get_by_role("link", name=BEHIND).click()
    checked.check("the initiative behind its target")
    panel = page.locator("#progress-panel")
    expect(panel.get_by_role("heading", name="Savings progress")).to_be_visible()
    expect(panel.locator("#progress-rag")).to_have_text(
        "Red 25.0% of the target to date is verified"
    )
    expect(figure(panel, "Target to date")).to_have_text("£20,000.00")
    expect(figure(panel, "Verified in total")).to_have_text("£5,000.00")
    expect(figure(panel, "Claimed (submitted and verified)")).to_have_text("£9,000.00")
    expect(panel).to_contain_text("Green when 90% or more of the target to date is verified")
    expect(panel.locator("#progress-updated")).to_contain_text("Updated at")
    expect(panel.get_by_text("Recalculating")).to_have_count(0)


def test_initiative_progress_journey(checked, standings, manager, password):
    sign_in(checked, manager, password)
    find_the_ones_behind(checked)
    read_the_panel(checked)
    page = checked.page

    # The waiting claim is verified while the page is open: with no worker the recompute
    # waits, and the reloaded page says so beside the figures it has.
    claim_services.claim_decide(actor=manager, claim=standings, decision="verify")
    page.reload()
    checked.check("the initiative while a recompute is pending")
    panel = page.locator("#progress-panel")
    expect(panel.locator("#progress-pending")).to_contain_text("Recalculating")
    expect(figure(panel, "Verified in total")).to_have_text("£5,000.00")

    # The recompute runs (as the sweep would): the poll swaps the fresh panel in, or, without
    # JavaScript, the refresh link shows it.
    assert progress_services.progress_recompute_dirty() == 1
    if checked.javascript:
        checked.after_swap(lambda: None, "the panel after the recompute, swapped in by the poll")
    else:
        panel.get_by_role("link", name="Refresh this page").click()
        checked.check("the initiative after the recompute")
    expect(panel.get_by_text("Recalculating")).to_have_count(0)
    expect(figure(panel, "Verified in total")).to_have_text("£9,000.00")
    expect(panel.locator("#progress-rag")).to_have_text(
        "Red 45.0% of the target to date is verified"
    )
