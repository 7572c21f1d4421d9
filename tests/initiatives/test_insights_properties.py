"""The nightly insight figures equal an independent computation in Python, for random
initiatives, claims, targets and dates (hypothesis): every scope, model, cohort and filter
combination, each median and quartile as statistics.quantiles(method="inclusive") gives it,
which is what PostgreSQL's percentile_cont computes.

FUZZ_PROFILE=fuzz (the default) runs a few examples; fuzz-thorough many more."""

import itertools
import os
import statistics
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck as Quiet
from hypothesis import given, settings
from hypothesis import strategies as st

from initiatives import financial_years
from initiatives.insights import services
from initiatives.models import HealthCheck, InsightFigure
from initiatives.models.health import Dimension
from initiatives.models.insights import MEASURES
from initiatives.progress import reconcile
from tests import factories

pytestmark = pytest.mark.django_db
EXAMPLES = {"fuzz": 40, "fuzz-thorough": 400}.get(os.environ.get("FUZZ_PROFILE", "fuzz"), 40)
THIS_YEAR = financial_years.current_financial_year()
MODELS = ["shared_service", "outsourcing"]
AREAS = ["ict", "waste"]
LEADS = [("yorkshire", "district_council"), ("london", "london_borough")]
money = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("50000"), places=2)

initiative_specs = st.fixed_dictionaries(
    {
        "model": st.sampled_from(MODELS),
        "area": st.sampled_from(AREAS),
        "lead": st.integers(0, 1),
        "live": st.one_of(st.none(), st.integers(0, 4 * 365)),  # days after a start 5 years ago
        "published": st.booleans(),
        "setup_cost": st.one_of(st.none(), st.just(Decimal("0")), money),
        "targets": st.dictionaries(st.integers(0, 3), money, max_size=3),  # years after live
        "claims": st.lists(
            st.tuples(st.integers(0, 500), money, st.booleans(), st.integers(0, 3)), max_size=3
        ),
        "stopped_after": st.one_of(st.none(), st.integers(0, 900)),
        "procurement_days": st.one_of(st.none(), st.integers(0, 700)),
        "contract_months": st.one_of(st.none(), st.integers(1, 120)),
        "health": st.lists(st.integers(1, 5), max_size=3),  # one score per partner, all dims
    }
)
START = date(THIS_YEAR - 5, 4, 1)


def insert(specs, leads, user):
    for spec in specs:
        live = START + timedelta(days=spec["live"]) if spec["live"] is not None else None
        cohort = financial_years.financial_year_of(live or START)
        fields = {}
        if spec["stopped_after"] is not None:
            fields = {
                "status": "stopped",
                "ended_on": (live or START) + timedelta(days=spec["stopped_after"]),
            }
        if spec["procurement_days"] is not None:
            fields["procurement_started_on"] = date(2020, 1, 1)
            fields["contract_awarded_on"] = date(2020, 1, 1) + timedelta(spec["procurement_days"])
        if spec["published"]:
            fields.update(visibility="public", published_at=datetime(2024, 1, 1, tzinfo=UTC))
        lead = leads[spec["lead"]]
        initiative = factories.InitiativeFactory(
            lead=lead,
            collaboration_model=spec["model"],
            service_area=spec["area"],
            start_date=START,
            planned_end_date=None,
            went_live_on=live,
            setup_cost=spec["setup_cost"],
            contract_months=spec["contract_months"],
            targets={cohort + k: amount for k, amount in spec["targets"].items()},
            **fields,
        )
        for after, amount, verified, year in spec["claims"]:
            reviewed = datetime.combine(
                (live or START) + timedelta(days=after), datetime.min.time(), UTC
            ) + timedelta(hours=12)
            factories.SavingsClaimFactory(
                initiative=initiative,
                created_by=user,
                reviewed_by=user,
                reviewed_at=reviewed,
                status="verified" if verified else "submitted",
                financial_year=cohort + year,
                gross_amount=amount,
                implementation_cost=0,
            )
        partners = [*leads, factories.OrganisationFactory()] if spec["health"] else []
        for organisation, score in zip(partners, spec["health"], strict=False):
            HealthCheck.objects.create(
                initiative=initiative,
                organisation=organisation,
                period_start=date(THIS_YEAR, 4, 1),
                answered_at=datetime(2025, 1, 1, tzinfo=UTC),
                **dict.fromkeys(Dimension.values, score),
            )


def values_of(spec):
    """Each measure's value for one initiative, from the spec alone (None: not counted)."""
    live = START + timedelta(days=spec["live"]) if spec["live"] is not None else None
    cohort = financial_years.financial_year_of(live or START)
    verified = [c for c in spec["claims"] if c[2]]
    out = dict.fromkeys(
        ["first_saving_days", "realised_y1", "realised_y2", "realised_y3", "savings_per_pound"]
    )
    if live and verified:
        out["first_saving_days"] = float(max(0, min(c[0] for c in verified)))
    for k in (1, 2, 3):
        target = spec["targets"].get(k - 1, Decimal(0))
        if live and target > 0 and cohort + k - 1 < THIS_YEAR:
            got = sum((c[1] for c in verified if c[3] == k - 1), Decimal(0))
            out[f"realised_y{k}"] = float(got / target)
    total = sum((c[1] for c in verified), Decimal(0))
    if spec["setup_cost"]:
        out["savings_per_pound"] = float(total / spec["setup_cost"])
    stopped = spec["stopped_after"] is not None
    out["stopped"] = 1.0 if stopped else 0.0
    out["stop_days"] = float(spec["stopped_after"]) if stopped else None
    out["procurement_days"] = (
        float(spec["procurement_days"]) if spec["procurement_days"] is not None else None
    )
    out["contract_months"] = (
        float(spec["contract_months"]) if spec["contract_months"] is not None else None
    )
    health = statistics.median(spec["health"]) if spec["health"] else None
    for d in Dimension.values:
        out[f"health_{d}"] = None if health is None else float(health)
    return out, cohort


PUBLIC = {"first_saving_days", "stopped", "stop_days"}
QUARTILES = {m.key for m in MEASURES if m.quartiles}


def expected_figures(specs):
    """{(scope, model, cohort, area, region, kind): {column: value}} for every group."""
    rows = []
    for spec in specs:
        values, cohort = values_of(spec)
        region, kind = LEADS[spec["lead"]]
        rows.append(((cohort, spec["area"], region, kind), spec, values))
    groups = {}
    for scope in ("national", "public"):
        for model in MODELS:
            for mask in itertools.product([True, False], repeat=4):
                keys = {}
                for key, spec, values in rows:
                    if spec["model"] != model or (scope == "public" and not spec["published"]):
                        continue
                    group = tuple(k if keep else None for k, keep in zip(key, mask, strict=True))
                    keys.setdefault(group, []).append(values)
                for group, members in keys.items():
                    groups[(scope, model, *group)] = summarise(members, public=scope == "public")
    return groups


def summarise(members, *, public):
    figure = {"initiatives": len(members)}
    for key in members[0]:
        shown = not public or key in PUBLIC
        values = sorted(m[key] for m in members if m[key] is not None) if shown else []
        figure[f"{key}_n"] = len(values)
        if not values or (public and len(values) < 10):  # never shown: not stored
            figure[f"{key}_median"] = None
            if key in QUARTILES:
                figure[f"{key}_lower"] = figure[f"{key}_upper"] = None
        elif not values:
            figure[f"{key}_median"] = None
        elif key == "stopped":
            figure[f"{key}_median"] = sum(values) / len(values)
        elif key.startswith("health_"):
            figure[f"{key}_median"] = statistics.median(values)
        elif len(values) == 1:
            figure[f"{key}_median"] = values[0]
            figure[f"{key}_lower"] = figure[f"{key}_upper"] = values[0]
        else:
            lower, median, upper = statistics.quantiles(values, n=4, method="inclusive")
            figure[f"{key}_median"] = median
            figure[f"{key}_lower"], figure[f"{key}_upper"] = lower, upper
    return figure


def stored_figures():
    out = {}
    for row in InsightFigure.objects.all():
        key = (
            row.scope,
            row.collaboration_model,
            row.cohort,
            row.service_area,
            row.lead_region,
            row.lead_kind,
        )
        out[key] = row
    return out


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[Quiet.function_scoped_fixture, Quiet.too_slow],
)
@given(specs=st.lists(initiative_specs, min_size=1, max_size=11))
def test_the_figures_equal_an_independent_computation(admin_user, specs):
    with transaction.atomic():
        leads = [factories.OrganisationFactory(region=r, kind=k) for r, k in LEADS]
        insert(specs, leads, admin_user)
        reconcile.progress_reconcile()
        services.insights_recompute()
        stored, expected = stored_figures(), expected_figures(specs)
        assert set(stored) == set(expected)
        for key, figure in expected.items():
            row = stored[key]
            for column, value in figure.items():
                got = getattr(row, column)
                if value is None:
                    assert got is None, (key, column)
                else:
                    assert got == pytest.approx(value, rel=1e-9, abs=1e-9), (key, column)
        transaction.set_rollback(True)
