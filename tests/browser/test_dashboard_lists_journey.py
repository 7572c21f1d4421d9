"""A manager answers "which of our initiatives are behind, by how much, and why" from the
dashboard without typing a URL: the complete list of initiatives at risk (filtered in place),
and the gaps with, apart, the initiatives whose savings come later. An admin finds another
organisation's dashboard with the organisation picker. In Chromium, with and without
JavaScript; every page, and every swap, passes axe-core and raises no CSP violation."""

import re
from datetime import date

import factory
import pytest
from playwright.sync_api import expect

from initiatives.progress import reconcile
from tests import factories
from tests.fixtures_browser import choose_filter, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

EXCHANGE = "Capacity or expertise exchange between authorities"


@pytest.fixture
def standing(council, partner_council):
    """Leeds: twelve shared services with nothing verified against their 2025/26 targets (red),
    an exchange of officers behind too, a live initiative with no targets (a gap) and one whose
    savings are expected from 2028/29; their figures computed."""
    live = {"lead": council, "status": "live", "start_date": date(2024, 4, 1)}
    factories.InitiativeFactory.create_batch(
        12,
        **live,
        title=factory.Sequence(lambda n: f"Shared service behind {n:02d}"),
        targets={2025: 10000},
    )
    exchange = factories.InitiativeFactory(
        **live,
        title="Planning officers shared with Bradford",
        collaboration_model="capacity_exchange",
        service_area="planning",
        targets={2025: 20000},
    )
    factories.SavingsClaimFactory(
        initiative=exchange,
        verified=True,
        financial_year=2025,
        gross_amount=15000,
        implementation_cost=0,
    )
    factories.InitiativeFactory(**live, title="Joint fraud team")
    factories.InitiativeFactory(**live, title="Shared legal practice", savings_expected_from=2028)
    reconcile.progress_reconcile()


def test_a_manager_goes_from_the_dashboard_to_every_initiative_behind_and_every_gap(
    checked, standing, manager, password, council
):
    page = checked.page
    sign_in(checked, manager, password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Leeds City Council: savings")
    expect(page.locator("main")).to_contain_text(
        "13 initiatives are behind their target to date: these are the 10 furthest behind."
    )

    # The gaps, and apart from them the initiative whose savings come later.
    page.get_by_role(
        "link", name="See all 1 gap and the 1 initiative expecting savings later"
    ).click()
    checked.check("the gaps")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Gaps: live initiatives without targets"
    )
    expect(page.locator("#results-count")).to_have_text(
        "1 gap, and 1 initiative expecting savings later"
    )
    gaps = page.get_by_role("table", name=re.compile("^Gaps: live initiatives with no targets"))
    expect(gaps.locator("tbody tr")).to_have_count(1)
    expect(gaps).to_contain_text("Joint fraud team")
    later = page.get_by_role("table", name=re.compile("^Live initiatives without targets whose"))
    expect(later.locator("tbody tr")).to_have_count(1)
    expect(later).to_contain_text("Shared legal practice")
    expect(later).to_contain_text("2028/29")
    expect(page.get_by_role("link", name="Download this list as CSV")).to_have_attribute(
        "href", f"/dashboard/gaps.csv?org={council.pk}"
    )

    page.get_by_role("link", name="Back to the savings dashboard").click()
    checked.check("back on the dashboard")

    # Every initiative behind its target, furthest behind first, and by how much.
    page.get_by_role("link", name="See all 13 initiatives at risk").click()
    checked.check("the initiatives at risk")
    expect(page).to_have_url(re.compile(r"/dashboard/at-risk/\?org=\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Initiatives at risk")
    expect(page.locator("#results-count")).to_have_text("13 initiatives at risk")
    table = page.get_by_role("table", name=re.compile("^Initiatives at risk, furthest behind"))
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(13)
    expect(rows.first).to_contain_text("Red")
    expect(rows.last).to_contain_text("Planning officers shared with Bradford")
    expect(rows.last).to_contain_text("Amber")
    expect(rows.last).to_contain_text("£20,000 £15,000 (75.0%) £5,000")

    # Narrowed to one collaboration model: the list, its heading and the title follow.
    choose_filter(checked, "Collaboration model", EXCHANGE, "at risk, one model")
    named = f"Leeds City Council: savings, {EXCHANGE[0].lower()}{EXCHANGE[1:]}"
    expect(page).to_have_url(re.compile(r"[?&]model=capacity_exchange(&|$)"))
    expect(page.locator("#results-count")).to_have_text("1 initiative at risk")
    expect(rows).to_have_count(1)
    expect(page.locator("#list-intro .govuk-caption-l")).to_have_text(named)
    expect(page).to_have_title(f"Initiatives at risk – {named} – Collaborate")

    # From the list to the initiative itself, to see why.
    page.get_by_role("link", name="Planning officers shared with Bradford").click()
    checked.check("the initiative behind")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Planning officers shared with Bradford"
    )


def test_an_admin_finds_an_organisations_dashboard_with_the_picker(
    checked, standing, admin_user, password, council
):
    factories.OrganisationFactory(name="Leeds Beckett University", kind="university")
    page = checked.page
    sign_in(checked, admin_user, password)
    expect(page.get_by_role("heading", level=1)).to_have_text("All organisations: savings")

    search = page.get_by_label("Find another organisation's dashboard")
    if checked.javascript:  # the matches come as the admin types
        checked.after_swap(lambda: search.press_sequentially("leeds", delay=40), "picker swap")
        expect(page).to_have_url(checked.url("/"))
    else:
        search.fill("leeds")
        page.get_by_role("button", name="Search organisations").click()
        checked.check("organisations matching leeds")
    matches = page.locator("#organisation-matches")
    expect(matches).to_contain_text("2 organisations match “leeds”")
    expect(matches.get_by_role("link")).to_have_count(2)

    matches.get_by_role("link", name="Leeds City Council").click()
    checked.check("Leeds's dashboard, chosen with the picker")
    expect(page).to_have_url(re.compile(rf"/dashboard/\?org={council.pk}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Leeds City Council: savings")
    expect(page).to_have_title("Leeds City Council: savings – Savings dashboard – Collaborate")
    expect(page.get_by_role("link", name="See all 13 initiatives at risk")).to_be_visible()
