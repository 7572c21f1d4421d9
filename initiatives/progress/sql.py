"""The SQL that computes the progress tables from the source tables, and the steps that run it.

Every statement takes named parameters (psycopg2's `%(name)s`): the time of the computation,
the initiatives in scope, and the choice values it compares with (`choice_values()`), which
come from the models' choices and are never spelled in SQL text. Table names come from
`TABLES`, built from the models' `_meta.db_table`."""

import re
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from initiatives import financial_years, models
from initiatives.insights import outcomes

LOCK_KEY = 7_203_011  # pg_advisory_xact_lock key for progress recomputes

TABLES = {
    "initiative": models.Initiative._meta.db_table,
    "partnership": models.Partnership._meta.db_table,
    "target": models.SavingsTarget._meta.db_table,
    "claim": models.SavingsClaim._meta.db_table,
    "attribution": models.ClaimAttribution._meta.db_table,
    "year": models.InitiativeYear._meta.db_table,
    "share": models.InitiativeShareYear._meta.db_table,
    "progress": models.InitiativeProgress._meta.db_table,
    "fact": models.ProgressFact._meta.db_table,
    "dirty": models.ProgressDirty._meta.db_table,
}
# The computed tables, in the order they are built (each from the ones before it).
COMPUTED = ("year", "share", "progress", "fact")
MEASURES = "target, claimed, verified_cash, verified_non_cash, claims_claimed, claims_verified"
# Verified as a percentage of target to date at or above which an initiative is green, amber.
GREEN_FROM, AMBER_FROM = 90, 60


def choice_values():
    """The values of the models' choices that the statements compare with, as parameters."""
    return {
        "submitted": models.SavingsClaim.Status.SUBMITTED.value,
        "verified": models.SavingsClaim.Status.VERIFIED.value,
        "cash_releasing": models.SavingsClaim.Kind.CASH_RELEASING.value,
        "green": models.InitiativeProgress.Rag.GREEN.value,
        "amber": models.InitiativeProgress.Rag.AMBER.value,
        "red": models.InitiativeProgress.Rag.RED.value,
        "grey": models.InitiativeProgress.Rag.GREY.value,
        "green_from": GREEN_FROM,
        "amber_from": AMBER_FROM,
    }


# Target to date: past years' targets in full, and this year's pro rata by days elapsed. The
# one definition: the recompute sums it per initiative (PROGRESS_SQL) and the dashboard's
# selectors sum it over fact rows through RawSQL (see `positional`). Its parameters come from
# `target_to_date_params`.
TARGET_TO_DATE = (
    "CASE WHEN financial_year < %(current_year)s THEN target "
    "WHEN financial_year = %(current_year)s THEN target * %(year_fraction)s ELSE 0 END"
)


def year_fraction(today):
    """How much of the current financial year has passed, by days (for target to date)."""
    year = financial_years.financial_year_of(today)
    start, end = financial_years.start_of(year), financial_years.end_of(year)
    elapsed = (today - start) + timedelta(days=1)
    return year, (Decimal(elapsed.days) / Decimal((end - start).days + 1)).quantize(
        Decimal("0.000001")
    )


def target_to_date_params(today):
    current_year, fraction = year_fraction(today)
    return {"current_year": current_year, "year_fraction": fraction}


def positional(statement, params):
    """The statement with `%s` placeholders and its parameters in order: the ORM (RawSQL)
    takes only positional ones."""
    names = []

    def placeholder(match):
        names.append(match.group(1))
        return "%s"

    return re.sub(r"%\((\w+)\)s", placeholder, statement), [params[name] for name in names]


# Level 1: one initiative's figures by financial year. {scope_*} restricts the initiatives.
# Each source is summed on its own first, so that the union and the final sum stay small.
YEAR_SQL = """
INSERT INTO {year} (initiative_id, financial_year, collaboration_model, service_area, {measures}, computed_at)
SELECT y.initiative_id, y.financial_year, i.collaboration_model, i.service_area,
       y.target, y.claimed, y.verified_cash, y.verified_non_cash, y.claims_claimed, y.claims_verified,
       %(now)s
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
           SUM(CASE WHEN c.status = %(verified)s AND c.kind = %(cash_releasing)s
                    THEN c.net_amount ELSE 0 END),
           SUM(CASE WHEN c.status = %(verified)s AND c.kind <> %(cash_releasing)s
                    THEN c.net_amount ELSE 0 END),
           COUNT(*), COUNT(*) FILTER (WHERE c.status = %(verified)s)
    FROM {claim} c WHERE c.status IN (%(submitted)s, %(verified)s) AND {scope_c}
    GROUP BY c.initiative_id, c.financial_year
  ) u GROUP BY u.initiative_id, u.financial_year
) y JOIN {initiative} i ON i.id = y.initiative_id
WHERE {scope_i}
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
       s.target, s.claimed, s.verified_cash, s.verified_non_cash, s.claims_claimed, s.claims_verified,
       %(now)s
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
           SUM(CASE WHEN c.kind = %(cash_releasing)s THEN a.amount ELSE 0 END),
           SUM(CASE WHEN c.kind <> %(cash_releasing)s THEN a.amount ELSE 0 END),
           0, COUNT(*)
    FROM {attribution} a JOIN {claim} c ON c.id = a.claim_id
    WHERE c.status = %(verified)s AND {scope_c}
    GROUP BY c.initiative_id, a.organisation_id, c.financial_year
  ) u GROUP BY u.initiative_id, u.organisation_id, u.financial_year
) s JOIN {initiative} i ON i.id = s.initiative_id
WHERE {scope_i}
"""

# Level 1: one row per initiative, from its yearly rows: totals, target to date, percentage
# verified, RAG, last activity.
PROGRESS_SQL = """
INSERT INTO {progress} (initiative_id, {measures}, target_to_date, percent_verified, rag,
                        last_activity, computed_at)
SELECT i.id, COALESCE(y.target, 0), COALESCE(y.claimed, 0), COALESCE(y.verified_cash, 0),
       COALESCE(y.verified_non_cash, 0), COALESCE(y.claims_claimed, 0), COALESCE(y.claims_verified, 0),
       COALESCE(y.to_date, 0),
       CASE WHEN COALESCE(y.to_date, 0) > 0
            THEN ROUND((y.verified_cash + y.verified_non_cash) * 100 / y.to_date, 1) END,
       CASE WHEN COALESCE(y.to_date, 0) <= 0 THEN %(grey)s
            WHEN (y.verified_cash + y.verified_non_cash) * 100 >= %(green_from)s * y.to_date
                 THEN %(green)s
            WHEN (y.verified_cash + y.verified_non_cash) * 100 >= %(amber_from)s * y.to_date
                 THEN %(amber)s
            ELSE %(red)s END,
       CASE WHEN c.last_claim IS NOT NULL AND c.last_claim > i.updated_at THEN c.last_claim
            ELSE i.updated_at END,
       %(now)s
FROM {initiative} i
LEFT JOIN (
    SELECT initiative_id, SUM(target) AS target, SUM(claimed) AS claimed,
           SUM(verified_cash) AS verified_cash, SUM(verified_non_cash) AS verified_non_cash,
           SUM(claims_claimed) AS claims_claimed, SUM(claims_verified) AS claims_verified,
           SUM({target_to_date}) AS to_date
    FROM {year} WHERE {scope_y} GROUP BY initiative_id
) y ON y.initiative_id = i.id
LEFT JOIN (
    SELECT initiative_id, MAX(updated_at) AS last_claim FROM {claim} WHERE {scope_c} GROUP BY initiative_id
) c ON c.initiative_id = i.id
WHERE {scope_i}
"""

# Level 2: the fact rows, from the level-1 rows only: per organisation from the partners'
# rows, and for all organisations (organisation NULL) from the initiatives' yearly rows.
# {keys} restricts them to the affected keys.
FACT_SQL = """
INSERT INTO {fact} (organisation_id, financial_year, collaboration_model, service_area, {measures},
                    initiatives, computed_at)
SELECT {organisation}, financial_year, collaboration_model, service_area,
       SUM(target), SUM(claimed), SUM(verified_cash), SUM(verified_non_cash),
       SUM(claims_claimed), SUM(claims_verified), COUNT(*), %(now)s
FROM {source} WHERE {keys}
GROUP BY {group}financial_year, collaboration_model, service_area
"""
ORGANISATION_FACTS = {
    "organisation": "organisation_id",
    "source": "share",
    "group": "organisation_id, ",
}
ALL_FACTS = {"organisation": "NULL", "source": "year", "group": ""}

# The fact keys an initiative contributes to: organisation rows, then all-organisations rows.
ORGANISATION_KEYS_OF_SQL = """
SELECT DISTINCT organisation_id, financial_year, collaboration_model, service_area
FROM {share} WHERE initiative_id = %(initiative_id)s
"""
ALL_KEYS_OF_SQL = """
SELECT DISTINCT financial_year, collaboration_model, service_area
FROM {year} WHERE initiative_id = %(initiative_id)s
"""
ORGANISATION_KEY = ["organisation_id", "financial_year", "collaboration_model", "service_area"]
ALL_KEY = ["financial_year", "collaboration_model", "service_area"]

# A recompute claims the marks of the initiatives it is about to recompute.
MARK_CLAIM_SQL = "DELETE FROM {dirty} WHERE initiative_id = %(initiative_id)s"
MARKS_BEFORE_SQL = "DELETE FROM {dirty} WHERE marked_at <= %(now)s"

# What restricts a recompute to some initiatives ({col} is the initiative's id column): one
# initiative, or a range of ids (the reconcile's batches).
ONE_INITIATIVE = "{col} = %(initiative_id)s"
ID_RANGE = "{col} BETWEEN %(low)s AND %(high)s"
EVERYTHING = "1 = 1"


def statement(template, tables=TABLES, **parts):
    return template.format(measures=MEASURES, target_to_date=TARGET_TO_DATE, **tables, **parts)


def lock(cursor):
    """Recomputes never interleave: each holds this lock until its transaction ends."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%(key)s)", {"key": LOCK_KEY})


def level_one_build(cursor, *, params, scope, tables=TABLES, clear=True):
    """Build the level-1 rows (year, share, progress) of the initiatives `scope` selects (a
    condition on the column named by {col}, using `params`) into `tables`. `clear` deletes
    their rows there first; the reconcile builds into empty scratch tables and passes False.
    `params` holds `now` and the scope's own parameters."""
    today = timezone.localdate(params["now"])
    params = {**choice_values(), **target_to_date_params(today), **params}
    if clear:
        for table in ("year", "share", "progress"):
            cursor.execute(
                f"DELETE FROM {tables[table]} WHERE {scope.format(col='initiative_id')}", params
            )
    # Each statement with its scope on the initiative's id column as that statement names it;
    # on the initiatives joined for their model and area too, so that a batch of a reconcile
    # reads its own initiatives, not all of them (at ten times national scale each batch read
    # 200,000, and the reconcile grew with the square of the initiatives).
    built = (
        (YEAR_SQL, {"scope_t": "t.initiative_id", "scope_c": "c.initiative_id", "scope_i": "i.id"}),
        (
            SHARE_SQL,
            {"scope_y": "y.initiative_id", "scope_c": "c.initiative_id", "scope_i": "i.id"},
        ),
        (
            PROGRESS_SQL,
            {"scope_y": "initiative_id", "scope_c": "initiative_id", "scope_i": "i.id"},
        ),
    )
    for template, columns in built:
        scopes = {name: scope.format(col=column) for name, column in columns.items()}
        cursor.execute(statement(template, tables, **scopes), params)
    if clear:  # the insights' outcome rows (the reconcile rebuilds them once it has healed)
        outcomes.outcomes_build(cursor, params=params, scope=scope, year_table=tables["year"])


ORGANISATIONS_OF_SQL = """
SELECT organisation_id FROM {partnership} WHERE initiative_id = %(initiative_id)s
UNION SELECT lead_id FROM {initiative} WHERE id = %(initiative_id)s
UNION SELECT claimant_id FROM {claim} WHERE initiative_id = %(initiative_id)s
"""


def organisations_of(cursor, initiative_id):
    """Every organisation an initiative involves: its partners (removed ones too), its lead and
    its claimants."""
    cursor.execute(statement(ORGANISATIONS_OF_SQL), {"initiative_id": initiative_id})
    return {row[0] for row in cursor.fetchall()}


def keys_of(cursor, initiative_id):
    """The fact keys an initiative contributes to now (organisation rows and all-organisations
    rows)."""
    params = {"initiative_id": initiative_id}
    cursor.execute(statement(ORGANISATION_KEYS_OF_SQL), params)
    organisation_keys = set(cursor.fetchall())
    cursor.execute(statement(ALL_KEYS_OF_SQL), params)
    return organisation_keys, set(cursor.fetchall())


def in_keys(columns, keys):
    """A condition `(a, b, …) IN (VALUES (…), …)` over `keys` and its named parameters."""
    rows, params = [], {}
    for n, key in enumerate(sorted(keys)):
        names = [f"key_{n}_{m}" for m in range(len(columns))]
        rows.append("(" + ", ".join(f"%({name})s" for name in names) + ")")
        params.update(zip(names, key, strict=True))
    return f"({', '.join(columns)}) IN (VALUES {', '.join(rows)})", params


def _facts_insert(cursor, level, *, tables, keys, params):
    parts = {**level, "source": tables[level["source"]]}
    cursor.execute(statement(FACT_SQL, tables, keys=keys, **parts), params)


def facts_build(cursor, *, now, organisation_keys=None, all_keys=None, tables=TABLES):
    """Build fact rows from the level-1 rows in `tables`: those of the given keys, replacing
    what is stored under them; or, with no keys given, every fact row (into empty tables)."""
    if organisation_keys is None and all_keys is None:
        for level in (ORGANISATION_FACTS, ALL_FACTS):
            _facts_insert(cursor, level, tables=tables, keys=EVERYTHING, params={"now": now})
        return
    if organisation_keys:
        condition, params = in_keys(ORGANISATION_KEY, organisation_keys)
        cursor.execute(f"DELETE FROM {tables['fact']} WHERE {condition}", params)
        _facts_insert(
            cursor, ORGANISATION_FACTS, tables=tables, keys=condition, params={"now": now, **params}
        )
    if all_keys:
        condition, params = in_keys(ALL_KEY, all_keys)
        cursor.execute(
            f"DELETE FROM {tables['fact']} WHERE organisation_id IS NULL AND {condition}", params
        )
        _facts_insert(
            cursor, ALL_FACTS, tables=tables, keys=condition, params={"now": now, **params}
        )


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


def columns_of(table):
    """Every column a computed table holds, its key first, then when it was computed."""
    return [*KEYS[table], *HELD[table], "computed_at"]


def scratch_table_create(cursor, table, scratch):
    """An empty temporary table shaped like the computed table `table`."""
    cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {scratch} AS SELECT {', '.join(columns_of(table))} "
        f"FROM {TABLES[table]} WHERE 1 = 0"
    )


def _same_key(table):
    """The join condition pairing a fresh row (f) with a stored row (t) of the same key."""

    def side(alias, column):
        if column in NULLABLE_KEYS:
            return f"COALESCE({alias}.{column}, {NULLABLE_KEYS[column]})"
        return f"{alias}.{column}"

    return " AND ".join(f"{side('f', c)} = {side('t', c)}" for c in KEYS[table])


def row_id():
    return "ctid" if connection.vendor == "postgresql" else "rowid"


def differing_rows(table, fresh):
    """A query pairing each stored row of `table` with the row of the same key in `fresh`,
    giving the pairs that differ or lack a partner: the stored row's id as `stale` (NULL if
    there is none), `is_fresh` (whether a fresh row exists), and the fresh row's columns."""
    held, key = HELD[table], KEYS[table][-1]
    return (
        f"SELECT t.{row_id()} AS stale, f.{key} IS NOT NULL AS is_fresh, "
        f"{', '.join(f'f.{c}' for c in columns_of(table))} "
        f"FROM {TABLES[table]} AS t FULL JOIN {fresh} AS f ON {_same_key(table)} "
        f"WHERE t.{row_id()} IS NULL OR f.{key} IS NULL "
        f"OR ({', '.join(f't.{c}' for c in held)}) IS DISTINCT FROM "
        f"({', '.join(f'f.{c}' for c in held)})"
    )
