"""A person uses Collaborate with a keyboard alone: skips to the content, signs in, opens a
section from the menu and reaches the accessibility statement from the footer; an admin
anonymises a person who asked. Everything the Tab key reaches on the way shows where the focus
is. In Chromium, with and without JavaScript (the accessibility statement says the tests do
this)."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.fixtures_browser import banner, menu, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# GOV.UK Frontend's focus colour, which its focus styles draw as a background, an outline or a
# shadow: an element focused without it shows no focus.
SHOWS_FOCUS = (
    "element => { const s = getComputedStyle(element);"
    " return [s.backgroundColor, s.outlineColor, s.boxShadow]"
    ".some(value => value.includes('rgb(255, 221, 0)')); }"
)


def tab_to(checked, target, limit=80):
    """Press Tab until `target` has the focus, checking that everything focused on the way
    shows it."""
    page = checked.page
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        if focused.count() == 0:
            continue
        label = focused.evaluate("element => element.outerHTML.slice(0, 120)")
        assert focused.evaluate(SHOWS_FOCUS), f"no visible focus on {label}"
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


def test_a_keyboard_alone_signs_in_and_reaches_a_section_and_the_statement(
    checked, officer, password
):
    page = checked.page
    checked.goto("/accounts/login/")

    tab_to(checked, page.get_by_role("link", name="Skip to main content"), limit=1)
    page.keyboard.press("Enter")
    tab_to(checked, page.get_by_label("Email address"))
    page.keyboard.type(officer.email)
    page.keyboard.press("Enter")
    expect(page.get_by_label("Password")).to_be_visible()
    checked.check("the password step, reached with the keyboard")
    tab_to(checked, page.get_by_label("Password"))
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.locator("header")).to_contain_text("Signed in as Olive Officer")
    checked.check("home after signing in with the keyboard")

    tab_to(checked, menu(page).get_by_role("link", name="Initiatives"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Initiatives")
    checked.check("initiatives, opened with the keyboard")

    tab_to(checked, page.get_by_role("link", name="Accessibility statement"), limit=200)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Accessibility statement for Collaborate"
    )
    checked.check("the accessibility statement, opened with the keyboard")


def test_an_admin_anonymises_a_person_on_request_with_a_keyboard_alone(
    checked, admin_user, password, council
):
    leaver = factories.UserFactory(
        full_name="Rita Request", is_active=False, member_of=[(council, "officer")]
    )
    page = checked.page
    sign_in(checked, admin_user, password)
    checked.goto(f"/users/{leaver.pk}/")

    tab_to(checked, page.get_by_role("link", name="Anonymise account"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anonymise Rita Request's account?")
    checked.check("the anonymisation's confirmation")
    tab_to(checked, page.get_by_role("button", name="Anonymise account"))
    page.keyboard.press("Enter")
    expect(banner(page)).to_contain_text("Rita Request's account was anonymised.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Former user {leaver.pk}")
    checked.check("the person, anonymised")
