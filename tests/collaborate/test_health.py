"""/healthz answers while the process serves; /readyz reports each dependency (its detail only to
a request bearing READYZ_TOKEN: tests/collaborate/test_headers.py)."""

import json

import pytest

from tests import services
from tests.subprocesses import run_python

TOKEN = "readyz-test-token-0123456789"
BEARING = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


def test_healthz_answers_200_over_plain_http_without_sign_in(client, settings):
    settings.SECURE_SSL_REDIRECT = True  # as in production: health checks are exempt
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_readyz_reports_database_redis_and_worker(client, settings):
    services.need_redis()
    settings.READYZ_TOKEN = TOKEN
    response = client.get("/readyz", **BEARING)
    body = response.json()
    assert set(body["checks"]) == {"database", "redis", "worker"}
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["redis"]["status"] == "ok"
    # No worker runs in this test: reported, but the node stays ready.
    assert response.status_code == 200
    assert "last_heartbeat" in body["checks"]["worker"]


@pytest.mark.django_db
def test_readyz_answers_503_not_500_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.READYZ_TOKEN = TOKEN
    response = client.get("/readyz", **BEARING)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["redis"]["status"] == "failing"
    assert body["checks"]["database"]["status"] == "ok"


def test_readyz_answers_503_when_the_database_is_unreachable():
    # A fresh process whose DATABASE_URL points at a port where nothing listens.
    code = (
        "import django, json; django.setup(); from django.test import Client; "
        f"r = Client().get('/readyz', HTTP_AUTHORIZATION='Bearer {TOKEN}'); "
        "print(json.dumps([r.status_code, r.json()]))"
    )
    result = run_python(
        ["-c", code],
        READYZ_TOKEN=TOKEN,
        SECRET_KEY="k" * 50,
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="testserver",
        DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere",
    )
    assert result.returncode == 0, result.stderr
    status, body = json.loads(result.stdout.strip().splitlines()[-1])
    assert status == 503
    assert body["checks"]["database"] == {"status": "failing", "error": "OperationalError"}
