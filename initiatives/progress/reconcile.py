"""The reconcile: every progress row computed afresh from the source tables into scratch
tables, then compared with what is stored. `progress_reconcile` heals the rows that differ (the
nightly safety net, and an admin's full recompute); `progress_differences` only counts them
(`manage.py check_data`)."""

import logging
from functools import partial

from django.db import connection, transaction
from django.utils import timezone

from initiatives.insights import outcomes
from initiatives.progress import sql

logger = logging.getLogger(__name__)

RECONCILE_BATCH = 2000  # initiatives per step of a reconcile (a step reports progress)
RECONCILE_WORK_MEM = "128MB"  # PostgreSQL work_mem for the reconcile's transaction
SCRATCH = {table: f"fresh_{table}" for table in sql.COMPUTED}
# The order in which differences are looked for and healed.
COMPARED = ("fact", "progress", "share", "year")


def _planner_settings(cursor, values):
    """Set PostgreSQL settings for the rest of this transaction; returns a function that puts
    back what they were, so that a caller's own transaction is left as it was."""
    if connection.vendor != "postgresql":
        return lambda: None
    names = list(values)
    cursor.execute(f"SELECT {', '.join(['current_setting(%s)'] * len(names))}", names)
    before = dict(zip(names, cursor.fetchone(), strict=True))

    def apply(settings):
        for name, value in settings.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])

    apply(values)
    return lambda: apply(before)


def _tuned(cursor):
    # Sorts and hashes over every computed row: in memory, not in temporary files; the
    # comparisons pair rows by hashing their keys, not by sorting text keys; and no JIT
    # compiling of each of a reconcile's hundreds of batch statements (20 ms each, for
    # statements that run in tens of milliseconds).
    return _planner_settings(
        cursor, {"work_mem": RECONCILE_WORK_MEM, "enable_mergejoin": "off", "jit": "off"}
    )


def _compute_afresh(cursor, *, now, report=None):
    """Compute every progress row into the SCRATCH tables, with the same SQL as an
    incremental recompute, in batches of initiatives (each reported as report(done, total)).
    Returns how many initiatives there are."""
    for table in sql.COMPUTED:
        sql.scratch_table_create(cursor, table, SCRATCH[table])
    tables = {**sql.TABLES, **SCRATCH}
    cursor.execute(f"SELECT MIN(id), MAX(id), COUNT(*) FROM {sql.TABLES['initiative']}")
    low, high, total = cursor.fetchone()
    total, done = total or 0, 0
    if total:
        for start in range(low, high + 1, RECONCILE_BATCH):
            sql.level_one_build(
                cursor,
                params={"now": now, "low": start, "high": start + RECONCILE_BATCH - 1},
                scope=sql.ID_RANGE,
                tables=tables,
                clear=False,  # the scratch tables start empty
            )
            done = min(total, done + RECONCILE_BATCH)
            if report:
                report(done, total)
    sql.facts_build(cursor, now=now, tables=tables)
    return total


def _scratch_drop(cursor):
    for table in sql.COMPUTED:
        cursor.execute(f"DROP TABLE {SCRATCH[table]}")


def _differences_apply(cursor, table):
    """Make `table` hold exactly the rows of its scratch table, touching only the rows that
    differ. One pass pairs each stored row with the fresh row of the same key; the pairs that
    differ (or lack a partner) are all that is deleted and inserted. Returns (deleted,
    inserted)."""
    columns = ", ".join(sql.columns_of(table))
    cursor.execute("DROP TABLE IF EXISTS changed")
    cursor.execute(f"CREATE TEMPORARY TABLE changed AS {sql.differing_rows(table, SCRATCH[table])}")
    cursor.execute(
        f"DELETE FROM {sql.TABLES[table]} WHERE {sql.row_id()} IN "
        f"(SELECT stale FROM changed WHERE stale IS NOT NULL)"
    )
    deleted = cursor.rowcount
    cursor.execute(
        f"INSERT INTO {sql.TABLES[table]} ({columns}) SELECT {columns} FROM changed WHERE is_fresh"
    )
    inserted = cursor.rowcount
    cursor.execute("DROP TABLE changed")
    return deleted, inserted


def progress_reconcile(*, report=None):
    """Recompute every progress row from the source tables and heal whatever differs, in one
    transaction: readers see the old figures until it commits. Steps report progress
    (report(done, total)). Returns how many initiatives there are.

    On a healthy night almost nothing differs, so the nightly reconcile costs about what
    computing the figures costs, rewrites no index and leaves no dead rows behind; rows that
    do change say when they were computed. What it healed is logged (a warning if anything)."""
    from initiatives.progress import services  # services builds on this module

    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        sql.lock(cursor)
        restore = _tuned(cursor)
        # Marks made before now are answered by this reconcile; later ones keep their task.
        cursor.execute(sql.statement(sql.MARKS_BEFORE_SQL), {"now": now})
        total = _compute_afresh(cursor, now=now, report=report)
        changes = {table: _differences_apply(cursor, table) for table in COMPARED}
        _scratch_drop(cursor)
        outcomes.outcomes_rebuild_all(cursor, now=now, year_table=sql.TABLES["year"])
        restore()
        repaired = sum(deleted + inserted for deleted, inserted in changes.values())
        if repaired:
            transaction.on_commit(partial(services.progress_version_bump, everyone=True))
    logger.info(
        "Reconciled %s initiatives: %s",
        total,
        "; ".join(f"{t} {d} deleted, {i} inserted" for t, (d, i) in changes.items()),
    )
    if repaired:
        logger.warning(
            "The reconcile repaired %s computed rows that differed from the source tables: %s",
            repaired,
            ", ".join(f"{t} {d + i}" for t, (d, i) in changes.items() if d + i),
        )
    if report:
        report(total, total)
    return total


def progress_differences():
    """How many rows of each computed table ("year", "share", "progress", "fact") differ from
    a fresh computation — stale, missing or extra — computed exactly as the reconcile does,
    without writing to them: all zero means healthy. Initiatives whose recompute is still
    queued show as differences until it runs."""
    with transaction.atomic(), connection.cursor() as cursor:
        sql.lock(cursor)  # no recompute commits halfway through the comparison
        restore = _tuned(cursor)
        _compute_afresh(cursor, now=timezone.now())
        counts = {}
        for table in COMPARED:
            cursor.execute(
                f"SELECT COUNT(*) FROM ({sql.differing_rows(table, SCRATCH[table])}) AS d"
            )
            counts[table] = cursor.fetchone()[0]
        _scratch_drop(cursor)
        restore()
    return counts
