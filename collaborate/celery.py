"""The Celery app: configured once from Django's settings (the CELERY_* names)."""

import os
import time

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collaborate.settings")

app = Celery("collaborate")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    lambda: [
        "partners",
        "initiatives",
        "initiatives.claims",
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
