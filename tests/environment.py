"""Loaded by pytest before Django (`-p tests.environment` in pyproject.toml): the environment
the suite runs in.

Tests run with production settings (DEBUG off), over plain HTTP. They use the real services
when they are there: DATABASE_URL and REDIS_URL if set, otherwise PostgreSQL on
127.0.0.1:5432 and Redis on 127.0.0.1:6379 when they answer. With neither, the suite falls back
to SQLite and eager Celery, and the tests that need the real services say so and skip, or,
with REQUIRE_SERVICES=1, fail."""

import os
import socket
import tempfile
from pathlib import Path

LOCAL_POSTGRES = ("127.0.0.1", 5432, "postgres://postgres@127.0.0.1:5432/collaborate")
LOCAL_REDIS = ("127.0.0.1", 6379, "redis://127.0.0.1:6379/0")


def answers(host, port):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def configure():
    os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "x" * 40)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault(
        "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
    )  # Playwright's sync API beside the ORM
    os.environ.setdefault("CELERY_QUEUE", "collaborate-tests")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    for variable, (host, port, url) in (
        ("DATABASE_URL", LOCAL_POSTGRES),
        ("REDIS_URL", LOCAL_REDIS),
    ):
        if not os.environ.get(variable) and answers(host, port):
            os.environ[variable] = url
    os.environ.pop("DEBUG", None)
    separate_worker()


def separate_worker():
    """Under pytest-xdist (`-n 2`), each worker process is a separate suite: pytest-django
    gives it its own test database (test_collaborate_gw0, …); here it also gets its own Redis
    database (cache, broker and throttles: a worker's `cache.clear()` or queue purge must not
    touch another's), its own Celery queue (a worker's Celery worker must not take another's
    tasks, which would run against the other database) and its own collected static files."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    number = int(worker.removeprefix("gw"))
    if os.environ.get("REDIS_URL"):
        base, _, database = os.environ["REDIS_URL"].rpartition("/")
        own = (int(database or 0) + 1 + number) % 16
        os.environ["REDIS_URL"] = f"{base}/{own}"
    os.environ["CELERY_QUEUE"] += f"-{worker}"
    static = Path(tempfile.gettempdir()) / f"collaborate-static-{worker}"
    static.mkdir(exist_ok=True)  # WhiteNoise warns of a missing one before collectstatic runs
    os.environ["STATIC_ROOT"] = str(static)


configure()
