"""The worker killed while it runs a full recompute: the pool process alone (the message goes
back at once, task_reject_on_worker_lost), or the whole worker (the message goes back after
Redis's visibility timeout, to the worker started in its place). Either way the computed
tables end equal to a fresh computation, exactly.

The recompute is held at its advisory lock (the test takes the lock first) so that it is
certainly running when the kill comes; the computed tables are emptied beforehand, so that
only a full recompute that really ran to the end can make them right again."""

import os
import signal
import time
from pathlib import Path

import pytest

from initiatives.progress import sql
from tests.faults.scene import PEOPLE
from tests.faults.stack import VISIBILITY_TIMEOUT
from tests.security import figures

pytestmark = pytest.mark.faults

CONVERGE_SECONDS = 60


def _prepared(stack):
    """Healthy figures of verified claims, then the computed tables emptied behind the
    product's back (as a fault of storage would leave them)."""
    made = stack.build(initiatives=3, claims_each=3)
    stack.start()
    officer = stack.person(PEOPLE["officer"])
    manager = stack.person(PEOPLE["manager"], second_factor=True)
    for claim in made["claims"]:
        assert officer.form(f"/claims/{claim}/submit/", {}).status_code == 302
        assert manager.form(f"/claims/{claim}/decide/", {"decision": "verify"}).status_code == 302
    stack.converged(CONVERGE_SECONDS)
    removed = 0
    for table in sql.COMPUTED:
        removed += stack.postgres.execute(
            f"WITH gone AS (DELETE FROM {sql.TABLES[table]} RETURNING 1) SELECT COUNT(*) FROM gone",
            database=stack.database,
        )[0][0]
    broken = stack.state()
    assert any(broken["differences"].values())
    return made, removed, broken


class HeldLock:
    """The recomputes' advisory lock, held by the test until released."""

    def __init__(self, stack):
        self.stack = stack
        self.connection = stack.postgres.connect(stack.database)
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [sql.LOCK_KEY])

    def waiting_client_port(self, timeout=60):
        """The client port of the backend waiting for the lock (the recompute's connection)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.stack.postgres.execute(
                "SELECT client_port FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                f"AND wait_event = 'advisory' AND datname = '{self.stack.database}'"
            )
            if rows:
                return rows[0][0]
            time.sleep(0.2)
        raise AssertionError(f"no recompute waited for the lock:\n{self.stack.logs()}")

    def release(self):
        self.connection.rollback()
        self.connection.close()


def _socket_inodes(pid):
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def pool_process_of(worker, client_port):
    """The pool process whose TCP connection to PostgreSQL has `client_port` at its end."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == client_port:
                inode = fields[9]
    assert inode is not None, f"no socket on port {client_port}"
    for pid in worker.children():
        if inode in _socket_inodes(pid):
            return pid
    raise AssertionError(f"no pool process of {worker.children()} holds port {client_port}")


def test_a_pool_process_killed_during_a_full_recompute(stack):
    made, removed, broken = _prepared(stack)
    worker = stack.processes["worker"]
    lock = HeldLock(stack)
    try:
        stack.scene("reconcile")
        pid = pool_process_of(worker, lock.waiting_client_port())
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        worker.wait_for_log(r"WorkerLostError|SIGKILL", timeout=30)
    finally:
        lock.release()
    recovery, after = stack.converged(CONVERGE_SECONDS)

    assert worker.alive()
    assert after["claims"]["verified"] == len(made["claims"])
    figures.record(
        "faults: pool process SIGKILLed in a full recompute",
        f"{removed} computed rows deleted ({broken['differences']} differing), the reconcile's "
        f"pool process killed while it ran; redelivered to the same worker "
        f"(task_reject_on_worker_lost) and equal to a fresh computation "
        f"{time.monotonic() - killed:.1f} s after the kill ({recovery:.1f} s after the lock "
        f"was released); verified claims {after['claims']['verified']} before and after",
    )


def test_the_whole_worker_killed_during_a_full_recompute(stack):
    made, removed, broken = _prepared(stack)
    worker = stack.processes["worker"]
    lock = HeldLock(stack)
    try:
        stack.scene("reconcile")
        lock.waiting_client_port()
        worker.kill()
        killed = time.monotonic()
    finally:
        lock.release()
    still_broken = stack.state()
    assert any(still_broken["differences"].values())
    # A worker started once the message's visibility timeout has passed finds it unacknowledged
    # and puts it back at once (a running worker looks only every ~100 s: kombu's
    # unacked_restore_interval × unacked_restore_throttle).
    time.sleep(max(0, killed + VISIBILITY_TIMEOUT + 1 - time.monotonic()))
    stack.worker_start()
    _recovery, after = stack.converged(VISIBILITY_TIMEOUT + CONVERGE_SECONDS)

    assert after["claims"]["verified"] == len(made["claims"])
    figures.record(
        "faults: worker SIGKILLed in a full recompute",
        f"{removed} computed rows deleted ({broken['differences']} differing), the whole worker "
        f"killed (SIGKILL to it and its pool) while the reconcile ran, a new worker started; "
        f"the message came back after the visibility timeout ({VISIBILITY_TIMEOUT} s) and the "
        f"tables equal a fresh computation {time.monotonic() - killed:.1f} s after the kill; "
        f"verified claims {after['claims']['verified']} before and after",
    )


def test_redis_lost_while_the_worker_holds_a_recompute_it_has_not_acknowledged(stack):
    """The worker that exited for good when its broker went away mid-task (kombu's Redis
    transport restoring unacknowledged messages on a connection that was gone: "Unrecoverable
    error: AttributeError: 'NoneType' object has no attribute 'hostname'"): here Redis stops
    while a full recompute runs, the recompute finishes with Redis still down, and once Redis is
    back the same worker process carries on and the tables end exact."""
    made, removed, _broken = _prepared(stack)
    worker = stack.processes["worker"]
    lock = HeldLock(stack)
    try:
        stack.scene("reconcile")
        lock.waiting_client_port()
        stack.redis.stop()
        stopped = time.monotonic()
        worker.wait_for_log(r"Connection to broker lost", timeout=30)
    finally:
        lock.release()
    # The recompute ends while Redis is still down: the tables are exact before it is back.
    finished, _ = stack.converged(CONVERGE_SECONDS)
    assert worker.alive(), worker.log_text()[-4000:]
    since = worker.log_path.stat().st_size
    stack.redis.start()
    outage = time.monotonic() - stopped
    worker.wait_for_log(r"Connected to", timeout=CONVERGE_SECONDS, since=since)
    recovery, after = stack.converged(CONVERGE_SECONDS)

    assert worker.alive(), worker.log_text()[-4000:]
    assert after["claims"]["verified"] == len(made["claims"])
    figures.record(
        "faults: Redis lost while the worker held a recompute",
        f"{removed} computed rows deleted, a full recompute running when Redis stopped for "
        f"{outage:.0f} s; the recompute finished with Redis down (tables exact {finished:.1f} s "
        f"after it could go on), and the same worker process reconnected once Redis was back "
        f"(tables still exact {recovery:.1f} s later); "
        f"verified claims {after['claims']['verified']} before and after",
    )
