"""What an operator reads: a request id on every answer and every log line, carried into the
tasks a request queues; JSON log lines; Prometheus metrics for a scraper holding the token."""

import gzip
import http.server
import importlib
import json
import logging
import re
import threading
import time

import pytest
from celery.signals import task_success

from collaborate import observability
from initiatives.claims import tasks as claim_tasks
from initiatives.models import ProgressDirty
from initiatives.progress import tasks
from tests.subprocesses import run_python

TOKEN = "metrics-scraper-token-for-tests"


@pytest.mark.django_db
def test_every_answer_carries_a_request_id_and_keeps_a_sound_one_from_the_proxy(client):
    made = client.get("/healthz")
    kept = client.get("/healthz", headers={"X-Request-ID": "proxy-given-0042"})
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>"})

    assert re.fullmatch(r"[0-9a-f]{32}", made["X-Request-ID"])
    assert kept["X-Request-ID"] == "proxy-given-0042"
    assert replaced["X-Request-ID"] != "<script>"
    assert re.fullmatch(r"[0-9a-f]{32}", replaced["X-Request-ID"])


@pytest.mark.django_db
def test_a_requests_log_lines_carry_its_id(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/", headers={"X-Request-ID": "trace-me-123456"})

    [line] = [r for r in caplog.records if r.name == "django.request"]
    assert response.status_code == 404
    assert line.request_id == "trace-me-123456"


def test_log_lines_are_json_with_the_request_id_when_asked():
    result = run_python(
        [
            "-c",
            "import django; django.setup(); import logging; "
            "logging.getLogger('collaborate.test').warning('Something %s', 'happened')",
        ],
        DEBUG="true",
        LOG_FORMAT="json",
    )

    [line] = [json.loads(text) for text in result.stderr.splitlines() if text.startswith("{")]
    assert line["message"] == "Something happened"
    assert line["level"] == "WARNING"
    assert line["logger"] == "collaborate.test"
    assert line["request_id"] == "-"
    assert "time" in line


@pytest.mark.services
def test_a_task_runs_under_the_id_of_the_request_that_queued_it(celery_worker):
    # What a log line written in the task carries: a record made while it runs (in the worker's
    # thread, between its prerun and postrun signals).
    made = []

    def record_made(sender, **kwargs):
        made.append(logging.getLogRecordFactory()("task", logging.INFO, __file__, 0, "", (), None))

    task_success.connect(record_made, weak=False)
    token = observability.REQUEST_ID.set("request-that-queued-it")
    try:
        tasks.progress_recompute_dirty.delay().get(timeout=30)
        # The result is stored just before the signal is sent: wait for it.
        deadline = time.monotonic() + 10
        while not made and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        observability.REQUEST_ID.reset(token)
        task_success.disconnect(record_made)

    [record] = made
    assert record.request_id == "request-that-queued-it"


@pytest.mark.django_db
def test_metrics_are_nothing_without_the_token(client, settings):
    settings.READYZ_TOKEN = TOKEN

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404


@pytest.mark.django_db
def test_metrics_show_request_times_and_how_stale_the_dashboards_may_be(
    client, settings, initiative
):
    settings.READYZ_TOKEN = TOKEN
    client.get("/healthz")
    waiting = ProgressDirty.objects.count()
    assert waiting >= 1  # the initiative's figures wait for a recompute

    page = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    text = page.content.decode()
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/plain")
    assert f"collaborate_initiatives_dirty {float(waiting)}" in text
    assert re.search(r"collaborate_dirty_oldest_seconds \d", text)
    assert re.search(
        r'collaborate_request_seconds_count\{method="GET",status="2xx",view="healthz"\} \d', text
    )
    assert re.search(r'collaborate_queue_length\{queue="[^"]+"\} \d', text)


@pytest.mark.services
def test_metrics_count_the_emails_waiting_in_the_queue(celery_queue, client, settings):
    settings.READYZ_TOKEN = TOKEN
    claim_tasks.claim_submitted_notify.delay(claim_id=1)
    claim_tasks.claim_decided_notify.delay(claim_id=1)
    tasks.progress_recompute_dirty.delay()  # not an email

    page = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert "collaborate_emails_waiting 2.0" in page.content.decode()


class _Collector(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":  # sentry-sdk compresses with brotli when it is installed
            body = importlib.import_module("brotli").decompress(body)
        _Collector.received.append(body.decode("utf-8", "replace"))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_errors_reach_sentry_when_a_dsn_is_set():
    """A server on loopback stands in for Sentry's ingestion endpoint: an error logged by the
    app arrives there as an event, with the request id beside it."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = run_python(
            [
                "-c",
                "import django; django.setup(); import logging, sentry_sdk; "
                "logging.getLogger('collaborate.test').error('The recompute failed'); "
                "sentry_sdk.flush(timeout=10)",
            ],
            DEBUG="true",
            SENTRY_DSN=f"http://publickey@127.0.0.1:{server.server_port}/1",
        )
    finally:
        server.shutdown()

    assert result.returncode == 0, result.stderr
    assert any("The recompute failed" in body for body in _Collector.received)
