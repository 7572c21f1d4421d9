"""What a person sees while Redis is out of reach: pages carry on without the cache, and a
decision saved while the broker is down is saved and answered as usual (the figures it moves
are marked dirty in PostgreSQL, where the sweep finds them). Each test stops a Redis of its
own (tests/own_redis.py), never the shared one."""

import logging
from contextlib import contextmanager

import kombu.pools
import pytest
from django.conf import settings
from django.test import override_settings

from collaborate.celery import app as celery_app
from collaborate.kit.cache import ForgivingRedisCache
from initiatives.models import ProgressDirty, SavingsClaim
from tests import factories
from tests.own_redis import own_redis

pytestmark = pytest.mark.services

OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}


def cache_settings(url):
    """The site's cache as configured, at another Redis."""
    return {"default": {**settings.CACHES["default"], "LOCATION": url, "OPTIONS": OPTIONS}}


@contextmanager
def broker_at(url):
    """The Celery app sending its messages to `url` for the block."""
    before = celery_app.conf.broker_url

    def point_at(address):
        # kombu keeps pools in a registry keyed by address: closing only the app's own pool would
        # hand the closed pool back to whatever connects to `before` next
        kombu.pools.reset()
        celery_app.conf.broker_url = address
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    point_at(url)
    try:
        yield
    finally:
        point_at(before)


def test_a_cache_out_of_reach_misses_reads_and_drops_writes(tmp_path):
    with own_redis(tmp_path) as server:
        cache = ForgivingRedisCache(server.url, {"OPTIONS": OPTIONS})
        cache.set("figures", 1)
        assert cache.get("figures") == 1

        server.stop()

        assert cache.get("figures") is None
        assert cache.get("figures", "computed again") == "computed again"
        cache.set("figures", 2)
        assert cache.add("counter", 1) is False
        with pytest.raises(ValueError):
            cache.incr("counter")
        assert cache.get_or_set("figures", 3) == 3
        assert cache.get_many(["figures", "counter"]) == {}
        assert cache.delete("figures") is False


@pytest.mark.django_db
def test_pages_answer_while_the_cache_is_out_of_reach(tmp_path, client, initiative, manager):
    with own_redis(tmp_path) as server:
        server.stop()
        with override_settings(CACHES=cache_settings(server.url)):
            client.force_login(manager)
            dashboard = client.get("/dashboard/")
            page = client.get(initiative.get_absolute_url())

    assert dashboard.status_code == 200
    assert page.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_decision_made_while_the_broker_is_down_is_saved_and_answered_as_usual(
    tmp_path, client, initiative, manager, caplog
):
    claim = factories.SavingsClaimFactory(initiative=initiative, submitted=True)
    ProgressDirty.objects.all().delete()
    client.force_login(manager)

    with own_redis(tmp_path) as server, broker_at(server.url):
        server.stop()
        with caplog.at_level(logging.ERROR):
            response = client.post(f"/claims/{claim.pk}/decide/", {"decision": "verify"})

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == SavingsClaim.Status.VERIFIED
    # The message to recompute is lost; the mark the sweep reads is not.
    assert ProgressDirty.objects.filter(initiative=initiative).exists()
    assert "on_commit" in caplog.text
