"""What each insight measure takes from one initiative's outcome row, said twice on purpose in
the same words: as a SQL expression over the outcome table (the nightly figures) and as Python
over an outcome row (an organisation's own figures at request time, and `make run` on SQLite).
Then the figures of a group of outcome rows in Python: medians and quartiles exactly as
PostgreSQL's percentile_cont gives them (linear interpolation, `method="inclusive"`)."""

import statistics

from initiatives.models import Initiative
from initiatives.models.health import Dimension
from initiatives.models.insights import MEASURES, YEARS_AFTER_LIVE


def _realised_sql(k):
    return (
        f"CASE WHEN o.target_y{k} > 0 AND o.cohort + {k - 1} < %(current_year)s "
        f"THEN (o.verified_y{k} / o.target_y{k})::float8 END"
    )


# The value an initiative contributes to each measure (NULL: it does not count in it). The
# figures' `n` counts the initiatives with a value.
SQL = {
    "first_saving_days": "o.days_to_first_saving::float8",
    **{f"realised_y{k}": _realised_sql(k) for k in YEARS_AFTER_LIVE},
    "savings_per_pound": (
        "CASE WHEN o.setup_cost > 0 THEN (o.verified_total / o.setup_cost)::float8 END"
    ),
    "stopped": "CASE WHEN o.stopped THEN 1.0 ELSE 0.0 END::float8",
    "stop_days": "CASE WHEN o.stopped THEN o.days_to_end::float8 END",
    "procurement_days": "o.procurement_days::float8",
    "contract_months": "o.contract_months::float8",
    **{f"health_{d}": f"o.health_{d}" for d in Dimension.values},
}


def _realised(k, current_year):
    def value(o):
        target = getattr(o, f"target_y{k}")
        if target and target > 0 and o.cohort + k - 1 < current_year:
            return float(getattr(o, f"verified_y{k}") / target)
        return None

    return value


def _float(value):
    return None if value is None else float(value)


def python(current_year):
    """{measure key: function(outcome row) → value or None}, as SQL says."""
    return {
        "first_saving_days": lambda o: _float(o.days_to_first_saving),
        **{f"realised_y{k}": _realised(k, current_year) for k in YEARS_AFTER_LIVE},
        "savings_per_pound": lambda o: (
            float(o.verified_total / o.setup_cost) if o.setup_cost else None
        ),
        "stopped": lambda o: 1.0 if o.stopped else 0.0,
        "stop_days": lambda o: _float(o.days_to_end) if o.stopped else None,
        "procurement_days": lambda o: _float(o.procurement_days),
        "contract_months": lambda o: _float(o.contract_months),
        **{
            f"health_{d}": (lambda name: lambda o: getattr(o, name))(f"health_{d}")
            for d in Dimension.values
        },
    }


def summary(values, *, quartiles):
    """(n, median, lower quartile, upper quartile) of the values that are not None, as
    percentile_cont gives them (no quartiles: None for both)."""
    values = sorted(v for v in values if v is not None)
    if not values:
        return 0, None, None, None
    if not quartiles:
        return len(values), statistics.median(values), None, None
    if len(values) == 1:
        return 1, values[0], values[0], values[0]
    lower, median, upper = statistics.quantiles(values, n=4, method="inclusive")
    return len(values), median, lower, upper


def figures_of(outcomes, *, current_year):
    """{collaboration model: {measure key: (n, value, lower, upper)}} of outcome rows, and the
    number of initiatives of each model."""
    extract = python(current_year)
    by_model = {}
    for outcome in outcomes:
        by_model.setdefault(outcome.collaboration_model, []).append(outcome)
    result = {}
    for model in Initiative.CollaborationModel.values:
        rows = by_model.get(model, [])
        if not rows:
            continue
        figures = {}
        for measure in MEASURES:
            values = [extract[measure.key](o) for o in rows]
            if measure.key == "stopped":
                n = len(values)
                figures[measure.key] = (n, sum(values) / n, None, None)
            else:
                figures[measure.key] = summary(values, quartiles=measure.quartiles)
        result[model] = {"initiatives": len(rows), "figures": figures}
    return result
