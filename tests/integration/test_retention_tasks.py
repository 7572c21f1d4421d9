"""The retention jobs are on Celery beat's nightly schedule, name tasks a worker knows, and run
on a real worker through Redis."""

from datetime import timedelta

import pytest
from axes.models import AccessLog
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from collaborate.celery import app as celery_app
from initiatives.retention import tasks as account_tasks
from partners import tasks as partner_tasks
from partners.models import AuditEvent
from tests import factories

RETENTION_TASKS = {
    "partners.tasks.sign_in_records_delete_old",
    "partners.tasks.sessions_clear_expired",
    "partners.tasks.audit_events_delete_old",
    "partners.tasks.invitations_unaccepted_anonymise",
    "initiatives.retention.tasks.accounts_anonymise_due",
    "initiatives.retention.tasks.reminders_sent_delete_old",
}


@pytest.mark.django_db  # a starting worker runs Django's checks, which ask the database its version
def test_every_retention_job_runs_nightly_and_every_beat_entry_names_a_registered_task():
    celery_app.loader.import_default_modules()  # what a worker does when it starts
    schedule = settings.CELERY_BEAT_SCHEDULE
    for name, entry in schedule.items():
        assert entry["task"] in celery_app.tasks, f"{name} names an unknown task"
    nightly = {
        entry["task"]: entry["schedule"]
        for entry in schedule.values()
        if entry["task"] in RETENTION_TASKS
    }
    assert set(nightly) == RETENTION_TASKS
    for task, when in nightly.items():
        assert isinstance(when, crontab) and when.day_of_week == set(range(7)), task
        assert len(when.hour) == 1 and len(when.minute) == 1, task  # once a night


@pytest.mark.django_db(transaction=True)
def test_the_retention_jobs_run_on_a_real_worker(celery_worker, council):
    long_ago = timezone.now() - timedelta(days=8 * 366)
    old = AccessLog.objects.create(username="someone@leeds.gov.uk", ip_address="192.0.2.1")
    AccessLog.objects.filter(pk=old.pk).update(attempt_time=timezone.now() - timedelta(days=31))
    fresh = AccessLog.objects.create(username="other@leeds.gov.uk", ip_address="192.0.2.2")
    leaver = factories.UserFactory(
        full_name="Lena Leaver",
        is_active=False,
        date_joined=long_ago,
        last_login=long_ago,
        member_of=[(council, "officer")],
    )

    records = partner_tasks.sign_in_records_delete_old.delay().get(timeout=30)
    anonymised = account_tasks.accounts_anonymise_due.delay().get(timeout=30)

    assert records == {"accessattempt": 0, "accessfailurelog": 0, "accesslog": 1}
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert anonymised == [leaver.pk]
    leaver.refresh_from_db()
    assert leaver.full_name == f"Former user {leaver.pk}" and leaver.anonymised_at is not None
    assert AuditEvent.objects.get().detail == {"user_id": leaver.pk, "rule": "deactivated_account"}
