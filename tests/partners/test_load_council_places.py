"""load_councils stores where each council is: coordinates, population, county council,
combined authority and local resilience forum (what finding partners ranks by)."""

import csv
import shutil

import pytest

from partners import councils, places
from partners.history import history_of
from partners.models import Organisation, Place, ResilienceForum

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(db):
    return councils.public_bodies_load()


def council(code):
    return Organisation.objects.select_related(
        "place__county", "place__combined_authority", "place__resilience_forum"
    ).get(source_ref=f"la:{code}")


def test_a_metropolitan_borough_has_its_coordinates_population_and_combined_authority(loaded):
    leeds = council("LDS")
    assert (round(leeds.place.latitude, 3), round(leeds.place.longitude, 3)) == (53.826, -1.506)
    assert leeds.place.population > 790_000
    assert leeds.place.combined_authority.name == "West Yorkshire Combined Authority"
    assert leeds.place.county is None
    assert leeds.place.resilience_forum.name == "West Yorkshire"


def test_a_district_names_its_county_council_and_the_county_shares_its_forum(loaded):
    ashford = council("ASF")
    assert ashford.place.county == council("KEN")
    assert ashford.place.resilience_forum.slug == "kent"
    # The lookup leaves county councils out: Kent's forum is its districts'.
    assert council("KEN").place.resilience_forum.slug == "kent"


def test_a_council_created_since_2019_takes_the_forum_of_those_it_replaced(loaded):
    assert council("BUC").place.resilience_forum.slug == "thames-valley"
    assert council("NYE").place.resilience_forum.slug == "north-yorkshire"


def test_every_current_english_council_but_the_combined_authorities_has_a_forum(loaded):
    england = Place.objects.filter(
        organisation__active=True, organisation__nation="england"
    ).exclude(organisation__kind__in=["combined_authority", "strategic_authority"])
    assert england.count() == 317
    assert not england.filter(resilience_forum__isnull=True).exists()
    assert ResilienceForum.objects.count() == 42


def test_only_councils_have_a_place_and_nearly_all_have_coordinates(loaded):
    assert not Place.objects.exclude(organisation__source_ref__startswith="la:").exists()
    current = Place.objects.filter(organisation__active=True)
    assert current.count() == 397
    # The register gives no coordinates for six combined authorities.
    assert current.filter(latitude__isnull=True).count() == 6
    police = Organisation.objects.get(source_ref="pfa:E23000007")
    assert not Place.objects.filter(organisation=police).exists()


def test_loading_again_writes_nothing_and_a_changed_figure_is_updated_with_history(
    loaded, tmp_path
):
    assert places.places_load(councils.DATA) == (0, 0)
    for path in councils.DATA.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    with open(councils.DATA / "uk_local_authorities.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["local-authority-code"] == "LDS":
            row["pop-2020"] = "800000.0"
    with open(tmp_path / "uk_local_authorities.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    assert places.places_load(tmp_path) == (0, 1)

    leeds = council("LDS")
    assert leeds.place.population == 800_000
    entry = history_of(leeds)[0]
    assert entry.action == "Place updated from the public data"
    assert [c["field"] for c in entry.changes] == ["population"]
