"""Readiness checks for /readyz: the database, Redis and the Celery workers' heartbeat."""

import time

import redis
from django.conf import settings
from django.db import DatabaseError, connection

from collaborate.celery import HEARTBEAT_KEY

REDIS_TIMEOUT_SECONDS = 1.0


def redis_client():
    return redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )


def database_check():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return {"status": "failing", "error": error.__class__.__name__}
    return {"status": "ok", "engine": connection.vendor}


def redis_check():
    if not settings.REDIS_URL:
        return {"status": "ok", "detail": "not configured: Celery runs tasks in-process"}
    try:
        redis_client().ping()
    except redis.RedisError as error:
        return {"status": "failing", "error": error.__class__.__name__}
    return {"status": "ok"}


def worker_check(now=None):
    """A worker is ok when one has written its heartbeat within three intervals."""
    if not settings.REDIS_URL:
        return {"status": "ok", "detail": "not configured: Celery runs tasks in-process"}
    try:
        beats = redis_client().hgetall(HEARTBEAT_KEY)
    except redis.RedisError as error:
        return {"status": "failing", "error": error.__class__.__name__}
    if not beats:
        return {"status": "failing", "detail": "no worker has reported", "last_heartbeat": None}
    latest = max(float(at) for at in beats.values())
    age = (now or time.time()) - latest
    ok = age <= 3 * settings.WORKER_HEARTBEAT_SECONDS
    return {
        "status": "ok" if ok else "failing",
        "workers": len(beats),
        "last_heartbeat": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(latest)),
        "seconds_ago": round(age, 1),
    }


def worker_heartbeat_record(*, hostname, at):
    """Called by each worker (collaborate.celery.WorkerHeartbeat) every few seconds."""
    client = redis_client()
    client.hset(HEARTBEAT_KEY, hostname, at)
    # Forget workers that stopped long ago, so the hash does not grow with restarts.
    stale = [
        name for name, when in client.hgetall(HEARTBEAT_KEY).items() if at - float(when) > 3600
    ]
    if stale:
        client.hdel(HEARTBEAT_KEY, *stale)


def readiness():
    """The report /readyz answers, and whether the web node should take traffic."""
    checks = {"database": database_check(), "redis": redis_check(), "worker": worker_check()}
    # A dead worker delays dashboards but must not take every web node out of the balancer.
    ready = checks["database"]["status"] == "ok" and checks["redis"]["status"] == "ok"
    return ready, checks
