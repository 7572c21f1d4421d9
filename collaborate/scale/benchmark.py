"""How close Collaborate runs to its floors, at national scale (DESIGN.md §7, last point).

Every figure is the median of repeated measurements after a warm-up, and is a ratio of two
measurements made in the same run, so that a noisy machine cancels out. Figures that need the
tenth scale or a fresh process (memory) are measured in a child process on a database of
their own."""

import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import psycopg2
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

from collaborate.scale import api, imports, insights, measures, opendata, pages, partnering, sizes
from collaborate.scale.common import NATIONAL_INITIATIVES
from initiatives.models import Initiative, InitiativeProgress

# The targets of ten times national scale (issue 21), which hold at national scale too.
TARGETS = {
    "dashboard_ratio": ("≤", 1.5),
    "all_organisations_dashboard_ratio": ("≤", 1.5),
    "list_ratio": ("≤", 0.8),
    "api_list_ratio": ("≤", 1),
    "insights_ratio": ("≤", 2),
    "find_partners_ratio": ("≤", 2),
    **dict.fromkeys(pages.FLOOR_RATIOS, ("≤", 2)),
    "recompute_ratio": ("≤", 1.5),
    "recompute_from_empty_ratio": ("≤", 2),
    "incremental_growth": ("≤", 1.1),
    "freshness_ratio": ("≤", 2),
    "memory_ratio": ("≤", 1.05),
    "import_ratio": ("≤", 1.3),
    "check_memory_ratio": ("≤", 1.3),
    "round_trip_changes": ("≤", 0),
    "download_memory_ratio": ("≤", 1.05),
    "register_csv_memory_ratio": ("≤", 1.05),
}
# What the import figures are measured on: issue 16 asks for 10,000 initiatives and 50,000 rows,
# which a benchmark at a tenth of national scale or more uses; CI's small scale uses less.
IMPORT_INITIATIVES, IMPORT_ROWS, DOWNLOAD_ROWS = 10_000, 50_000, 200_000


def import_sizes(scale):
    """(initiatives imported, rows checked for memory, rows downloaded for memory)."""
    if scale >= 0.1:
        return IMPORT_INITIATIVES, IMPORT_ROWS, DOWNLOAD_ROWS
    # CI's run, which only checks that the figures come out: an import of 200 initiatives
    # through every service takes half a minute a side here (1,000 took two and a half),
    # checking 2,000 rows seconds (20,000 took minutes), and writing 20,000 rows under
    # tracemalloc under a minute (200,000 took seven).
    return IMPORT_INITIATIVES // 50, IMPORT_ROWS // 25, DOWNLOAD_ROWS // 10


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
        # Its own databases, beside the configured one: the known password is the benchmark's.
        call_command(
            "generate_data",
            scale=scale,
            seed=seed,
            reset=bool(have),
            allow_known_passwords=True,
            verbosity=0,
        )
    # Measure the tables as autovacuum would leave them, whether or not the server runs it
    # (earlier runs leave dead rows behind, and a server for benchmarks may have it off).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


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
    """Which targets are met, of the figures measured (a run of some groups has only theirs)."""
    measured = set(figures.get("groups", GROUPS))
    met = {}
    for name, (_, limit) in TARGETS.items():
        value = figures.get(name)
        if value is None and measured != set(GROUPS):
            continue
        met[name] = value is not None and value <= limit
    return met


def as_json(value):
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value))


# --- the run ------------------------------------------------------------------------------------


# The groups of figures `bench --only` may choose among; all by default.
GROUPS = ("pages", "recompute", "scale", "memory", "imports")


def run(*, scale, seed, repeat, warmup, say, groups=GROUPS):
    """Prepare the two databases beside the configured one (`<name>_bench` at `scale`,
    `<name>_bench_tenth` at a tenth of it), measure the figures of `groups` and judge each
    against its target: returns the figures."""
    started = time.monotonic()
    # Pages are served as in production, from the manifest collectstatic writes.
    call_command("collectstatic", interactive=False, verbosity=0)
    base = settings.DATABASES["default"]["NAME"]
    national, tenth = f"{base}_bench", f"{base}_bench_tenth"
    for name in (national, tenth):
        database_ensure(name)
    say(f"Preparing {tenth} at scale {scale / 10}")
    child("prepare", tenth, scale / 10, seed, repeat, warmup)
    say(f"Preparing {national} at scale {scale}")
    database_use(national)
    data_ensure(scale, seed, say)

    figures = {"scale": scale, "repeat": repeat, "warmup": warmup, "groups": list(groups)}
    if "pages" in groups:
        figures.update(measures.page_figures(repeat, warmup, say))
        figures.update(api.api_figures(repeat, warmup, say))
        figures.update(insights.insights_figures(repeat, warmup, say))
        figures.update(partnering.partnering_figures(repeat, warmup, say))
        figures.update(pages.floor_figures(repeat, warmup, say))
    if "recompute" in groups:
        figures.update(measures.recompute_figures(repeat, warmup, say))
    if "scale" in groups:
        say("Incremental recompute and queries per page, at both scales")
        figures.update(
            _between_scales(
                scale_figures(repeat, warmup),
                child("scale", tenth, scale / 10, seed, repeat, warmup),
            )
        )
        if figures.get("freshness_seconds") is not None:
            # Verified to shown through a real worker, against the recompute the worker runs.
            figures["freshness_ratio"] = (
                figures["freshness_seconds"] / figures["incremental_seconds"]
            )
    if "memory" in groups:
        say("Peak memory of a full recompute, each in a fresh process")
        memory_national = child("memory", national, scale, seed, repeat, warmup)["maxrss_kb"]
        memory_tenth = child("memory", tenth, scale / 10, seed, repeat, warmup)["maxrss_kb"]
        figures["memory_kb"] = {"national": memory_national, "tenth": memory_tenth}
        figures["memory_ratio"] = memory_national / memory_tenth
    if "imports" in groups:
        figures.update(import_figures(scale, repeat, say))
        figures.update(opendata.register_csv_memory_figures(say=say))
    figures["seconds"] = round(time.monotonic() - started, 1)
    figures["targets_met"] = verdicts(figures)
    return figures


def _between_scales(at_national, at_tenth):
    """What compares the two scales: incremental recompute, queries per page, sizes."""
    sized = {"national": at_national.pop("sizes"), "tenth": at_tenth.pop("sizes")}
    return {
        "data": {"national": at_national, "tenth": at_tenth},
        "incremental_seconds": at_national["incremental_seconds"],
        "incremental_tenth_seconds": at_tenth["incremental_seconds"],
        "incremental_growth": at_national["incremental_seconds"] / at_tenth["incremental_seconds"],
        "queries": {"national": at_national["queries"], "tenth": at_tenth["queries"]},
        "queries_equal": at_national["queries"] == at_tenth["queries"],
        "sizes": sized,
    }


def import_figures(scale, repeat, say):
    """Spreadsheets in and out: an import against the services it calls, the memory of checking
    and of downloading at ten times the rows, and a round trip of the initiatives download."""
    council = measures.large_council()
    user = measures.bench_user("manager", council)
    initiatives, rows, download_rows = import_sizes(scale)
    say("Spreadsheet imports and downloads")
    figures = imports.import_figures(
        user, council, initiatives=initiatives, repeat=min(repeat, 3), say=say
    )
    figures.update(imports.check_memory_figures(user, council, rows=rows, say=say))
    figures.update(imports.download_memory_figures(rows=download_rows, say=say))
    figures.update(imports.round_trip_figures(measures.bench_user("admin"), council, say=say))
    return figures


def measure(role, db_name, scale, seed, repeat, warmup):
    """What a child process measures (`bench --role`) on the database it is given."""
    database_use(db_name)
    if role == "prepare":
        data_ensure(scale, seed, lambda message: None)
        return {}
    if role == "scale":
        return scale_figures(repeat, warmup)
    return {"maxrss_kb": measures.memory_of_reconcile()}


def scale_figures(repeat, warmup):
    """What is compared between the scales, with the query counts of the API, the insights,
    the health section and finding partners."""
    figures = api.with_api_queries(measures.scale_figures(repeat, warmup))
    figures = pages.with_page_queries(insights.with_insights_queries(figures))
    figures = partnering.with_partnering_queries(figures)
    figures["sizes"] = sizes.database_sizes()
    return figures


def report(figures):
    """The figures measured as a table of lines, each beside its target."""
    rows = [
        ("dashboard ratio", "dashboard_ratio", "≤ 1.5"),
        ("all-organisations dashboard ratio", "all_organisations_dashboard_ratio", "≤ 1.5"),
        ("list ratio", "list_ratio", "≤ 0.8"),
        ("API list ÷ HTML list", "api_list_ratio", "≤ 1"),
        ("insights ÷ a trivial page", "insights_ratio", "≤ 2"),
        ("finding partners ÷ a trivial page", "find_partners_ratio", "≤ 2"),
        *((f"{name[:-6]} ÷ a trivial page", name, "≤ 2") for name in pages.FLOOR_RATIOS),
        ("recompute ratio", "recompute_ratio", "≤ 1.5"),
        ("  from empty tables", "recompute_from_empty_ratio", "≤ 2"),
        ("incremental growth", "incremental_growth", "≤ 1.1"),
        ("freshness (seconds)", "freshness_seconds", "report"),
        ("freshness ÷ incremental recompute", "freshness_ratio", "≤ 2"),
        ("queries equal at both scales", "queries_equal", "equal"),
        ("memory ratio (national ÷ tenth)", "memory_ratio", "≤ 1.05"),
        ("totals check passed", "totals_check", "passed"),
        ("import ÷ services ({import_initiatives:,} initiatives)", "import_ratio", "≤ 1.3"),
        ("  checking ÷ services", "import_check_ratio", "report"),
        ("checking memory ({check_memory_rows:,} ÷ a tenth)", "check_memory_ratio", "≤ 1.3"),
        (
            "download memory ({download_memory_rows:,} ÷ a tenth)",
            "download_memory_ratio",
            "≤ 1.05",
        ),
        ("round trip changes", "round_trip_changes", "0"),
        (
            "register CSV memory ({register_csv_rows:,} ÷ a tenth)",
            "register_csv_memory_ratio",
            "≤ 1.05",
        ),
    ]
    lines = [f"\n{'figure':<44} {'value':>12}  target"]
    for label, name, target in rows:
        if name not in figures:
            continue
        value = figures[name]
        if name == "totals_check":
            value = value["passed"]
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        lines.append(f"{label.format(**figures):<44} {shown:>12}  {target}")
    lines.append("")
    return lines
