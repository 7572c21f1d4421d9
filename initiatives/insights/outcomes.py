"""The per-initiative outcome rows that the insights are computed from, built in the progress
recompute's transaction (initiatives.progress.sql calls `outcomes_build` beside its own
per-initiative statements) and rebuilt by the nightly reconcile (`outcomes_rebuild_all`).

On PostgreSQL one INSERT … SELECT builds them, years 1–3 from the initiative's yearly progress
rows (built just before it), the first verified saving from its claims and the health check's
medians with percentile_cont. SQLite (`make run`) has no percentile_cont: there the same rows
are built in Python from the same tables."""

import statistics
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone

from initiatives import financial_years
from initiatives.models import (
    Dimension,
    HealthCheck,
    Initiative,
    InitiativeOutcome,
    InitiativeYear,
    SavingsClaim,
)
from initiatives.models.insights import YEARS_AFTER_LIVE
from partners.models import Organisation

TABLES = {
    "outcome": InitiativeOutcome._meta.db_table,
    "initiative": Initiative._meta.db_table,
    "organisation": Organisation._meta.db_table,
    "claim": SavingsClaim._meta.db_table,
    "health": HealthCheck._meta.db_table,
}
DIMENSIONS = Dimension.values
YEAR_COLUMNS = [f"{what}_y{k}" for k in YEARS_AFTER_LIVE for what in ("target", "verified")]
COLUMNS = [
    "initiative_id",
    "collaboration_model",
    "service_area",
    "lead_id",
    "lead_region",
    "lead_kind",
    "published",
    "live_from",
    "cohort",
    "first_verified_on",
    "days_to_first_saving",
    "setup_cost",
    "verified_total",
    *YEAR_COLUMNS,
    "stopped",
    "ended_on",
    "days_to_end",
    "procurement_days",
    "contract_months",
    "health_period",
    *(f"health_{d}" for d in DIMENSIONS),
    "computed_at",
]


def _financial_year(day):
    return f"(EXTRACT(YEAR FROM {day})::int - CASE WHEN EXTRACT(MONTH FROM {day}) < 4 THEN 1 ELSE 0 END)"


def _year_sums():
    parts = []
    for k in YEARS_AFTER_LIVE:
        year = f"x.cohort + {k - 1}"
        for what, measure in (("target", "yr.target"), ("verified", "yr.verified")):
            parts.append(
                f"CASE WHEN x.live_from IS NOT NULL THEN COALESCE(SUM({measure}) "
                f"FILTER (WHERE yr.financial_year = {year}), 0) END AS {what}_y{k}"
            )
    return ",\n         ".join(parts)


# {scope} restricts the initiatives (a condition on i.id); {year} is the yearly progress table
# to read (the real one, or the reconcile's scratch table).
OUTCOME_SQL = f"""
INSERT INTO {{outcome}} ({", ".join(COLUMNS)})
SELECT i.id, i.collaboration_model, i.service_area, i.lead_id, o.region, o.kind,
       i.visibility = %(public)s AND i.published_at IS NOT NULL,
       x.live_from, x.cohort,
       c.first_on,
       CASE WHEN c.first_on IS NOT NULL AND x.live_from IS NOT NULL
            THEN GREATEST(c.first_on - x.live_from, 0) END,
       i.setup_cost, COALESCE(y.verified_total, 0),
       {", ".join(f"y.{column}" for column in YEAR_COLUMNS)},
       i.status = %(stopped)s, i.ended_on, i.ended_on - COALESCE(x.live_from, i.start_date),
       i.contract_awarded_on - i.procurement_started_on, i.contract_months,
       h.period_start, {", ".join(f"h.{d}" for d in DIMENSIONS)},
       %(now)s
FROM {{initiative}} i
JOIN {{organisation}} o ON o.id = i.lead_id
CROSS JOIN LATERAL (
  SELECT COALESCE(i.went_live_on, i.live_since) AS live_from,
         {_financial_year("COALESCE(i.went_live_on, i.live_since, i.start_date)")} AS cohort
) x
LEFT JOIN LATERAL (
  SELECT SUM(yr.verified) AS verified_total,
         {_year_sums()}
  FROM (SELECT financial_year, target, verified_cash + verified_non_cash AS verified
        FROM {{year}} WHERE initiative_id = i.id) yr
) y ON TRUE
LEFT JOIN LATERAL (
  SELECT MIN((c.reviewed_at AT TIME ZONE %(time_zone)s)::date) AS first_on
  FROM {{claim}} c
  WHERE c.initiative_id = i.id AND c.status = %(verified)s AND c.net_amount > 0
) c ON TRUE
LEFT JOIN LATERAL (
  SELECT hc.period_start,
         {", ".join(f"percentile_cont(0.5) WITHIN GROUP (ORDER BY hc.{d}) AS {d}" for d in DIMENSIONS)}
  FROM {{health}} hc
  WHERE hc.initiative_id = i.id
    AND hc.period_start = (SELECT MAX(period_start) FROM {{health}} WHERE initiative_id = i.id)
  GROUP BY hc.period_start
) h ON TRUE
WHERE {{scope}}
"""


def _params(now):
    return {
        "now": now,
        "public": Initiative.Visibility.PUBLIC.value,
        "stopped": Initiative.Status.STOPPED.value,
        "verified": SavingsClaim.Status.VERIFIED.value,
        "time_zone": settings.TIME_ZONE,
    }


def outcomes_build(cursor, *, params, scope, year_table):
    """Rebuild the outcome rows of the initiatives `scope` selects (a condition on the column
    named by {col}, with `params`, as initiatives.progress.sql takes it), from the yearly
    progress rows in `year_table`, inside the caller's transaction."""
    params = {**params, **_params(params["now"])}
    cursor.execute(
        f"DELETE FROM {TABLES['outcome']} WHERE {scope.format(col='initiative_id')}", params
    )
    if connection.vendor != "postgresql":
        _build_in_python(cursor, params=params, scope=scope.format(col="id"))
        return
    statement = OUTCOME_SQL.format(**TABLES, year=year_table, scope=scope.format(col="i.id"))
    cursor.execute(statement, params)


def outcomes_rebuild_all(cursor, *, now, year_table):
    """Every outcome row afresh (the nightly reconcile, after it healed the yearly rows)."""
    outcomes_build(cursor, params={"now": now}, scope="1 = 1", year_table=year_table)


# --- SQLite (`make run`): the same rows in Python --------------------------------------------


def _days(later, earlier):
    return (later - earlier).days if later and earlier else None


def _build_in_python(cursor, *, params, scope):
    cursor.execute(f"SELECT id FROM {TABLES['initiative']} WHERE {scope}", params)
    ids = [row[0] for row in cursor.fetchall()]
    initiatives = Initiative.objects.filter(pk__in=ids).select_related("lead")
    zone = timezone.get_current_timezone()
    rows = []
    for i in initiatives:
        live_from = i.live_from
        cohort = financial_years.financial_year_of(live_from or i.start_date)
        years = {
            y["financial_year"]: y
            for y in InitiativeYear.objects.filter(initiative=i).values(
                "financial_year", "target", "verified_cash", "verified_non_cash"
            )
        }
        first = SavingsClaim.objects.filter(
            initiative=i, status=SavingsClaim.Status.VERIFIED, net_amount__gt=0
        ).aggregate(first=Min("reviewed_at"))["first"]
        first_on = first.astimezone(zone).date() if first else None
        row = InitiativeOutcome(
            initiative_id=i.pk,
            collaboration_model=i.collaboration_model,
            service_area=i.service_area,
            lead_id=i.lead_id,
            lead_region=i.lead.region,
            lead_kind=i.lead.kind,
            published=i.is_published,
            live_from=live_from,
            cohort=cohort,
            first_verified_on=first_on,
            days_to_first_saving=(
                max(0, _days(first_on, live_from)) if first_on and live_from else None
            ),
            setup_cost=i.setup_cost,
            verified_total=sum(
                (y["verified_cash"] + y["verified_non_cash"] for y in years.values()), Decimal(0)
            ),
            stopped=i.status == Initiative.Status.STOPPED,
            ended_on=i.ended_on,
            days_to_end=_days(i.ended_on, live_from or i.start_date),
            procurement_days=_days(i.contract_awarded_on, i.procurement_started_on),
            contract_months=i.contract_months,
            computed_at=params["now"],
        )
        for k in YEARS_AFTER_LIVE:
            year = years.get(cohort + k - 1)
            if live_from is not None:
                setattr(row, f"target_y{k}", year["target"] if year else Decimal(0))
                setattr(
                    row,
                    f"verified_y{k}",
                    year["verified_cash"] + year["verified_non_cash"] if year else Decimal(0),
                )
        latest = HealthCheck.objects.filter(initiative=i).aggregate(p=Max("period_start"))["p"]
        if latest:
            row.health_period = latest
            answers = HealthCheck.objects.filter(initiative=i, period_start=latest)
            for d in DIMENSIONS:
                setattr(
                    row,
                    f"health_{d}",
                    float(statistics.median(answers.values_list(d, flat=True))),
                )
        rows.append(row)
    InitiativeOutcome.objects.bulk_create(rows)
