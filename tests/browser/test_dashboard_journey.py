"""A manager signs in and lands on the savings dashboard, filters it by a financial year and a
collaboration model, and downloads the figures as CSV and Excel; with JavaScript the filters
swap the figures in place, and a claim verified while the page is open shows as
"Recalculating" until the recompute has run, then the figures update by themselves. In
Chromium, with and without JavaScript; every page, and every swap, passes axe-core and raises
no CSP violation."""

import csv
import re
from decimal import Decimal

import openpyxl
import pytest
from playwright.sync_api import expect

from initiatives import services as initiative_services
from initiatives.claims import services as claim_services
from initiatives.progress import reconcile, selectors
from initiatives.progress import services as progress_services
from tests.factories import make_claim, make_partnered_initiative
from tests.fixtures_browser import choose_filter, download, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

CSV_HEADER = ["Table", "Row", *selectors.DOWNLOAD_COLUMNS]
MODELS_TABLE = "Target and verified savings by collaboration model"

# Leeds's part of the figures (its share of targets and claims; its stored attribution of
# verified claims). Shared service: Leeds 60%, Bradford 40%; capacity exchange: Leeds 75%,
# Cornwall 25%.
#   targets  shared service 2025/26 £100,000, 2026/27 £150,000 → Leeds £60,000 + £90,000
#            capacity exchange 2025/26 £40,000, 2026/27 £60,000 → Leeds £30,000 + £45,000
#   claims   shared service 2025/26 £9,000 net, verified (cash) → Leeds £5,400
#            capacity exchange 2025/26 £20,000 net, verified (non-cash) → Leeds £15,000
#            shared service 2026/27 £8,000 net, submitted → Leeds claims £4,800
#            shared service 2025/26 £4,500 net, submitted (the JS test verifies it later)
#            → Leeds claims £2,700, and then has £2,700 more verified
ALL_YEARS = {"Target": "£225,000", "Claimed": "£27,900", "Verified": "£20,400"}
IN_2025 = {"Target": "£90,000", "Claimed": "£23,100", "Verified": "£20,400"}
IN_2025_SHARED = {
    "Target": "£60,000",
    "Target to date": "£60,000",
    "Claimed": "£8,100",
    "Verified": "£5,400",
    "Verified as a share of target to date": "9.0%",
    "Cash-releasing / not": "£5,400 / £0",
}
AFTER_LATE_CLAIM = {
    "Claimed": "£8,100",
    "Verified": "£8,100",
    "Verified as a share of target to date": "13.5%",
    "Cash-releasing / not": "£8,100 / £0",
}


@pytest.fixture
def figures(celery_queue, initiative, officer, manager, council, other_council):
    """Two initiatives of Leeds with targets and claims, set through the services, and the
    figures computed. Returns the submitted claim that the JavaScript test verifies later.
    With Redis and no worker the recomputes the services queue just wait (and are purged)."""
    exchange = make_partnered_initiative(
        officer,
        council,
        other_council,
        lead_share="75",
        manager=manager,
        title="Environmental health and waste officers shared between councils",
        collaboration_model="capacity_exchange",
        service_area="waste",
    )
    initiative_services.targets_set(
        actor=officer, initiative=initiative, targets={2025: "100000", 2026: "150000"}
    )
    initiative_services.targets_set(
        actor=officer, initiative=exchange, targets={2025: "40000", 2026: "60000"}
    )

    def claim(on, decide=True, **fields):
        made = make_claim(officer, on, council, **fields)
        made = claim_services.claim_submit(actor=officer, claim=made)
        if decide:
            made = claim_services.claim_decide(actor=manager, claim=made, decision="verify")
        return made

    claim(initiative, financial_year=2025)  # £10,000 gross − £1,000 = £9,000 net
    claim(
        exchange,
        financial_year=2025,
        kind="non_cash_releasing",
        gross_amount=Decimal("20000"),
        implementation_cost=Decimal("0"),
    )
    claim(
        initiative,
        decide=False,
        financial_year=2026,
        gross_amount=Decimal("8000"),
        implementation_cost=Decimal("0"),
    )
    late = claim(
        initiative,
        decide=False,
        financial_year=2025,
        gross_amount=Decimal("5000"),
        implementation_cost=Decimal("500"),
    )
    reconcile.progress_reconcile()
    return late


def figure(page, label):
    """The value of one headline figure, found by its label."""
    return (
        page.locator(".app-figure")
        .filter(
            has=page.locator(".app-figure__label", has_text=re.compile(rf"^{re.escape(label)}$"))
        )
        .locator(".app-figure__value")
    )


def expect_figures(page, expected):
    for label, value in expected.items():
        expect(figure(page, label)).to_have_text(value)


def pounds(text):
    """£60,000 → Decimal('60000')."""
    return Decimal(text.replace("£", "").replace(",", ""))


def land_on_dashboard(checked, manager, password, council):
    page = checked.page
    sign_in(checked, manager, password)
    expect(page).to_have_url(checked.url("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Leeds City Council: savings")
    expect(page.locator(".app-freshness")).to_contain_text("Figures updated at")
    expect(page.get_by_text("Recalculating")).to_have_count(0)
    expect_figures(page, ALL_YEARS)
    expect(page.get_by_label("Organisation")).to_have_value(str(council.pk))


def choose(checked, label, option, where):
    """Change one filter: with JavaScript the figures are swapped in at once; without it, the
    form is sent by its button."""
    choose_filter(checked, label, option, where, button="Show figures")


def filter_figures(checked):
    page = checked.page
    choose(checked, "Financial year", "2025/26", "dashboard filtered by 2025/26")
    expect(page).to_have_url(re.compile(r"/dashboard/\?(.*&)?fy=2025(&|$)"))
    expect_figures(page, IN_2025)
    models = page.get_by_role("table", name=MODELS_TABLE)
    expect(models.locator("tbody tr")).to_have_count(2)

    choose(checked, "Collaboration model", "Shared service", "dashboard filtered by model")
    expect(page).to_have_url(re.compile(r"/dashboard/\?(.*&)?fy=2025(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]model=shared_service(&|$)"))
    expect_figures(page, IN_2025_SHARED)
    rows = page.get_by_role("table", name=MODELS_TABLE).locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.get_by_role("rowheader")).to_have_text("Shared service")
    expect(rows).to_contain_text("£60,000")
    years = page.get_by_role("table", name="Target and verified savings by financial year")
    expect(years.get_by_role("rowheader")).to_have_text(["2025/26"])


def page_headline(page):
    """The headline figures on the page as numbers, in the order of the download's columns."""
    cash, non_cash = figure(page, "Cash-releasing / not").inner_text().split(" / ")
    return [
        pounds(figure(page, "Target").inner_text()),
        pounds(figure(page, "Target to date").inner_text()),
        pounds(figure(page, "Claimed").inner_text()),
        pounds(figure(page, "Verified").inner_text()),
        pounds(cash),
        pounds(non_cash),
        Decimal(figure(page, "Verified as a share of target to date").inner_text().rstrip("%")),
    ]


def whole(values):
    """Money to whole pounds (as the page shows it); the last value, a percentage, as it is."""
    *money, percent = (Decimal(str(value)) for value in values)
    return [m.quantize(Decimal("1")) for m in money] + [percent.quantize(Decimal("0.1"))]


def download_figures(checked, council, tmp_path):
    page = checked.page
    on_page = page_headline(page)
    assert on_page == [
        Decimal("60000"),
        Decimal("60000"),
        Decimal("8100"),
        Decimal("5400"),
        Decimal("5400"),
        Decimal("0"),
        Decimal("9.0"),
    ]
    csv_link = page.get_by_role("link", name="CSV", exact=True)
    expect(csv_link).to_have_attribute("href", re.compile(r"fy=2025.*model=shared_service"))

    filename, path = download(checked, "CSV", tmp_path)
    assert filename == f"savings-{council.slug}-2025.csv"
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == CSV_HEADER
    headline = [row for row in rows if row[0] == "Headline"]
    assert [row[1] for row in headline] == ["All"]
    assert whole(headline[0][2:]) == on_page
    by_model = [row[1] for row in rows if row[0] == "By collaboration model"]
    assert by_model == ["Shared service"]

    filename, path = download(checked, "Excel", tmp_path)
    assert filename == f"savings-{council.slug}-2025.xlsx"
    book = openpyxl.load_workbook(path, read_only=True)
    sheet = list(book["Headline"].iter_rows(values_only=True))
    book.close()
    assert list(sheet[0]) == ["All", *CSV_HEADER[2:]]
    assert sheet[1][0] == "All"
    assert whole(sheet[1][1:]) == on_page
    # The heading and the title name the filters, with JavaScript too (swapped with the figures).
    named = "Leeds City Council: savings 2025/26, shared service"
    expect(page.get_by_role("heading", level=1)).to_have_text(named)
    expect(page).to_have_title(f"{named} – Savings dashboard – Collaborate")


def journey(checked, manager, password, council, tmp_path):
    land_on_dashboard(checked, manager, password, council)
    filter_figures(checked)
    download_figures(checked, council, tmp_path)


def test_dashboard_journey_with_javascript(
    checked_page, figures, manager, password, council, tmp_path
):
    journey(checked_page, manager, password, council, tmp_path)
    page = checked_page.page

    # A claim verified while the page is open: its initiative is marked dirty and, with no
    # worker, the recompute waits. The reloaded dashboard says so and polls.
    claim_services.claim_decide(actor=manager, claim=figures, decision="verify")
    page.reload()
    checked_page.check("dashboard while a recompute is pending")
    expect(page).to_have_url(re.compile(r"fy=2025.*model=shared_service"))
    expect(page.locator("#freshness")).to_contain_text("Recalculating")
    expect_figures(page, IN_2025_SHARED)

    # The recompute runs (as the sweep would); the next poll swaps in the fresh figures.
    assert progress_services.progress_recompute_dirty() == 1
    checked_page.after_swap(lambda: None, "dashboard after the recompute, swapped in by the poll")
    expect(page.get_by_text("Recalculating")).to_have_count(0)
    expect_figures(page, AFTER_LATE_CLAIM)
    expect(page).to_have_url(re.compile(r"fy=2025.*model=shared_service"))


def test_dashboard_journey_without_javascript(
    checked_page_without_js, figures, manager, password, council, tmp_path
):
    journey(checked_page_without_js, manager, password, council, tmp_path)
