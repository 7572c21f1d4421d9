"""Redis, the cache and the broker, out of reach or emptied while people work: pages keep
answering, nothing committed is lost, and beat's sweep of the dirty marks kept in PostgreSQL
brings the dashboards back to a fresh computation without anyone acting."""

import time
from collections import Counter

import pytest
import redis

from tests.faults.scene import PEOPLE
from tests.security import figures

pytestmark = pytest.mark.faults

OUTAGE_SECONDS = 30
CONVERGE_SECONDS = 60


class Pages:
    """What the pages answered, by status: no 5xx is allowed outside /readyz."""

    def __init__(self):
        self.statuses = Counter()
        self.failures = []

    def check(self, response, expected=None):
        path = response.request.path_url
        self.statuses[response.status_code] += 1
        if path.startswith("/readyz"):
            return response
        if response.status_code >= 500 or (expected and response.status_code != expected):
            self.failures.append((path, response.status_code))
        return response


def submit_and_verify(officer, manager, pages, claim):
    pages.check(officer.form(f"/claims/{claim}/submit/", {}), 302)
    pages.check(manager.form(f"/claims/{claim}/decide/", {"decision": "verify"}), 302)
    pages.check(manager.get("/dashboard/"), 200)
    pages.check(officer.get(f"/claims/{claim}/"), 200)
    pages.check(manager.get("/readyz"))


def test_redis_stopped_for_30_seconds_while_claims_are_submitted_and_verified(stack):
    made = stack.build(initiatives=3, claims_each=8)
    stack.start()
    officer = stack.person(PEOPLE["officer"])
    manager = stack.person(PEOPLE["manager"], second_factor=True)
    claims = made["claims"]
    before_outage, during_outage = claims[:4], claims[4:]
    pages = Pages()
    for claim in before_outage:
        submit_and_verify(officer, manager, pages, claim)

    stack.redis.stop()
    stopped = time.monotonic()
    for number, claim in enumerate(during_outage):
        submit_and_verify(officer, manager, pages, claim)
        # Spread over the outage, as people would keep working through it.
        pause = stopped + OUTAGE_SECONDS * (number + 1) / len(during_outage) - time.monotonic()
        time.sleep(max(0, pause))
    outage = time.monotonic() - stopped
    stack.redis.start()
    during = stack.state()

    recovery, after = stack.converged(CONVERGE_SECONDS)

    assert pages.failures == []
    assert during["claims"]["verified"] == len(claims)
    assert during["decisions"] == len(claims)
    assert after["claims"] == during["claims"]
    assert stack.processes["worker"].alive() and stack.processes["beat"].alive()
    figures.record(
        "faults: Redis stopped",
        f"{outage:.0f} s outage while {len(during_outage)} of {len(claims)} claims were "
        f"submitted and verified through the pages; answers {dict(sorted(pages.statuses.items()))}"
        f" (5xx only from /readyz); claims verified {during['claims']['verified']}/{len(claims)},"
        f" decisions {during['decisions']}; {during['dirty']} initiatives dirty when Redis came "
        f"back; dashboards equal to a fresh computation {recovery:.1f} s later (deadline "
        f"{CONVERGE_SECONDS} s), worker and beat never restarted",
    )


def test_every_queued_message_lost(stack):
    made = stack.build(initiatives=3, claims_each=4)
    # No worker and no beat yet: what the pages queue stays in Redis, and is then lost.
    stack.start(worker=False, beat=False)
    officer = stack.person(PEOPLE["officer"])
    manager = stack.person(PEOPLE["manager"], second_factor=True)
    pages = Pages()
    for claim in made["claims"]:
        submit_and_verify(officer, manager, pages, claim)
    broker = redis.Redis.from_url(stack.redis.url)
    queued = broker.llen("faults")
    before = stack.state()
    assert queued > 0 and before["dirty"] > 0
    broker.flushall()
    flushed = time.monotonic()
    stack.worker_start()
    stack.beat_start()

    _recovery, after = stack.converged(CONVERGE_SECONDS)

    assert pages.failures == []
    assert after["claims"] == before["claims"]
    assert after["claims"]["verified"] == len(made["claims"])
    assert after["decisions"] == before["decisions"] == len(made["claims"])
    figures.record(
        "faults: every queued message lost",
        f"{len(made['claims'])} claims submitted and verified with no worker running, then "
        f"Redis flushed with {queued} messages queued and {before['dirty']} initiatives marked "
        f"dirty in PostgreSQL; worker and beat started: the sweep left the dashboards equal to a "
        f"fresh computation {time.monotonic() - flushed:.1f} s after the flush; claims verified "
        f"{before['claims']['verified']} before and {after['claims']['verified']} after, "
        f"decisions {before['decisions']} and {after['decisions']}",
    )
