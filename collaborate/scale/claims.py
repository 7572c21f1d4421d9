"""The generator's claims: who claimed what in which year, how far each went through the
workflow, its adjustments, and the attributions of the verified ones."""

from datetime import timedelta
from decimal import Decimal

from collaborate.scale.common import ClaimStatus, Quality, day_between, later, lowered, money, pick
from collaborate.scale.store import Record
from initiatives import financial_years
from initiatives.claims import attribution
from initiatives.models import ClaimAttribution, Initiative, SavingsClaim

CLAIM_STATUSES = {
    "current": {
        ClaimStatus.DRAFT: 22,
        ClaimStatus.SUBMITTED: 28,
        ClaimStatus.RETURNED: 9,
        ClaimStatus.VERIFIED: 34,
        ClaimStatus.REJECTED: 7,
    },
    "open": {
        ClaimStatus.DRAFT: 5,
        ClaimStatus.SUBMITTED: 14,
        ClaimStatus.RETURNED: 7,
        ClaimStatus.VERIFIED: 64,
        ClaimStatus.REJECTED: 10,
    },
    "locked": {ClaimStatus.VERIFIED: 89, ClaimStatus.REJECTED: 11},
}
ADJUSTMENT_STATUSES = {ClaimStatus.DRAFT: 10, ClaimStatus.SUBMITTED: 25, ClaimStatus.VERIFIED: 65}
QUALITY_WEIGHTS = {Quality.IMPROVED: 33, Quality.MAINTAINED: 61, Quality.FELL: 6}
CATEGORY_WEIGHTS = {
    SavingsClaim.Category.COST_REDUCTION: 60,
    SavingsClaim.Category.COST_AVOIDANCE: 25,
    SavingsClaim.Category.INCOME: 15,
}
DESCRIPTIONS = {
    SavingsClaim.Category.COST_REDUCTION: [
        "Fewer licences after moving to one {area} system shared by the partners.",
        "One management team for {area} instead of one in each partner.",
        "Lower prices from buying {area} supplies together.",
        "Less spent on agency staff in {area} now that the teams cover for each other.",
        "Office space released by bringing the {area} teams together.",
    ],
    SavingsClaim.Category.INCOME: [
        "Income from selling {area} services to neighbouring authorities.",
        "Fees earned by the partners' joint {area} trading arm.",
        "Grant income the partnership secured for {area}.",
    ],
    SavingsClaim.Category.COST_AVOIDANCE: [
        "Demand for {area} avoided by earlier help to residents.",
        "A replacement {area} system avoided by sharing a partner's.",
        "Price rises in {area} contracts avoided by fixing rates jointly.",
    ],
}
EVIDENCE = [
    "Budget monitoring report for {year}, comparing cost centres before and after.",
    "Signed contract variation and the supplier's invoices.",
    "The finance business partner's reconciliation of the staffing budgets.",
    "Payroll extracts from before and after the restructure.",
    "The joint committee report that approved the saving.",
]
QUALITY_STATEMENTS = {
    Quality.IMPROVED: [
        "Processing times fell and customer satisfaction rose.",
        "More cases are resolved at first contact.",
    ],
    Quality.MAINTAINED: [
        "Service standards were met throughout, with no rise in complaints.",
        "Performance indicators are unchanged against the baseline.",
    ],
    Quality.FELL: [
        "Response times lengthened after the change.",
        "Opening hours were reduced.",
    ],
}
BASELINE_METHODS = [
    "Outturn of the year before the change.",
    "Average cost of the three years before the change.",
    "Budgeted cost at the time of the business case.",
]
RETURN_NOTES = [
    "Please attach the supplier's invoices.",
    "The baseline year does not match the evidence.",
    "Please split the one-off and recurring parts into separate claims.",
]
REJECT_NOTES = [
    "Not attributable to the collaboration.",
    "This saving was already claimed in an earlier year.",
]
FELL_NOTE = "Outputs fell, so this is a cut, not an efficiency."
ADJUSTMENT_DESCRIPTIONS = [
    "Correction: the supplier's final invoice differed from the estimate.",
    "Correction: the year-end outturn replaced the forecast used in the claim.",
]
DECISIONS = {
    ClaimStatus.VERIFIED: "Verified",
    ClaimStatus.RETURNED: "Returned for revision",
    ClaimStatus.REJECTED: "Rejected",
}


def _claim_status(rng, calendar, year, quality):
    if year == calendar.current_year:
        period = "current"
    else:
        period = "locked" if calendar.locked(year) else "open"
    status = pick(rng, CLAIM_STATUSES[period])
    if status == ClaimStatus.VERIFIED and quality == Quality.FELL:
        # Outputs fell: a cut, which verifying refuses; the lead's manager rejects it.
        return ClaimStatus.REJECTED
    return status


def _claim_amounts(rng, plan):
    gross = min(2_000_000, max(1_000, plan.size * rng.lognormvariate(0, 0.6)))
    gross = money(gross, round_figure=rng.random() < 0.6)
    if rng.random() < 0.4:
        return gross, Decimal("0.00")
    return gross, money(float(gross) * rng.uniform(0.02, 0.5))


def _review_note(rng, claim):
    if claim.status == ClaimStatus.RETURNED:
        return rng.choice(RETURN_NOTES)
    if claim.status == ClaimStatus.REJECTED:
        return FELL_NOTE if claim.service_quality == Quality.FELL else rng.choice(REJECT_NOTES)
    return ""


def _claim_workflow(rng, calendar, claim, earliest, people, after=None):
    """Who did what when: drafted by an officer of the claimant in or after the claim's year
    (and after `after`), then submitted, then decided by a manager of the lead organisation,
    never the person who submitted it."""
    officer, reviewer = people[claim.claimant.pk][0], people[claim.initiative.lead.pk][1]
    year = claim.financial_year
    low = max(financial_years.start_of(year) + timedelta(days=30), earliest)
    high = min(financial_years.end_of(year) + timedelta(days=90), calendar.last_day)
    claim.created_by = officer
    claim.created_at = calendar.moment(rng, day_between(rng, min(low, high), high))
    if after:
        claim.created_at = max(claim.created_at, after + timedelta(hours=1))
    claim.updated_at = claim.created_at
    if claim.status != ClaimStatus.DRAFT:
        claim.submitted_by, claim.version = officer, 2
        claim.submitted_at = claim.updated_at = later(rng, calendar, claim.created_at, 21)
    if claim.status in DECISIONS:
        claim.reviewed_by, claim.version = reviewer, 3
        claim.reviewed_at = claim.updated_at = later(rng, calendar, claim.submitted_at, 42)
        claim.review_note = _review_note(rng, claim)


def claim_build(rng, calendar, plan, people):
    initiative = plan.initiative
    partners = [organisation for organisation, _, _ in plan.partners]
    claimant = partners[0]
    if len(partners) > 1 and rng.random() >= 0.45:
        claimant = rng.choice(partners[1:])
    earliest, years = _claimable(calendar, plan)
    year = rng.choice(years)
    quality = pick(rng, QUALITY_WEIGHTS)
    category = pick(rng, CATEGORY_WEIGHTS)
    cash = 0.3 if category == SavingsClaim.Category.COST_AVOIDANCE else 0.8
    gross, cost = _claim_amounts(rng, plan)
    baseline = rng.random() < 0.7
    claim = Record(
        SavingsClaim,
        initiative=initiative,
        claimant=claimant,
        financial_year=year,
        category=category,
        kind=SavingsClaim.Kind.CASH_RELEASING
        if rng.random() < cash
        else SavingsClaim.Kind.NON_CASH_RELEASING,
        recurrence=SavingsClaim.Recurrence.RECURRING
        if rng.random() < 0.55
        else SavingsClaim.Recurrence.ONE_OFF,
        gross_amount=gross,
        implementation_cost=cost,
        baseline_value=money(float(gross) * rng.uniform(2, 10), True) if baseline else None,
        baseline_year=year - 1 if baseline else None,
        baseline_method=rng.choice(BASELINE_METHODS) if baseline else "",
        budget_reference=f"CC{rng.randint(1000, 9999)}" if rng.random() < 0.6 else "",
        description=rng.choice(DESCRIPTIONS[category]).format(
            area=lowered(Initiative.ServiceArea(initiative.service_area).label)
        ),
        evidence_text=rng.choice(EVIDENCE).format(year=financial_years.label(year)),
        service_quality=quality,
        service_quality_statement=rng.choice(QUALITY_STATEMENTS[quality]),
        status=_claim_status(rng, calendar, year, quality),
    )
    _claim_workflow(rng, calendar, claim, earliest, people)
    return claim


def _claimable(calendar, plan):
    """The first day a claim may be made and the years it may be for: for an initiative that
    went live, from the day its savings begin (or, when that is still to come, the day it went
    live), so its first verified saving comes after going live."""
    initiative = plan.initiative
    years = calendar.claim_years(initiative)
    if plan.savings_from is None:
        return initiative.start_date, years
    earliest = plan.savings_from
    if earliest >= calendar.last_day - timedelta(days=30):
        earliest = initiative.went_live_on
    after = [year for year in years if year >= financial_years.financial_year_of(earliest)]
    return (earliest, after) if after else (initiative.start_date, years)


def claims_build(rng, calendar, plans, count, people):
    """`count` claims over the initiatives that deliver, more for the larger ones."""
    claiming = [p for p in plans if p.claim_weight > 0]
    if not claiming:
        return []
    chosen = rng.choices(claiming, weights=[p.claim_weight for p in claiming], k=count)
    return [claim_build(rng, calendar, plan, people) for plan in chosen]


def adjustment_build(rng, calendar, corrected, people):
    """A correction of a verified claim in this financial year, up or down but never taking
    the claim below zero, as claim_correct makes them."""
    net = corrected.gross_amount - corrected.implementation_cost
    change = money(float(net) * rng.uniform(0.02, 0.3))
    if rng.random() < 0.4:
        change = -change
    claim = Record(
        SavingsClaim,
        initiative=corrected.initiative,
        claimant=corrected.claimant,
        corrects=corrected,
        financial_year=calendar.current_year,
        category=corrected.category,
        kind=corrected.kind,
        recurrence=SavingsClaim.Recurrence.ONE_OFF,
        gross_amount=change,
        implementation_cost=Decimal("0.00"),
        description=rng.choice(ADJUSTMENT_DESCRIPTIONS),
        service_quality=Quality.MAINTAINED,
        service_quality_statement="A correction of a verified claim.",
        status=pick(rng, ADJUSTMENT_STATUSES),
    )
    earliest = corrected.reviewed_at.date()
    _claim_workflow(rng, calendar, claim, earliest, people, after=corrected.reviewed_at)
    return claim


def adjustments_build(rng, calendar, claims, count, people):
    verified = [c for c in claims if c.status == ClaimStatus.VERIFIED]
    chosen = rng.sample(verified, min(count, len(verified)))
    return [adjustment_build(rng, calendar, corrected, people) for corrected in chosen]


def attributions_build(claims, shares_of):
    """Each verified claim's net amount split by its initiative's active shares, to the penny,
    as verifying does."""
    parts = []
    for claim in claims:
        if claim.status != ClaimStatus.VERIFIED:
            continue
        shares = shares_of[claim.initiative.pk]
        net = claim.gross_amount - claim.implementation_cost
        for organisation_id, amount in attribution.split(net, shares).items():
            parts.append(
                Record(
                    ClaimAttribution,
                    claim=claim,
                    organisation_id=organisation_id,
                    share=shares[organisation_id],
                    amount=amount,
                )
            )
    return parts
