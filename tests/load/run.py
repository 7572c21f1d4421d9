"""`make load`: the load scenario of tests/load/locustfile.py against the product as it runs in
production (gunicorn with DEBUG off, one Celery worker, PostgreSQL, Redis), on a database and a
Redis of its own, over plain HTTP on loopback.

    python -m tests.load.run --users 50 --seconds 60

1. Recreates the database (LOAD_DATABASE_URL, by default `collaborate_load` on the server
   DATABASE_URL names, else on postgres@127.0.0.1:5432), migrates it, generates data at a small
   scale (`generate_data`) and collects the static files into a directory of its own.
2. Makes one account per signed-in virtual user: officers of, and one manager for each of, the
   organisations in most initiatives; managers with an authenticator app, as their role needs.
3. Starts a Redis of its own, gunicorn (gunicorn.conf.py) and a Celery worker on spare ports,
   with SECURE_SSL_REDIRECT=false and SECURE_COOKIES=false: cookies travel over plain HTTP.
4. Runs locust headless: the users sign in as they start (the ramp-up, whose figures are printed
   apart), and the --seconds measured begin once the last has. Then prints requests per
   second, the error count (failed requests and exceptions in the scenario) and p50/p95/p99 per
   page, with each page's p95 ÷ the p95 of `account (baseline)` (/accounts/, the signed-in
   person's account and email settings page).
   Exits 1 when there was any error or a page's ratio is over --max-ratio (5); the sign-in
   steps are shown but not judged (password hashing is slow on purpose).
Every process it started is stopped, whatever happens."""

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

from tests.own_redis import OwnRedis, free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
BASELINE = "account (baseline)"
NOT_JUDGED = "sign in"  # the sign-in steps: reported, not held to the ratio
EMAIL_DOMAIN = "load.collaborate.local"
# Settings variables of the caller's environment that the servers must not inherit.
CLEARED = (
    "DATABASE_URL",
    "REDIS_URL",
    "DEBUG",
    "SECRET_KEY",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "EMAIL_BACKEND",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "CELERY_QUEUE",
    "PROMETHEUS_MULTIPROC_DIR",
    "SENTRY_DSN",
)


def say(started, message):
    print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)


def database_url_default():
    if explicit := os.environ.get("LOAD_DATABASE_URL"):
        return explicit
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        return urlunsplit(urlsplit(configured)._replace(path="/collaborate_load"))
    return "postgres://postgres@127.0.0.1:5432/collaborate_load"


def database_recreate(url):
    """Drop the load database (closing anyone's connections to it) and create it empty."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.endswith("_load"):
        # Never drop a database this command did not name for itself.
        raise SystemExit(f"The load database's name must end in _load, not {name!r}.")
    link = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    link.autocommit = True
    try:
        with link.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        link.close()


def manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def accounts_make(env, path, *, officers, managers):
    """One account per signed-in virtual user (in a fresh process, on the load database)."""
    manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        f"from tests.load.accounts import make; make({str(path)!r}, {officers}, {managers})",
    )


def wait_until_up(url, process, log, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} stopped before answering:\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - our loopback
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds}s:\n{tail(log)}")


def warm_up(host, workers):
    """A few requests for each gunicorn worker, so that none is measured on its first page
    (a server in service has answered many)."""
    for _ in range(3 * workers):
        for path in ("/accounts/login/", "/register/"):
            with urllib.request.urlopen(f"{host}{path}", timeout=30) as answer:  # noqa: S310
                answer.read()


def tail(path, lines=40):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def start(stack, command, env, log):
    """Start a process in a session of its own, stopped (the whole group) when `stack` closes."""
    out = open(log, "w")  # noqa: SIM115 - closed by the stack
    stack.callback(out.close)
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    stack.callback(stop, process)
    return process


def stop(process, grace=15):
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def outcome(database_url):
    """What the load accounts left in the database, and the dashboards' backlog."""
    link = psycopg2.connect(database_url)
    try:
        with link.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM initiatives_initiative i JOIN partners_user u"
                " ON u.id = i.created_by_id WHERE u.email LIKE %s",
                [f"%@{EMAIL_DOMAIN}"],
            )
            initiatives = cursor.fetchone()[0]
            cursor.execute(
                "SELECT c.status, count(*) FROM initiatives_savingsclaim c JOIN partners_user u"
                " ON u.id = c.created_by_id WHERE u.email LIKE %s GROUP BY 1 ORDER BY 1",
                [f"%@{EMAIL_DOMAIN}"],
            )
            claims = ", ".join(f"{n} {status}" for status, n in cursor.fetchall())
            cursor.execute(
                "SELECT count(*) FROM initiatives_savingsclaim c JOIN partners_user u"
                " ON u.id = c.reviewed_by_id WHERE u.email LIKE %s",
                [f"%@{EMAIL_DOMAIN}"],
            )
            decided = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM initiatives_progressdirty")
            dirty = cursor.fetchone()[0]
    finally:
        link.close()
    return (
        f"Database: {initiatives} initiatives created by the officers; their claims now "
        f"{claims or 'none'}; {decided} claims decided by the managers; {dirty} initiatives "
        "still marked for the worker to recompute."
    )


# --- figures ------------------------------------------------------------------------------------


def figures(prefix):
    """(rows of the stats by page, the aggregated row, exceptions raised in the scenario)."""
    with open(f"{prefix}_stats.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    pages = [row for row in rows if row["Name"] != "Aggregated"]
    total = next(row for row in rows if row["Name"] == "Aggregated")
    exceptions = []
    path = Path(f"{prefix}_exceptions.csv")
    if path.exists():
        with path.open(newline="") as file:
            exceptions = list(csv.DictReader(file))
    return pages, total, exceptions


def ramp_report(path):
    """Print the ramp-up's figures (every user signing in); return its problems."""
    if not path.exists():
        return ["the ramp-up did not finish: not every user signed in"]
    ramp = json.loads(path.read_text())
    print(f"Ramp-up: every user signed in, in {ramp['seconds']:.0f}s (not judged by ratio):")
    for page in sorted(ramp["pages"], key=lambda p: p["name"]):
        print(
            f"  {page['name']:<38} {page['method']:<6} {page['requests']:>8} "
            f"{page['failures']:>6} {page['p50']:>6.0f} {page['p95']:>6.0f} {page['p99']:>6.0f}"
        )
    errors = sum(e["count"] for e in ramp["errors"]) + sum(e["count"] for e in ramp["exceptions"])
    for error in ramp["errors"]:
        print(f"  failed ×{error['count']}: {error['name']}: {error['error'][:300]}")
    for error in ramp["exceptions"]:
        print(f"  exception ×{error['count']}: {error['message'][:300]}")
    return [f"{errors} errors while signing in"] if errors else []


def report(prefix, max_ratio):
    """Print the figures; return the problems (an empty list when the targets are met): any
    error, and unless `max_ratio` is None, a judged page's p95 ratio above it."""
    pages, total, exceptions = figures(prefix)
    by_name = {row["Name"]: row for row in pages}
    if BASELINE not in by_name:
        return [f"no requests to {BASELINE}"]
    baseline = float(by_name[BASELINE]["95%"])
    failures = sum(int(row["Failure Count"]) for row in pages)
    raised = sum(int(row["Count"]) for row in exceptions)
    problems = []
    print()
    print(f"Then {BASELINE} and every page under the whole load:")
    print(
        f"{'page':<40} {'method':<6} {'requests':>8} {'errors':>6} "
        f"{'p50':>6} {'p95':>6} {'p99':>6} {'p95 ratio':>9}"
    )
    # Pages only the ramp-up asked for (the sign-in steps) have no requests since.
    for row in sorted((r for r in pages if int(r["Request Count"])), key=lambda r: r["Name"]):
        p95 = float(row["95%"])
        ratio = p95 / baseline if baseline else float("inf")
        judged = not row["Name"].startswith(NOT_JUDGED)
        mark = "" if judged else "  (not judged)"
        if judged and max_ratio is not None and ratio > max_ratio:
            mark = "  OVER"
            problems.append(f"{row['Name']}: p95 ratio {ratio:.2f} > {max_ratio}")
        print(
            f"{row['Name']:<40} {row['Type']:<6} {row['Request Count']:>8} "
            f"{row['Failure Count']:>6} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6} "
            f"{ratio:>9.2f}{mark}"
        )
    print()
    print(
        f"Requests: {total['Request Count']}, {float(total['Requests/s']):.1f} per second; "
        f"p50 {total['50%']} ms, p95 {total['95%']} ms, p99 {total['99%']} ms (all pages)"
    )
    print(
        f"Errors: {failures + raised} ({failures} failed requests, {raised} exceptions in the "
        f"scenario). Baseline: {BASELINE} (GET /accounts/), p95 {baseline:.0f} ms."
    )
    for row in exceptions:
        print(f"  exception ×{row['Count']}: {row['Message']}")
    failures_file = Path(f"{prefix}_failures.csv")
    if failures and failures_file.exists():
        with failures_file.open(newline="") as file:
            for row in csv.DictReader(file):
                print(f"  failed ×{row['Occurrences']}: {row['Name']}: {row['Error'][:300]}")
    if failures + raised:
        problems.append(f"{failures + raised} errors")
    return problems


# --- the run ------------------------------------------------------------------------------------


def run(args):
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="collaborate-load-"))
    database_url = args.database_url
    redis = OwnRedis(work)
    web_port = free_port()
    host = f"http://127.0.0.1:{web_port}"
    managers = args.managers or max(1, round(args.users * 0.2))
    visitors = args.visitors if args.visitors is not None else round(args.users * 0.3)
    officers = args.users - managers - visitors
    if officers < 1:
        raise SystemExit("Too few users for an officer, a manager and the visitors asked for.")
    base = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env = {
        **base,
        "DJANGO_SETTINGS_MODULE": "collaborate.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    passed = False
    with ExitStack() as stack:
        say(started, f"Recreating {urlsplit(database_url).path.lstrip('/')} and migrating")
        database_recreate(database_url)
        manage(env, "migrate", "--no-input")
        say(started, f"Generating data at scale {args.scale}")
        manage(env, "generate_data", "--scale", str(args.scale), "--allow-known-passwords")
        manage(env, "collectstatic", "--no-input", "--verbosity", "0")
        accounts = work / "accounts.json"
        say(started, f"Accounts: {officers} officers, {managers} managers ({visitors} visitors)")
        accounts_make(env, accounts, officers=officers, managers=managers)

        redis.start()
        stack.callback(redis.stop)
        env["REDIS_URL"] = redis.url
        env["GUNICORN_BIND"] = f"127.0.0.1:{web_port}"
        env["GUNICORN_WORKERS"] = str(args.web_workers)
        web = start(
            stack,
            # No control socket: gunicorn's default path ($HOME/.gunicorn/gunicorn.ctl) is one
            # per user, and another gunicorn of the machine (a fault test's) may be using it.
            [
                str(BIN / "gunicorn"),
                "--config",
                "gunicorn.conf.py",
                "--no-control-socket",
                "collaborate.wsgi",
            ],
            env,
            work / "web.log",
        )
        start(
            stack,
            [
                str(BIN / "celery"),
                "--app=collaborate",
                "worker",
                "--loglevel=WARNING",
                f"--concurrency={args.worker_concurrency}",
                "--without-gossip",
                "--without-mingle",
            ],
            env,
            work / "worker.log",
        )
        wait_until_up(f"{host}/healthz", web, work / "web.log")
        warm_up(host, args.web_workers)
        say(
            started,
            f"gunicorn ({args.web_workers} workers) and a Celery worker are up on {host}; "
            f"locust: {args.users} users, {args.seconds}s",
        )
        set_up = time.monotonic() - started

        prefix = work / "locust"
        locust = subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                # A limit in case the ramp-up never ends: the locustfile ends the run itself
                # --seconds after the last user has signed in.
                "--run-time",
                f"{args.seconds + round(args.users / args.spawn_rate) + 120}s",
                "--stop-timeout",
                "10",
                "--host",
                host,
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={
                **base,
                "LOAD_ACCOUNTS": str(accounts),
                "LOAD_MANAGERS": str(managers),
                "LOAD_VISITORS": str(visitors),
                "LOAD_SIGNED_IN": str(officers + managers),
                "LOAD_SECONDS": str(args.seconds),
                "LOAD_RAMP_FILE": str(work / "ramp.json"),
            },
            capture_output=True,
            text=True,
            check=False,
        )
        if not Path(f"{prefix}_stats.csv").exists():
            print(locust.stdout, locust.stderr, sep="\n")
            raise RuntimeError("locust wrote no figures")
        problems = ramp_report(work / "ramp.json") + report(
            prefix, None if args.errors_only else args.max_ratio
        )
        if "Traceback" in locust.stderr:
            print(locust.stderr[-5000:])
        print(outcome(database_url))
        server_errors = [
            f"{name}'s log"
            for name in ("web", "worker")
            for line in tail(work / f"{name}.log", 100_000).splitlines()
            if "Traceback" in line
        ]
        if server_errors:
            problems.append(f"tracebacks: {len(server_errors)} in " + ", ".join(set(server_errors)))
        say(started, f"Set-up took {set_up:.0f}s; stopping the servers")
        if problems:
            print("Targets missed: " + "; ".join(problems))
            print(f"Logs and figures kept in {work}")
        else:
            judged = "" if args.errors_only else f", every p95 ratio ≤ {args.max_ratio}"
            print(f"Targets met: 0 errors{judged}.")
            passed = True
    if passed and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return passed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOAD_USERS") or 50))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("LOAD_SECONDS") or 60))
    # Users started a second: each signs in first, and a password check takes half a second
    # of CPU on purpose, so that 2 a second keep about one core busy while they do.
    parser.add_argument("--spawn-rate", type=float, default=2)
    parser.add_argument("--managers", type=int, help="default: a fifth of the users")
    parser.add_argument("--visitors", type=int, help="default: three tenths of the users")
    parser.add_argument("--database-url", default=database_url_default())
    parser.add_argument("--scale", type=float, default=0.01, help="of generate_data")
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--worker-concurrency", type=int, default=1)
    parser.add_argument("--max-ratio", type=float, default=5)
    parser.add_argument(
        "--errors-only",
        action="store_true",
        help="judge the errors only, not the ratios (a smoke run: too few requests a page for "
        "a p95, and each gunicorn worker's first queued task opens its broker connection)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the logs and figures")
    args = parser.parse_args()
    # Stopped by a signal (make interrupted, CI's timeout), unwind: every server is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        passed = run(args)
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 130
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
