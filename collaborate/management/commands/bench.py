"""manage.py bench: measure Collaborate against its floors at national scale (see README)."""

import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from collaborate.scale import benchmark


class Command(BaseCommand):
    # It works on databases of its own, which it creates; the configured one may not exist.
    requires_system_checks = []
    help = (
        "Build or reuse a national-scale PostgreSQL database with generate_data (and one at a "
        "tenth of the scale), measure each figure as the median of repeated runs after a "
        "warm-up, print a table and write JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 is national (default)")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--repeat",
            type=int,
            default=31,
            help="measurements per figure (full recomputes: a sixth of it, at least 3)",
        )
        parser.add_argument("--warmup", type=int, default=3, help="unmeasured runs first")
        parser.add_argument("--output", default="bench-results/bench.json")
        # Used by the benchmark itself to measure in a fresh process on another database.
        parser.add_argument("--role", choices=["prepare", "scale", "memory"], help="internal")
        parser.add_argument("--db-name", help="internal")

    def handle(self, *args, scale, seed, repeat, warmup, output, role, db_name, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
        benchmark.requests_in_process()

        if role:
            self.stdout.write(json.dumps(self.measure(role, db_name, scale, seed, repeat, warmup)))
            return
        started = time.monotonic()
        # Pages are served as in production, from the manifest collectstatic writes.
        call_command("collectstatic", interactive=False, verbosity=0)

        def say(message):
            self.stderr.write(f"[{time.monotonic() - started:7.1f}s] {message}")

        base = settings.DATABASES["default"]["NAME"]
        national, tenth = f"{base}_bench", f"{base}_bench_tenth"
        for name in (national, tenth):
            benchmark.database_ensure(name)
        say(f"Preparing {tenth} at scale {scale / 10}")
        benchmark.child("prepare", tenth, scale / 10, seed, repeat, warmup)
        say(f"Preparing {national} at scale {scale}")
        benchmark.database_use(national)
        benchmark.data_ensure(scale, seed, say)

        figures = benchmark.national_figures(repeat, warmup, say)
        say("Incremental recompute and queries per page, at both scales")
        at_national = benchmark.scale_figures(repeat, warmup)
        at_tenth = benchmark.child("scale", tenth, scale / 10, seed, repeat, warmup)
        say("Peak memory of a full recompute, each in a fresh process")
        memory_national = benchmark.child("memory", national, scale, seed, repeat, warmup)[
            "maxrss_kb"
        ]
        memory_tenth = benchmark.child("memory", tenth, scale / 10, seed, repeat, warmup)[
            "maxrss_kb"
        ]
        figures.update(
            {
                "scale": scale,
                "data": {"national": at_national, "tenth": at_tenth},
                "incremental_seconds": at_national["incremental_seconds"],
                "incremental_tenth_seconds": at_tenth["incremental_seconds"],
                "incremental_growth": at_national["incremental_seconds"]
                / at_tenth["incremental_seconds"],
                "queries": {"national": at_national["queries"], "tenth": at_tenth["queries"]},
                "queries_equal": at_national["queries"] == at_tenth["queries"],
                "memory_kb": {"national": memory_national, "tenth": memory_tenth},
                "memory_ratio": memory_national / memory_tenth,
                "repeat": repeat,
                "warmup": warmup,
                "seconds": round(time.monotonic() - started, 1),
            }
        )
        figures["targets_met"] = benchmark.verdicts(figures)
        self.report(figures)
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(figures, indent=2, default=benchmark.as_json))
        self.stdout.write(f"Written to {path}")

    def measure(self, role, db_name, scale, seed, repeat, warmup):
        benchmark.database_use(db_name)
        if role == "prepare":
            benchmark.data_ensure(scale, seed, lambda message: None)
            return {}
        if role == "scale":
            return benchmark.scale_figures(repeat, warmup)
        return {"maxrss_kb": benchmark.memory_of_reconcile()}

    def report(self, figures):
        rows = [
            ("dashboard ratio", figures["dashboard_ratio"], "≤ 2"),
            (
                "all-organisations dashboard ratio",
                figures["all_organisations_dashboard_ratio"],
                "≤ 2",
            ),
            ("list ratio", figures["list_ratio"], "≤ 1"),
            ("recompute ratio", figures["recompute_ratio"], "≤ 2"),
            ("  from empty tables", figures["recompute_from_empty_ratio"], "report"),
            ("incremental growth", figures["incremental_growth"], "≤ 1.5"),
            ("freshness (seconds)", figures["freshness_seconds"], "report"),
            ("queries equal at both scales", figures["queries_equal"], "equal"),
            ("memory ratio (national ÷ tenth)", figures["memory_ratio"], "≤ 1.2"),
            ("totals check passed", figures["totals_check"]["passed"], "passed"),
        ]
        self.stdout.write(f"\n{'figure':<36} {'value':>12}  target")
        for name, value, target in rows:
            shown = f"{value:.3f}" if isinstance(value, float) else str(value)
            self.stdout.write(f"{name:<36} {shown:>12}  {target}")
        self.stdout.write("")
