"""A person signs in, sees the home page and signs out, in Chromium, with and without
JavaScript; every page passes axe-core and raises no CSP violation."""

import pytest
from playwright.sync_api import expect

from tests.fixtures_browser import send_empty, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_home_and_sign_out_with_javascript(checked_page, officer, password):
    page = checked_page.page
    checked_page.goto("/accounts/login/")
    send_empty(checked_page, "Continue")

    sign_in(checked_page, officer, password)
    expect(page.locator("body")).to_have_class("govuk-template__body govuk-frontend-supported")
    expect(page.locator("header")).to_contain_text("Signed in as Olive Officer")
    checked_page.goto("/accessibility/")
    checked_page.goto("/privacy/")
    page.get_by_role("button", name="Sign out").click()
    checked_page.check("after sign out")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Collaborate")


def test_sign_in_home_and_sign_out_without_javascript(checked_page_without_js, officer, password):
    page = checked_page_without_js.page
    sign_in(checked_page_without_js, officer, password)
    expect(page.locator("header")).to_contain_text("Signed in as Olive Officer")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Collaborate")
