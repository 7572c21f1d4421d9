"""manage.py bench: measure Collaborate against its floors at national scale (see README)."""

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from collaborate.scale import benchmark, measures


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
        parser.add_argument(
            "--only",
            nargs="+",
            choices=benchmark.GROUPS,
            default=list(benchmark.GROUPS),
            help="measure only these groups of figures (all by default; a full run at ten "
            "times national scale takes hours)",
        )
        # Used by the benchmark itself to measure in a fresh process on another database.
        parser.add_argument("--role", choices=["prepare", "scale", "memory"], help="internal")
        parser.add_argument("--db-name", help="internal")

    def handle(self, *args, scale, seed, repeat, warmup, output, only, role, db_name, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
        measures.requests_in_process()
        if role:
            figures = benchmark.measure(role, db_name, scale, seed, repeat, warmup)
            self.stdout.write(json.dumps(figures))
            return
        started = time.monotonic()

        def say(message):
            self.stderr.write(f"[{time.monotonic() - started:7.1f}s] {message}")

        figures = benchmark.run(
            scale=scale, seed=seed, repeat=repeat, warmup=warmup, say=say, groups=only
        )
        for line in benchmark.report(figures):
            self.stdout.write(line)
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(figures, indent=2, default=benchmark.as_json))
        self.stdout.write(f"Written to {path}")
