"""A manager turns the weekly reminder off on their account page, gets no reminder that week,
turns it back on, and follows the next reminder's link back to the setting. In Chromium, with
and without JavaScript."""

import re
from datetime import date, datetime, time

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from initiatives.reminders import services
from tests import factories
from tests.fixtures_browser import banner, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

WEEKLY = "Weekly: claims waiting more than 5 working days for my decision"
MONDAY = date(2026, 6, 8)


def save_choices(checked):
    checked.page.get_by_role("button", name="Save email choices").click()
    checked.check("email choices saved")
    expect(banner(checked.page)).to_contain_text("Your email choices are saved.")


def test_a_manager_chooses_the_weekly_reminder_off_and_on_again(
    checked, live_server, settings, password, council, officer, manager
):
    settings.SITE_URL = live_server.url
    factories.SavingsClaimFactory(
        initiative=factories.InitiativeFactory(lead=council),
        created_by=officer,
        submitted=True,
        submitted_at=timezone.make_aware(datetime.combine(date(2026, 5, 1), time(10))),
    )
    page = checked.page
    sign_in(checked, manager, password)
    page.get_by_role("link", name=re.compile("^Signed in as Mona Manager")).click()
    checked.check("your account")
    expect(page.get_by_role("heading", name="Emails")).to_be_visible()
    expect(page.get_by_text("always emails you the decision on each claim")).to_be_visible()

    page.get_by_label(WEEKLY).uncheck()
    save_choices(checked)
    expect(page.get_by_label(WEEKLY)).not_to_be_checked()
    expect(page.get_by_label("A claim is submitted for my decision")).to_be_checked()
    assert services.awaiting_decision_remind(today=MONDAY) == 0

    page.get_by_label(WEEKLY).check()
    save_choices(checked)
    assert services.awaiting_decision_remind(today=MONDAY) == 1
    [email] = mail.outbox
    link = re.search(r"^(http\S+/accounts/#emails)$", email.body, flags=re.M).group(1)

    page.goto(link)
    checked.check("the setting, from the reminder's link")
    expect(page.get_by_label(WEEKLY)).to_be_checked()
    manager.refresh_from_db()
    assert manager.email_awaiting_decision
