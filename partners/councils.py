"""Loading the UK's councils and the police, fire and health bodies from the public data in
partners/data/ (see its README), idempotently: a second run writes nothing."""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from partners import history, places
from partners.models import Organisation, OrganisationName, normalise_name
from partners.services import organisations

DATA = Path(__file__).resolve().parent / "data"
Kind = Organisation.Kind
Nation = Organisation.Nation
Region = Organisation.Region

COUNCIL_KINDS = {
    "CTY": Kind.COUNTY_COUNCIL,
    "NMD": Kind.DISTRICT_COUNCIL,
    "UA": Kind.UNITARY_AUTHORITY,
    "MD": Kind.METROPOLITAN_BOROUGH,
    "LBO": Kind.LONDON_BOROUGH,
    "CC": Kind.CITY_CORPORATION,
    "SCO": Kind.SCOTTISH_COUNCIL,
    "WPA": Kind.WELSH_COUNCIL,
    "NID": Kind.NI_COUNCIL,
    "COMB": Kind.COMBINED_AUTHORITY,
    "SRA": Kind.STRATEGIC_AUTHORITY,
}
NATIONS = {label: value for value, label in Nation.choices}
REGIONS = {label: value for value, label in Region.choices}
NATION_REGION = {
    Nation.SCOTLAND: Region.SCOTLAND,
    Nation.WALES: Region.WALES,
    Nation.NORTHERN_IRELAND: Region.NORTHERN_IRELAND,
}
CODE_NATIONS = {
    "E": Nation.ENGLAND,
    "W": Nation.WALES,
    "S": Nation.SCOTLAND,
    "N": Nation.NORTHERN_IRELAND,
}
# The fields a load sets; an organisation whose values all match is left alone.
LOADED_FIELDS = ["name", "short_name", "sector", "kind", "gss_code", "nation", "region"]


@dataclass
class Row:
    source_ref: str
    name: str
    kind: str
    gss_code: str | None
    nation: str
    region: str
    short_name: str = ""
    current: bool = True
    successors: list = field(default_factory=list)  # source refs


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    links_added: int = 0
    names_added: int = 0
    places_created: int = 0
    places_updated: int = 0

    def __str__(self):
        return (
            f"Loaded organisations: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged; successor links added {self.links_added}; "
            f"alternative names added {self.names_added}; places of councils "
            f"{self.places_created} created, {self.places_updated} updated"
        )


def _read(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def council_rows(path):
    rows = _read(path)
    by_code = {r["local-authority-code"]: r for r in rows}
    for r in rows:
        nation = NATIONS[r["nation"]]
        region = REGIONS.get(r["region"]) or NATION_REGION.get(nation, "")
        if not region and r["replaced-by"]:
            # Some former English councils have no region: theirs is their successor's.
            successor = by_code.get(r["replaced-by"].split(",")[0].strip(), {})
            region = REGIONS.get(successor.get("region", ""), "")
        yield Row(
            source_ref=f"la:{r['local-authority-code']}",
            name=r["official-name"].strip(),
            short_name=r["nice-name"].strip(),
            kind=COUNCIL_KINDS[r["local-authority-type"]],
            gss_code=r["gss-code"].strip() or None,
            nation=nation,
            region=region,
            current=r["current-authority"] == "True",
            successors=[f"la:{c.strip()}" for c in r["replaced-by"].split(",") if c.strip()],
        )


def _area_rows(path, code_column, name_column, prefix, kind, name_for):
    for r in _read(path):
        code, area = r[code_column].strip(), r[name_column].strip()
        if not area or code.endswith("99999999"):
            continue  # the ONS files' placeholder rows
        nation = CODE_NATIONS[code[0]]
        yield Row(
            source_ref=f"{prefix}:{code}",
            name=name_for(area),
            short_name=area if name_for(area) != area else "",
            kind=kind,
            gss_code=code,
            nation=nation,
            region=NATION_REGION.get(nation, ""),
        )


def police_name(area):
    if area == "Scotland":
        return "Police Scotland"
    if area == "Metropolitan Police":
        return "Metropolitan Police Service"
    return area if "Police" in area or "Constabulary" in area else f"{area} Police"


def fire_name(area):
    if area == "Scotland":
        return "Scottish Fire and Rescue Service"
    return area if "Fire" in area else f"{area} Fire and Rescue Service"


def scottish_health_board_name(area):
    return area if area.startswith("NHS") else f"NHS {area}"


def public_body_rows(data=DATA):
    yield from council_rows(data / "uk_local_authorities.csv")
    yield from _area_rows(
        data / "ons_police_force_areas_2019.csv",
        "PFA19CD",
        "PFA19NM",
        "pfa",
        Kind.POLICE,
        police_name,
    )
    yield from _area_rows(
        data / "ons_fire_rescue_authorities_2019.csv",
        "FRA19CD",
        "FRA19NM",
        "fra",
        Kind.FIRE_AND_RESCUE,
        fire_name,
    )
    yield from _area_rows(
        data / "ons_wales_local_health_boards_2019.csv",
        "LHB19CD",
        "LHB19NM",
        "lhb",
        Kind.NHS_BODY,
        lambda area: area,
    )
    yield from _area_rows(
        data / "ons_scotland_health_boards_2019.csv",
        "HB19CD",
        "HB19NM",
        "hb",
        Kind.NHS_BODY,
        scottish_health_board_name,
    )


def _values(row):
    return {
        "name": row.name,
        "short_name": row.short_name,
        "sector": Organisation.Sector.PUBLIC,
        "kind": row.kind,
        "gss_code": row.gss_code,
        "nation": row.nation,
        "region": row.region,
    }


def _slugs(rows, taken):
    """A slug for each new row from its name, with its code added where the name's slug is
    already used: the same files always give the same slugs."""
    slugs = {}
    for row in rows:
        slug = slugify(row.name)[:200]
        if slug in taken:
            slug = f"{slug}-{slugify(row.source_ref.split(':', 1)[1])}"
        taken.add(slug)
        slugs[row.source_ref] = slug
    return slugs


@transaction.atomic
def public_bodies_load(data=DATA):
    """Create or update the organisations the public data describes, and link former councils
    to their successors. Organisations added by hand are never touched; an organisation an admin
    deactivated or merged stays so."""
    rows = list(public_body_rows(data))
    report = LoadReport()
    existing = {o.source_ref: o for o in Organisation.objects.filter(source_ref__isnull=False)}
    changed, new = [], []
    for row in rows:
        values = _values(row)
        organisation = existing.get(row.source_ref)
        if organisation is None:
            new.append(row)
        elif any(getattr(organisation, k) != v for k, v in values.items()):
            before = history.snapshot(organisation, LOADED_FIELDS)
            for key, value in values.items():
                setattr(organisation, key, value)
            organisation.search_name = normalise_name(organisation.name)
            organisation.version += 1
            changed.append(organisation)
            history.history_record(
                actor=None,
                owner=organisation,
                action="Updated from the public data",
                subject=row.source_ref,
                changes=history.changes_between(
                    before, history.snapshot(organisation, LOADED_FIELDS)
                ),
            )
        else:
            report.unchanged += 1
    if changed:
        Organisation.objects.bulk_update(
            changed, [*LOADED_FIELDS, "search_name", "version", "updated_at"]
        )
        report.updated = len(changed)
    if new:
        slugs = _slugs(new, set(Organisation.objects.values_list("slug", flat=True)))
        created = Organisation.objects.bulk_create(
            Organisation(
                **_values(row),
                slug=slugs[row.source_ref],
                source_ref=row.source_ref,
                search_name=normalise_name(row.name),
                active=row.current,
            )
            for row in new
        )
        report.created = len(created)
    report.links_added = _successors_link(rows)
    report.names_added = _alternative_names_add(data / "lookup_name_to_registry.csv")
    report.places_created, report.places_updated = places.places_load(data)
    organisations.directory_changed()
    return report


NAMES_SOURCE = OrganisationName.REGISTER_SOURCE
# Text decoded with the wrong encoding in the source ("Sir Ynys Mï¿½n"): not a name anyone types.
MOJIBAKE = ("\ufffd", "ï¿", "ï¾")


def alternative_names(path):
    """{council source ref: [name, …]} from the register's list of the spellings councils go
    by: each spelling once (by its normalised form), the first one written kept, and none that is
    the council's own name or garbled in the source."""
    names = {}
    for r in _read(path):
        name = " ".join(r["la-name"].split())
        if name and not any(bad in name for bad in MOJIBAKE):
            names.setdefault(f"la:{r['local-authority-code'].strip()}", {}).setdefault(
                normalise_name(name), name
            )
    return names


def _alternative_names_add(path):
    """Store the alternative names the register gives that the database lacks. Names an admin
    or a merge added stay; a second run adds nothing."""
    if not path.exists():
        return 0  # a folder without the register's list of names adds none
    wanted = alternative_names(path)
    organisations = Organisation.objects.filter(source_ref__in=wanted).only(
        "pk", "source_ref", "search_name"
    )
    present = set(
        OrganisationName.objects.filter(organisation__in=organisations).values_list(
            "organisation_id", "search_name"
        )
    )
    missing = [
        OrganisationName(
            organisation_id=organisation.pk, name=name, search_name=key, source=NAMES_SOURCE
        )
        for organisation in organisations
        for key, name in wanted[organisation.source_ref].items()
        if key != organisation.search_name and (organisation.pk, key) not in present
    ]
    OrganisationName.objects.bulk_create(missing)
    return len(missing)


def _successors_link(rows):
    """Add the successor links the files name and the database lacks (reorganisations never
    lose a link here: an admin's links stay)."""
    ids = dict(
        Organisation.objects.filter(source_ref__isnull=False).values_list("source_ref", "pk")
    )
    wanted = {
        (ids[row.source_ref], ids[successor])
        for row in rows
        for successor in row.successors
        if successor in ids
    }
    links = Organisation.successors.through
    present = set(
        links.objects.filter(from_organisation_id__in={a for a, _ in wanted}).values_list(
            "from_organisation_id", "to_organisation_id"
        )
    )
    missing = wanted - present
    links.objects.bulk_create(
        links(from_organisation_id=a, to_organisation_id=b) for a, b in sorted(missing)
    )
    return len(missing)
