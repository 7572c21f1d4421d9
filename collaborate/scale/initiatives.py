"""The generator's initiatives: what each is, who takes part with what share, its dates and
targets, decided before anything is stored."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from collaborate.scale.common import HUNDRED, Status, apportion, day_between, lowered, pick
from collaborate.scale.organisations import draw, partner_draw
from collaborate.scale.store import Record
from initiatives.claims import attribution
from initiatives.models import Initiative, Partnership, SavingsTarget

PARTNER_COUNTS = {1: 14, 2: 30, 3: 24, 4: 15, 5: 10, 6: 7}

STATUS_WEIGHTS = {
    Status.PROPOSED: 7,
    Status.IN_DESIGN: 9,
    Status.IMPLEMENTING: 14,
    Status.LIVE: 45,
    Status.PAUSED: 5,
    Status.CLOSED: 12,
    Status.STOPPED: 8,
}
PAUSED_FROM = {Status.IN_DESIGN: 2, Status.IMPLEMENTING: 3, Status.LIVE: 5}
# How many status changes an initiative went through to get where it is.
STATUS_STEPS = {
    Status.PROPOSED: 0,
    Status.IN_DESIGN: 1,
    Status.IMPLEMENTING: 2,
    Status.LIVE: 3,
    Status.CLOSED: 4,
    Status.STOPPED: 2,
}
# How much an initiative in each status claims: only those that delivered something.
CLAIMING = {
    Status.LIVE: 1.0,
    Status.CLOSED: 1.0,
    Status.IMPLEMENTING: 0.3,
    Status.STOPPED: 0.3,
}
MODEL_WEIGHTS = {
    Initiative.CollaborationModel.SHARED_SERVICE: 30,
    Initiative.CollaborationModel.CAPACITY_EXCHANGE: 12,
    Initiative.CollaborationModel.SPIN_OUT: 5,
    Initiative.CollaborationModel.INSOURCED_EXPERTISE: 6,
    Initiative.CollaborationModel.CO_DESIGN: 8,
    Initiative.CollaborationModel.PUBLIC_SOCIAL: 10,
    Initiative.CollaborationModel.BUSINESS_SOCIAL: 6,
    Initiative.CollaborationModel.NEW_COMMISSIONING: 13,
    Initiative.CollaborationModel.OUTSOURCING: 10,
}
TITLES = {
    Initiative.CollaborationModel.SHARED_SERVICE: "Shared {area} service",
    Initiative.CollaborationModel.CAPACITY_EXCHANGE: "{Area} expertise exchange",
    Initiative.CollaborationModel.SPIN_OUT: "{Area} spin-out",
    Initiative.CollaborationModel.INSOURCED_EXPERTISE: "In-sourced {area} expertise",
    Initiative.CollaborationModel.CO_DESIGN: "{Area} co-designed with residents",
    Initiative.CollaborationModel.PUBLIC_SOCIAL: "{Area} public–social partnership",
    Initiative.CollaborationModel.BUSINESS_SOCIAL: "{Area} business–social partnership",
    Initiative.CollaborationModel.NEW_COMMISSIONING: "Joint commissioning of {area}",
    Initiative.CollaborationModel.OUTSOURCING: "Joint {area} contract",
}
GOVERNANCE_WEIGHTS = {
    Initiative.Governance.JOINT_COMMITTEE: 25,
    Initiative.Governance.LEAD_AUTHORITY: 35,
    Initiative.Governance.COMPANY: 10,
    Initiative.Governance.INFORMAL: 25,
    Initiative.Governance.OTHER: 5,
}
NOT_FOR_SAVINGS_REASONS = [
    "It improves outcomes for residents; saving money is not its aim.",
    "A pilot to understand demand: savings will be assessed after the evaluation.",
    "Grant-funded to make the service more resilient, not to cut its cost.",
]


@dataclass(eq=False)
class Plan:
    """One initiative being generated, with what is decided about it before it is stored."""

    initiative: Initiative
    partners: list  # [(organisation, share, joined on)] of the active partners, the lead first
    removed: tuple | None  # (organisation, joined on, removed on) of a partner that left
    size: float  # a typical gross claim of this initiative, in pounds
    claim_weight: float  # how many claims it makes, relative to the others
    targeted: bool
    # Decided by collaborate.scale.comparison: the first day a saving may be claimed (after it
    # went live; None for one that never did), and whether behavioural barriers hold it back.
    savings_from: object = None
    sub_optimal: bool = False

    @property
    def shares(self):
        return {organisation.pk: share for organisation, share, _ in self.partners}


def _statuses(rng, count):
    """Statuses spread over the table by weight, each paused one with the status it was paused
    from."""
    statuses = [s for s, n in apportion(count, STATUS_WEIGHTS).items() for _ in range(n)]
    rng.shuffle(statuses)
    return [(s, pick(rng, PAUSED_FROM) if s == Status.PAUSED else "") for s in statuses]


def _dates(rng, calendar, status):
    """Start and planned end: recent for initiatives still being shaped, older for those
    delivering or finished; closed ones ended before today."""
    today, first = calendar.today, calendar.first_day
    low, high = {
        Status.PROPOSED: (today - timedelta(days=60), today + timedelta(days=240)),
        Status.IN_DESIGN: (today - timedelta(days=400), today + timedelta(days=120)),
        Status.IMPLEMENTING: (today - timedelta(days=3 * 365), today - timedelta(days=30)),
        Status.LIVE: (first, today - timedelta(days=90)),
        Status.CLOSED: (first, today - timedelta(days=2 * 365)),
        Status.STOPPED: (first, today - timedelta(days=60)),
    }[status]
    start = day_between(rng, max(low, first), high)
    if status == Status.CLOSED:
        return start, day_between(rng, start + timedelta(days=180), today - timedelta(days=30))
    if rng.random() < 0.15:
        return start, None
    return start, start + timedelta(days=rng.randint(365, 5 * 365))


def _partners(rng, pools, count):
    """The lead (mostly a council) and the other active partners, all different."""
    lead_pool = pools[("council", None)]
    if rng.random() < 0.15 and ("other lead", None) in pools:
        lead_pool = pools[("other lead", None)]
    chosen = [draw(rng, lead_pool)]
    for _ in range(count * 10):
        if len(chosen) == count:
            break
        candidate = partner_draw(rng, pools, chosen[0].region)
        if candidate not in chosen:
            chosen.append(candidate)
    return chosen


def _shares(rng, count):
    """Shares to two decimals that sum to exactly 100: equal, or the lead taking more."""
    if rng.random() < 0.35:
        weights = dict.fromkeys(range(count), 1)
    else:
        weights = {
            i: rng.uniform(1.5, 4.0) if i == 0 else rng.uniform(0.5, 2.0) for i in range(count)
        }
    split = attribution.split(HUNDRED, weights)
    return [split[i] for i in range(count)]


def _removed(rng, calendar, pools, partners, created):
    """Now and then an organisation took part for a while and left, with no share."""
    if rng.random() >= 0.08 or created > calendar.today - timedelta(days=120):
        return None
    leaver = partner_draw(rng, pools, partners[0].region)
    if leaver in partners:
        return None
    joined = day_between(rng, created, calendar.last_day - timedelta(days=60))
    return leaver, joined, day_between(rng, joined + timedelta(days=30), calendar.last_day)


def _published(rng, calendar, status, created_at):
    if status in (Status.PROPOSED, Status.IN_DESIGN) or rng.random() >= 0.25:
        return Initiative.Visibility.PARTNERS, None
    day = created_at.date() + timedelta(days=rng.randint(30, 400))
    return Initiative.Visibility.PUBLIC, max(calendar.moment(rng, day), created_at)


def _described(rng, lead, partners):
    model = pick(rng, MODEL_WEIGHTS)
    area = Initiative.ServiceArea(rng.choice(Initiative.ServiceArea.values))
    title = TITLES[model].format(area=lowered(area.label), Area=area.label)
    return {
        "title": f"{title}: {lead.short_name or lead.name}",
        "summary": f"{_working_together(lead, partners)} on {lowered(area.label)}: "
        f"{Initiative.CollaborationModel(model).label.lower()}.",
        "collaboration_model": model,
        "service_area": area,
        "governance": Initiative.Governance.COMPANY
        if model == Initiative.CollaborationModel.SPIN_OUT
        else pick(rng, GOVERNANCE_WEIGHTS),
    }


def _working_together(lead, partners):
    if partners == 1:
        return f"{lead.name} works with residents and suppliers"
    others = "another organisation" if partners == 2 else f"{partners - 1} other organisations"
    return f"{lead.name} works with {others}"


def _targeted(rng, status):
    """Whether targets are set: about 5% of live initiatives lack them (the gap list), and
    many still being shaped have none yet."""
    if status == Status.LIVE:
        return rng.random() >= 0.05
    if status in (Status.PROPOSED, Status.IN_DESIGN):
        return rng.random() >= 0.4
    return True


def _claim_weight(rng, initiative, partners):
    """How much an initiative claims: nothing before it delivers or when it is not meant to
    save money, more with more partners, and more for some than others by chance."""
    if initiative.not_for_savings:
        weight = 0.0
    elif initiative.status == Status.PAUSED:
        weight = 0.0 if initiative.paused_from == Status.IN_DESIGN else 0.6
    else:
        weight = CLAIMING.get(initiative.status, 0.0)
    return weight * rng.lognormvariate(0, 0.7) * partners**0.5


def _version(plan, dated_as):
    """The initiative's version after the changes that made it what it is."""
    initiative = plan.initiative
    return (
        1
        + 2 * (len(plan.partners) - 1)
        + STATUS_STEPS.get(dated_as, 0)
        + (initiative.status == Status.PAUSED)
        + (initiative.published_at is not None)
        + (2 if plan.removed else 0)
    )


def initiative_plan(rng, calendar, pools, status, paused_from):
    dated_as = paused_from or status
    start, end = _dates(rng, calendar, dated_as)
    organisations = _partners(rng, pools, pick(rng, PARTNER_COUNTS))
    created_at = calendar.moment(rng, start - timedelta(days=rng.randint(14, 200)))
    visibility, published_at = _published(rng, calendar, status, created_at)
    not_for_savings = rng.random() < 0.04
    initiative = Initiative(
        **_described(rng, organisations[0], len(organisations)),
        status=status,
        paused_from=paused_from,
        start_date=start,
        planned_end_date=end,
        visibility=visibility,
        published_at=published_at,
        lead=organisations[0],
        not_for_savings=not_for_savings,
        not_for_savings_reason=rng.choice(NOT_FOR_SAVINGS_REASONS) if not_for_savings else "",
        created_at=created_at,
        updated_at=published_at or created_at,
    )
    created = created_at.date()
    joined = [created] + [
        min(calendar.last_day, created + timedelta(days=rng.randint(0, 60)))
        for _ in organisations[1:]
    ]
    plan = Plan(
        initiative=initiative,
        partners=list(zip(organisations, _shares(rng, len(organisations)), joined, strict=True)),
        removed=_removed(rng, calendar, pools, organisations, created),
        size=min(1_500_000, max(2_000, rng.lognormvariate(11.0, 0.9))),
        claim_weight=_claim_weight(rng, initiative, len(organisations)),
        targeted=not not_for_savings and _targeted(rng, status),
    )
    initiative.version = _version(plan, dated_as)
    return plan


def initiatives_plan(rng, calendar, pools, count):
    return [
        initiative_plan(rng, calendar, pools, status, paused_from)
        for status, paused_from in _statuses(rng, count)
    ]


def targets_build(rng, calendar, plans, claims):
    """Targets year by year within each initiative's savings years, in line with what it
    will claim: half in its first year, then full years."""
    total_weight = sum(p.claim_weight for p in plans) or 1
    targets = []
    for plan in plans:
        if not plan.targeted:
            continue
        initiative = plan.initiative
        years = len(calendar.claim_years(initiative)) or 1
        expected = claims * plan.claim_weight / total_weight / years
        per_year = max(1.0, expected) * plan.size * 0.7 * rng.uniform(0.7, 1.5)
        last = min(
            initiative.last_year,
            initiative.first_year + rng.randint(2, 6),
            calendar.current_year + 3,
        )
        for year in range(initiative.first_year, last + 1):
            amount = per_year * (0.5 if year == initiative.first_year else 1.0)
            targets.append(
                Record(
                    SavingsTarget,
                    initiative=initiative,
                    financial_year=year,
                    amount=Decimal(max(1000, round(amount, -3))),
                )
            )
    return targets


def partnerships_build(plans):
    partnerships = []
    for plan in plans:
        for organisation, share, joined in plan.partners:
            partnerships.append(
                Record(
                    Partnership,
                    initiative=plan.initiative,
                    organisation=organisation,
                    savings_share=share,
                    joined_on=joined,
                )
            )
        if plan.removed:
            organisation, joined, removed_on = plan.removed
            partnerships.append(
                Record(
                    Partnership,
                    initiative=plan.initiative,
                    organisation=organisation,
                    savings_share=Decimal("0.00"),
                    joined_on=joined,
                    removed_on=removed_on,
                )
            )
    return partnerships
