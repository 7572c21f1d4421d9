"""The scheduled reminders: who gets which email, one per person per run, never twice."""

import smtplib
import time as clock
from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.utils import timezone

from initiatives.models import Initiative, ReminderSent, SavingsClaim
from initiatives.reminders import services, working_days
from tests import factories
from tests.concurrency import run_together

pytestmark = pytest.mark.django_db

# A Monday with no bank holiday in the fortnight before it (the spring one was 25 May 2026).
MONDAY = date(2026, 6, 8)
# The Monday a week after the late summer bank holiday (Monday 31 August 2026).
AFTER_BANK_HOLIDAY = date(2026, 9, 7)
PREFERENCES_LINK = "http://testserver.example/accounts/#emails"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://testserver.example"


def at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def submitted_claim(initiative, on, **fields):
    """A claim of the initiative's lead, made and submitted by an officer on the day `on`."""
    return factories.SavingsClaimFactory(
        initiative=initiative, submitted=True, submitted_at=at(on), **fields
    )


def sent_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def only_email_to(address):
    messages = sent_to(address)
    assert len(messages) == 1, f"{len(messages)} emails to {address}: {mail.outbox}"
    return messages[0]


# --- working days -----------------------------------------------------------------------------


def test_working_days_leave_out_weekends():
    # Friday 29 May to Monday 8 June 2026: 1, 2, 3, 4, 5 and 8 June.
    assert working_days.working_days_after(date(2026, 5, 29), MONDAY) == 6
    assert working_days.waited_more_than(5, today=MONDAY) == date(2026, 6, 1)


def test_working_days_leave_out_england_and_wales_bank_holidays():
    assert not working_days.is_working_day(date(2026, 8, 31))  # late summer bank holiday
    assert not working_days.is_working_day(date(2026, 12, 28))  # Boxing Day, observed
    assert working_days.is_working_day(date(2026, 8, 3))  # Scotland's summer holiday only
    # Friday 28 August: 1, 2, 3, 4 and 7 September; the bank holiday of the 31st does not count.
    assert working_days.working_days_after(date(2026, 8, 28), AFTER_BANK_HOLIDAY) == 5
    assert working_days.waited_more_than(5, today=AFTER_BANK_HOLIDAY) == date(2026, 8, 28)


# --- weekly: claims awaiting a decision -------------------------------------------------------


def test_a_manager_hears_once_of_every_claim_waiting_more_than_five_working_days(council, manager):
    initiative = factories.InitiativeFactory(lead=council, title="Shared revenues")
    older = submitted_claim(initiative, date(2026, 5, 20))
    waited_six = submitted_claim(initiative, date(2026, 5, 29))
    waited_five = submitted_claim(initiative, date(2026, 6, 1))
    factories.SavingsClaimFactory(initiative=initiative)  # a draft awaits nobody
    factories.SavingsClaimFactory(
        initiative=initiative, verified=True, submitted_at=at(date(2026, 5, 1)), reviewed_by=manager
    )

    assert services.awaiting_decision_remind(today=MONDAY) == 1

    email = only_email_to(manager.email)
    assert email.subject == "2 claims have waited more than 5 working days for your decision"
    assert older.reference in email.body and waited_six.reference in email.body
    assert waited_five.reference not in email.body
    assert email.body.index(older.reference) < email.body.index(waited_six.reference)
    assert "Claimed by Leeds City Council, net saving £9,000.00" in email.body
    assert "Submitted 29 May 2026, 6 working days ago" in email.body
    assert f"http://testserver.example/claims/{older.pk}/" in email.body
    assert "http://testserver.example/claims/review/" in email.body
    assert "You get this email because you are a manager of Leeds City Council" in email.body
    assert PREFERENCES_LINK in email.body
    assert "Monday to Friday, leaving out bank holidays in England and Wales" in email.body
    assert len(mail.outbox) == 1  # nobody else: the lead's officer decides nothing


def test_a_bank_holiday_is_not_a_working_day_of_waiting(council, manager):
    initiative = factories.InitiativeFactory(lead=council)
    waited_six = submitted_claim(initiative, date(2026, 8, 27))
    waited_five = submitted_claim(initiative, date(2026, 8, 28))

    services.awaiting_decision_remind(today=AFTER_BANK_HOLIDAY)

    email = only_email_to(manager.email)
    assert email.subject == "1 claim has waited more than 5 working days for your decision"
    assert waited_six.reference in email.body and waited_five.reference not in email.body


def test_a_manager_of_several_lead_organisations_gets_one_email_listing_all(council, other_council):
    both = factories.UserFactory(member_of=[(council, "manager"), (other_council, "manager")])
    leeds = submitted_claim(factories.InitiativeFactory(lead=council), date(2026, 5, 1))
    cornwall = submitted_claim(factories.InitiativeFactory(lead=other_council), date(2026, 5, 2))

    services.awaiting_decision_remind(today=MONDAY)

    email = only_email_to(both.email)
    assert leeds.reference in email.body and cornwall.reference in email.body
    assert "a manager of Cornwall Council and Leeds City Council and chose" in email.body


def test_a_manager_is_never_reminded_of_a_claim_they_took_part_in(council, manager):
    """Separation of duties: whoever created, edited or submitted a claim does not decide it,
    so the reminder of it goes to the other managers only."""
    other = factories.UserFactory(member_of=[(council, "manager")])
    initiative = factories.InitiativeFactory(lead=council)
    created = submitted_claim(initiative, date(2026, 5, 1), created_by=manager)
    edited = submitted_claim(initiative, date(2026, 5, 1))
    edited.participants.add(manager)
    submitted_by = submitted_claim(initiative, date(2026, 5, 1))
    SavingsClaim.objects.filter(pk=submitted_by.pk).update(submitted_by=manager)

    services.awaiting_decision_remind(today=MONDAY)

    assert sent_to(manager.email) == []
    body = only_email_to(other.email).body
    assert all(c.reference in body for c in (created, edited, submitted_by))


def test_claims_of_a_locked_year_are_left_out_until_it_is_unlocked(council, manager):
    """Nobody can decide a claim of a signed-off year, so the reminder does not ask them to."""
    initiative = factories.InitiativeFactory(lead=council)
    open_claim = submitted_claim(initiative, date(2026, 5, 1), financial_year=2025)
    locked_claim = submitted_claim(initiative, date(2026, 5, 1), financial_year=2024)
    factories.FinancialYearLockFactory(year=2024)

    services.awaiting_decision_remind(today=MONDAY)

    body = only_email_to(manager.email).body
    assert open_claim.reference in body and locked_claim.reference not in body


def test_the_partners_managers_are_not_reminded_of_the_leads_claims(
    council, manager, partner_council, partner_manager
):
    initiative = factories.InitiativeFactory(
        lead=council, shares={council: 60, partner_council: 40}
    )
    submitted_claim(initiative, date(2026, 5, 1), claimant=partner_council)

    services.awaiting_decision_remind(today=MONDAY)

    assert [m.to for m in mail.outbox] == [[manager.email]]


def test_a_manager_who_turned_the_weekly_email_off_gets_nothing(council, manager):
    manager.email_awaiting_decision = False
    manager.save()
    submitted_claim(factories.InitiativeFactory(lead=council), date(2026, 5, 1))

    assert services.awaiting_decision_remind(today=MONDAY) == 0
    assert mail.outbox == []


def test_inactive_people_and_deactivated_organisations_get_no_reminder(
    council, other_council, manager
):
    manager.is_active = False
    manager.save()
    submitted_claim(factories.InitiativeFactory(lead=council), date(2026, 5, 1))
    former = factories.UserFactory(member_of=[(other_council, "manager")])
    submitted_claim(factories.InitiativeFactory(lead=other_council), date(2026, 5, 1))
    other_council.active = False
    other_council.save()

    assert services.awaiting_decision_remind(today=MONDAY) == 0
    assert sent_to(manager.email) == [] and sent_to(former.email) == []


def test_a_second_run_in_the_same_week_sends_nothing_again(council, manager):
    initiative = factories.InitiativeFactory(lead=council)
    submitted_claim(initiative, date(2026, 5, 1))

    assert services.awaiting_decision_remind(today=MONDAY) == 1
    submitted_claim(initiative, date(2026, 5, 4))  # even with more to tell
    assert services.awaiting_decision_remind(today=MONDAY) == 0
    assert services.awaiting_decision_remind(today=MONDAY + timedelta(days=2)) == 0
    assert len(mail.outbox) == 1
    record = ReminderSent.objects.get()
    assert (record.user, record.kind, record.period, record.items) == (
        manager,
        ReminderSent.Kind.AWAITING_DECISION,
        MONDAY,
        1,
    )

    assert services.awaiting_decision_remind(today=MONDAY + timedelta(days=7)) == 1
    assert "2 claims have" in mail.outbox[1].subject


class RefusesOneAddress(EmailBackend):
    """An SMTP server that drops the connection for one address, the first time only."""

    refused = set()

    def send_messages(self, messages):
        for message in messages:
            if "refused" in message.to[0] and message.to[0] not in self.refused:
                self.refused.add(message.to[0])
                raise smtplib.SMTPServerDisconnected("connection dropped")
        return super().send_messages(messages)


def test_a_run_retried_after_a_failed_email_sends_only_what_the_first_try_did_not(
    settings, council, manager
):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusesOneAddress"}}
    RefusesOneAddress.refused.clear()
    refused = factories.UserFactory(
        email="refused@example.gov.uk", member_of=[(council, "manager")]
    )
    submitted_claim(factories.InitiativeFactory(lead=council), date(2026, 5, 1))

    with pytest.raises(smtplib.SMTPServerDisconnected):  # the task retries on this error
        services.awaiting_decision_remind(today=MONDAY)
    assert [m.to for m in mail.outbox] == [[manager.email]]  # ordered by person: before

    assert services.awaiting_decision_remind(today=MONDAY) == 1
    assert [m.to for m in mail.outbox] == [[manager.email], [refused.email]]
    assert ReminderSent.objects.count() == 2


def make_waiting_claims(count, initiative, officer):
    factories.SavingsClaimFactory.create_batch(
        count,
        initiative=initiative,
        created_by=officer,
        submitted=True,
        submitted_at=at(date(2026, 5, 1)),
    )


# The same number of queries at 5 and at 50 claims: a run's cost does not grow with the claims.
@pytest.mark.parametrize("count", [5, 50])
def test_the_weekly_run_costs_the_same_queries_at_5_and_50_claims(
    council, other_council, officer, manager, django_assert_num_queries, count
):
    factories.UserFactory(member_of=[(council, "manager"), (other_council, "manager")])
    make_waiting_claims(count, factories.InitiativeFactory(lead=council), officer)
    make_waiting_claims(count, factories.InitiativeFactory(lead=other_council), officer)

    # The managers, then for each of the two: their roles, their claims, and the record of the
    # sending between a savepoint and its release (the test runs inside a transaction).
    with django_assert_num_queries(1 + 2 * (2 + 3)):
        assert services.awaiting_decision_remind(today=MONDAY) == 2
    assert f"{count} claims have" in only_email_to(manager.email).subject


# --- monthly: quiet initiatives ---------------------------------------------------------------

FIRST_OF_JUNE = date(2026, 6, 1)  # financial year 2026/27
LONG_AGO = at(date(2026, 1, 5))


def quiet_initiative(lead, *, targets=None, **fields):
    """A live initiative of `lead`, recorded long ago, with a target this financial year."""
    fields = {"status": "live", **fields}
    initiative = factories.InitiativeFactory(
        lead=lead, targets={2026: 50000} if targets is None else targets, **fields
    )
    Initiative.objects.filter(pk=initiative.pk).update(created_at=LONG_AGO)
    return initiative


def claim_made_on(initiative, day, by):
    claim = factories.SavingsClaimFactory(initiative=initiative, created_by=by)
    SavingsClaim.objects.filter(pk=claim.pk).update(created_at=at(day))
    return claim


def test_the_leads_officers_hear_once_a_month_of_live_initiatives_with_no_claim_in_90_days(
    council, officer, manager, partner_council, partner_officer
):
    silent = quiet_initiative(council, title="Joint waste collection")
    old_claim = quiet_initiative(council, title="Shared legal team")
    claim_made_on(old_claim, date(2026, 2, 1), officer)
    recent_claim = quiet_initiative(council)
    claim_made_on(recent_claim, date(2026, 4, 1), officer)
    quiet_initiative(council, status="paused")
    quiet_initiative(council, targets={2025: 50000})  # a target last year only
    quiet_initiative(council, targets={2026: 0})
    too_new = quiet_initiative(council)
    Initiative.objects.filter(pk=too_new.pk).update(created_at=at(date(2026, 4, 1)))
    quiet_initiative(partner_council)  # no officer of Leeds hears of Bradford's

    assert services.quiet_initiatives_remind(today=FIRST_OF_JUNE) == 2

    email = only_email_to(officer.email)
    assert email.subject == "2 initiatives with no savings claim in 90 days"
    assert silent.reference in email.body and old_claim.reference in email.body
    assert recent_claim.reference not in email.body and too_new.reference not in email.body
    assert "Target for 2026/27: £50,000.00; no claim recorded yet" in email.body
    assert "last claim recorded 1 February 2026" in email.body
    assert f"http://testserver.example/initiatives/{silent.pk}/claims/" in email.body
    assert "You get this email because you are an officer of Leeds City Council" in email.body
    assert PREFERENCES_LINK in email.body
    assert sent_to(manager.email) == []  # the officers' reminder
    assert "Bradford" in only_email_to(partner_officer.email).body


def test_an_officer_of_several_leads_gets_one_monthly_email_listing_all(council, other_council):
    both = factories.UserFactory(member_of=[(council, "officer"), (other_council, "officer")])
    leeds, cornwall = quiet_initiative(council), quiet_initiative(other_council)

    services.quiet_initiatives_remind(today=FIRST_OF_JUNE)

    body = only_email_to(both.email).body
    assert f"{cornwall.reference} {cornwall.title} (led by Cornwall Council)" in body
    assert f"{leeds.reference} {leeds.title} (led by Leeds City Council)" in body
    assert "an officer of Cornwall Council and Leeds City Council, which lead them" in body


def test_no_monthly_email_to_those_who_turned_it_off_are_inactive_or_left(
    council, other_council, officer
):
    officer.email_quiet_initiatives = False
    officer.save()
    gone = factories.UserFactory(is_active=False, member_of=[(council, "officer")])
    former = factories.UserFactory(member_of=[(other_council, "officer")])
    quiet_initiative(council)
    quiet_initiative(other_council)
    other_council.active = False
    other_council.save()

    assert services.quiet_initiatives_remind(today=FIRST_OF_JUNE) == 0
    assert mail.outbox == []
    assert not ReminderSent.objects.filter(user__in=[officer, gone, former]).exists()


def test_a_second_monthly_run_sends_nothing_again_until_next_month(council, officer):
    quiet_initiative(council)

    assert services.quiet_initiatives_remind(today=FIRST_OF_JUNE) == 1
    assert services.quiet_initiatives_remind(today=FIRST_OF_JUNE) == 0
    assert services.quiet_initiatives_remind(today=date(2026, 6, 20)) == 0
    assert services.quiet_initiatives_remind(today=date(2026, 7, 1)) == 1
    assert [r.period for r in ReminderSent.objects.order_by("period")] == [
        FIRST_OF_JUNE,
        date(2026, 7, 1),
    ]


@pytest.mark.parametrize("count", [5, 50])
def test_the_monthly_run_costs_the_same_queries_at_5_and_50_initiatives(
    council, other_council, officer, django_assert_num_queries, count
):
    factories.UserFactory(member_of=[(council, "officer"), (other_council, "officer")])
    for lead in (council, other_council):
        for _ in range(count):
            quiet_initiative(lead)

    # The initiatives, the officers, then for each of the two the record of the sending between a
    # savepoint and its release (the test runs inside a transaction).
    with django_assert_num_queries(2 + 2 * 3):
        assert services.quiet_initiatives_remind(today=FIRST_OF_JUNE) == 2
    assert f"{count} initiatives with" in only_email_to(officer.email).subject


# --- two runs at once -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_run_meeting_another_mid_send_does_not_send_the_same_reminder(council, manager):
    """Another run has recorded the manager's reminder and is sending it, not yet committed:
    this run, which selected the manager too, waits on the record and then leaves them out."""
    submitted_claim(factories.InitiativeFactory(lead=council), date(2026, 5, 1))

    def other_run(barrier):
        with transaction.atomic():
            ReminderSent.objects.create(
                user=manager, kind="awaiting_decision", period=MONDAY, items=1
            )
            barrier.wait()
            clock.sleep(1)  # the email is leaving
        return "sent"

    def this_run(barrier):
        barrier.wait()
        return services.awaiting_decision_remind(today=MONDAY)

    assert run_together(other_run, this_run) == ["sent", 0]
    assert mail.outbox == []
