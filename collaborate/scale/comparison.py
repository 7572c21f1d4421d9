"""The generator's comparison of collaboration with outsourcing: each initiative's set-up cost,
procurement and contract, the days it went live and ended, when its savings begin, and its
partners' health-check answers. Models differ as the founding article argues, with noise:
outsourcing costs more to set up, procures for long and locks budgets into long contracts, and
saves nothing at once; collaborations are cheaper and save sooner, but many are sub-optimal,
held back by behavioural barriers (relationships, leadership, shared vision) on which some
partners see things very differently."""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial

from collaborate.scale.common import Status, day_between, money, pick
from collaborate.scale.store import copy_built
from initiatives import financial_years
from initiatives.models import HealthCheck, Initiative
from initiatives.models.health import SCORE_MAX, SCORE_MIN, Dimension

Model = Initiative.CollaborationModel
MONTH = 30.44  # days, on average
BEHAVIOURAL = {Dimension.RELATIONSHIPS, Dimension.LEADERSHIP, Dimension.SHARED_VISION}
ANSWERING = 0.8  # the chance that a partner answers a period's check-in
HEALTH_CHECK_MONTHS = {3: 88, 6: 7, 12: 3, 1: 2}


@dataclass(frozen=True)
class Profile:
    """What is typical of a collaboration model (months are ranges drawn from uniformly)."""

    setup: float  # median one-off set-up cost in pounds, procurement included
    procured: float  # the share that go through a procurement
    procurement: tuple  # months from procurement started to contract awarded
    contracted: float  # the share of the others under a contract all the same (direct award)
    terms: tuple  # contract terms in months to choose from
    build: tuple  # months from the start (or the award) to going live
    first_saving: tuple  # months from going live to the first saving
    health: float  # the typical health-check score
    sub_optimal: float  # the share held back by behavioural barriers


PROFILES = {
    Model.OUTSOURCING: Profile(
        420_000, 0.95, (9, 24), 0.9, (60, 72, 84, 96, 120), (2, 6), (12, 36), 3.0, 0.35
    ),
    Model.NEW_COMMISSIONING: Profile(
        260_000, 0.9, (6, 20), 0.8, (36, 48, 60, 84, 120), (2, 6), (9, 24), 3.2, 0.3
    ),
    Model.SHARED_SERVICE: Profile(
        150_000, 0.1, (3, 8), 0.1, (24, 36, 60), (4, 12), (3, 12), 3.4, 0.4
    ),
    Model.SPIN_OUT: Profile(120_000, 0.2, (3, 8), 0.6, (36, 48, 60), (6, 15), (6, 15), 3.5, 0.25),
    Model.INSOURCED_EXPERTISE: Profile(
        60_000, 0.4, (2, 5), 0.6, (12, 24, 36), (1, 4), (2, 8), 3.4, 0.25
    ),
    Model.CAPACITY_EXCHANGE: Profile(20_000, 0.0, (0, 0), 0.05, (12, 24), (1, 4), (1, 4), 3.7, 0.2),
    Model.CO_DESIGN: Profile(15_000, 0.0, (0, 0), 0.0, (12,), (1, 6), (1, 6), 3.8, 0.2),
    Model.PUBLIC_SOCIAL: Profile(50_000, 0.1, (2, 6), 0.25, (24, 36), (2, 8), (2, 9), 3.6, 0.3),
    Model.BUSINESS_SOCIAL: Profile(40_000, 0.15, (2, 6), 0.3, (24, 36), (2, 8), (2, 9), 3.5, 0.3),
}
# How each model's partners tend to score a dimension, against their usual level.
LEANINGS = {
    Model.OUTSOURCING: {
        Dimension.RELATIONSHIPS: -0.5,
        Dimension.SHARED_VISION: -0.3,
        Dimension.STRUCTURAL_FIT: 0.3,
        Dimension.GOVERNANCE: 0.2,
        Dimension.SERVICE_IMPROVEMENT: -0.3,
        Dimension.RESILIENCE: -0.2,
    },
    Model.NEW_COMMISSIONING: {Dimension.GOVERNANCE: 0.2, Dimension.RELATIONSHIPS: -0.2},
    Model.CO_DESIGN: {
        Dimension.RELATIONSHIPS: 0.3,
        Dimension.SERVICE_IMPROVEMENT: 0.4,
        Dimension.GOVERNANCE: -0.3,
        Dimension.STRUCTURAL_FIT: -0.2,
    },
    Model.SHARED_SERVICE: {
        Dimension.RESILIENCE: 0.3,
        Dimension.STRUCTURAL_FIT: -0.3,
        Dimension.LEADERSHIP: -0.2,
    },
    Model.CAPACITY_EXCHANGE: {Dimension.RESILIENCE: 0.4, Dimension.RELATIONSHIPS: 0.2},
    Model.SPIN_OUT: {Dimension.GOVERNANCE: 0.2, Dimension.LEADERSHIP: 0.2},
}
BREAK_POINTS = ["After {a} years", "After {a} and {b} years", "Annually after year {a}"]
LIVE_LIKE = (Status.LIVE, Status.CLOSED)


def _months(rng, span):
    low, high = span
    return timedelta(days=round(rng.uniform(low, high) * MONTH))


def comparison_decide(rng, calendar, plans):
    """Each plan's comparison fields and lifecycle days, and the day its savings may begin
    (`plan.savings_from`): after going live, sooner for collaborations than for outsourcing."""
    for plan in plans:
        _decide(rng, calendar, plan)


def _decide(rng, calendar, plan):
    initiative = plan.initiative
    profile = PROFILES[initiative.collaboration_model]
    dated_as = initiative.paused_from or initiative.status
    last, start = calendar.last_day, initiative.start_date
    plan.sub_optimal = rng.random() < profile.sub_optimal
    initiative.health_check_months = pick(rng, HEALTH_CHECK_MONTHS)
    shaping = dated_as in (Status.PROPOSED, Status.IN_DESIGN)
    if rng.random() < (0.45 if shaping else 0.85):
        cost = profile.setup * rng.lognormvariate(0, 0.6) * (1 + 0.15 * (len(plan.partners) - 1))
        initiative.setup_cost = money(min(cost, 50_000_000), round_figure=True)

    started = awarded = None
    if dated_as != Status.PROPOSED and rng.random() < profile.procured:
        started = start + timedelta(days=rng.randint(0, 90))
        awarded = started + _months(rng, profile.procurement)
        if shaping or awarded > last:  # still procuring
            awarded = None
        if started > last:
            started = None

    went = ended = None
    after_live = dated_as in LIVE_LIKE or (
        dated_as == Status.STOPPED and start <= last - timedelta(days=150) and rng.random() < 0.55
    )
    if after_live:
        if dated_as == Status.CLOSED:
            ending = min(initiative.planned_end_date + timedelta(days=rng.randint(-30, 30)), last)
            limit = ending - timedelta(days=60)
        else:
            limit = last - timedelta(days=30 if dated_as == Status.LIVE else 60)
        went = (awarded or started or start) + _months(rng, profile.build)
        if went > limit:
            went = day_between(rng, max(start, limit - timedelta(days=120)), limit)
        if awarded and awarded > went:  # compressed: awarded just before it went live
            awarded = went
        if started and started > (awarded or went):
            started = awarded or went
        if awarded is None and started is not None:
            awarded = day_between(rng, started, went)
        if dated_as == Status.CLOSED:
            ended = max(ending, went + timedelta(days=30))
        elif dated_as == Status.STOPPED:
            ended = day_between(rng, went + timedelta(days=60), last)
    elif dated_as == Status.STOPPED:
        ended = day_between(rng, start + timedelta(days=30), last)
        if started and started > ended:
            started = awarded = None
        elif awarded and awarded > ended:
            awarded = None

    initiative.procurement_started_on, initiative.contract_awarded_on = started, awarded
    contracted = awarded is not None or (
        not shaping and started is None and rng.random() < profile.contracted
    )
    if contracted and (went or dated_as != Status.STOPPED):
        initiative.contract_months = rng.choice(profile.terms)
        initiative.contract_break_points = _break_points(rng, initiative.contract_months)
    initiative.went_live_on, initiative.ended_on = went, ended
    plan.savings_from = None
    if went is not None:
        lag = _months(rng, profile.first_saving) * (1.3 if plan.sub_optimal else 1.0)
        plan.savings_from = went + lag


def _break_points(rng, months):
    years = months // 12
    if years < 3 or rng.random() < 0.25:
        return ""
    first = rng.randint(2, max(2, years // 2))
    second = min(years - 1, first + rng.randint(1, 3))
    return rng.choice(BREAK_POINTS).format(a=first, b=max(second, first + 1))


# --- health checks -----------------------------------------------------------------------------


def _period_of(day, months):
    """The first day of the health-check period `day` falls in: periods of `months` months,
    aligned to the financial year (a quarter begins in April, July, October or January)."""
    since_april = (day.month - 4) % 12 // months * months
    year = financial_years.financial_year_of(day)
    month = 4 + since_april
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _next_period(first, months):
    month = first.month - 1 + months
    return date(first.year + month // 12, month % 12 + 1, 1)


def _score(value):
    return max(SCORE_MIN, min(SCORE_MAX, round(value)))


DIMENSIONS = list(Dimension.values)
# What a stored answer holds, in order: health_checks_store's columns.
COLUMNS = [
    "initiative_id",
    "organisation_id",
    "period_start",
    "answered_by_id",
    "answered_at",
    "version",
    *DIMENSIONS,
    *(f"{dimension}_comment" for dimension in DIMENSIONS),
]
NO_COMMENTS = [""] * len(DIMENSIONS)


def health_checks_store(seed, calendar, plans, people):
    """One answer per active partner per period since going live (not every partner answers
    every period), to the day it ended or to today, stored after the initiatives and people
    they refer to: returns how many. They are made in parallel processes, a part of the
    initiatives at a time, each part drawing from its own generator seeded by `seed` and its
    place, so the same seed gives the same answers."""
    return copy_built(
        HealthCheck,
        COLUMNS,
        list(enumerate(plans)),
        partial(_answers_of, seed=seed, calendar=calendar, people=people),
        size=HEALTH_PART,
    )


HEALTH_PART = 500  # initiatives a part: a few tens of thousands of answers


def _answers_of(part, seed, calendar, people):
    rng = random.Random(f"{seed}:{part[0][0]}")  # noqa: S311 - made-up data, not a secret
    rows = []
    for _, plan in part:
        if plan.initiative.went_live_on is not None:
            rows += _answers(rng, calendar, plan, people)
    return rows


def _answers(rng, calendar, plan, people):
    initiative = plan.initiative
    model, months = initiative.collaboration_model, initiative.health_check_months
    level = PROFILES[model].health + rng.gauss(0, 0.45) - (0.3 if plan.sub_optimal else 0)
    leaning = {
        dimension: LEANINGS.get(model, {}).get(dimension, 0.0)
        + rng.gauss(0, 0.3)
        - (1.2 if plan.sub_optimal and dimension in BEHAVIOURAL else 0.0)
        for dimension in DIMENSIONS
    }
    partners = [(organisation.pk, joined) for organisation, _, joined in plan.partners]
    dissent = {}  # a partner that sees the behavioural barriers very differently
    if len(partners) > 1 and rng.random() < (0.6 if plan.sub_optimal else 0.12):
        dissent[rng.choice(partners)[0]] = rng.choice((-1.8, -1.6, 1.6))
    usual = {}  # each partner's usual score of each dimension
    for pk, _ in partners:
        bias = rng.gauss(0, 0.35)
        usual[pk] = [
            level
            + leaning[dimension]
            + bias
            + (dissent.get(pk, 0.0) if dimension in BEHAVIOURAL else 0.0)
            for dimension in DIMENSIONS
        ]
    falling = initiative.status == Status.STOPPED or plan.sub_optimal
    trend = rng.gauss(-0.08 if falling else 0.03, 0.05)
    end = min(initiative.ended_on or calendar.last_day, calendar.last_day)
    went = initiative.went_live_on
    period, drift, rows = _period_of(went, months), 0.0, []
    while period <= end:
        following = _next_period(period, months)
        first, final = max(period, went), min(following - timedelta(days=1), end)
        drift += trend + rng.gauss(0, 0.1)
        for pk, joined in partners:
            if joined > final or rng.random() >= ANSWERING:
                continue
            day = day_between(rng, max(first, joined), final)
            at = datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)), calendar.zone)
            scores = [_score(value + drift + rng.gauss(0, 0.45)) for value in usual[pk]]
            rows.append([initiative.pk, pk, period, people[pk][0].pk, at, 1, *scores, *NO_COMMENTS])
        period = following
    return rows
