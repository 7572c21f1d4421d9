"""How close Collaborate runs to its floors, at national scale (DESIGN.md §7, last point).

Every figure is the median of repeated measurements after a warm-up, and is a ratio of two
measurements made in the same run, so that a noisy machine cancels out. Figures that need the
tenth scale or a fresh process (memory) are measured in a child process on a database of
their own."""

import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import psycopg2
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives.claims import services as claim_services
from initiatives.models import (
    Initiative,
    InitiativeProgress,
    ProgressDirty,
    ProgressFact,
    SavingsClaim,
)
from initiatives.progress import services as progress
from partners.models import Membership, Organisation, User

NATIONAL_INITIATIVES = 20_000
BENCH_EMAIL = "bench-{role}@bench.collaborate.local"
TARGETS = {
    "dashboard_ratio": ("≤", 2),
    "all_organisations_dashboard_ratio": ("≤", 2),
    "list_ratio": ("≤", 1),
    "recompute_ratio": ("≤", 2),
    "incremental_growth": ("≤", 1.5),
    "memory_ratio": ("≤", 1.2),
}


def paired(first, second, repeat, warmup):
    """Time `first` and `second` alternately, so that whatever the machine is doing meanwhile
    weighs on both alike: (median seconds of each, median of the pairs' ratios)."""
    for _ in range(warmup):
        first()
        second()
    ones, twos = [], []
    for _ in range(repeat):
        for function, samples in ((first, ones), (second, twos)):
            started = time.perf_counter()
            function()
            samples.append(time.perf_counter() - started)
    ratio = statistics.median(one / two for one, two in zip(ones, twos, strict=True))
    return statistics.median(ones), statistics.median(twos), ratio


def median_seconds(function, repeat, warmup):
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


# --- databases ----------------------------------------------------------------------------------


def database_ensure(name):
    """Create the PostgreSQL database if it does not exist (connecting to the server's
    maintenance database with the configured credentials)."""
    config = settings.DATABASES["default"]
    params = {
        "dbname": "postgres",
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
    }
    link = psycopg2.connect(**{k: v for k, v in params.items() if v})
    link.autocommit = True
    try:
        with link.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        link.close()


def database_use(name):
    """Point this process's default connection at another database."""
    connections.close_all()
    settings.DATABASES["default"]["NAME"] = name
    connections["default"].settings_dict["NAME"] = name


def data_ensure(scale, seed, say):
    """Reuse the benchmark database when it already holds this scale, else generate it."""
    call_command("migrate", verbosity=0)
    wanted = round(NATIONAL_INITIATIVES * scale)
    have = Initiative.objects.count()
    if have and abs(have - wanted) <= max(2, wanted // 100) and InitiativeProgress.objects.exists():
        say(f"Reusing {have:,} initiatives already generated at this scale")
    else:
        say(f"Generating data at scale {scale} (about {wanted:,} initiatives)")
        call_command("generate_data", scale=scale, seed=seed, reset=bool(have), verbosity=0)
    # Measure the tables as autovacuum would leave them, whether or not the server runs it
    # (earlier runs leave dead rows behind, and a server for benchmarks may have it off).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


# --- people and subjects ------------------------------------------------------------------------


def bench_user(role, organisation=None):
    user, _ = User.objects.get_or_create(
        email=BENCH_EMAIL.format(role=role),
        defaults={
            "full_name": f"Benchmark {role}",
            "is_staff": role == "admin",
            "is_superuser": role == "admin",
        },
    )
    if organisation is not None:
        Membership.objects.update_or_create(
            user=user, organisation=organisation, defaults={"role": "manager"}
        )
    return user


def large_council():
    """The council in the most initiatives."""
    return (
        Organisation.objects.filter(sector="public", active=True)
        .annotate(n=Count("partnerships", filter=Q(partnerships__removed_on__isnull=True)))
        .order_by("-n", "pk")
        .first()
    )


def typical_initiative():
    """An initiative with a middling number of partners, targets and claims."""
    return (
        Initiative.objects.annotate(
            partners=Count("partnerships", distinct=True), n=Count("claims", distinct=True)
        )
        .filter(partners__gte=2, n__gte=5)
        .order_by("pk")
        .first()
        or Initiative.objects.order_by("pk").first()
    )


def requests_in_process():
    """Pages are requested in this process through Django's test client, over HTTPS as behind
    the production proxy, from the client's host name."""
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Decisions made while measuring freshness send emails: keep them in memory.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def client_for(user):

    client = Client()
    client.force_login(user)
    return client


def get(client, path):
    response = client.get(path, secure=True)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}")
    return response


def queries_of(client, path):
    with CaptureQueriesContext(connection) as captured:
        get(client, path)
    return len(captured)


# --- the recompute floor ------------------------------------------------------------------------

FLOOR_SQL = [
    "DROP TABLE IF EXISTS bench_initiative, bench_fact",
    # Per initiative, straight from the source tables.
    """
    CREATE TABLE bench_initiative AS
    SELECT i.id AS initiative_id,
           COALESCE(t.target, 0) AS target, COALESCE(c.claimed, 0) AS claimed,
           COALESCE(c.verified_cash, 0) AS verified_cash, COALESCE(c.verified_non_cash, 0) AS verified_non_cash
    FROM initiatives_initiative i
    LEFT JOIN (SELECT initiative_id, SUM(amount) AS target FROM initiatives_savingstarget GROUP BY initiative_id) t
           ON t.initiative_id = i.id
    LEFT JOIN (
        SELECT initiative_id,
               SUM(net_amount) FILTER (WHERE status IN ('submitted', 'verified')) AS claimed,
               SUM(net_amount) FILTER (WHERE status = 'verified' AND kind = 'cash_releasing') AS verified_cash,
               SUM(net_amount) FILTER (WHERE status = 'verified' AND kind <> 'cash_releasing') AS verified_non_cash
        FROM initiatives_savingsclaim GROUP BY initiative_id
    ) c ON c.initiative_id = i.id
    """,
    # Organisation × year × model × area: each initiative's part to the penny, then summed.
    """
    CREATE TABLE bench_fact AS
    WITH part AS (
        SELECT p.initiative_id, p.organisation_id, t.financial_year, ROUND(SUM(t.amount * p.savings_share / 100), 2) AS target,
               0::numeric AS claimed, 0::numeric AS verified_cash, 0::numeric AS verified_non_cash
        FROM initiatives_partnership p JOIN initiatives_savingstarget t ON t.initiative_id = p.initiative_id
        WHERE p.removed_on IS NULL GROUP BY 1, 2, 3
        UNION ALL
        SELECT p.initiative_id, p.organisation_id, c.financial_year, 0, ROUND(SUM(c.net_amount * p.savings_share / 100), 2), 0, 0
        FROM initiatives_partnership p JOIN initiatives_savingsclaim c ON c.initiative_id = p.initiative_id
        WHERE p.removed_on IS NULL AND c.status IN ('submitted', 'verified') GROUP BY 1, 2, 3
        UNION ALL
        SELECT c.initiative_id, a.organisation_id, c.financial_year, 0, 0,
               SUM(a.amount) FILTER (WHERE c.kind = 'cash_releasing'), SUM(a.amount) FILTER (WHERE c.kind <> 'cash_releasing')
        FROM initiatives_claimattribution a JOIN initiatives_savingsclaim c ON c.id = a.claim_id
        WHERE c.status = 'verified' GROUP BY 1, 2, 3
    ), per_initiative AS (
        SELECT initiative_id, organisation_id, financial_year, SUM(target) AS target, SUM(claimed) AS claimed,
               COALESCE(SUM(verified_cash), 0) AS verified_cash, COALESCE(SUM(verified_non_cash), 0) AS verified_non_cash
        FROM part GROUP BY 1, 2, 3
    )
    SELECT x.organisation_id, x.financial_year, i.collaboration_model, i.service_area,
           SUM(x.target) AS target, SUM(x.claimed) AS claimed,
           SUM(x.verified_cash) AS verified_cash, SUM(x.verified_non_cash) AS verified_non_cash
    FROM per_initiative x JOIN initiatives_initiative i ON i.id = x.initiative_id
    GROUP BY 1, 2, 3, 4
    """,
]

CHECK_SQL = {
    "initiatives_differing": """
        SELECT COUNT(*) FROM (
            (SELECT initiative_id, target, claimed, verified_cash, verified_non_cash FROM bench_initiative
             EXCEPT SELECT initiative_id, target, claimed, verified_cash, verified_non_cash FROM initiatives_initiativeprogress)
            UNION ALL
            (SELECT initiative_id, target, claimed, verified_cash, verified_non_cash FROM initiatives_initiativeprogress
             EXCEPT SELECT initiative_id, target, claimed, verified_cash, verified_non_cash FROM bench_initiative)
        ) d""",
    "facts_differing": """
        SELECT COUNT(*) FROM (
            (SELECT organisation_id, financial_year, collaboration_model, service_area, target, claimed, verified_cash, verified_non_cash
             FROM bench_fact
             EXCEPT SELECT organisation_id, financial_year, collaboration_model, service_area, target, claimed, verified_cash, verified_non_cash
             FROM initiatives_progressfact WHERE organisation_id IS NOT NULL)
            UNION ALL
            (SELECT organisation_id, financial_year, collaboration_model, service_area, target, claimed, verified_cash, verified_non_cash
             FROM initiatives_progressfact WHERE organisation_id IS NOT NULL
             EXCEPT SELECT organisation_id, financial_year, collaboration_model, service_area, target, claimed, verified_cash, verified_non_cash
             FROM bench_fact)
        ) d""",
    "all_organisation_totals_differing": """
        SELECT COUNT(*) FROM (
            (SELECT financial_year, collaboration_model, service_area, SUM(target), SUM(claimed), SUM(verified_cash), SUM(verified_non_cash)
             FROM initiatives_initiativeyear GROUP BY 1, 2, 3
             EXCEPT SELECT financial_year, collaboration_model, service_area, target, claimed, verified_cash, verified_non_cash
             FROM initiatives_progressfact WHERE organisation_id IS NULL)
        ) d""",
}


def floor_recompute():
    with connection.cursor() as cursor:
        for statement in FLOOR_SQL:
            cursor.execute(statement)


def reconcile_from_empty():
    """A full recompute with nothing computed yet (a new database, or after a restore): every
    row is written. Emptying the tables first is not measured."""
    tables = [progress.T[name] for name in ("year", "share", "progress", "fact")]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)}")
    started = time.perf_counter()
    progress.progress_reconcile()
    return time.perf_counter() - started


def totals_check():
    with connection.cursor() as cursor:
        counts = {}
        for name, sql in CHECK_SQL.items():
            cursor.execute(sql)
            counts[name] = cursor.fetchone()[0]
        cursor.execute("DROP TABLE IF EXISTS bench_initiative, bench_fact")
    counts["passed"] = all(v == 0 for v in counts.values())
    return counts


# --- the worker, for freshness ------------------------------------------------------------------


@contextmanager
def worker():
    from celery.contrib.testing.worker import start_worker

    from collaborate.celery import app

    app.control.purge()
    with start_worker(
        app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=60
    ):
        yield


def claim_to_verify(organisation, manager):
    """A submitted claim on an initiative the organisation leads, which the manager may decide.
    Each measurement verifies one: when the generated ones run out (a small database reused run
    after run), another is drafted and submitted through the services with the figures of an
    earlier claim in a year still open."""
    waiting = (
        SavingsClaim.objects.filter(
            status="submitted", initiative__lead=organisation, corrects__isnull=True
        )
        .exclude(service_quality="fell")
        .exclude(submitted_by=manager)
        .order_by("pk")
        .first()
    )
    if waiting is not None:
        return waiting
    model = (
        SavingsClaim.objects.filter(
            initiative__lead=organisation, claimant=organisation, corrects__isnull=True
        )
        .exclude(service_quality="fell")
        .exclude(financial_year__in=claim_services.locked_years())
        .order_by("-pk")
        .first()
    )
    if model is None:
        return None
    claimant = bench_user("claimant", organisation)
    claim = claim_services.claim_create(
        actor=claimant,
        initiative=model.initiative,
        claimant=organisation,
        **{field: getattr(model, field) for field in claim_services.CLAIM_FIELDS},
    )
    claim_services.claim_submit(actor=claimant, claim=claim)
    return claim


def freshness_once(manager_client, manager, organisation):
    """Seconds from verifying a claim to the dashboard showing it."""
    claim = claim_to_verify(organisation, manager)
    if claim is None:
        return None
    path = reverse("dashboard:show") + f"?org={organisation.pk}"
    before = ProgressFact.objects.filter(organisation_id=organisation.pk).values_list(
        "computed_at", flat=True
    )
    before = max(before, default=None)
    started = time.perf_counter()
    claim_services.claim_decide(actor=manager, claim=claim, decision="verify")
    pause = threading.Event()
    while time.perf_counter() - started < 120:
        page = get(manager_client, path).content.decode()
        if (
            "Recalculating" not in page
            and not ProgressDirty.objects.filter(initiative_id=claim.initiative_id).exists()
        ):
            latest = max(
                ProgressFact.objects.filter(organisation_id=organisation.pk).values_list(
                    "computed_at", flat=True
                ),
                default=None,
            )
            if latest != before:
                return time.perf_counter() - started
        pause.wait(0.02)
    return None


# --- the measurements ---------------------------------------------------------------------------


def busiest_area():
    """The service area with the most live initiatives."""
    return (
        Initiative.objects.filter(status="live")
        .values("service_area")
        .annotate(n=Count("pk"))
        .order_by("-n", "service_area")[0]["service_area"]
    )


def busiest_reviewer_organisation():
    """The organisation leading the initiatives with the most claims awaiting a decision."""
    return (
        Organisation.objects.annotate(
            waiting=Count(
                "led_initiatives__claims", filter=Q(led_initiatives__claims__status="submitted")
            )
        )
        .order_by("-waiting", "pk")
        .first()
    )


def scale_figures(repeat, warmup):
    """What is compared between the two scales: one initiative's incremental recompute, and
    queries per page (each page showing results at both scales, so that the counts compare
    the same work)."""
    council = large_council()
    manager = bench_user("manager", council)
    reviewer = bench_user("reviewer", busiest_reviewer_organisation())
    admin = bench_user("admin")
    subject = typical_initiative()
    incremental = median_seconds(
        lambda: progress.progress_recompute_initiative(initiative_id=subject.pk), repeat, warmup
    )
    manager_client, admin_client = client_for(manager), client_for(admin)
    published = (
        Initiative.objects.filter(visibility="public", published_at__isnull=False)
        .order_by("pk")
        .first()
    )
    pages = {
        "dashboard": (manager_client, reverse("dashboard:show") + f"?org={council.pk}"),
        "dashboard_all": (admin_client, reverse("dashboard:show") + "?org=all"),
        "initiatives_list": (
            admin_client,
            reverse("initiatives:list") + f"?status=live&area={busiest_area()}",
        ),
        "partners_list": (manager_client, reverse("partners:list") + "?q=council"),
        "claims_review": (client_for(reviewer), reverse("claims:review")),
        "register": (Client(), reverse("register:list")),
    }
    if published:
        pages["register_detail"] = (
            Client(),
            reverse("register:detail", args=[published.reference]),
        )
    for client, path in pages.values():
        get(client, path)  # warm the session and caches
    return {
        "incremental_seconds": incremental,
        "queries": {name: queries_of(client, path) for name, (client, path) in pages.items()},
        "initiatives": Initiative.objects.count(),
        "claims": SavingsClaim.objects.count(),
        "organisations": Organisation.objects.count(),
    }


def peak_memory_kb():
    """This process's peak resident memory. On Linux, ru_maxrss carries over across fork and
    exec the resident size of the parent that started us (here, the benchmark, which may have
    just generated a national dataset), so the peak of our own address space (VmHWM) is read
    instead; elsewhere ru_maxrss is all there is."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def memory_of_reconcile():
    progress.progress_reconcile()
    return peak_memory_kb()


def national_figures(repeat, warmup, say):
    council = large_council()
    manager = bench_user("manager", council)
    admin = bench_user("admin")
    manager_client, admin_client = client_for(manager), client_for(admin)
    trivial = reverse("accessibility")
    area = busiest_area()
    figures = {"subjects": {"council": council.name, "area": area}}

    say("Dashboard against a trivial page")
    dashboard = reverse("dashboard:show") + f"?org={council.pk}"
    (
        figures["dashboard_seconds"],
        figures["trivial_seconds"],
        figures["dashboard_ratio"],
    ) = paired(
        lambda: get(manager_client, dashboard),
        lambda: get(manager_client, trivial),
        repeat,
        warmup,
    )
    everything = reverse("dashboard:show") + "?org=all"
    (
        figures["all_organisations_dashboard_seconds"],
        figures["admin_trivial_seconds"],
        figures["all_organisations_dashboard_ratio"],
    ) = paired(
        lambda: get(admin_client, everything), lambda: get(admin_client, trivial), repeat, warmup
    )

    say("Initiatives list against Django admin's changelist")
    ours = reverse("initiatives:list") + f"?status=live&area={area}"
    theirs = (
        reverse("admin:initiatives_initiative_changelist")
        + f"?status__exact=live&service_area__exact={area}"
    )
    (
        figures["list_seconds"],
        figures["admin_changelist_seconds"],
        figures["list_ratio"],
    ) = paired(lambda: get(admin_client, ours), lambda: get(admin_client, theirs), repeat, warmup)

    say("Full recompute against hand-written INSERT ... SELECT")
    recompute_repeat = max(3, repeat // 6)
    (
        figures["recompute_seconds"],
        figures["floor_seconds"],
        figures["recompute_ratio"],
    ) = paired(progress.progress_reconcile, floor_recompute, recompute_repeat, 1)
    figures["totals_check"] = totals_check()
    say("Full recompute from empty tables (reported, no target)")
    figures["recompute_from_empty_seconds"] = statistics.median(
        reconcile_from_empty() for _ in range(recompute_repeat)
    )
    figures["recompute_from_empty_ratio"] = (
        figures["recompute_from_empty_seconds"] / figures["floor_seconds"]
    )
    floor_recompute()
    figures["totals_check_from_empty"] = totals_check()

    if settings.REDIS_URL:
        say("Freshness through a real worker and Redis")
        with worker():
            samples = [freshness_once(manager_client, manager, council) for _ in range(3)]
        samples = [s for s in samples if s is not None]
        figures["freshness_seconds"] = statistics.median(samples) if samples else None
    else:
        figures["freshness_seconds"] = None
        figures["freshness_note"] = "not measured: no REDIS_URL, Celery runs tasks in-process"
    progress.progress_reconcile()  # leave the figures whole after the freshness claims
    return figures


def child(role, database, scale, seed, repeat, warmup):
    """Run `bench --role` in a fresh process on another database; return its JSON."""
    command = [
        sys.executable,
        "manage.py",
        "bench",
        "--role",
        role,
        "--db-name",
        database,
        "--scale",
        str(scale),
        "--seed",
        str(seed),
        "--repeat",
        str(repeat),
        "--warmup",
        str(warmup),
    ]
    result = subprocess.run(
        command,
        cwd=Path(settings.BASE_DIR),
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"bench --role {role} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def verdicts(figures):
    """Which targets are met."""
    met = {}
    for name, (_, limit) in TARGETS.items():
        value = figures.get(name)
        met[name] = value is not None and value <= limit
    return met


def as_json(value):
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value))
