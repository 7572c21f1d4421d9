"""The Celery app: configured once from Django's settings (the CELERY_* names)."""

import functools
import os
import time

from celery import Celery, bootsteps
from celery.contrib.django.task import DjangoTask
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collaborate.settings")


class Task(DjangoTask):
    """Every task of the app. A message queued once a write has committed does not turn the
    write into an error page when the broker cannot take it: the write is saved, the failure is
    logged, and what the message was for is kept in PostgreSQL where it matters (figures marked
    dirty are swept by beat). `robust` on_commit callbacks log their exception instead of
    raising it into the response."""

    def delay_on_commit(self, *args, **kwargs):
        transaction.on_commit(functools.partial(self.delay, *args, **kwargs), robust=True)

    def apply_async_on_commit(self, *args, **kwargs):
        transaction.on_commit(functools.partial(self.apply_async, *args, **kwargs), robust=True)


app = Celery("collaborate", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    lambda: [
        "partners",
        "initiatives",
        "initiatives.claims",
        "initiatives.health",
        "initiatives.imports",
        "initiatives.insights",
        "initiatives.partnering",
        "initiatives.progress",
        "initiatives.reminders",
        "initiatives.retention",
    ]
)

HEARTBEAT_KEY = "collaborate:worker-heartbeat"


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Writes the time into Redis every few seconds while the worker runs, for /readyz."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.timer_entry = None

    def start(self, worker):
        from django.conf import settings

        if not settings.REDIS_URL:
            return
        interval = settings.WORKER_HEARTBEAT_SECONDS
        self.beat(worker)
        self.timer_entry = worker.timer.call_repeatedly(interval, self.beat, (worker,))

    def stop(self, worker):
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None

    def beat(self, worker):
        from collaborate import health

        health.worker_heartbeat_record(hostname=worker.hostname, at=time.time())


app.steps["worker"].add(WorkerHeartbeat)
