"""The running system the fault suite breaks: a PostgreSQL cluster of its own (initdb and pg_ctl
on a spare port in a temporary directory), a Redis of its own, gunicorn, a Celery worker and
Celery beat as subprocesses, and people who use it over HTTP. Nothing here touches the shared
PostgreSQL or Redis of the ordinary suite.

Every process is started in a session of its own, so that stopping it (or killing it) reaches
its children too; everything is stopped, and its directory removed, even when a test fails."""

import contextlib
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pyotp
import requests

from tests.own_redis import OwnRedis, free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "correct horse battery staple"  # tests.factories.PASSWORD
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # tests.factories.TOTP_SECRET
# Short intervals for the test: beat sweeps dirty marks every few seconds, and a message a
# worker took and never acknowledged goes back to the queue after twice the hard time limit.
SWEEP_SECONDS = 3
TASK_TIME_LIMIT = 10
VISIBILITY_TIMEOUT = 2 * TASK_TIME_LIMIT
HTTP_TIMEOUT = 30


def _postgres_bin():
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if found:
        return found[-1].parent
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        return Path(pg_ctl).parent
    return None


POSTGRES_BIN = _postgres_bin()


def postgres_missing():
    """Why the suite cannot run here, or None."""
    if POSTGRES_BIN is None:
        return "PostgreSQL's server binaries (initdb, pg_ctl) are not installed"
    if shutil.which("redis-server") is None:
        return "redis-server is not installed"
    if os.geteuid() == 0 and not _postgres_user():
        return "running as root with no `postgres` user to run the cluster as"
    return None


def _postgres_user():
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        return None


def _run(args, timeout=120, **kwargs):
    return subprocess.run(
        args, capture_output=True, text=True, timeout=timeout, check=True, **kwargs
    )


def environment(database_url, redis_url):
    """The settings variables of every process of the stack: production settings (DEBUG off)
    over plain HTTP on loopback, and nothing of the ordinary suite's environment."""
    from django.conf import settings

    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTEST", "DJANGO_", "CELERY_", "EMAIL_", "GUNICORN_"))
        and name not in {"DEBUG", "DATABASE_URL", "REDIS_URL", "STATIC_ROOT", "MEDIA_ROOT"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="collaborate.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY="fault-suite-secret-key-" + "x" * 40,
        SECURE_SSL_REDIRECT="false",
        # Plain HTTP on loopback: the cookies must travel without TLS.
        SECURE_COOKIES="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=str(settings.STATIC_ROOT),
    )
    return env


class Postgres:
    """A cluster of the suite's own; as root, run as the `postgres` user (initdb refuses root)."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.data = self.directory / "data"
        self.log = self.directory / "postgres.log"
        self.port = free_port()
        self.running = False
        if os.geteuid() == 0:
            user = _postgres_user()
            os.chown(self.directory, user.pw_uid, user.pw_gid)

    def _as_owner(self, args):
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *args]
        return args

    def _pg_ctl(self, *args, timeout=90):
        return _run(
            self._as_owner([str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data), *args]),
            timeout=timeout,
        )

    def init(self):
        _run(
            self._as_owner(
                [
                    str(POSTGRES_BIN / "initdb"),
                    "-D", str(self.data),
                    "-U", "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--no-sync",
                ]
            )
        )  # fmt: skip

    def start(self):
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off -c max_connections=60"
        )
        self._pg_ctl("-l", str(self.log), "-o", options, "-w", "-t", "60", "start")
        self.running = True

    def stop(self, mode="fast"):
        if self.running:
            self._pg_ctl("-m", mode, "-w", "-t", "60", "stop")
            self.running = False

    def url(self, database):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, statement, database="postgres"):
        connection = psycopg2.connect(self.url(database), connect_timeout=10)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
                return cursor.fetchall() if cursor.description else None
        finally:
            connection.close()

    def connect(self, database):
        return psycopg2.connect(self.url(database), connect_timeout=10)


class Process:
    """One subprocess (gunicorn, a worker, beat) with its output in a log file."""

    def __init__(self, name, args, env, log_path):
        self.name, self.args, self.env, self.log_path = name, args, env, Path(log_path)
        self.process = None

    def start(self):
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.args,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def log_size(self):
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_text(self, since=0):
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as log:
            log.seek(since)
            return log.read().decode("utf-8", "replace")

    def wait_for_log(self, pattern, timeout, since=0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(pattern, self.log_text(since)):
                return
            if not self.alive():
                break
            time.sleep(0.2)
        raise AssertionError(
            f"{self.name}: {pattern!r} not logged within {timeout} s "
            f"(alive: {self.alive()}):\n{self.log_text(since)[-4000:]}"
        )

    def signal(self, number):
        os.kill(self.process.pid, number)

    def _group(self, number):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, number)

    def kill(self):
        """SIGKILL to the process and every process of its session."""
        if self.process is None:
            return
        self._group(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self, timeout=40):
        """SIGTERM to the process (a warm shutdown), then SIGKILL to whatever of its session is
        left. Returns its exit status (None if it had to be killed)."""
        if self.process is None:
            return None
        status = self.process.poll()
        if status is None:
            try:
                self.process.terminate()
                status = self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                status = None
        self._group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=30)
        return status

    def children(self):
        """The pids of the process's direct children (a worker's pool processes)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except FileNotFoundError:
            return []


class Stack:
    """One test's system: its database (from the module's template), its own Redis, gunicorn,
    a worker and beat, all configured through the environment as in production."""

    def __init__(self, postgres, template, directory, database):
        self.postgres = postgres
        self.database = database
        self.directory = Path(directory)
        postgres.execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
        (self.directory / "redis").mkdir()
        (self.directory / "media").mkdir()
        self.redis = OwnRedis(self.directory / "redis")
        self.web_port = free_port()
        self.base = f"http://127.0.0.1:{self.web_port}"
        self.processes = {}
        self.env = self._environment()

    def _environment(self, **extra):
        env = environment(self.postgres.url(self.database), self.redis.url)
        env.update(
            MEDIA_ROOT=str(self.directory / "media"),
            CELERY_QUEUE="faults",
            CELERY_TASK_TIME_LIMIT=str(TASK_TIME_LIMIT),
            CELERY_TASK_SOFT_TIME_LIMIT=str(TASK_TIME_LIMIT - 2),
            PROGRESS_SWEEP_SECONDS=str(SWEEP_SECONDS),
            WORKER_HEARTBEAT_SECONDS="2",
            CACHE_TIMEOUT_SECONDS="1",
            EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
            READYZ_TOKEN="fault-suite",
            LOG_FORMAT="plain",
            GUNICORN_BIND=f"127.0.0.1:{self.web_port}",
            GUNICORN_WORKERS="2",
            GUNICORN_TIMEOUT="30",
            GUNICORN_GRACEFUL_TIMEOUT="30",
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    # --- the processes ---------------------------------------------------------------------

    def _process(self, name, args):
        process = Process(name, args, self.env, self.directory / f"{name}.log").start()
        self.processes[name] = process
        return process

    def web_start(self, wait=True):
        command = [
            str(BIN / "gunicorn"),
            "--config=gunicorn.conf.py",
            # gunicorn's control socket is one path per machine ($HOME/.gunicorn/gunicorn.ctl):
            # another gunicorn (the load scenario's, a second test's) must not meet this one's
            "--no-control-socket",
            "collaborate.wsgi:application",
        ]
        process = self._process("web", command)
        if wait:
            self._web_ready(process)
        return process

    def _web_ready(self, process):
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            assert process.alive(), process.log_text()[-4000:]
            time.sleep(0.3)
        raise AssertionError(f"gunicorn did not answer:\n{process.log_text()[-4000:]}")

    def worker_start(self, wait=True):
        # The name is unique per start: a restarted worker is a new one, as after a crash.
        name = f"worker{len([n for n in self.processes if n.startswith('worker')])}"
        process = self._process(
            name,
            [
                str(BIN / "celery"),
                "--app=collaborate",
                "worker",
                "--loglevel=INFO",
                "--queues=faults",
                "--concurrency=2",
                f"--hostname={name}@faults",
                "--without-mingle",
                "--without-gossip",
            ],
        )
        self.processes["worker"] = process
        if wait:
            process.wait_for_log(r"ready\.", timeout=90)
        return process

    def beat_start(self, wait=True):
        schedule = f"--schedule={self.directory / 'beat-schedule'}"
        command = [str(BIN / "celery"), "--app=collaborate", "beat", "--loglevel=INFO", schedule]
        process = self._process("beat", command)
        if wait:
            process.wait_for_log(r"beat: Starting", timeout=90)
        return process

    def start(self, worker=True, beat=True):
        """Starts Redis, then gunicorn, the worker and beat side by side, and waits for each."""
        self.redis.start()
        web = self.web_start(wait=False)
        workers = self.worker_start(wait=False) if worker else None
        scheduler = self.beat_start(wait=False) if beat else None
        self._web_ready(web)
        if workers:
            workers.wait_for_log(r"ready\.", timeout=90)
        if scheduler:
            scheduler.wait_for_log(r"beat: Starting", timeout=90)
        return self

    def close(self):
        """Stops everything: SIGTERM to every process at once, then whatever is left killed."""
        running = [process for process in set(self.processes.values()) if process.alive()]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                process.process.terminate()
        for process in self.processes.values():
            process.stop(timeout=15)
        self.redis.stop()

    def logs(self):
        return "\n".join(
            f"--- {name} ({process.log_path}) ---\n{process.log_text()[-6000:]}"
            for name, process in self.processes.items()
        )

    # --- the data, read and made in a process of its own ------------------------------------

    def scene(self, *args, redis=True, timeout=180):
        env = dict(self.env)
        if not redis:
            env["REDIS_URL"] = ""
        result = subprocess.run(
            [sys.executable, "-m", "tests.faults.scene", *map(str, args)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stderr[-4000:]
        return json.loads(result.stdout.strip().splitlines()[-1])

    def build(self, initiatives, claims_each):
        return self.scene("build", initiatives, claims_each, redis=False)

    def state(self):
        return self.scene("state")

    def converged(self, deadline_seconds):
        """Waits until no initiative is marked dirty and every computed table equals a fresh
        computation; returns (seconds taken, the last state). Fails after the deadline."""
        started = time.monotonic()
        state = None
        while time.monotonic() - started < deadline_seconds:
            state = self.state()
            if state["dirty"] == 0 and not any(state["differences"].values()):
                return time.monotonic() - started, state
            time.sleep(1)
        raise AssertionError(f"not converged within {deadline_seconds} s: {state}\n{self.logs()}")

    # --- people -----------------------------------------------------------------------------

    def person(self, email, second_factor=False):
        return Person(self.base, email, TOTP_SECRET if second_factor else None).sign_in()


class Person(requests.Session):
    """Someone using the pages: signs in as a person would (the password, then an
    authenticator app's code where the role needs one) and posts forms with the CSRF token."""

    def __init__(self, base, email, totp_secret=None):
        super().__init__()
        self.base, self.email, self.totp_secret = base, email, totp_secret

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        return super().request(method, self.base + url if url.startswith("/") else url, **kwargs)

    def form(self, path, data):
        token = self.cookies.get("csrftoken")
        return self.post(path, data={"csrfmiddlewaretoken": token, **data})

    def sign_in(self):
        assert self.get("/accounts/login/").status_code == 200
        response = self.form("/accounts/login/", {"login": self.email, "password": PASSWORD})
        assert response.status_code == 302, response.text[-2000:]
        if response.headers["Location"] == "/accounts/2fa/authenticate/":
            left = 30 - time.time() % 30
            if left < 3:
                time.sleep(left + 0.1)
            response = self.form(
                "/accounts/2fa/authenticate/", {"code": pyotp.TOTP(self.totp_secret).now()}
            )
            assert response.status_code == 302, response.text[-2000:]
        return self
