"""The weekly reminders of health checks due: one email per person listing every check-in their
organisations have not answered this period, following their email settings, never twice."""

from datetime import date, timedelta

import pytest
from django.core import mail

from initiatives.health import services
from initiatives.models import Dimension, Initiative, ReminderSent
from partners.models import Membership
from tests import factories

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 6, 8)  # in the quarter April to June 2026


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://testserver.example"


def sent_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def only_email_to(address):
    messages = sent_to(address)
    assert len(messages) == 1, f"{len(messages)} emails to {address}: {mail.outbox}"
    return messages[0]


def live(lead, *partners, title, **fields):
    shares = {lead: 100 - len(partners), **dict.fromkeys(partners, 1)}
    return factories.InitiativeFactory(
        lead=lead, title=title, status=Initiative.Status.LIVE, shares=shares, **fields
    )


def answer(user, initiative, organisation, today=MONDAY):
    services.health_check_answer(
        actor=user,
        initiative=initiative,
        organisation=organisation,
        scores=dict.fromkeys(Dimension.values, 4),
        today=today,
    )


@pytest.fixture
def scene(council, partner_council, other_council, officer, partner_officer, outsider):
    revenues = live(council, partner_council, title="Shared revenues")
    depot = live(council, other_council, title="Joint depot", health_check_months=12)
    return revenues, depot


def test_each_person_gets_one_email_listing_every_check_in_due(
    scene, officer, partner_officer, outsider, manager
):
    revenues, depot = scene
    assert services.health_checks_remind(today=MONDAY) == 4
    # The lead's officer and manager: both initiatives, in one email each.
    for person in (officer, manager):
        email = only_email_to(person.email)
        assert email.subject == "2 collaboration health checks due"
        assert revenues.reference in email.body and depot.reference in email.body
        assert "For Leeds City Council, April to June 2026; due by 30 April 2026" in email.body
        assert "For Leeds City Council, 2026/27" in email.body
        assert f"http://testserver.example/initiatives/{revenues.pk}/health/" in email.body
        assert "http://testserver.example/accounts/#emails" in email.body
    # Each partner hears only of its own initiative.
    email = only_email_to(partner_officer.email)
    assert email.subject == f"A collaboration health check is due: {revenues.reference}"
    assert depot.reference not in email.body
    assert depot.reference in only_email_to(outsider.email).body
    kinds = set(ReminderSent.objects.values_list("kind", "period"))
    assert kinds == {(ReminderSent.Kind.HEALTH_CHECKS_DUE, MONDAY)}


def test_nobody_is_reminded_twice_in_a_week_and_an_answer_stops_the_reminders(
    scene, council, officer, partner_officer, partner_council
):
    revenues, depot = scene
    services.health_checks_remind(today=MONDAY)
    mail.outbox.clear()
    assert services.health_checks_remind(today=MONDAY + timedelta(days=2)) == 0
    assert mail.outbox == []
    answer(officer, revenues, council)
    answer(partner_officer, revenues, partner_council)
    next_week = MONDAY + timedelta(days=7)
    services.health_checks_remind(today=next_week)
    body = only_email_to(officer.email).body
    assert depot.reference in body and revenues.reference not in body
    assert sent_to(partner_officer.email) == []  # Bradford has answered all it had to


def test_email_settings_inactive_people_and_other_initiatives_are_respected(
    council, partner_council, other_council, officer, partner_officer, outsider
):
    live(council, partner_council, title="Shared revenues")
    factories.InitiativeFactory(
        lead=council, status="in_design", shares={council: 50, other_council: 50}
    )
    left = live(council, other_council, title="Left")
    left.partnerships.filter(organisation=other_council).update(removed_on=MONDAY)
    officer.email_health_checks = False
    officer.save()
    partner_officer.is_active = False
    partner_officer.save()
    assert services.health_checks_remind(today=MONDAY) == 0
    assert mail.outbox == []
    # Someone who joins Bradford later hears of it.
    colleague = factories.UserFactory(member_of=[(partner_council, Membership.Role.MANAGER)])
    assert services.health_checks_remind(today=MONDAY) == 1
    assert "Shared revenues" in only_email_to(colleague.email).body
    assert sent_to(outsider.email) == []


@pytest.mark.parametrize("count", [3, 30])
def test_the_weekly_run_costs_the_same_queries_however_many_initiatives(
    council, partner_council, officer, partner_officer, django_assert_num_queries, count
):
    for n in range(count):
        live(council, partner_council, title=f"Bulk {n}")
    # The check-ins due, the people to remind; then for each of the two a savepoint, the record
    # of the email and the savepoint's release (the email leaves in between).
    with django_assert_num_queries(2 + 2 * 3):
        assert services.health_checks_remind(today=MONDAY) == 2
    assert len(only_email_to(officer.email).body.split("/health/")) == count + 1
