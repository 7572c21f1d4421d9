"""A realistic national-scale synthetic dataset on the real public bodies, the same for a seed."""

import random
import time as clock
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, reset_queries, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from initiatives import financial_years
from initiatives.claims import attribution
from initiatives.models import (
    ClaimAttribution,
    ClaimEvidence,
    FinancialYearLock,
    Initiative,
    Partnership,
    ReferenceSequence,
    SavingsClaim,
    SavingsTarget,
)
from partners.councils import public_bodies_load
from partners.models import (
    HistoryEntry,
    Invitation,
    Membership,
    Organisation,
    User,
    normalise_name,
)

# What scale 1.0 means: the whole country.
NATIONAL_ORGANISATIONS = 4000
NATIONAL_INITIATIVES = 20_000
NATIONAL_CLAIMS = 200_000
YEARS = 10
ADJUSTMENTS_PER_CLAIM = 0.005
BATCH_SIZE = 5000

# How generated records are recognised again, to refuse a second run and to delete them.
SOURCE_PREFIX = "gen:"
EMAIL_DOMAIN = "generated.collaborate.local"
PASSWORD = "collaborate-generated"  # noqa: S105 - printed: generated people sign in with it

HUNDRED = Decimal("100")
Kind = Organisation.Kind
Sector = Organisation.Sector
Status = Initiative.Status
ClaimStatus = SavingsClaim.Status
Quality = SavingsClaim.ServiceQuality
OFFICER, MANAGER = Membership.Role.OFFICER, Membership.Role.MANAGER

# --- words ------------------------------------------------------------------------------------

FIRST_NAMES = [
    "Aisha",
    "Alan",
    "Amir",
    "Anna",
    "Ben",
    "Bethan",
    "Callum",
    "Chloe",
    "Daniel",
    "Deepa",
    "Eilidh",
    "Emma",
    "Fiona",
    "Gareth",
    "Grace",
    "Hannah",
    "Harry",
    "Imran",
    "Isla",
    "James",
    "Jasmine",
    "Kieran",
    "Laura",
    "Liam",
    "Megan",
    "Mohammed",
    "Niamh",
    "Oliver",
    "Olivia",
    "Priya",
    "Rhys",
    "Rachel",
    "Ruth",
    "Sam",
    "Sarah",
    "Sean",
    "Sophie",
    "Tom",
    "Yasmin",
    "Zoe",
]
SURNAMES = [
    "Ahmed",
    "Ali",
    "Baker",
    "Campbell",
    "Clarke",
    "Davies",
    "Edwards",
    "Evans",
    "Green",
    "Hall",
    "Harris",
    "Hughes",
    "Jackson",
    "Jones",
    "Kaur",
    "Khan",
    "Lewis",
    "Martin",
    "Morgan",
    "Murphy",
    "Patel",
    "Price",
    "Roberts",
    "Robinson",
    "Scott",
    "Shah",
    "Singh",
    "Smith",
    "Stewart",
    "Taylor",
    "Thomas",
    "Thompson",
    "Walker",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wood",
    "Wright",
    "Young",
]
FEATURES = [
    "Park",
    "Hill",
    "Grange",
    "Valley",
    "Meadow",
    "Oak",
    "Castle",
    "Bridge",
    "Green",
    "Moor",
    "Brook",
    "Abbey",
    "Heath",
    "Riverside",
    "Fields",
    "Beacon",
    "Ridge",
    "Willow",
]
SAINTS = ["St Mary's", "St John's", "St Peter's", "Holy Trinity", "All Saints", "St Joseph's"]
TRADES = [
    "Consulting",
    "Digital",
    "Facilities Management",
    "Engineering",
    "Software",
    "Environmental Services",
    "Logistics",
    "Data",
    "Property Services",
    "Fleet Services",
]

# The organisations made up besides the real public bodies: kind, sector, how common, names.
SYNTHETIC_KINDS = [
    (
        Kind.SCHOOL_OR_COLLEGE,
        Sector.PUBLIC,
        18,
        [
            "{place} College",
            "{place} Sixth Form College",
            "{feature} Academy, {place}",
            "{saint} Primary School, {place}",
            "{place} {feature} High School",
        ],
    ),
    (
        Kind.UNIVERSITY,
        Sector.PUBLIC,
        2,
        ["University of {place}", "{place} Metropolitan University", "{place} University"],
    ),
    (
        Kind.NHS_BODY,
        Sector.PUBLIC,
        6,
        [
            "{place} Teaching Hospitals NHS Foundation Trust",
            "{place} Community Health NHS Trust",
            "{place} and District Mental Health NHS Foundation Trust",
            "NHS {place} Integrated Care Board",
        ],
    ),
    (Kind.OTHER, Sector.PUBLIC, 4, ["{place} Town Council", "{feature} Parish Council, {place}"]),
    (
        Kind.HOUSING_ASSOCIATION,
        Sector.SOCIAL,
        9,
        [
            "{place} Homes",
            "{place} Housing Association",
            "{feature} Housing Group",
            "{place} Community Housing Trust",
        ],
    ),
    (
        Kind.CHARITY,
        Sector.SOCIAL,
        24,
        [
            "Citizens Advice {place}",
            "Age Concern {place}",
            "{place} Foodbank",
            "{place} Carers Centre",
            "{place} Mind",
            "{place} Community Foundation",
            "{place} Youth Trust",
            "{place} Council for Voluntary Service",
            "{feature} Wildlife Trust",
            "Friends of {place} Libraries",
        ],
    ),
    (
        Kind.SOCIAL_ENTERPRISE,
        Sector.SOCIAL,
        10,
        [
            "{place} Community Transport CIC",
            "{place} Reuse and Recycling CIC",
            "{feature} Works CIC",
            "{place} Leisure Trust",
            "{place} Training Enterprise CIC",
        ],
    ),
    (
        Kind.COOPERATIVE,
        Sector.SOCIAL,
        6,
        [
            "{place} Credit Union",
            "{place} Community Energy Co-operative",
            "{place} Care Co-operative",
            "{feature} Workers' Co-operative",
        ],
    ),
    (
        Kind.PRIVATE_COMPANY,
        Sector.BUSINESS,
        21,
        [
            "{place} {trade} Ltd",
            "{surname} {trade} Ltd",
            "{surname} & {surname2} LLP",
            "{feature} {trade} Group plc",
        ],
    ),
]
# Health outside England is run by boards (real ones are loaded) and partnerships with councils.
DEVOLVED_HEALTH = ["{place} Health and Social Care Partnership"]
# Places to name organisations after: the areas of the current councils (not the authorities
# that span several of them).
PLACE_KINDS = Organisation.COUNCIL_KINDS - {Kind.COMBINED_AUTHORITY, Kind.STRATEGIC_AUTHORITY}
# Larger councils take part in more collaborations.
KIND_WEIGHTS = {
    Kind.COUNTY_COUNCIL: 4,
    Kind.UNITARY_AUTHORITY: 4,
    Kind.METROPOLITAN_BOROUGH: 4,
    Kind.LONDON_BOROUGH: 3.5,
    Kind.SCOTTISH_COUNCIL: 3,
    Kind.WELSH_COUNCIL: 2.5,
    Kind.NI_COUNCIL: 2,
    Kind.DISTRICT_COUNCIL: 1.5,
    Kind.COMBINED_AUTHORITY: 1.5,
}
# Besides councils, the kinds of organisation that lead an initiative now and then.
OTHER_LEAD_KINDS = {
    Kind.NHS_BODY,
    Kind.POLICE,
    Kind.FIRE_AND_RESCUE,
    Kind.HOUSING_ASSOCIATION,
    Kind.UNIVERSITY,
    Kind.CHARITY,
}
PARTNER_CATEGORIES = {"council": 55, "public": 20, "social": 18, "business": 7}
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

# Claims: how statuses fall in a year still open, a year just ended and a signed-off year.
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


class InvariantsFailed(Exception):
    """The generated data breaks a rule the product relies on."""


# --- dates ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    """Every generated date is placed relative to one day, fixed when the run starts; all
    that happened, happened before it."""

    today: date

    @property
    def current_year(self):
        return financial_years.financial_year_of(self.today)

    @property
    def first_year(self):
        return self.current_year - YEARS + 1

    @property
    def first_day(self):
        return financial_years.start_of(self.first_year)

    @property
    def last_day(self):
        return self.today - timedelta(days=1)

    def moment(self, rng, day):
        """A time in office hours on `day`, or on the last day when `day` is later."""
        at = time(rng.randint(8, 17), rng.randint(0, 59))
        return datetime.combine(min(day, self.last_day), at, timezone.get_current_timezone())

    def before_start(self, rng):
        """A moment well before the first initiative: when organisations and people joined."""
        return self.moment(rng, self.first_day - timedelta(days=rng.randint(200, 600)))

    def locked(self, year):
        """Whether a year is signed off: about six months after it ends."""
        return financial_years.end_of(year) + timedelta(days=183) < self.today

    def claim_years(self, initiative):
        """The years an initiative may have claims in: its savings years, up to this one."""
        return range(initiative.first_year, min(initiative.last_year, self.current_year) + 1)


def _day(rng, low, high):
    return low + timedelta(days=rng.randint(0, max(0, (high - low).days)))


def _later(rng, calendar, after, days):
    """A moment up to `days` days after `after`, and at least an hour after it."""
    moment = calendar.moment(rng, after.date() + timedelta(days=rng.randint(0, days)))
    return max(moment, after + timedelta(hours=1))


# --- helpers ----------------------------------------------------------------------------------


def _pick(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _apportion(total, weights):
    """`total` items shared by weight to whole items, the remainders going to the largest
    fractions: every status with a weight gets its part even in a small run."""
    whole = sum(weights.values())
    exact = {key: total * weight / whole for key, weight in weights.items()}
    counts = {key: int(value) for key, value in exact.items()}
    left = total - sum(counts.values())
    for key in sorted(exact, key=lambda k: counts[k] - exact[k])[:left]:
        counts[key] += 1
    return counts


def _money(pounds, round_figure=False):
    """Pounds as money, more than nothing: to the £100 when people claim a round figure."""
    pennies = max(1, round(pounds * 100))
    if round_figure:
        pennies = max(10_000, round(pennies, -4))
    return Decimal(pennies).scaleb(-2)


def _lower(label):
    """A label inside a sentence: 'Waste' reads 'waste', but 'ICT' and 'HR and payroll' stay."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _insert(model, objects):
    """bulk_create in batches. Under DEBUG Django keeps every query's SQL: dropping it after
    each batch keeps a national run from holding every INSERT in memory."""
    for start in range(0, len(objects), BATCH_SIZE):
        model.objects.bulk_create(objects[start : start + BATCH_SIZE])
        reset_queries()
    return objects


@contextmanager
def _own_timestamps(*models):
    """bulk_create stamps auto_now and auto_now_add fields with the moment of the insert;
    generated records carry the dates they were made on, so stamping is off meanwhile."""
    fields = [
        (f, f.auto_now, f.auto_now_add)
        for model in models
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for f, _, _ in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in fields:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


# --- organisations ----------------------------------------------------------------------------


def public_bodies_ensure():
    """The generated data sits on the real councils: load them when nobody has yet."""
    if not Organisation.objects.filter(source_ref__startswith="la:").exists():
        return public_bodies_load()
    return None


def _places(organisations):
    return [
        (o.short_name or o.name, o.nation, o.region)
        for o in organisations
        if o.kind in PLACE_KINDS and o.active
    ]


def _name(rng, patterns, place, taken):
    """A made-up name not used yet, after the place where the organisation is."""
    for _ in range(10):
        surname, surname2 = rng.sample(SURNAMES, 2)
        name = rng.choice(patterns).format(
            place=place,
            feature=rng.choice(FEATURES),
            saint=rng.choice(SAINTS),
            surname=surname,
            surname2=surname2,
            trade=rng.choice(TRADES),
        )
        if name not in taken:
            return name
    number = 2
    while f"{name} {number}" in taken:
        number += 1
    return f"{name} {number}"


def synthetic_organisations(rng, count, calendar, places, names, slugs):
    """`count` made-up schools, colleges, universities, NHS trusts, housing associations,
    charities, social enterprises, co-operatives and companies, in real places."""
    weights = [spec[2] for spec in SYNTHETIC_KINDS]
    made = []
    for index in range(1, count + 1):
        kind, sector, _, patterns = rng.choices(SYNTHETIC_KINDS, weights=weights)[0]
        place, nation, region = rng.choice(places)
        if kind == Kind.NHS_BODY and nation != Organisation.Nation.ENGLAND:
            patterns = DEVOLVED_HEALTH
        name = _name(rng, patterns, place, names)
        slug = slugify(name)[:200]
        if slug in slugs:
            slug = f"{slug[:190]}-gen-{index}"
        names.add(name)
        slugs.add(slug)
        added = calendar.before_start(rng)
        made.append(
            Organisation(
                name=name,
                slug=slug,
                sector=sector,
                kind=kind,
                nation=nation,
                region=region,
                website=f"https://www.{slug[:60]}.example" if rng.random() < 0.6 else "",
                source_ref=f"{SOURCE_PREFIX}{index:05d}",
                search_name=normalise_name(name),
                created_at=added,
                updated_at=added,
            )
        )
    return made


def _category(organisation):
    if organisation.kind in Organisation.COUNCIL_KINDS:
        return "council"
    if organisation.sector == Sector.PUBLIC:
        return "public"
    return organisation.sector


def pools_build(rng, organisations):
    """{(category, region or None): (organisations, cumulative weights)} to draw leads and
    partners from. Each organisation is weighted by its size and by chance, so that some take
    part in many initiatives and some in few."""
    members = defaultdict(list)
    for organisation in organisations:
        weight = KIND_WEIGHTS.get(organisation.kind, 1) * min(rng.paretovariate(2.0), 6.0)
        category = _category(organisation)
        keys = [(category, None)]
        if organisation.region:
            keys.append((category, organisation.region))
        if organisation.kind in OTHER_LEAD_KINDS:
            keys.append(("other lead", None))
        for key in keys:
            members[key].append((organisation, weight))
    return {
        key: ([o for o, _ in pairs], list(accumulate(w for _, w in pairs)))
        for key, pairs in members.items()
    }


def _draw(rng, pool):
    organisations, cumulative = pool
    return rng.choices(organisations, cum_weights=cumulative)[0]


def _partner_draw(rng, pools, region):
    """A partner of any sector, mostly from the lead's region."""
    category = _pick(rng, PARTNER_CATEGORIES)
    local = (category, region) if region and rng.random() < 0.7 else (category, None)
    return _draw(rng, pools.get(local) or pools.get((category, None)) or pools[("council", None)])


# --- initiatives ------------------------------------------------------------------------------


@dataclass(eq=False)
class Plan:
    """One initiative being generated, with what is decided about it before it is stored."""

    initiative: Initiative
    partners: list  # [(organisation, share, joined on)] of the active partners, the lead first
    removed: tuple | None  # (organisation, joined on, removed on) of a partner that left
    size: float  # a typical gross claim of this initiative, in pounds
    claim_weight: float  # how many claims it makes, relative to the others
    targeted: bool

    @property
    def shares(self):
        return {organisation.pk: share for organisation, share, _ in self.partners}


def _statuses(rng, count):
    """Statuses spread over the table by weight, each paused one with the status it was paused
    from."""
    statuses = [s for s, n in _apportion(count, STATUS_WEIGHTS).items() for _ in range(n)]
    rng.shuffle(statuses)
    return [(s, _pick(rng, PAUSED_FROM) if s == Status.PAUSED else "") for s in statuses]


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
    start = _day(rng, max(low, first), high)
    if status == Status.CLOSED:
        return start, _day(rng, start + timedelta(days=180), today - timedelta(days=30))
    if rng.random() < 0.15:
        return start, None
    return start, start + timedelta(days=rng.randint(365, 5 * 365))


def _partners(rng, pools, count):
    """The lead (mostly a council) and the other active partners, all different."""
    lead_pool = pools[("council", None)]
    if rng.random() < 0.15 and ("other lead", None) in pools:
        lead_pool = pools[("other lead", None)]
    chosen = [_draw(rng, lead_pool)]
    for _ in range(count * 10):
        if len(chosen) == count:
            break
        candidate = _partner_draw(rng, pools, chosen[0].region)
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
    leaver = _partner_draw(rng, pools, partners[0].region)
    if leaver in partners:
        return None
    joined = _day(rng, created, calendar.last_day - timedelta(days=60))
    return leaver, joined, _day(rng, joined + timedelta(days=30), calendar.last_day)


def _published(rng, calendar, status, created_at):
    if status in (Status.PROPOSED, Status.IN_DESIGN) or rng.random() >= 0.25:
        return Initiative.Visibility.PARTNERS, None
    day = created_at.date() + timedelta(days=rng.randint(30, 400))
    return Initiative.Visibility.PUBLIC, max(calendar.moment(rng, day), created_at)


def _described(rng, lead, partners):
    model = _pick(rng, MODEL_WEIGHTS)
    area = Initiative.ServiceArea(rng.choice(Initiative.ServiceArea.values))
    title = TITLES[model].format(area=_lower(area.label), Area=area.label)
    return {
        "title": f"{title}: {lead.short_name or lead.name}",
        "summary": f"{_working_together(lead, partners)} on {_lower(area.label)}: "
        f"{Initiative.CollaborationModel(model).label.lower()}.",
        "collaboration_model": model,
        "service_area": area,
        "governance": Initiative.Governance.COMPANY
        if model == Initiative.CollaborationModel.SPIN_OUT
        else _pick(rng, GOVERNANCE_WEIGHTS),
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
    organisations = _partners(rng, pools, _pick(rng, PARTNER_COUNTS))
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
                SavingsTarget(
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
                Partnership(
                    initiative=plan.initiative,
                    organisation=organisation,
                    savings_share=share,
                    joined_on=joined,
                )
            )
        if plan.removed:
            organisation, joined, removed_on = plan.removed
            partnerships.append(
                Partnership(
                    initiative=plan.initiative,
                    organisation=organisation,
                    savings_share=Decimal("0.00"),
                    joined_on=joined,
                    removed_on=removed_on,
                )
            )
    return partnerships


# --- people -----------------------------------------------------------------------------------


def people_build(rng, calendar, organisations, password_hash):
    """An officer and a manager for each organisation, and an administrator, all with the
    one password: ({organisation pk: (officer, manager)}, users, memberships)."""
    people, users, memberships = {}, [], []
    for organisation in organisations:
        joined = calendar.before_start(rng)
        pair = []
        for role in (OFFICER, MANAGER):
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            user = User(
                email=f"{first}.{last}.{len(users) + 1}@{EMAIL_DOMAIN}".lower(),
                full_name=f"{first} {last}",
                password=password_hash,
                date_joined=joined,
            )
            users.append(user)
            memberships.append(
                Membership(user=user, organisation=organisation, role=role, created_at=joined)
            )
            pair.append(user)
        people[organisation.pk] = tuple(pair)
    admin = User(
        email=f"admin@{EMAIL_DOMAIN}",
        full_name="Generated Administrator",
        password=password_hash,
        is_staff=True,
        date_joined=calendar.before_start(rng),
    )
    return people, [*users, admin], memberships


# --- claims -----------------------------------------------------------------------------------


def _claim_status(rng, calendar, year, quality):
    if year == calendar.current_year:
        period = "current"
    else:
        period = "locked" if calendar.locked(year) else "open"
    status = _pick(rng, CLAIM_STATUSES[period])
    if status == ClaimStatus.VERIFIED and quality == Quality.FELL:
        # Outputs fell: a cut, which verifying refuses; the lead's manager rejects it.
        return ClaimStatus.REJECTED
    return status


def _claim_amounts(rng, plan):
    gross = min(2_000_000, max(1_000, plan.size * rng.lognormvariate(0, 0.6)))
    gross = _money(gross, round_figure=rng.random() < 0.6)
    if rng.random() < 0.4:
        return gross, Decimal("0.00")
    return gross, _money(float(gross) * rng.uniform(0.02, 0.5))


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
    claim.created_at = calendar.moment(rng, _day(rng, min(low, high), high))
    if after:
        claim.created_at = max(claim.created_at, after + timedelta(hours=1))
    claim.updated_at = claim.created_at
    if claim.status != ClaimStatus.DRAFT:
        claim.submitted_by, claim.version = officer, 2
        claim.submitted_at = claim.updated_at = _later(rng, calendar, claim.created_at, 21)
    if claim.status in DECISIONS:
        claim.reviewed_by, claim.version = reviewer, 3
        claim.reviewed_at = claim.updated_at = _later(rng, calendar, claim.submitted_at, 42)
        claim.review_note = _review_note(rng, claim)


def claim_build(rng, calendar, plan, people):
    initiative = plan.initiative
    partners = [organisation for organisation, _, _ in plan.partners]
    claimant = partners[0]
    if len(partners) > 1 and rng.random() >= 0.45:
        claimant = rng.choice(partners[1:])
    year = rng.choice(calendar.claim_years(initiative))
    quality = _pick(rng, QUALITY_WEIGHTS)
    category = _pick(rng, CATEGORY_WEIGHTS)
    cash = 0.3 if category == SavingsClaim.Category.COST_AVOIDANCE else 0.8
    gross, cost = _claim_amounts(rng, plan)
    baseline = rng.random() < 0.7
    claim = SavingsClaim(
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
        baseline_value=_money(float(gross) * rng.uniform(2, 10), True) if baseline else None,
        baseline_year=year - 1 if baseline else None,
        baseline_method=rng.choice(BASELINE_METHODS) if baseline else "",
        budget_reference=f"CC{rng.randint(1000, 9999)}" if rng.random() < 0.6 else "",
        description=rng.choice(DESCRIPTIONS[category]).format(
            area=_lower(Initiative.ServiceArea(initiative.service_area).label)
        ),
        evidence_text=rng.choice(EVIDENCE).format(year=financial_years.label(year)),
        service_quality=quality,
        service_quality_statement=rng.choice(QUALITY_STATEMENTS[quality]),
        status=_claim_status(rng, calendar, year, quality),
    )
    _claim_workflow(rng, calendar, claim, initiative.start_date, people)
    return claim


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
    change = _money(float(net) * rng.uniform(0.02, 0.3))
    if rng.random() < 0.4:
        change = -change
    claim = SavingsClaim(
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
        status=_pick(rng, ADJUSTMENT_STATUSES),
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
                ClaimAttribution(
                    claim=claim,
                    organisation_id=organisation_id,
                    share=shares[organisation_id],
                    amount=amount,
                )
            )
    return parts


# --- references, history, locks ---------------------------------------------------------------


def references_assign(records, prefix):
    """Number records in the order given (the order they were made), per calendar year, after
    the numbers the product has used already: returns {year: last number used}."""
    last = dict(ReferenceSequence.objects.filter(prefix=prefix).values_list("year", "last"))
    for record in records:
        year = record.created_at.year
        last[year] = last.get(year, 0) + 1
        record.reference = f"{prefix}-{year}-{last[year]:04d}"
    return last


def sequences_advance(prefix, last_by_year):
    """The product's next reference in each year comes after the generated ones."""
    for year, last in sorted(last_by_year.items()):
        ReferenceSequence.objects.get_or_create(prefix=prefix, year=year)
        ReferenceSequence.objects.filter(prefix=prefix, year=year, last__lt=last).update(last=last)


def _status_change(before, after):
    return [{"field": "Status", "before": before, "after": after}]


def _entry(owner_type, owner, at, actor, action, **details):
    return HistoryEntry(
        owner_type=owner_type, owner_id=owner.pk, at=at, actor=actor, action=action, **details
    )


def initiative_history(initiatives, owner_type):
    return [
        _entry(
            owner_type,
            initiative,
            initiative.created_at,
            initiative.created_by,
            "Created",
            changes=[
                {"field": "Title", "before": "", "after": initiative.title},
                {"field": "Lead organisation", "before": "", "after": initiative.lead.name},
                *_status_change("", Status.PROPOSED.label),
            ],
        )
        for initiative in initiatives
    ]


def claim_history(claims, owner_type):
    """What the workflow records: drafted (an adjustment also on the claim it corrects),
    submitted, decided."""
    entries = []
    for claim in claims:
        drafted = (claim.created_at, claim.created_by)
        if claim.corrects is None:
            changes = [
                {"field": "Financial year", "before": "", "after": claim.year_label},
                {"field": "Gross saving", "before": "", "after": f"{claim.gross_amount:,.2f}"},
                *_status_change("", ClaimStatus.DRAFT.label),
            ]
            entries.append(_entry(owner_type, claim, *drafted, "Drafted", changes=changes))
        else:
            corrected = claim.corrects
            entries += [
                _entry(
                    owner_type,
                    claim,
                    *drafted,
                    "Drafted as an adjustment",
                    subject=corrected.reference,
                ),
                _entry(
                    owner_type, corrected, *drafted, "Adjustment drafted", subject=claim.reference
                ),
            ]
        if claim.submitted_at:
            changes = _status_change(ClaimStatus.DRAFT.label, ClaimStatus.SUBMITTED.label)
            entries.append(
                _entry(
                    owner_type,
                    claim,
                    claim.submitted_at,
                    claim.submitted_by,
                    "Submitted",
                    changes=changes,
                )
            )
        if claim.reviewed_at:
            changes = _status_change(ClaimStatus.SUBMITTED.label, ClaimStatus(claim.status).label)
            entries.append(
                _entry(
                    owner_type,
                    claim,
                    claim.reviewed_at,
                    claim.reviewed_by,
                    DECISIONS[claim.status],
                    reason=claim.review_note,
                    changes=changes,
                )
            )
    return entries


def locks_build(rng, calendar, admin):
    """Signed-off years are locked, as an administrator does once the accounts close."""
    already = set(FinancialYearLock.objects.values_list("year", flat=True))
    return [
        FinancialYearLock(
            year=year,
            locked_by=admin,
            locked_at=calendar.moment(
                rng, financial_years.end_of(year) + timedelta(days=rng.randint(150, 183))
            ),
        )
        for year in range(calendar.first_year, calendar.current_year + 1)
        if calendar.locked(year) and year not in already
    ]


# --- the run ----------------------------------------------------------------------------------

STORED = [
    Organisation,
    User,
    Membership,
    Initiative,
    Partnership,
    SavingsTarget,
    SavingsClaim,
    ClaimAttribution,
    HistoryEntry,
]


@dataclass
class Counts:
    """How much to make at a scale: 1.0 is national."""

    organisations: int
    initiatives: int
    claims: int

    @classmethod
    def at(cls, scale, existing_organisations):
        return cls(
            organisations=max(0, round((NATIONAL_ORGANISATIONS - existing_organisations) * scale)),
            initiatives=round(NATIONAL_INITIATIVES * scale),
            claims=round(NATIONAL_CLAIMS * scale),
        )


@dataclass
class Summary:
    stored: Counter = field(default_factory=Counter)
    initiative_statuses: Counter = field(default_factory=Counter)
    claim_statuses: Counter = field(default_factory=Counter)
    seconds: float = 0.0


def generate(*, scale, seed, today=None, say=print):
    """Generate and store the dataset in one transaction and check it: if a rule is broken,
    nothing is kept. Nothing is random but by `seed` and nothing dated but from `today`, so the
    same inputs give the same data."""
    started = clock.monotonic()
    rng = random.Random(seed)  # noqa: S311 - reproducible made-up data, not a secret
    calendar = Calendar(today or timezone.localdate())
    with transaction.atomic():
        if loaded := public_bodies_ensure():
            say(str(loaded))
        with _own_timestamps(Organisation, Initiative, SavingsClaim, Membership):
            summary = _generate(rng, calendar, scale, say)
        _statistics_refresh()
        say("Checking the rules the product relies on")
        if failures := invariant_failures():
            raise InvariantsFailed("; ".join(failures))
    summary.seconds = clock.monotonic() - started
    return summary


def _statistics_refresh():
    """PostgreSQL plans queries by table statistics, which know nothing yet of a million new
    rows: gathered now, the checks below (and the dashboards' recompute) get sensible plans."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in STORED:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _generate(rng, calendar, scale, say):
    """Decide everything first (all the randomness, in a fixed order), then store it."""
    existing = list(Organisation.objects.order_by("slug"))
    counts = Counts.at(scale, len(existing))
    synthetic = synthetic_organisations(
        rng,
        counts.organisations,
        calendar,
        _places(existing),
        {o.name for o in existing},
        {o.slug for o in existing},
    )
    _insert(Organisation, synthetic)
    active = [o for o in existing if o.active and o.merged_into_id is None] + synthetic
    plans = initiatives_plan(rng, calendar, pools_build(rng, active), counts.initiatives)
    taking_part = sorted({o for plan in plans for o, _, _ in plan.partners}, key=lambda o: o.slug)
    people, users, memberships = people_build(rng, calendar, taking_part, make_password(PASSWORD))
    adjusting = round(counts.claims * ADJUSTMENTS_PER_CLAIM)
    claims = claims_build(rng, calendar, plans, counts.claims - adjusting, people)
    adjustments = adjustments_build(rng, calendar, claims, adjusting, people)
    targets = targets_build(rng, calendar, plans, len(claims))
    locks = locks_build(rng, calendar, users[-1])
    made = len(claims) + len(adjustments)
    say(f"Decided: {len(synthetic)} organisations, {len(plans)} initiatives, {made} claims")

    summary = Summary()
    summary.stored.update(
        organisations=len(synthetic),
        users=len(_insert(User, users)),
        memberships=len(_insert(Membership, memberships)),
    )
    summary.stored.update(_initiatives_store(plans, people, targets))
    say(f"Stored {summary.stored['initiatives']} initiatives")
    summary.stored.update(_claims_store(plans, claims, adjustments))
    say(f"Stored {summary.stored['claims']} claims with their attributions and history")
    summary.stored["year locks"] = len(_insert(FinancialYearLock, locks))
    summary.initiative_statuses.update(plan.initiative.status for plan in plans)
    summary.claim_statuses.update(claim.status for claim in claims + adjustments)
    return summary


def _initiatives_store(plans, people, targets):
    for plan in plans:
        plan.initiative.created_by = people[plan.initiative.lead.pk][0]
    initiatives = sorted((plan.initiative for plan in plans), key=lambda i: i.created_at)
    sequences_advance("INI", references_assign(initiatives, "INI"))
    owner_type = ContentType.objects.get_for_model(Initiative)
    return {
        "initiatives": len(_insert(Initiative, initiatives)),
        "partnerships": len(_insert(Partnership, partnerships_build(plans))),
        "targets": len(_insert(SavingsTarget, targets)),
        "history entries": len(_insert(HistoryEntry, initiative_history(initiatives, owner_type))),
    }


def _claims_store(plans, claims, adjustments):
    """Claims in batches, each followed by its attributions and history, which need the
    claims' ids; adjustments last, once the claims they correct are stored."""
    claims = sorted(claims, key=lambda c: c.created_at)
    adjustments = sorted(adjustments, key=lambda c: c.created_at)
    every = sorted(claims + adjustments, key=lambda c: c.created_at)
    sequences_advance("CLM", references_assign(every, "CLM"))
    shares_of = {plan.initiative.pk: plan.shares for plan in plans}
    owner_type = ContentType.objects.get_for_model(SavingsClaim)
    stored = Counter()
    for records in (claims, adjustments):
        for start in range(0, len(records), BATCH_SIZE):
            batch = _insert(SavingsClaim, records[start : start + BATCH_SIZE])
            stored["claims"] += len(batch)
            stored["attributions"] += len(
                _insert(ClaimAttribution, attributions_build(batch, shares_of))
            )
            stored["history entries"] += len(
                _insert(HistoryEntry, claim_history(batch, owner_type))
            )
    stored["adjustments among the claims"] = len(adjustments)
    return stored


# --- checks -----------------------------------------------------------------------------------


@dataclass
class Generated:
    """The generated records, found by the marks they carry: organisations by their source,
    people by their email domain, initiatives by who created them, and their claims."""

    users: QuerySet
    organisations: QuerySet
    initiatives: QuerySet
    claims: QuerySet

    @classmethod
    def find(cls):
        users = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
        initiatives = Initiative.objects.filter(created_by__in=users)
        return cls(
            users=users,
            organisations=Organisation.objects.filter(source_ref__startswith=SOURCE_PREFIX),
            initiatives=initiatives,
            claims=SavingsClaim.objects.filter(initiative__in=initiatives),
        )


def _sums(pairs):
    totals = defaultdict(Decimal)
    for key, value in pairs:
        totals[key] += value
    return totals


def _highest_numbers(references):
    """{(prefix, year): highest number} of references like CLM-2024-0123."""
    highest = {}
    for reference in references:
        prefix, year, number = reference.split("-")
        key = (prefix, int(year))
        highest[key] = max(highest.get(key, 0), int(number))
    return highest


def invariant_failures():
    """The rules the generated data must keep, each broken one described."""
    found = Generated.find()
    failures = []
    shares = _sums(
        Partnership.objects.filter(initiative__in=found.initiatives, removed_on__isnull=True)
        .order_by()
        .values_list("initiative_id", "savings_share")
    )
    if off := [i for i in found.initiatives.values_list("pk", flat=True) if shares[i] != HUNDRED]:
        failures.append(f"{len(off)} initiatives' active shares do not sum to 100")
    lead_is_partner = Partnership.objects.filter(
        initiative=OuterRef("pk"), organisation=OuterRef("lead"), removed_on__isnull=True
    )
    if leadless := found.initiatives.exclude(Exists(lead_is_partner)).count():
        failures.append(f"{leadless} initiatives' leads are not active partners")
    failures += _reference_failures()
    verified = found.claims.filter(status=ClaimStatus.VERIFIED)
    attributed = _sums(
        ClaimAttribution.objects.filter(claim__in=verified)
        .order_by()
        .values_list("claim_id", "amount")
    )
    if unequal := [
        pk for pk, net in verified.values_list("pk", "net_amount") if attributed[pk] != net
    ]:
        failures.append(f"{len(unequal)} verified claims' attributions do not sum to their net")
    if cuts := verified.filter(service_quality=Quality.FELL).count():
        failures.append(f"{cuts} verified claims say outputs fell")
    if own := found.claims.filter(reviewed_by=F("submitted_by")).count():
        failures.append(f"{own} claims were decided by the person who submitted them")
    return failures


def _reference_failures():
    failures = []
    sequences = {(s.prefix, s.year): s.last for s in ReferenceSequence.objects.all()}
    for model in (Initiative, SavingsClaim):
        references = list(model.objects.order_by().values_list("reference", flat=True))
        if len(set(references)) != len(references):
            failures.append(f"{model._meta.verbose_name} references are not unique")
        behind = [
            key for key, top in _highest_numbers(references).items() if sequences.get(key, 0) < top
        ]
        if behind:
            failures.append(f"reference sequences {sorted(behind)} are behind references in use")
    return failures


# --- deleting ---------------------------------------------------------------------------------


def existing_data():
    """{what: how many} of what stands in a generated dataset's way: any initiative, and
    generated organisations or people."""
    found = Generated.find()
    counts = {
        "initiatives": Initiative.objects.count(),
        "generated organisations": found.organisations.count(),
        "generated users": found.users.count(),
    }
    return {what: n for what, n in counts.items() if n}


@transaction.atomic
def generated_delete():
    """Delete the generated records and what hangs off them, children first (the foreign keys
    protect), and wind each reference sequence back where nothing since used a later number.
    Records made by people stay; one that refers to generated data stops the deletion
    (ProtectedError). Returns {what: how many}."""
    found = Generated.find()
    highest = _highest_numbers(
        [
            *found.initiatives.values_list("reference", flat=True),
            *found.claims.values_list("reference", flat=True),
        ]
    )
    deleted = {}
    for what, records in _deletion_steps(found):
        # Count the records of the step, not the progress rows their deletion cascades to.
        deleted[what] = records.delete()[1].get(records.model._meta.label, 0)
    _sequences_rewind(highest)
    return {what: n for what, n in deleted.items() if n}


def _deletion_steps(found):
    types = ContentType.objects.get_for_models(Initiative, SavingsClaim, Organisation, User)
    owned = Q()
    for model, records in (
        (Initiative, found.initiatives),
        (SavingsClaim, found.claims),
        (Organisation, found.organisations),
        (User, found.users),
    ):
        owned |= Q(owner_type=types[model], owner_id__in=records.values("pk"))
    evidence = ClaimEvidence.objects.filter(claim__in=found.claims)
    _files_delete_on_commit(evidence)
    either = Q(user__in=found.users) | Q(organisation__in=found.organisations)
    return [
        ("history entries", HistoryEntry.objects.filter(owned)),
        ("attributions", ClaimAttribution.objects.filter(claim__in=found.claims)),
        ("evidence files", evidence),
        ("adjustments", found.claims.filter(corrects__isnull=False)),
        ("claims", found.claims),
        ("targets", SavingsTarget.objects.filter(initiative__in=found.initiatives)),
        ("partnerships", Partnership.objects.filter(initiative__in=found.initiatives)),
        ("initiatives", found.initiatives),
        ("memberships", Membership.objects.filter(either)),
        ("invitations", Invitation.objects.filter(either)),
        ("year locks", FinancialYearLock.objects.filter(locked_by__in=found.users)),
        ("users", found.users),
        ("merged organisations", found.organisations.filter(merged_into__isnull=False)),
        ("organisations", found.organisations),
    ]


def _files_delete_on_commit(evidence):
    """Evidence files go once their records are surely gone: a deletion that fails keeps them."""
    storage = ClaimEvidence._meta.get_field("file").storage
    names = list(evidence.values_list("file", flat=True))

    def delete():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def _sequences_rewind(highest):
    """Where the last number of a sequence went to a deleted record, the sequence goes back to
    the highest number still in use: no number of a kept record is ever handed out again."""
    models = {"INI": Initiative, "CLM": SavingsClaim}
    for (prefix, year), top in highest.items():
        kept = models[prefix].objects.filter(reference__startswith=f"{prefix}-{year}-")
        remaining = _highest_numbers(kept.values_list("reference", flat=True))
        ReferenceSequence.objects.filter(prefix=prefix, year=year, last=top).update(
            last=remaining.get((prefix, year), 0)
        )
