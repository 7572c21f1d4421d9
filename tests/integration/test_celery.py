"""Tasks travel through real Redis to a real worker, which reports its heartbeat."""

import pytest
from django.core import mail
from django.db import transaction

from partners.tasks import email_send

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_task_queued_on_commit_is_run_by_a_real_worker_through_redis(celery_worker):
    with transaction.atomic():
        email_send.delay_on_commit(to="ada@example.gov.uk", subject="Hello", body="From a worker")
        assert mail.outbox == []  # nothing leaves before the transaction commits
    result = email_send.delay(to="bob@example.gov.uk", subject="Second", body="Direct")
    result.get(timeout=30)
    assert result.successful()
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.gov.uk", "bob@example.gov.uk"]


def test_a_task_queued_in_a_rolled_back_transaction_never_runs(celery_worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        email_send.delay_on_commit(to="ada@example.gov.uk", subject="Never", body="Rolled back")
        raise RuntimeError("the write failed")
    email_send.delay(to="marker@example.gov.uk", subject="Marker", body="after").get(timeout=30)
    assert [m.to[0] for m in mail.outbox] == ["marker@example.gov.uk"]


def test_readyz_reports_the_running_workers_heartbeat(celery_worker, client):
    body = client.get("/readyz").json()
    worker = body["checks"]["worker"]
    assert worker["status"] == "ok"
    assert worker["last_heartbeat"]
    assert worker["seconds_ago"] < 15
