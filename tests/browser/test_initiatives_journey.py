"""An officer creates an initiative, sets its targets and moves it to live, and is told that a
manager of the lead adds partners and publishes; the manager adds two partners, sets their
shares of the savings and publishes it; an officer of an unrelated council cannot open it; an
anonymous visitor finds it on the public register. In Chromium, with and without JavaScript."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from initiatives.models import Initiative, Partnership, SavingsTarget
from tests import factories
from tests.fixtures_browser import banner, error_summary, menu, send_empty, sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Shared revenues and benefits service"
CHARITY = "Aire Valley Community Trust"


@pytest.fixture
def charity(db):
    return factories.OrganisationFactory(name=CHARITY, sector="social", kind="charity")


def sections(page):
    return page.get_by_role("navigation", name="Sections of this initiative")


def create_initiative(checked):
    page = checked.page
    menu(page).get_by_role("link", name="Initiatives").click()
    checked.check("initiatives")
    page.get_by_role("link", name="Create an initiative").click()
    checked.check("create an initiative")
    send_empty(checked, "Create initiative", "Enter a title", "Enter the start date")

    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Summary").fill("Leeds and Bradford run one revenues and benefits team.")
    page.get_by_label("Shared service", exact=True).check()
    page.get_by_label("Service area").select_option(label="Revenues and benefits")
    page.get_by_label("Joint committee", exact=True).check()
    for legend, (day, month, year) in (
        ("Start date", ("1", "4", "2025")),
        ("Planned end date", ("31", "3", "2027")),
    ):
        group = page.get_by_role("group", name=legend, exact=True)
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill(month)
        group.get_by_label("Year").fill(year)
    page.get_by_role("button", name="Create initiative").click()
    checked.check("the new initiative's partners")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(banner(page)).to_contain_text("A manager of Leeds City Council adds its partners")
    expect(sections(page).get_by_role("link", name="Partners")).to_have_attribute(
        "aria-current", "page"
    )
    return Initiative.objects.get(title=TITLE)


def officer_is_told_a_manager_decides(checked, council):
    """Partners, shares and publishing are a manager's: the officer's pages say so."""
    page = checked.page
    main = page.locator("main")
    expect(main).to_contain_text(f"A manager of {council.name} adds or removes partners")
    expect(page.get_by_role("link", name="Add a partner")).to_have_count(0)
    expect(page.get_by_role("button", name="Save shares")).to_have_count(0)
    expect(page.get_by_role("link", name="Publish on the public register")).to_have_count(0)
    expect(main).to_contain_text(f"A manager of {council.name} publishes it")


def open_partners_as_manager(checked, initiative):
    checked.goto(f"/initiatives/{initiative.pk}/partners/")
    expect(checked.page.get_by_role("link", name="Add a partner")).to_be_visible()


def add_partner(checked, search, name):
    page = checked.page
    page.get_by_role("link", name="Add a partner").click()
    checked.check("add a partner")
    box = page.get_by_label("Name of the organisation")
    if checked.javascript:
        checked.after_swap(lambda: box.press_sequentially(search, delay=40), "partner search swap")
    else:
        box.fill(search)
        page.get_by_role("button", name="Find").click()
        checked.check("partner search without javascript")
    page.get_by_role("button", name=f"Add {name}").click()
    checked.check(f"after adding {name}")
    expect(banner(page)).to_contain_text(f"{name} was added as a partner")
    expect(page.get_by_role("row", name=re.compile(name))).to_be_visible()


def set_shares(checked, council, partner_council):
    page = checked.page

    def fill(shares):
        for name, share in shares.items():
            page.get_by_label(f"Share of savings for {name}").fill(share)
        page.get_by_role("button", name="Save shares").click()

    fill({council.name: "60", partner_council.name: "30", CHARITY: "0"})
    checked.check("shares that do not add up to 100")
    expect(error_summary(page)).to_contain_text("The shares must add up to exactly 100%")
    fill({council.name: "60", partner_council.name: "40", CHARITY: "0"})
    checked.check("after saving the shares")
    expect(banner(page)).to_contain_text("The shares of savings were saved")


def open_section(checked, name):
    """Open a section of the initiative by its link: swapped in by htmx when JavaScript runs."""
    page = checked.page
    link = sections(page).get_by_role("link", name=name, exact=True)
    if checked.javascript:
        checked.after_swap(link.click, f"{name} section swap")
        expect(link).to_have_attribute("aria-current", "page")
    else:
        link.click()
        checked.check(f"{name} section")
    expect(page).to_have_url(re.compile(rf"/initiatives/\d+/{name.lower()}/$"))


def set_targets(checked):
    page = checked.page
    open_section(checked, "Targets")
    page.get_by_label("Target for 2025/26, in pounds").fill("150000")
    page.get_by_label("Target for 2026/27, in pounds").fill("250,000.50")
    page.get_by_role("button", name="Save targets").click()
    checked.check("after saving the targets")
    expect(banner(page)).to_contain_text("The savings targets were saved")


def change_status(checked, status):
    page = checked.page
    page.get_by_role("link", name="Change status").click()
    checked.check("change the status")
    page.get_by_label(status, exact=True).check()
    page.get_by_label("Why is the status changing?").fill(f"The joint committee agreed: {status}.")
    page.get_by_role("button", name="Change status").click()
    checked.check(f"after moving to {status}")
    expect(banner(page)).to_contain_text(f"is now {status.lower()}")


def publish(checked):
    page = checked.page
    page.get_by_role("link", name="Publish on the public register").click()
    checked.check("publish: confirm")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Publish this initiative on the public register?"
    )
    page.get_by_role("button", name="Publish", exact=True).click()
    checked.check("after publishing")
    expect(banner(page)).to_contain_text("is now on the public register")


def assert_stored(initiative, council, partner_council, charity):
    initiative.refresh_from_db()
    assert initiative.status == Initiative.Status.LIVE
    assert initiative.is_published
    shares = dict(
        Partnership.objects.filter(initiative=initiative, removed_on__isnull=True).values_list(
            "organisation_id", "savings_share"
        )
    )
    assert shares == {
        council.pk: Decimal("60.00"),
        partner_council.pk: Decimal("40.00"),
        charity.pk: Decimal("0.00"),
    }
    targets = dict(
        SavingsTarget.objects.filter(initiative=initiative).values_list("financial_year", "amount")
    )
    assert targets == {2025: Decimal("150000.00"), 2026: Decimal("250000.50")}


def check_history(checked):
    page = checked.page
    open_section(checked, "History")
    history = page.locator("#initiative-sections table")
    for action in (
        "Created",
        f"Partner added: {CHARITY}",
        "Shares of savings set",
        "Targets set",
        "Status changed",
        "Published on the public register",
    ):
        expect(history).to_contain_text(action)
    expect(history.get_by_role("row").filter(has_text="Status changed")).to_have_count(3)


def outsider_cannot_open(checked, outsider, password, initiative):
    sign_in(checked, outsider, password)
    response = checked.goto(f"/initiatives/{initiative.pk}/")
    assert response.status == 404
    expect(checked.page.get_by_role("heading", level=1)).to_have_text("Page not found")


def find_on_register(checked, initiative):
    page = checked.page
    checked.goto("/register/")
    search = page.get_by_label("Search by title, summary or reference")
    if checked.javascript:
        checked.after_swap(lambda: search.press_sequentially("shared revenues", delay=40), "search")
    else:
        search.fill("shared revenues")
        page.get_by_role("button", name="Apply filters").click()
        checked.check("register search without javascript")
    expect(page.locator("#results-count")).to_contain_text("1 initiative")
    page.locator("#results").get_by_role("link", name=TITLE).click()
    checked.check("the initiative on the register")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("main")).to_contain_text(initiative.reference)
    expect(page.locator("main")).to_contain_text(CHARITY)


def test_initiative_journey(
    checked, officer, manager, outsider, password, council, partner_council, charity
):
    sign_in(checked, officer, password)
    initiative = create_initiative(checked)
    officer_is_told_a_manager_decides(checked, council)
    set_targets(checked)
    for status in ("In design", "Implementing", "Live"):
        change_status(checked, status)
    sign_out(checked)

    sign_in(checked, manager, password)
    open_partners_as_manager(checked, initiative)
    add_partner(checked, "Bradford", partner_council.name)
    add_partner(checked, "Aire Valley", CHARITY)
    set_shares(checked, council, partner_council)
    publish(checked)
    assert_stored(initiative, council, partner_council, charity)
    check_history(checked)
    sign_out(checked)

    outsider_cannot_open(checked, outsider, password, initiative)
    sign_out(checked)

    find_on_register(checked, initiative)
