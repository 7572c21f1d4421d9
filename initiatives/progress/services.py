"""Recomputing the progress tables with SQL aggregation (INSERT … SELECT … GROUP BY), never
by looping over claims in Python: claims and targets → per-initiative rows → fact rows.

An incremental recompute rebuilds one initiative's rows and the fact rows it contributes to;
a reconcile computes everything afresh into scratch tables and writes only the rows that differ
(see progress_reconcile). Both run in one transaction under a PostgreSQL advisory lock, so
recomputes never interleave, and both are idempotent: they rebuild from the source tables."""

import logging
from datetime import timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from initiatives import financial_years
from initiatives.models import (
    ClaimAttribution,
    Initiative,
    InitiativeProgress,
    InitiativeShareYear,
    InitiativeYear,
    Partnership,
    ProgressDirty,
    ProgressFact,
    SavingsClaim,
    SavingsTarget,
)

logger = logging.getLogger(__name__)

LOCK_KEY = 7_203_011  # pg_advisory_xact_lock key for progress recomputes
RECONCILE_BATCH = 2000  # initiatives per step of a reconcile (a step reports progress)
RECONCILE_WORK_MEM = "128MB"  # PostgreSQL work_mem for the reconcile's transaction
SWEEP_RECONCILE_ABOVE = 2000  # more dirty initiatives than this: reconcile instead

T = {
    "initiative": Initiative._meta.db_table,
    "partnership": Partnership._meta.db_table,
    "target": SavingsTarget._meta.db_table,
    "claim": SavingsClaim._meta.db_table,
    "attribution": ClaimAttribution._meta.db_table,
    "year": InitiativeYear._meta.db_table,
    "share": InitiativeShareYear._meta.db_table,
    "progress": InitiativeProgress._meta.db_table,
    "fact": ProgressFact._meta.db_table,
    "dirty": ProgressDirty._meta.db_table,
}
MEASURES = "target, claimed, verified_cash, verified_non_cash, claims_claimed, claims_verified"

# Level 1: one initiative's figures by financial year. {scope_*} restricts the initiatives.
# Each source is summed on its own first, so that the union and the final sum stay small.
YEAR_SQL = """
INSERT INTO {year} (initiative_id, financial_year, collaboration_model, service_area, {measures}, computed_at)
SELECT y.initiative_id, y.financial_year, i.collaboration_model, i.service_area,
       y.target, y.claimed, y.verified_cash, y.verified_non_cash, y.claims_claimed, y.claims_verified, %s
FROM (
  SELECT u.initiative_id, u.financial_year,
         SUM(u.target) AS target, SUM(u.claimed) AS claimed, SUM(u.verified_cash) AS verified_cash,
         SUM(u.verified_non_cash) AS verified_non_cash, SUM(u.claims_claimed) AS claims_claimed,
         SUM(u.claims_verified) AS claims_verified
  FROM (
    SELECT t.initiative_id, t.financial_year, SUM(t.amount) AS target, 0 AS claimed,
           0 AS verified_cash, 0 AS verified_non_cash, 0 AS claims_claimed, 0 AS claims_verified
    FROM {target} t WHERE {scope_t}
    GROUP BY t.initiative_id, t.financial_year
    UNION ALL
    SELECT c.initiative_id, c.financial_year, 0, SUM(c.net_amount),
           SUM(CASE WHEN c.status = 'verified' AND c.kind = 'cash_releasing' THEN c.net_amount ELSE 0 END),
           SUM(CASE WHEN c.status = 'verified' AND c.kind <> 'cash_releasing' THEN c.net_amount ELSE 0 END),
           COUNT(*), COUNT(*) FILTER (WHERE c.status = 'verified')
    FROM {claim} c WHERE c.status IN ('submitted', 'verified') AND {scope_c}
    GROUP BY c.initiative_id, c.financial_year
  ) u GROUP BY u.initiative_id, u.financial_year
) y JOIN {initiative} i ON i.id = y.initiative_id
"""

# Level 1: each partner's part — target and claimed by the current shares of the active
# partners (rounded to the penny), verified from the attribution stored when each claim was
# verified. Target and claimed are split from the initiative's yearly rows, built just before:
# numeric products are exact, so splitting a year's total gives each partner exactly the sum of
# splitting every target and claim, without joining every claim to every partner.
SHARE_SQL = """
INSERT INTO {share} (initiative_id, organisation_id, financial_year, collaboration_model, service_area,
                     {measures}, computed_at)
SELECT s.initiative_id, s.organisation_id, s.financial_year, i.collaboration_model, i.service_area,
       s.target, s.claimed, s.verified_cash, s.verified_non_cash, s.claims_claimed, s.claims_verified, %s
FROM (
  SELECT u.initiative_id, u.organisation_id, u.financial_year,
         SUM(u.target) AS target, SUM(u.claimed) AS claimed, SUM(u.verified_cash) AS verified_cash,
         SUM(u.verified_non_cash) AS verified_non_cash, SUM(u.claims_claimed) AS claims_claimed,
         SUM(u.claims_verified) AS claims_verified
  FROM (
    SELECT y.initiative_id, p.organisation_id, y.financial_year,
           ROUND(y.target * p.savings_share * 0.01, 2) AS target,
           ROUND(y.claimed * p.savings_share * 0.01, 2) AS claimed,
           0 AS verified_cash, 0 AS verified_non_cash, y.claims_claimed, 0 AS claims_verified
    FROM {year} y
    JOIN {partnership} p ON p.initiative_id = y.initiative_id AND p.removed_on IS NULL
    WHERE {scope_y}
    UNION ALL
    SELECT c.initiative_id, a.organisation_id, c.financial_year, 0, 0,
           SUM(CASE WHEN c.kind = 'cash_releasing' THEN a.amount ELSE 0 END),
           SUM(CASE WHEN c.kind <> 'cash_releasing' THEN a.amount ELSE 0 END),
           0, COUNT(*)
    FROM {attribution} a JOIN {claim} c ON c.id = a.claim_id
    WHERE c.status = 'verified' AND {scope_c}
    GROUP BY c.initiative_id, a.organisation_id, c.financial_year
  ) u GROUP BY u.initiative_id, u.organisation_id, u.financial_year
) s JOIN {initiative} i ON i.id = s.initiative_id
"""

# Level 1: one row per initiative, from its yearly rows: totals, target to date (past years,
# and this year pro rata by days elapsed), percentage verified, RAG, last activity.
PROGRESS_SQL = """
INSERT INTO {progress} (initiative_id, {measures}, target_to_date, percent_verified, rag,
                        last_activity, computed_at)
SELECT i.id, COALESCE(y.target, 0), COALESCE(y.claimed, 0), COALESCE(y.verified_cash, 0),
       COALESCE(y.verified_non_cash, 0), COALESCE(y.claims_claimed, 0), COALESCE(y.claims_verified, 0),
       COALESCE(y.to_date, 0),
       CASE WHEN COALESCE(y.to_date, 0) > 0
            THEN ROUND((y.verified_cash + y.verified_non_cash) * 100 / y.to_date, 1) END,
       CASE WHEN COALESCE(y.to_date, 0) <= 0 THEN 'grey'
            WHEN (y.verified_cash + y.verified_non_cash) * 100 >= 90 * y.to_date THEN 'green'
            WHEN (y.verified_cash + y.verified_non_cash) * 100 >= 60 * y.to_date THEN 'amber'
            ELSE 'red' END,
       CASE WHEN c.last_claim IS NOT NULL AND c.last_claim > i.updated_at THEN c.last_claim
            ELSE i.updated_at END,
       %s
FROM {initiative} i
LEFT JOIN (
    SELECT initiative_id, SUM(target) AS target, SUM(claimed) AS claimed,
           SUM(verified_cash) AS verified_cash, SUM(verified_non_cash) AS verified_non_cash,
           SUM(claims_claimed) AS claims_claimed, SUM(claims_verified) AS claims_verified,
           SUM(CASE WHEN financial_year < %s THEN target
                    WHEN financial_year = %s THEN target * %s ELSE 0 END) AS to_date
    FROM {year} WHERE {scope_y} GROUP BY initiative_id
) y ON y.initiative_id = i.id
LEFT JOIN (
    SELECT initiative_id, MAX(updated_at) AS last_claim FROM {claim} WHERE {scope_c} GROUP BY initiative_id
) c ON c.initiative_id = i.id
WHERE {scope_i}
"""

# Level 2: the fact rows, from the level-1 rows only. {keys} restricts them to the affected keys.
FACT_SQL = """
INSERT INTO {fact} (organisation_id, financial_year, collaboration_model, service_area, {measures},
                    initiatives, computed_at)
SELECT organisation_id, financial_year, collaboration_model, service_area,
       SUM(target), SUM(claimed), SUM(verified_cash), SUM(verified_non_cash),
       SUM(claims_claimed), SUM(claims_verified), COUNT(*), %s
FROM {share} WHERE {keys}
GROUP BY organisation_id, financial_year, collaboration_model, service_area
"""
ALL_FACT_SQL = """
INSERT INTO {fact} (organisation_id, financial_year, collaboration_model, service_area, {measures},
                    initiatives, computed_at)
SELECT NULL, financial_year, collaboration_model, service_area,
       SUM(target), SUM(claimed), SUM(verified_cash), SUM(verified_non_cash),
       SUM(claims_claimed), SUM(claims_verified), COUNT(*), %s
FROM {year} WHERE {keys}
GROUP BY financial_year, collaboration_model, service_area
"""


def _sql(template, tables=T, **scopes):
    return template.format(measures=MEASURES, **tables, **scopes)


def year_fraction(today):
    """How much of the current financial year has passed, by days (for target to date)."""
    year = financial_years.financial_year_of(today)
    start, end = financial_years.start_of(year), financial_years.end_of(year)
    elapsed = (today - start) + timedelta(days=1)
    return year, (Decimal(elapsed.days) / Decimal((end - start).days + 1)).quantize(
        Decimal("0.000001")
    )


VERSION_KEY = "collaborate:progress:version"


def version():
    """A number that changes whenever any progress figure may have changed: pages that show
    figures cache what they render under it."""
    return cache.get_or_set(VERSION_KEY, 1, timeout=None)


def _version_bump():
    """After a recompute commits, everything cached under the old version is stale."""
    if not cache.add(VERSION_KEY, 2, timeout=None):
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # evicted between the two calls
            cache.set(VERSION_KEY, 1, timeout=None)


def _lock(cursor):
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _level_one(cursor, now, scope, params, tables=T):
    """Rebuild the level-1 rows of the initiatives `scope` selects (a condition on the column
    named by {col}, with `params`), in `tables` (the reconcile's are empty scratch tables)."""
    current_year, fraction = year_fraction(timezone.localdate(now))
    if tables is T:
        for table in ("year", "share", "progress"):
            cursor.execute(
                f"DELETE FROM {T[table]} WHERE {scope.format(col='initiative_id')}", params
            )
    cursor.execute(
        _sql(
            YEAR_SQL,
            tables,
            scope_t=scope.format(col="t.initiative_id"),
            scope_c=scope.format(col="c.initiative_id"),
        ),
        [now, *params, *params],
    )
    cursor.execute(
        _sql(
            SHARE_SQL,
            tables,
            scope_y=scope.format(col="y.initiative_id"),
            scope_c=scope.format(col="c.initiative_id"),
        ),
        [now, *params, *params],
    )
    cursor.execute(
        _sql(
            PROGRESS_SQL,
            tables,
            scope_y=scope.format(col="initiative_id"),
            scope_c=scope.format(col="initiative_id"),
            scope_i=scope.format(col="i.id"),
        ),
        [now, current_year, current_year, fraction, *params, *params, *params],
    )


def _keys_of(cursor, initiative_id):
    """The fact keys an initiative contributes to now (organisation rows and all-organisations
    rows)."""
    cursor.execute(
        f"SELECT DISTINCT organisation_id, financial_year, collaboration_model, service_area "
        f"FROM {T['share']} WHERE initiative_id = %s",
        [initiative_id],
    )
    organisation_keys = set(cursor.fetchall())
    cursor.execute(
        f"SELECT DISTINCT financial_year, collaboration_model, service_area "
        f"FROM {T['year']} WHERE initiative_id = %s",
        [initiative_id],
    )
    return organisation_keys, set(cursor.fetchall())


def _in_keys(columns, keys):
    """A condition `(a, b, …) IN (VALUES (…), …)` and its parameters."""
    placeholders = ", ".join("(" + ", ".join(["%s"] * len(columns)) + ")" for _ in keys)
    return f"({', '.join(columns)}) IN (VALUES {placeholders})", [
        value for key in keys for value in key
    ]


def _facts_rebuild(cursor, now, organisation_keys, all_keys):
    """Rebuild the given fact rows from the level-1 rows."""
    if organisation_keys:
        keys = sorted(organisation_keys)
        condition, params = _in_keys(
            ["organisation_id", "financial_year", "collaboration_model", "service_area"], keys
        )
        cursor.execute(f"DELETE FROM {T['fact']} WHERE {condition}", params)
        cursor.execute(_sql(FACT_SQL, keys=condition), [now, *params])
    if all_keys:
        keys = sorted(all_keys)
        condition, params = _in_keys(
            ["financial_year", "collaboration_model", "service_area"], keys
        )
        cursor.execute(
            f"DELETE FROM {T['fact']} WHERE organisation_id IS NULL AND {condition}",
            params,
        )
        cursor.execute(_sql(ALL_FACT_SQL, keys=condition), [now, *params])


def progress_recompute_initiative(*, initiative_id):
    """Rebuild one initiative's rows and the fact rows it contributed to before or does now."""
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor)
        cursor.execute(f"DELETE FROM {T['dirty']} WHERE initiative_id = %s", [initiative_id])
        old_organisation_keys, old_all_keys = _keys_of(cursor, initiative_id)
        _level_one(cursor, now, "{col} = %s", [initiative_id])
        new_organisation_keys, new_all_keys = _keys_of(cursor, initiative_id)
        _facts_rebuild(
            cursor, now, old_organisation_keys | new_organisation_keys, old_all_keys | new_all_keys
        )
        transaction.on_commit(_version_bump)


# What identifies a computed row, and what it holds, per table: a reconcile rewrites a row only
# when something it holds differs from what the source tables give now.
KEYS = {
    "year": ["initiative_id", "financial_year"],
    "share": ["initiative_id", "organisation_id", "financial_year"],
    "progress": ["initiative_id"],
    "fact": ["organisation_id", "financial_year", "collaboration_model", "service_area"],
}
# Key columns that may be NULL (all-organisations facts): compared through COALESCE, which
# keeps the comparison hashable.
NULLABLE_KEYS = {"organisation_id": 0}
HELD = {
    "year": ["collaboration_model", "service_area", *MEASURES.split(", ")],
    "share": ["collaboration_model", "service_area", *MEASURES.split(", ")],
    "progress": [
        *MEASURES.split(", "),
        "target_to_date",
        "percent_verified",
        "rag",
        "last_activity",
    ],
    "fact": [*MEASURES.split(", "), "initiatives"],
}


def _columns(table):
    return [*KEYS[table], *HELD[table]]


def _same_key(table):
    """The join condition pairing a fresh row (f) with a stored row (t) of the same key."""

    def side(alias, column):
        if column in NULLABLE_KEYS:
            return f"COALESCE({alias}.{column}, {NULLABLE_KEYS[column]})"
        return f"{alias}.{column}"

    return " AND ".join(f"{side('f', c)} = {side('t', c)}" for c in KEYS[table])


def _differences_apply(cursor, table, fresh):
    """Make `table` hold exactly the rows of `fresh`, touching only the rows that differ. One
    pass pairs each stored row with the fresh row of the same key; the pairs that differ (or
    lack a partner) are all that is deleted and inserted. Returns how many rows changed."""
    row_id = "ctid" if connection.vendor == "postgresql" else "rowid"
    held = HELD[table]
    columns = [*_columns(table), "computed_at"]
    cursor.execute("DROP TABLE IF EXISTS changed")
    cursor.execute(
        f"CREATE TEMPORARY TABLE changed AS "
        f"SELECT t.{row_id} AS stale, f.{KEYS[table][-1]} IS NOT NULL AS is_fresh, "
        f"{', '.join(f'f.{c}' for c in columns)} "
        f"FROM {T[table]} AS t FULL JOIN {fresh} AS f ON {_same_key(table)} "
        f"WHERE t.{row_id} IS NULL OR f.{KEYS[table][-1]} IS NULL "
        f"OR ({', '.join(f't.{c}' for c in held)}) IS DISTINCT FROM "
        f"({', '.join(f'f.{c}' for c in held)})"
    )
    cursor.execute(
        f"DELETE FROM {T[table]} WHERE {row_id} IN "
        f"(SELECT stale FROM changed WHERE stale IS NOT NULL)"
    )
    deleted = cursor.rowcount
    cursor.execute(
        f"INSERT INTO {T[table]} ({', '.join(columns)}) "
        f"SELECT {', '.join(columns)} FROM changed WHERE is_fresh"
    )
    inserted = cursor.rowcount
    cursor.execute("DROP TABLE changed")
    return deleted + inserted


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


def progress_reconcile(*, report=None):
    """Recompute every progress row from the source tables and heal whatever differs, in one
    transaction: readers see the old figures until it commits. Steps report progress
    (report(done, total)).

    Everything is computed afresh into scratch tables with the same SQL as an incremental
    recompute; then only the rows that differ are rewritten. On a healthy night almost nothing
    differs, so the nightly reconcile costs about what computing the figures costs, rewrites no
    index and leaves no dead rows behind; rows that do change say when they were computed."""
    now = timezone.now()
    fresh = {**T, **{table: f"fresh_{table}" for table in ("year", "share", "progress", "fact")}}
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor)
        restore = _planner_settings(
            cursor,
            # Sorts and hashes over every computed row: in memory, not in temporary files; and
            # the comparisons pair rows by hashing their keys, not by sorting text keys.
            {"work_mem": RECONCILE_WORK_MEM, "enable_mergejoin": "off"},
        )
        cursor.execute(f"DELETE FROM {T['dirty']} WHERE marked_at <= %s", [now])
        for table in ("year", "share", "progress", "fact"):
            cursor.execute(f"DROP TABLE IF EXISTS {fresh[table]}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {fresh[table]} AS SELECT "
                f"{', '.join([*_columns(table), 'computed_at'])} FROM {T[table]} WHERE 1 = 0"
            )
        cursor.execute(f"SELECT MIN(id), MAX(id), COUNT(*) FROM {T['initiative']}")
        low, high, total = cursor.fetchone()
        done = 0
        if total:
            for start in range(low, high + 1, RECONCILE_BATCH):
                _level_one(
                    cursor,
                    now,
                    "{col} BETWEEN %s AND %s",
                    [start, start + RECONCILE_BATCH - 1],
                    tables=fresh,
                )
                done = min(total, done + RECONCILE_BATCH)
                if report:
                    report(min(done, total), total)
        cursor.execute(_sql(FACT_SQL, fresh, keys="1 = 1"), [now])
        cursor.execute(_sql(ALL_FACT_SQL, fresh, keys="1 = 1"), [now])
        rewritten = sum(
            _differences_apply(cursor, table, fresh[table])
            for table in ("fact", "progress", "share", "year")
        )
        for table in ("year", "share", "progress", "fact"):
            cursor.execute(f"DROP TABLE {fresh[table]}")
        restore()
        if rewritten:
            transaction.on_commit(_version_bump)
    logger.info("Reconciled %s initiatives: %s computed rows rewritten", total or 0, rewritten)
    if report:
        report(total or 0, total or 0)
    return total or 0


def progress_recompute_dirty():
    """The sweep: recompute every initiative still marked dirty (a lost message, a worker
    killed mid-task). Many at once: reconcile instead."""
    dirty = list(
        ProgressDirty.objects.order_by("marked_at").values_list("initiative_id", flat=True)[
            : SWEEP_RECONCILE_ABOVE + 1
        ]
    )
    if len(dirty) > SWEEP_RECONCILE_ABOVE:
        return progress_reconcile()
    for initiative_id in dirty:
        progress_recompute_initiative(initiative_id=initiative_id)
    return len(dirty)


def progress_mark_dirty(initiative_ids):
    """Mark initiatives whose figures changed, in the caller's transaction, and queue one
    recompute for each after commit. An initiative still marked has a recompute queued that
    has not started, so a burst of changes causes one recompute.

    The mark is touched with an UPDATE first: if a recompute has just claimed the mark (deleted
    it, not yet committed), the UPDATE waits for it, finds nothing, and a new mark and a new
    recompute follow — the running one may not have seen this change."""
    from initiatives.progress import tasks

    for initiative_id in sorted(set(initiative_ids)):
        if ProgressDirty.objects.filter(initiative_id=initiative_id).update(
            marked_at=timezone.now()
        ):
            continue
        try:
            with transaction.atomic():
                ProgressDirty.objects.create(initiative_id=initiative_id)
        except IntegrityError:
            continue  # marked by a concurrent change, which queued the recompute
        tasks.progress_recompute.delay_on_commit(initiative_id=initiative_id)


def pending_for(initiative_ids=None):
    """Whether a recompute is pending (for some initiatives, or any)."""
    pending = ProgressDirty.objects.all()
    if initiative_ids is not None:
        pending = pending.filter(initiative_id__in=initiative_ids)
    return pending.exists()
