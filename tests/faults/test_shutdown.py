"""gunicorn and the worker stopped with SIGTERM (a deploy, a scale-down) while people use the
pages: a request in flight completes, a task in flight finishes before the worker exits, both
exit cleanly, and nothing is half-written (`manage.py check_data`'s checks pass afterwards).

The request in flight is a manager's decision held at the claim's row lock, and the task is a
full recompute held at its advisory lock (the test takes both): each is certainly running
when the signal comes, and is let go two seconds after it."""

import signal
import threading
import time
from collections import Counter

import pytest
import requests

from initiatives.models import SavingsClaim
from initiatives.progress import sql
from tests.faults.scene import PEOPLE
from tests.security import figures

pytestmark = pytest.mark.faults

CONVERGE_SECONDS = 60


class Load:
    """Signed-in officers reading pages in a loop until stopped."""

    def __init__(self, people, claims):
        self.people, self.claims = people, claims
        self.statuses, self.unanswered = Counter(), Counter()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(p,)) for p in people]

    def run(self, person):
        paths = ["/dashboard/", "/claims/", *(f"/claims/{claim}/" for claim in self.claims)]
        number = 0
        while not self.stopping.is_set():
            try:
                self.statuses[person.get(paths[number % len(paths)]).status_code] += 1
            except requests.ConnectionError as error:
                # After the listener closed: refused, or reset before a worker accepted it.
                self.unanswered[type(error).__name__] += 1
                time.sleep(0.2)
            number += 1

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)


def _waiting(stack, event):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if stack.postgres.execute(
            "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            f"AND wait_event = '{event}' AND datname = '{stack.database}'"
        ):
            return
        time.sleep(0.2)
    raise AssertionError(f"nothing waited for a {event} lock:\n{stack.logs()}")


def test_web_and_worker_stopped_with_sigterm_under_load(stack):
    made = stack.build(initiatives=2, claims_each=3)
    stack.start()
    officer = stack.person(PEOPLE["officer"])
    manager = stack.person(PEOPLE["manager"], second_factor=True)
    claims = made["claims"]
    for claim in claims:
        assert officer.form(f"/claims/{claim}/submit/", {}).status_code == 302
    stack.converged(CONVERGE_SECONDS)
    readers = [stack.person(PEOPLE["officer"]) for _ in range(3)]
    web, worker = stack.processes["web"], stack.processes["worker"]
    held = claims[0]
    locks = stack.postgres.connect(stack.database)
    decided = {}

    def decide():
        decided["response"] = manager.form(f"/claims/{held}/decide/", {"decision": "verify"})

    with Load(readers, claims) as load:
        time.sleep(2)
        with locks.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {SavingsClaim._meta.db_table} WHERE id = %s FOR UPDATE", [held]
            )
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [sql.LOCK_KEY])
        decision = threading.Thread(target=decide)
        decision.start()
        _waiting(stack, "transactionid")
        stack.scene("reconcile")
        _waiting(stack, "advisory")
        web.signal(signal.SIGTERM)
        worker.signal(signal.SIGTERM)
        signalled = time.monotonic()
        time.sleep(2)
        locks.rollback()
        locks.close()
        decision.join(timeout=60)
        web_status = web.process.wait(timeout=60)
        worker_status = worker.process.wait(timeout=60)
        stopped = time.monotonic() - signalled
    reconciled = "progress_reconcile" in worker.log_text() and "succeeded" in worker.log_text()

    stack.web_start()
    stack.worker_start()
    _, after = stack.converged(CONVERGE_SECONDS)
    failures = stack.scene("check")

    assert decided["response"].status_code == 302
    assert web_status == 0 and worker_status == 0
    assert reconciled
    assert not any(code >= 500 for code in load.statuses)
    assert after["claims"]["verified"] == 1 and after["decisions"] == 1
    assert not any(failures.values()), failures
    figures.record(
        "faults: web and worker stopped with SIGTERM",
        f"under {len(readers)} readers ({sum(load.statuses.values())} answers "
        f"{dict(load.statuses)}; {sum(load.unanswered.values())} refused once the listener had "
        f"closed) a held decision and a held full recompute were in flight at SIGTERM: the "
        f"decision answered {decided['response'].status_code}, the recompute finished, and web "
        f"and worker exited {web_status} and {worker_status} {stopped:.1f} s after the signal; "
        f"verified claims 0 before, {after['claims']['verified']} after; check_data's "
        f"{len(failures)} checks pass",
    )
