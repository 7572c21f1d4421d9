"""An admin adds a charity, finds it by typing part of its name, edits it and merges a duplicate
into it, in Chromium, with and without JavaScript."""

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from partners.models import Organisation
from tests import factories
from tests.fixtures_browser import banner, send_empty, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def query_of(url):
    return parse_qs(urlparse(url).query)


def add_charity(checked):
    page = checked.page
    checked.goto("/partners/")
    page.get_by_role("link", name="Add an organisation").click()
    checked.check("add an organisation")
    send_empty(checked, "Add organisation", "Enter the organisation's name")
    page.get_by_label("Name", exact=True).fill("Aire Valley Community Trust")
    page.get_by_label("Social sector").check()
    page.get_by_label("Kind").select_option("charity")
    page.get_by_label("Website").fill("https://aire.example.org")
    page.get_by_role("button", name="Add organisation").click()
    checked.check("the new charity")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aire Valley Community Trust")


def edit_and_merge(checked):
    page = checked.page
    page.get_by_role("link", name="Edit Aire Valley Community Trust").click()
    checked.check("edit the charity")
    page.get_by_label("Short name").fill("Aire Trust")
    page.get_by_role("button", name="Save changes").click()
    checked.check("after editing")
    expect(banner(page)).to_contain_text("was updated")

    page.get_by_role("link", name="Merge a duplicate into this organisation").click()
    checked.check("merge: find the duplicate")
    page.get_by_label("Name of the duplicate organisation").fill("aire valley trust")
    page.get_by_role("button", name="Find").click()
    checked.check("merge: matches")
    page.get_by_role("link", name="Aire Valley Community Trust (entered twice)").click()
    checked.check("merge: confirm")
    expect(page.locator("main")).to_contain_text("Memberships")
    page.get_by_role("button", name="Merge").click()
    checked.check("after the merge")
    expect(banner(page)).to_contain_text("was merged into")
    survivor = Organisation.objects.get(name="Aire Valley Community Trust")
    duplicate = Organisation.objects.get(name="Aire Valley Community Trust (entered twice)")
    assert survivor.short_name == "Aire Trust"
    assert duplicate.merged_into == survivor and not duplicate.active
    assert survivor.memberships.count() == 1


@pytest.fixture
def duplicate(db):
    organisation = factories.OrganisationFactory(
        name="Aire Valley Community Trust (entered twice)", sector="social", kind="charity"
    )
    factories.UserFactory(member_of=[(organisation, "officer")])
    return organisation


def test_admin_manages_a_charity_with_javascript(checked_page, admin_user, password, duplicate):
    page = checked_page.page
    sign_in(checked_page, admin_user, password)
    add_charity(checked_page)
    checked_page.goto("/partners/")
    search = page.get_by_label("Search by name")
    checked_page.after_swap(lambda: search.press_sequentially("aire val", delay=40), "search swap")
    results = page.locator("#results")
    expect(results).to_contain_text("Aire Valley Community Trust")
    expect(page.locator("#results-count")).to_contain_text("matching “aire val”")
    assert query_of(page.url)["q"] == ["aire val"]  # the URL holds the search
    checked_page.after_swap(
        lambda: page.get_by_label("Kind").select_option("police"), "filter swap"
    )
    expect(results).to_contain_text("No organisation matches")
    checked_page.after_swap(
        lambda: page.get_by_label("Kind").select_option("charity"), "filter swap"
    )
    results.get_by_role("link", name="Aire Valley Community Trust", exact=True).click()
    checked_page.check("the charity from the search")
    edit_and_merge(checked_page)


def test_admin_manages_a_charity_without_javascript(
    checked_page_without_js, admin_user, password, duplicate
):
    checked = checked_page_without_js
    page = checked.page
    sign_in(checked, admin_user, password)
    add_charity(checked)
    checked.goto("/partners/")
    page.get_by_label("Search by name").fill("aire val")
    page.get_by_role("button", name="Apply filters").click()
    checked.check("search without javascript")
    assert query_of(page.url)["q"] == ["aire val"]
    page.locator("#results").get_by_role(
        "link", name="Aire Valley Community Trust", exact=True
    ).click()
    checked.check("the charity from the search")
    edit_and_merge(checked)
