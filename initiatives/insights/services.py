"""The nightly population figures: every collaboration model's medians and quartiles over the
outcome rows, per scope, cohort and filter combination, rebuilt in one statement with
PostgreSQL's percentile_cont and GROUPING SETS (a CUBE of the four filters). SQLite (`make
run`) has no percentile_cont: there the pages compute the figures in Python instead."""

import logging

from django.db import connection, transaction
from django.utils import timezone

from initiatives import financial_years
from initiatives.insights import measures
from initiatives.models import InitiativeOutcome, InsightFigure
from initiatives.models.insights import MEASURES
from initiatives.permissions import INSIGHTS_SMALLEST_SHOWN
from initiatives.progress import services as progress

logger = logging.getLogger(__name__)

LOCK_KEY = 7_203_018  # pg_advisory_xact_lock key: one rebuild of the figures at a time
FILTERS = ["cohort", "service_area", "lead_region", "lead_kind"]
QUARTILES = "ARRAY[0.25, 0.5, 0.75]::float8[]"


def _source(scope, *, public_only):
    """One scope's per-initiative values (NULL where the scope does not show a measure)."""
    values = []
    for measure in MEASURES:
        shown = measure.public or not public_only
        values.append(f"{measures.SQL[measure.key] if shown else 'NULL::float8'} AS {measure.key}")
    where = "WHERE o.published" if public_only else ""
    return (
        f"SELECT '{scope}'::text AS scope, o.collaboration_model, {', '.join(f'o.{f}' for f in FILTERS)}, "
        f"{', '.join(values)} FROM {InitiativeOutcome._meta.db_table} o {where}"
    )


def _aggregates():
    parts = []
    for m in MEASURES:
        parts.append(f"COUNT(s.{m.key}) AS {m.key}_n")
        if m.key == "stopped":
            parts.append(f"AVG(s.{m.key}) AS {m.key}_v")
        elif m.quartiles:
            parts.append(
                f"percentile_cont({QUARTILES}) WITHIN GROUP (ORDER BY s.{m.key}) AS {m.key}_p"
            )
        else:
            parts.append(f"percentile_cont(0.5) WITHIN GROUP (ORDER BY s.{m.key}) AS {m.key}_v")
    return ",\n         ".join(parts)


def _columns():
    """(column of the figure table, expression over the grouped row g), in order. The public
    version never shows a figure on fewer than SMALLEST_SHOWN initiatives, so it is not stored
    (only its n): a small figure of published initiatives is kept from everyone, and the rows
    stay small."""

    def kept(expression, m):
        return (
            f"CASE WHEN g.scope = %(public)s AND g.{m.key}_n < %(smallest)s THEN NULL "
            f"ELSE {expression} END"
        )

    pairs = []
    for m in MEASURES:
        pairs.append((f"{m.key}_n", f"g.{m.key}_n"))
        if m.quartiles and m.key != "stopped":
            pairs += [
                (f"{m.key}_median", kept(f"g.{m.key}_p[2]", m)),
                (f"{m.key}_lower", kept(f"g.{m.key}_p[1]", m)),
                (f"{m.key}_upper", kept(f"g.{m.key}_p[3]", m)),
            ]
        else:
            pairs.append((f"{m.key}_median", kept(f"g.{m.key}_v", m)))
    return pairs


def figures_sql():
    table = InsightFigure._meta.db_table
    columns = _columns()
    national = _source(InsightFigure.Scope.NATIONAL.value, public_only=False)
    public = _source(InsightFigure.Scope.PUBLIC.value, public_only=True)
    return f"""
INSERT INTO {table} (scope, collaboration_model, {", ".join(FILTERS)}, initiatives,
                     {", ".join(c for c, _ in columns)}, computed_at)
SELECT g.scope, g.collaboration_model, {", ".join(f"g.{f}" for f in FILTERS)}, g.initiatives,
       {", ".join(e for _, e in columns)}, %(now)s
FROM (
  SELECT s.scope, s.collaboration_model, {", ".join(f"s.{f}" for f in FILTERS)},
         COUNT(*) AS initiatives,
         {_aggregates()}
  FROM ({national} UNION ALL {public}) s
  GROUP BY s.scope, s.collaboration_model, CUBE({", ".join(f"s.{f}" for f in FILTERS)})
) g
"""


@transaction.atomic
def insights_recompute():
    """Rebuild every population figure from the outcome rows, in one transaction (readers see
    the old figures until it commits). Returns how many figure rows there are. Nothing to do on
    SQLite, where the pages compute them."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        cursor.execute(f"DELETE FROM {InsightFigure._meta.db_table}")
        cursor.execute(
            figures_sql(),
            {
                "now": timezone.now(),
                "current_year": financial_years.current_financial_year(),
                "public": InsightFigure.Scope.PUBLIC.value,
                "smallest": INSIGHTS_SMALLEST_SHOWN,
            },
        )
        rows = cursor.rowcount
    # The pages cache what they render under the progress tables' version: move it on.
    transaction.on_commit(progress.progress_version_bump)
    logger.info("Insights recomputed: %s figure rows", rows)
    return rows
