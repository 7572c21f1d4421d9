"""An admin invites a manager; the manager sets a password from the emailed link, signs in and
invites an officer into their own council; a user in two organisations switches between them.
In Chromium, with and without JavaScript."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from partners.models import Membership
from tests import factories
from tests.fixtures_browser import (
    banner,
    emails_arrived,
    set_up_second_factor,
    sign_in,
    sign_out,
)

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a long and unusual passphrase 42"


def emailed_link(count):
    """The link in the `count`th email, once it has arrived."""
    return re.search(r"https?://\S+", emails_arrived(count)[count - 1].body).group(0)


def invite(checked, name, email, organisation, role=None):
    page = checked.page
    page.get_by_role("link", name="Users", exact=True).click()
    checked.check("users")
    page.get_by_role("link", name="Invite someone").click()
    checked.check("invite someone")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Organisation").select_option(label=organisation)
    if role:
        page.get_by_label(role, exact=True).check()
    page.get_by_role("button", name="Invite").click()
    checked.check("after inviting")
    expect(banner(page)).to_contain_text(f"{name} was added")


def accept(checked, link):
    page = checked.page
    page.goto(checked.url(re.sub(r"^https?://[^/]+", "", link)))
    checked.check("invitation link")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Collaborate")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    checked.check("signed in from the invitation")


def journey(checked, admin_user, password, council):
    sign_in(checked, admin_user, password)
    invite(checked, "Mina Manager", "mina@example.gov.uk", council.name, role="Manager")
    sign_out(checked)

    accept(checked, emailed_link(1))
    # A manager sets up two-factor authentication before anything else.
    set_up_second_factor(checked, NEW_PASSWORD)
    expect(checked.page.locator("header")).to_contain_text("Mina Manager")
    invite(checked, "Otto Officer", "otto@example.gov.uk", council.name)
    assert Membership.objects.get(user__email="otto@example.gov.uk").role == "officer"
    assert mail.outbox[1].to == ["otto@example.gov.uk"]
    sign_out(checked)

    accept(checked, emailed_link(2))
    expect(checked.page.locator("header")).to_contain_text("Otto Officer")


def test_invitations_with_javascript(
    checked_page, celery_worker, admin_user, password, council, other_council
):
    journey(checked_page, admin_user, password, council)
    sign_out(checked_page)

    dual = factories.UserFactory(
        full_name="Dee Dual", member_of=[(council, "officer"), (other_council, "manager")]
    )
    sign_in(checked_page, dual, password)
    page = checked_page.page
    switcher = page.get_by_label("Dee Dual, acting for")
    expect(switcher).to_have_value(str(other_council.pk))  # the first by name: Cornwall
    switcher.select_option(label=council.name)
    page.get_by_role("button", name="Switch").click()
    checked_page.check("after switching")
    expect(banner(page)).to_contain_text(f"acting for {council.name}")
    expect(page.get_by_label("Dee Dual, acting for")).to_have_value(str(council.pk))


def test_invitations_without_javascript(
    checked_page_without_js, celery_worker, admin_user, password, council
):
    journey(checked_page_without_js, admin_user, password, council)
