"""A real Celery worker through real Redis, in this process, sharing the test database.

Tests that use it mark themselves `django_db(transaction=True)`: work queued on commit never
fires inside a test that is rolled back."""

from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker

from collaborate.celery import app as celery_app
from tests import services


@contextmanager
def running_worker():
    """Start a worker for the duration of the block (after purging the test queue)."""
    services.need_redis()
    assert not celery_app.conf.task_always_eager, "Celery must not be eager with real Redis"
    with start_worker(
        celery_app,
        pool="solo",
        concurrency=1,
        perform_ping_check=False,
        loglevel="WARNING",
        shutdown_timeout=30,
    ) as worker:
        yield worker


def purge():
    services.need_redis()
    celery_app.control.purge()


@pytest.fixture
def celery_worker(transactional_db):
    purge()
    with running_worker() as worker:
        yield worker


@pytest.fixture
def celery_queue(transactional_db):
    """Real Redis with no worker yet: what is queued waits (start one with running_worker)."""
    purge()
    yield
    purge()
