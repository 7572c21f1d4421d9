"""The reminder tasks run on a real worker through Redis, as beat sends them."""

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.utils import timezone

from collaborate.celery import app as celery_app
from collaborate.kit import retry
from initiatives import financial_years
from initiatives.models import Initiative, ReminderSent
from initiatives.reminders import tasks
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

REMINDERS = {
    "reminders-awaiting-decision-weekly": tasks.awaiting_decision_remind,
    "reminders-quiet-initiatives-monthly": tasks.quiet_initiatives_remind,
}


def test_the_weekly_task_emails_each_manager_once_however_often_it_runs(
    celery_worker, council, manager, officer
):
    both = factories.UserFactory(member_of=[(council, "manager")])
    initiative = factories.InitiativeFactory(lead=council)
    claims = factories.SavingsClaimFactory.create_batch(
        3,
        initiative=initiative,
        created_by=officer,
        submitted=True,
        submitted_at=timezone.now() - timedelta(days=30),
    )

    assert tasks.awaiting_decision_remind.delay().get(timeout=30) == 2
    assert tasks.awaiting_decision_remind.delay().get(timeout=30) == 0  # run twice: once

    assert sorted(m.to[0] for m in mail.outbox) == sorted([manager.email, both.email])
    for email in mail.outbox:
        assert all(claim.reference in email.body for claim in claims)
        assert "because you are a manager of Leeds City Council" in email.body
    assert ReminderSent.objects.filter(kind="awaiting_decision").count() == 2


def test_the_monthly_task_emails_the_leads_officers_once(celery_worker, council, officer):
    today = timezone.localdate()
    initiative = factories.InitiativeFactory(
        lead=council,
        status="live",
        targets={financial_years.financial_year_of(today): 20000},
    )
    Initiative.objects.filter(pk=initiative.pk).update(
        created_at=timezone.now() - timedelta(days=200)
    )

    assert tasks.quiet_initiatives_remind.delay().get(timeout=30) == 1
    assert tasks.quiet_initiatives_remind.delay().get(timeout=30) == 0

    [email] = mail.outbox
    assert email.to == [officer.email] and initiative.reference in email.body
    assert "because you are an officer of Leeds City Council" in email.body


@pytest.mark.parametrize("entry", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_every_beat_entry_names_a_task_the_worker_has(celery_worker, entry):
    assert settings.CELERY_BEAT_SCHEDULE[entry]["task"] in celery_worker.app.tasks


def test_the_reminders_run_at_seven_in_the_morning_london_time():
    assert celery_app.conf.timezone == "Europe/London"
    for entry, task in REMINDERS.items():
        assert settings.CELERY_BEAT_SCHEDULE[entry]["task"] == task.name
        assert task.autoretry_for == retry.TRANSIENT_ERRORS  # a dropped connection retries
    weekly = settings.CELERY_BEAT_SCHEDULE["reminders-awaiting-decision-weekly"]["schedule"]
    monthly = settings.CELERY_BEAT_SCHEDULE["reminders-quiet-initiatives-monthly"]["schedule"]
    assert weekly == crontab(day_of_week="mon", hour=7, minute=0)
    assert monthly == crontab(day_of_month=1, hour=7, minute=0)
    assert weekly.day_of_week == {1} and weekly.hour == {7} and weekly.minute == {0}
    assert monthly.day_of_month == {1} and monthly.day_of_week == set(range(7))
