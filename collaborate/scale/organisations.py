"""The generator's organisations: made-up ones in real places beside the real public bodies,
and the weighted pools leads and partners are drawn from."""

from collections import defaultdict
from itertools import accumulate

from django.utils.text import slugify

from collaborate.scale.common import SOURCE_PREFIX, SURNAMES, Kind, Sector, pick
from partners.councils import public_bodies_load
from partners.models import Organisation, normalise_name

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


def public_bodies_ensure():
    """The generated data sits on the real councils: load them when nobody has yet."""
    if not Organisation.objects.filter(source_ref__startswith="la:").exists():
        return public_bodies_load()
    return None


def places_of(organisations):
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


def draw(rng, pool):
    organisations, cumulative = pool
    return rng.choices(organisations, cum_weights=cumulative)[0]


def partner_draw(rng, pools, region):
    """A partner of any sector, mostly from the lead's region."""
    category = pick(rng, PARTNER_CATEGORIES)
    local = (category, region) if region and rng.random() < 0.7 else (category, None)
    return draw(rng, pools.get(local) or pools.get((category, None)) or pools[("council", None)])
