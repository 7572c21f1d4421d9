"""load_councils: every UK council and the police, fire and health bodies, idempotently."""

import csv
import shutil
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners import councils
from partners.history import history_of
from partners.models import Organisation

pytestmark = pytest.mark.django_db

CSV = councils.DATA / "uk_local_authorities.csv"


def file_rows():
    with open(CSV, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def loaded(db):
    return councils.public_bodies_load()


def test_every_current_council_is_loaded_active_by_nation_and_kind(loaded):
    current = Organisation.objects.filter(source_ref__startswith="la:", active=True)
    assert current.count() == 397
    assert Counter(current.values_list("nation", flat=True)) == {
        "england": 332,
        "scotland": 32,
        "wales": 22,
        "northern_ireland": 11,
    }
    assert Counter(current.values_list("kind", flat=True)) == {
        "county_council": 21,
        "district_council": 164,
        "unitary_authority": 63,
        "metropolitan_borough": 36,
        "london_borough": 32,
        "city_corporation": 1,
        "scottish_council": 32,
        "welsh_council": 22,
        "ni_council": 11,
        "combined_authority": 14,
        "strategic_authority": 1,
    }
    leeds = Organisation.objects.get(source_ref="la:LDS")
    assert (leeds.name, leeds.short_name, leeds.gss_code) == (
        "Leeds City Council",
        "Leeds",
        "E08000035",
    )
    assert (leeds.nation, leeds.region, leeds.sector) == ("england", "yorkshire", "public")
    assert leeds.search_name == "leeds city council"


def test_former_councils_are_inactive_and_linked_to_every_successor(loaded):
    former = {
        r["local-authority-code"]: r for r in file_rows() if r["current-authority"] == "False"
    }
    organisations = Organisation.objects.filter(source_ref__in=[f"la:{c}" for c in former])
    assert organisations.count() == 73
    assert not organisations.filter(active=True).exists()
    for organisation in organisations.prefetch_related("successors"):
        code = organisation.source_ref.removeprefix("la:")
        expected = {f"la:{c.strip()}" for c in former[code]["replaced-by"].split(",") if c.strip()}
        assert {s.source_ref for s in organisation.successors.all()} == expected, code
    cumbria = Organisation.objects.get(source_ref="la:CMA")
    assert cumbria.successors.count() == 2  # Cumberland, Westmorland and Furness


def test_the_police_fire_and_health_bodies_are_public_sector_organisations(loaded):
    # Police: 43 forces of England and Wales plus Police Scotland (the Northern Ireland row and
    # two unnamed rows are ONS placeholders). Fire: all 50 rows. Health boards: 7 Welsh and
    # 14 Scottish.
    assert Organisation.objects.filter(kind="police").count() == 44
    assert Organisation.objects.filter(kind="fire_and_rescue").count() == 50
    assert Organisation.objects.filter(kind="nhs_body", nation="wales").count() == 7
    assert Organisation.objects.filter(kind="nhs_body", nation="scotland").count() == 14
    assert not Organisation.objects.filter(gss_code__endswith="99999999").exists()
    assert set(
        Organisation.objects.filter(source_ref__isnull=False).values_list("sector", flat=True)
    ) == {"public"}
    names = set(Organisation.objects.values_list("name", flat=True))
    assert {
        "Police Scotland",
        "West Yorkshire Police",
        "Metropolitan Police Service",
        "Avon Fire and Rescue Service",
        "NHS Ayrshire and Arran",
        "Betsi Cadwaladr University Health Board",
    } <= names
    assert loaded.created == 585 and loaded.links_added == 50


def test_a_second_run_writes_nothing(loaded):
    with CaptureQueriesContext(connection) as queries:
        again = councils.public_bodies_load()
    assert (again.created, again.updated, again.links_added, again.unchanged) == (0, 0, 0, 585)
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_a_changed_row_updates_its_organisation_in_place(loaded, tmp_path):
    for name in [
        "ons_police_force_areas_2019.csv",
        "ons_fire_rescue_authorities_2019.csv",
        "ons_wales_local_health_boards_2019.csv",
        "ons_scotland_health_boards_2019.csv",
    ]:
        shutil.copy(councils.DATA / name, tmp_path / name)
    text = CSV.read_text(encoding="utf-8").replace(
        "Leeds City Council", "Leeds Metropolitan Council"
    )
    (tmp_path / "uk_local_authorities.csv").write_text(text, encoding="utf-8")
    before = Organisation.objects.get(source_ref="la:LDS")
    report = councils.public_bodies_load(tmp_path)
    assert (report.created, report.updated) == (0, 1)
    after = Organisation.objects.get(source_ref="la:LDS")
    assert after.pk == before.pk
    assert after.name == "Leeds Metropolitan Council"
    assert after.search_name == "leeds metropolitan council"
    assert after.version == before.version + 1
    entry = history_of(after).get()
    assert entry.action == "Updated from the public data"
    assert entry.changes == [
        {"field": "Name", "before": "Leeds City Council", "after": "Leeds Metropolitan Council"}
    ]


def test_an_organisation_an_admin_deactivated_stays_deactivated(loaded):
    Organisation.objects.filter(source_ref="la:LDS").update(active=False)
    councils.public_bodies_load()
    assert not Organisation.objects.get(source_ref="la:LDS").active


def test_organisations_added_by_hand_are_never_touched(loaded):
    added = Organisation.objects.create(
        name="Leeds City Council", slug="leeds-by-hand", sector="social", kind="charity"
    )
    councils.public_bodies_load()
    added.refresh_from_db()
    assert (added.sector, added.kind, added.source_ref) == ("social", "charity", None)


def test_the_command_prints_what_it_did(db):
    out = StringIO()
    call_command("load_councils", stdout=out)
    assert "585 created" in out.getvalue()
