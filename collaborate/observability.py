"""What an operator watches: a request id on every log line, carried into the Celery tasks the
request queues; logs as JSON (LOG_FORMAT); and Prometheus metrics at /metrics, for a scraper
sending the same token as /readyz's detail (READYZ_TOKEN). docs/operations.md says what each
figure means and what to do when it alerts."""

import contextvars
import json
import logging
import re
import time
import uuid

import redis
from celery import signals
from django.conf import settings
from django.core.signals import request_finished
from django.db import DatabaseError
from django.db.models import Count, Min
from django.dispatch import receiver
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily

REQUEST_ID = contextvars.ContextVar("request_id", default="-")
HEADER = "X-Request-ID"
# An id a proxy in front may already have given the request, kept when it looks like one.
ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
TASK_HEADER = "collaborate_request_id"

REQUEST_SECONDS = Histogram(
    "collaborate_request_seconds",
    "Time to answer a request, by view, method and status class.",
    ["view", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)

TASK_SECONDS = Histogram(
    "collaborate_task_seconds",
    "Time a Celery task ran, by task (the recomputes among them) and how it ended.",
    ["task", "state"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800),
)


# --- the request id -----------------------------------------------------------------------------


def _with_request_id(factory):
    def make(*args, **kwargs):
        record = factory(*args, **kwargs)
        record.request_id = REQUEST_ID.get()
        return record

    return make


def install_log_records():
    """Every log record, from any logger, carries the request (or task) id it was made in."""
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "collaborate_request_id", False):
        made = _with_request_id(factory)
        made.collaborate_request_id = True
        logging.setLogRecordFactory(made)


class RequestIdMiddleware:
    """Gives each request an id (the proxy's X-Request-ID when it sent a sound one), answers
    with it, and times the request for collaborate_request_seconds."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(HEADER, "")
        request_id = offered if ACCEPTABLE_ID.match(offered) else uuid.uuid4().hex
        # Kept until the request is finished (request_finished), so that the lines Django writes
        # about the answer after the middleware (a 404, a 500) carry it too.
        REQUEST_ID.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        REQUEST_SECONDS.labels(
            view=match.view_name if match else "unmatched",
            method=request.method if request.method in KNOWN_METHODS else "other",
            status=f"{response.status_code // 100}xx",
        ).observe(time.perf_counter() - started)
        response[HEADER] = request_id
        return response


KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


@receiver(request_finished, dispatch_uid="collaborate_request_id_finished")
def _request_id_finished(**kwargs):
    REQUEST_ID.set("-")


@signals.before_task_publish.connect(dispatch_uid="collaborate_request_id_out")
def _request_id_out(headers=None, **kwargs):
    request_id = REQUEST_ID.get()
    if headers is not None and request_id != "-":
        headers[TASK_HEADER] = request_id


_TASK_TOKENS = {}


@signals.task_prerun.connect(dispatch_uid="collaborate_request_id_in")
def _request_id_in(task_id=None, task=None, **kwargs):
    """A task runs under the id of the request that queued it (or one of its own)."""
    request_id = getattr(task.request, TASK_HEADER, None) or f"task-{task_id}"
    _TASK_TOKENS[task_id] = (REQUEST_ID.set(request_id), time.perf_counter())


@signals.task_postrun.connect(dispatch_uid="collaborate_request_id_done")
def _request_id_done(task_id=None, task=None, state=None, **kwargs):
    kept = _TASK_TOKENS.pop(task_id, None)
    if kept is not None:
        token, started = kept
        TASK_SECONDS.labels(task=task.name, state=state or "UNKNOWN").observe(
            time.perf_counter() - started
        )
        REQUEST_ID.reset(token)


# --- figures read at each scrape ----------------------------------------------------------------


class StateCollector:
    """Figures read from PostgreSQL and Redis when Prometheus scrapes, so that every web node
    reports the same truth: the broker's queue, the initiatives whose figures wait for a
    recompute and the age of the oldest (how stale a dashboard may be)."""

    def describe(self):
        # The names alone, so that registering asks nothing of the database.
        yield GaugeMetricFamily("collaborate_initiatives_dirty", "")
        yield GaugeMetricFamily("collaborate_dirty_oldest_seconds", "")
        yield GaugeMetricFamily("collaborate_queue_length", "", labels=["queue"])
        yield GaugeMetricFamily("collaborate_emails_waiting", "")

    def collect(self):
        from initiatives.models import ProgressDirty

        dirty = GaugeMetricFamily(
            "collaborate_initiatives_dirty",
            "Initiatives whose figures changed and wait for a recompute.",
        )
        oldest = GaugeMetricFamily(
            "collaborate_dirty_oldest_seconds",
            "Age of the oldest mark waiting for a recompute: how stale a dashboard may be.",
        )
        try:
            marks = ProgressDirty.objects.aggregate(count=Count("pk"), first=Min("marked_at"))
        except DatabaseError:
            marks = None
        if marks is not None:
            dirty.add_metric([], marks["count"])
            first = marks["first"]
            oldest.add_metric([], (timezone.now() - first).total_seconds() if first else 0)
        yield dirty
        yield oldest

        queue = GaugeMetricFamily(
            "collaborate_queue_length",
            "Messages waiting in the Celery queue (Redis).",
            labels=["queue"],
        )
        length = _queue_length()
        if length is not None:
            queue.add_metric([settings.CELERY_TASK_DEFAULT_QUEUE], length)
        yield queue

        emails = GaugeMetricFamily(
            "collaborate_emails_waiting",
            "Emails not yet sent: their tasks queued, or held by a worker (a retry's wait).",
        )
        waiting = _emails_waiting()
        if waiting is not None:
            emails.add_metric([], waiting)
        yield emails


def _queue_length():
    if not settings.REDIS_URL:
        return None
    from collaborate import health

    try:
        return health.redis_client().llen(settings.CELERY_TASK_DEFAULT_QUEUE)
    except redis.RedisError:
        return None


# Messages read from the queue to count emails, at most: a scrape stays cheap however long the
# queue (a longer one already alerts through collaborate_queue_length).
EMAILS_SCAN_LIMIT = 10_000


def _emails_waiting():
    """Messages of the tasks that send email (collaborate.kit.mail.SENDS_EMAIL) in the queue,
    and those a worker has taken but not finished: kombu keeps them in Redis's "unacked" hash
    until acknowledged, a retry waiting out its backoff among them."""
    if not settings.REDIS_URL:
        return None
    from collaborate import health
    from collaborate.celery import app

    names = {name for name, task in app.tasks.items() if getattr(task, "sends_email", False)}
    try:
        client = health.redis_client()
        queued = client.lrange(settings.CELERY_TASK_DEFAULT_QUEUE, 0, EMAILS_SCAN_LIMIT - 1)
        held = client.hvals("unacked")[:EMAILS_SCAN_LIMIT]
        messages = [json.loads(raw) for raw in queued] + [json.loads(raw)[0] for raw in held]
    except (redis.RedisError, ValueError, IndexError, KeyError):
        return None
    return sum(1 for m in messages if (m.get("headers") or {}).get("task") in names)


def registry():
    """What /metrics shows. With PROMETHEUS_MULTIPROC_DIR set (gunicorn's and the worker's
    processes on one machine writing there), every process's counts, added up; otherwise this
    process's. The state figures either way."""
    if settings.PROMETHEUS_MULTIPROC_DIR:
        combined = CollectorRegistry()
        multiprocess.MultiProcessCollector(combined)
        combined.register(STATE)
        return combined
    return REGISTRY


STATE = StateCollector()
