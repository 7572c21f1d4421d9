"""An officer opens the insights from the menu, sees each collaboration model beside
traditional outsourcing, filters by service area and downloads the figures as CSV; a visitor
finds the public version from the register. In Chromium, with and without JavaScript; every
page, and every swap, passes axe-core and raises no CSP violation."""

import csv

import pytest
from playwright.sync_api import expect

from initiatives.insights import services
from initiatives.progress import reconcile
from tests.fixtures_browser import choose_filter, download, menu, sign_in
from tests.initiatives.test_insights import build

pytestmark = pytest.mark.django_db(transaction=True)
FIRST_SAVING = "Time from going live to the first verified saving"


@pytest.fixture
def population(council, admin_user):
    """Ten shared services in ICT (first savings after 0–90 days, published), ten outsourcing
    arrangements in ICT (after 200–650 days) and ten in waste (after 1,000–1,450 days)."""
    for n in range(10):
        build(council, first_saving_after=n * 10, published=True, people=admin_user)
        build(council, model="outsourcing", first_saving_after=200 + n * 50, people=admin_user)
        build(
            council,
            model="outsourcing",
            area="waste",
            first_saving_after=1000 + n * 50,
            people=admin_user,
        )
    reconcile.progress_reconcile()
    services.insights_recompute()


def first_saving_row(page, model):
    table = page.locator("table[data-measure='first_saving_days']")
    return table.get_by_role("row").filter(has_text=model)


def test_an_officer_compares_models_filters_and_downloads(
    checked, population, officer, password, tmp_path
):
    page = checked.page
    sign_in(checked, officer, password)
    menu(page).get_by_role("link", name="Insights").click()
    checked.check("insights")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Collaboration compared with outsourcing"
    )
    expect(page.get_by_role("heading", name=FIRST_SAVING)).to_be_visible()
    expect(first_saving_row(page, "Shared service")).to_contain_text("45 days")
    expect(first_saving_row(page, "Traditional outsourcing")).to_contain_text("Comparison")
    expect(first_saving_row(page, "Traditional outsourcing")).to_contain_text("20")
    # The outsourcing arrangements in ICT alone: first savings after 200–650 days.
    choose_filter(checked, "Service area", "ICT", "insights of ICT", button="Show figures")
    expect(page.locator("#insight-whose")).to_contain_text("All organisations: ICT")
    expect(first_saving_row(page, "Traditional outsourcing")).to_contain_text("425 days")

    name, path = download(checked, "CSV", tmp_path)
    assert name == "insights.csv"
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    outsourcing = next(
        r for r in rows if r[2] == FIRST_SAVING and r[3] == "Traditional outsourcing"
    )
    assert outsourcing[:2] == ["All organisations", "ICT"]
    assert outsourcing[4:6] == ["10", "425.0"]


def test_a_visitor_finds_the_public_version_from_the_register(checked, population):
    page = checked.page
    checked.goto("/register/")
    page.get_by_role("link", name="Collaboration compared with outsourcing").click()
    checked.check("public insights")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Collaboration compared with outsourcing"
    )
    # Only the published shared services count; no outsourcing arrangement is published.
    expect(first_saving_row(page, "Shared service")).to_contain_text("45 days")
    expect(first_saving_row(page, "Traditional outsourcing")).to_contain_text("No initiatives")
    expect(page.get_by_role("heading", name="Contract length")).to_have_count(0)
