"""Finding a partner and writing to it: an officer of Ashford Borough Council looks for legal
services, sees Kent's councils first (its own county), then its resilience forum's and its
region's, switches to "councils like mine", and writes to the managers of Medway Council about
their published initiative; a Celery worker emails each of Medway's managers, with the
officer's address to reply to. In Chromium, with and without JavaScript; every page and every
htmx swap passes axe-core and raises no CSP violation."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from partners import councils
from partners.models import Membership, Organisation
from tests import factories
from tests.fixtures_browser import banner, choose_filter, emails_arrived, send_empty, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def council(code):
    return Organisation.objects.get(source_ref=f"la:{code}")


def running(organisation, title):
    return factories.InitiativeFactory(
        lead=organisation,
        title=title,
        service_area="legal",
        visibility="public",
        published_at=timezone.now(),
    )


def test_find_partners_journey(checked, password, celery_worker):
    councils.public_bodies_load()
    ashford = council("ASF")
    officer = factories.UserFactory(
        full_name="Sam Patel", member_of=[(ashford, Membership.Role.OFFICER)]
    )
    medway_managers = [
        factories.UserFactory(member_of=[(council("MDW"), Membership.Role.MANAGER)])
        for _ in range(2)
    ]
    running(council("LDS"), "Leeds legal shared service")
    running(council("MDW"), "Medway and Swale legal partnership")
    running(council("MAI"), "Mid Kent Legal Services")
    page = checked.page

    sign_in(checked, officer, password)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Find partners").click()
    checked.check("finding partners, nothing chosen yet")
    expect(page.locator("#results")).to_contain_text("Choose a service area")
    if not checked.javascript:
        send_empty(checked, "Apply filters", "Choose the service area you want partners for")
    choose_filter(checked, "Service area", "Legal", "the organisations running legal services")
    results = page.locator("#results li h2")
    expect(results).to_have_text(
        ["Maidstone Borough Council", "Medway Council", "Leeds City Council"]
    )
    expect(page.locator("#results")).to_contain_text("Same county")
    expect(page.locator("#results")).to_contain_text("Same local resilience forum")

    # Councils like mine: another district first (Maidstone), then a unitary and a metropolitan
    # borough.
    option = page.get_by_label("Councils like mine (type and population)")
    if checked.javascript:
        checked.after_swap(option.check, "councils like Ashford")
    else:
        option.check()
        page.get_by_role("button", name="Apply filters").click()
        checked.check("councils like Ashford")
    expect(results.first).to_have_text("Maidstone Borough Council")

    # Write to Medway's managers.
    page.get_by_role("link", name="Contact the lead of Medway and Swale legal partnership").click()
    checked.check("the message form")
    send_empty(checked, "Send message", "Write your message to the lead")
    page.get_by_label("Your message").fill("How do you share the legal team's case system?")
    page.get_by_role("button", name="Send message").click()
    checked.check("back to the results after sending")
    expect(banner(page)).to_contain_text("Your message was sent to the managers of Medway Council")
    messages = emails_arrived(2)
    assert sorted(m.to[0] for m in messages) == sorted(m.email for m in medway_managers)
    assert all(m.reply_to == [officer.email] for m in messages)
    assert all("Sam Patel of Ashford Borough Council" in m.body for m in messages)
