"""Loading where each council is from the council register (partners/data/, see its README):
coordinates, population, its county council and combined authority, and its local resilience
forum. Part of `load_councils`, idempotent like the rest: a second run writes nothing.

The resilience forums' lookup (2019) names England's districts and unitaries only; a county
council's forum is the one most of its districts share, and a council created since, the one
most of the councils it replaced share."""

import csv
from collections import Counter

from partners import history
from partners.models import Organisation, Place, ResilienceForum

FIELDS = [
    "latitude",
    "longitude",
    "population",
    "county_id",
    "combined_authority_id",
    "resilience_forum_id",
]
LOOKUP_PREFIX = "local-authority-eng:"


def _read(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _number(text, kind):
    text = (text or "").strip()
    return kind(float(text)) if text else None


def _forums_load(data):
    """The forums, created or renamed: {slug: ResilienceForum}."""
    path = data / "local_resilience_forums.csv"
    if not path.exists():
        return {}
    existing = {f.slug: f for f in ResilienceForum.objects.all()}
    for r in _read(path):
        slug, name = r["local-resilience-forum"].strip(), r["name"].strip()
        code = r["statistical-geography"].strip() or None
        forum = existing.get(slug)
        if forum is None:
            existing[slug] = ResilienceForum.objects.create(slug=slug, name=name, gss_code=code)
        elif (forum.name, forum.gss_code) != (name, code):
            forum.name, forum.gss_code = name, code
            forum.save(update_fields=["name", "gss_code"])
    return existing


def forum_of_council(data, councils):
    """{council code: forum slug} for England's councils: the lookup's, then counties' and new
    councils' from the councils they contain or replaced (`councils`: the register's rows);
    None for a folder without the lookup (the forums stored stay as they are)."""
    path = data / "local_resilience_forum_to_local_authority.csv"
    if not path.exists():
        return None
    forums = {
        r["organisation"].removeprefix(LOOKUP_PREFIX): r["local-resilience-forum"].strip()
        for r in _read(path)
        if r["organisation"].startswith(LOOKUP_PREFIX)
    }
    members = {}  # council code: the codes whose forums decide its own
    for r in councils:
        code = r["local-authority-code"]
        if r["county-la"]:
            members.setdefault(r["county-la"], []).append(code)
        for successor in (c.strip() for c in r["replaced-by"].split(",")):
            if successor:
                members.setdefault(successor, []).append(code)
    derived = {}
    for code, parts in members.items():
        if code in forums:
            continue
        votes = Counter(forums[p] for p in parts if p in forums)
        if votes:
            derived[code] = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return {**derived, **forums}


def _wanted(data, refs, forums):
    """{organisation id: {field: value}} for every council the register places."""
    councils = _read(data / "uk_local_authorities.csv")
    forum_codes = forum_of_council(data, councils)
    wanted = {}
    for r in councils:
        code = r["local-authority-code"]
        organisation_id = refs.get(f"la:{code}")
        if organisation_id is None:
            continue
        values = wanted[organisation_id] = {
            "latitude": _number(r["lat"], float),
            "longitude": _number(r["long"], float),
            "population": _number(r["pop-2020"], int),
            "county_id": refs.get(f"la:{r['county-la']}") if r["county-la"] else None,
            "combined_authority_id": refs.get(f"la:{r['combined-authority']}")
            if r["combined-authority"]
            else None,
        }
        if forum_codes is not None:
            forum = forums.get(forum_codes.get(code, ""))
            values["resilience_forum_id"] = forum.pk if forum else None
    return wanted


def places_load(data):
    """Create or update the councils' places; returns (created, updated). A changed place is
    recorded in its organisation's history."""
    forums = _forums_load(data)
    refs = dict(
        Organisation.objects.filter(source_ref__startswith="la:").values_list("source_ref", "pk")
    )
    wanted = _wanted(data, refs, forums)
    existing = {
        p.organisation_id: p
        for p in Place.objects.filter(organisation_id__in=wanted).select_related("organisation")
    }
    new, changed = [], []
    for organisation_id, values in wanted.items():
        place = existing.get(organisation_id)
        if place is None:
            new.append(Place(organisation_id=organisation_id, **values))
            continue
        before = {field: getattr(place, field) for field in values}
        if before == values:
            continue
        for field, value in values.items():
            setattr(place, field, value)
        changed.append(place)
        history.history_record(
            actor=None,
            owner=place.organisation,
            action="Place updated from the public data",
            changes=[
                {
                    "field": field.removesuffix("_id"),
                    "before": str(before[field]),
                    "after": str(values[field]),
                }
                for field in values
                if before[field] != values[field]
            ],
        )
    Place.objects.bulk_create(new)
    if changed:
        Place.objects.bulk_update(changed, FIELDS)
    return len(new), len(changed)
