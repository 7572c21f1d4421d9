"""Tasks travel through real Redis to a real worker, which reports its heartbeat."""

import json

import pytest
from django.core import mail
from django.db import transaction

from partners.tasks import password_reset_send
from tests import factories
from tests.subprocesses import output_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ada_and_bob(db):
    return [factories.UserFactory(email=f"{name}@example.gov.uk") for name in ("ada", "bob")]


def test_a_task_queued_on_commit_is_run_by_a_real_worker_through_redis(celery_worker, ada_and_bob):
    ada, bob = ada_and_bob
    with transaction.atomic():
        password_reset_send.delay_on_commit(user_id=ada.pk)
        assert mail.outbox == []  # nothing leaves before the transaction commits
    result = password_reset_send.delay(user_id=bob.pk)
    result.get(timeout=30)
    assert result.successful()
    assert sorted(m.to[0] for m in mail.outbox) == [ada.email, bob.email]


def test_a_task_queued_in_a_rolled_back_transaction_never_runs(celery_worker, ada_and_bob):
    ada, bob = ada_and_bob
    with pytest.raises(RuntimeError), transaction.atomic():
        password_reset_send.delay_on_commit(user_id=ada.pk)
        raise RuntimeError("the write failed")
    password_reset_send.delay(user_id=bob.pk).get(timeout=30)  # a marker sent after
    assert [m.to[0] for m in mail.outbox] == [bob.email]


def test_readyz_reports_the_running_workers_heartbeat(celery_worker, client, settings):
    settings.READYZ_TOKEN = "readyz-test-token"
    body = client.get("/readyz", HTTP_AUTHORIZATION="Bearer readyz-test-token").json()
    worker = body["checks"]["worker"]
    assert worker["status"] == "ok"
    assert worker["last_heartbeat"]
    assert worker["seconds_ago"] < 15


STARTING_WORKER = """
import importlib, json, pathlib, django
django.setup()
from collaborate.celery import app
app.loader.import_default_modules()  # what a worker does when it starts
discovered = set(app.tasks)
modules = [
    ".".join(path.with_suffix("").parts)
    for package in ("collaborate", "initiatives", "partners")
    for path in pathlib.Path(package).rglob("tasks.py")
]
for module in modules:
    importlib.import_module(module)
print(json.dumps({"modules": modules, "missed": sorted(set(app.tasks) - discovered)}))
"""


def test_a_starting_worker_registers_every_task_the_project_defines():
    """A task module the worker does not discover is an "unregistered task" error for every
    message sent to it (the spreadsheet imports' tasks were once missed: only a test process
    that had imported them ran them). A fresh process, as a worker starts."""
    found = json.loads(output_of(STARTING_WORKER, DEBUG="true"))
    assert "initiatives.imports.tasks" in found["modules"]
    assert found["missed"] == []
