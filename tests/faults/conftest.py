"""The fault suite (`make faults`): each module runs its own PostgreSQL cluster with one
migrated template database, and each test its own database, Redis, gunicorn, worker and beat
(tests/faults/stack.py). Deselected unless asked for with `-m faults`: `make test` does not run
it a second time, and nothing here ever skips."""

import contextlib
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.faults import stack as stacks

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    if "faults" in (config.getoption("-m") or ""):
        return
    ours = [item for item in items if HERE in Path(item.path).resolve().parents]
    if ours:
        config.hook.pytest_deselected(items=ours)
        items[:] = [item for item in items if item not in ours]


@pytest.fixture(autouse=True)
def _clear_cache():
    """The ordinary suite clears its cache around each test; this suite's cache is the stack's
    own Redis, and the shared one is left alone."""


@pytest.fixture(scope="module")
def cluster():
    """A PostgreSQL cluster of the module's own, with one migrated template database."""
    missing = stacks.postgres_missing()
    assert missing is None, f"The fault suite cannot run: {missing}."
    directory = Path(tempfile.mkdtemp(prefix="collaborate-faults-pg-"))
    postgres = stacks.Postgres(directory)
    try:
        postgres.init()
        postgres.start()
        postgres.execute('CREATE DATABASE "template_faults"')
        migrate = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input"],
            cwd=stacks.ROOT,
            env=stacks.environment(postgres.url("template_faults"), ""),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert migrate.returncode == 0, migrate.stderr[-4000:]
        yield postgres, "template_faults"
    finally:
        with contextlib.suppress(Exception):
            postgres.stop(mode="immediate")
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def stack(cluster, request):
    """A test's own system, not yet started (the test builds its data, then starts it)."""
    postgres, template = cluster
    database = re.sub(r"\W", "_", request.node.name.lower())[:60]
    directory = Path(tempfile.mkdtemp(prefix="collaborate-faults-"))
    system = None
    try:
        system = stacks.Stack(postgres, template, directory, database)
        yield system
    finally:
        if system is not None:
            system.close()
            failed = getattr(request.node, "failed_call", False)
            if failed:
                print(system.logs())
        shutil.rmtree(directory, ignore_errors=True)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.when == "call" and report.failed:
        item.failed_call = True
    return report
