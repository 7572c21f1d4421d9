"""load_councils stores the spellings the council register gives for each council, so that an
import (and the directory) finds a council by any name a council's own spreadsheet uses."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from partners import councils
from partners.matching import organisations_match
from partners.models import Organisation, OrganisationName
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(db):
    return councils.public_bodies_load()


def names_of(source_ref):
    return set(
        OrganisationName.objects.filter(organisation__source_ref=source_ref).values_list(
            "name", flat=True
        )
    )


def test_each_council_is_known_by_the_registers_other_spellings_each_once(loaded):
    # "leeds" is "Leeds" again and "leeds city council" is its own name: neither is stored.
    assert names_of("la:LDS") == {"Leeds", "leeds district"}
    hull = names_of("la:KHL")
    assert {"Kingston upon Hull", "Kingston upon Hull, City of", "hull city"} <= hull
    assert "kingston upon hull city of" not in hull  # the same as "Kingston upon Hull, City of"
    assert "Hull City Council" not in hull and "hull city council" not in hull
    assert loaded.names_added == OrganisationName.objects.count() > 700


def test_spellings_garbled_in_the_source_are_not_stored(loaded):
    assert "anglesey" in names_of("la:AGY")
    assert not OrganisationName.objects.filter(name__contains="ï¿").exists()
    assert not OrganisationName.objects.filter(name__contains="ï¾").exists()
    assert "Abertawe" in names_of("la:SWA")


def test_police_fire_and_health_bodies_have_no_names_from_the_council_register(loaded):
    assert not OrganisationName.objects.exclude(organisation__source_ref__startswith="la:").exists()
    assert set(OrganisationName.objects.values_list("source", flat=True)) == {councils.NAMES_SOURCE}


def test_a_second_run_adds_no_name(loaded):
    before = sorted(OrganisationName.objects.values_list("pk", "organisation_id", "name"))
    again = councils.public_bodies_load()
    assert again.names_added == 0
    assert sorted(OrganisationName.objects.values_list("pk", "organisation_id", "name")) == before


def test_names_added_by_hand_or_by_a_merge_stay_when_loading_again(loaded):
    leeds = Organisation.objects.get(source_ref="la:LDS")
    factories.OrganisationNameFactory(organisation=leeds, name="Leeds MDC", source="merged record")
    again = councils.public_bodies_load()
    assert again.names_added == 0
    assert names_of("la:LDS") == {"Leeds", "leeds district", "Leeds MDC"}


def test_a_name_missing_from_the_database_is_added_back(loaded):
    OrganisationName.objects.filter(organisation__source_ref="la:LDS", name="Leeds").delete()
    assert councils.public_bodies_load().names_added == 1
    assert names_of("la:LDS") == {"Leeds", "leeds district"}


def test_the_command_says_how_many_names_it_added(db):
    out = StringIO()
    call_command("load_councils", stdout=out)
    added = OrganisationName.objects.count()
    assert f"alternative names added {added}" in out.getvalue()
    out = StringIO()
    call_command("load_councils", stdout=out)
    assert "alternative names added 0" in out.getvalue()


def test_an_import_finds_councils_by_the_spellings_their_spreadsheets_use(loaded, officer):
    found = organisations_match(
        ["Kingston upon Hull, City of", "leeds district", "North Yorkshire", "E06000065"],
        user=officer,
    )
    assert found["Kingston upon Hull, City of"].organisation.source_ref == "la:KHL"
    assert found["leeds district"].organisation.source_ref == "la:LDS"
    # The register gives "North Yorkshire" to the former county too, but it is inactive; the
    # police and fire services go by the area's name as well: the person is asked which.
    assert found["North Yorkshire"] == (
        None,
        "'North Yorkshire' could be North Yorkshire Council (E06000065), North Yorkshire Fire "
        "and Rescue Service (E31000027) or North Yorkshire Police (E23000009): give its GSS "
        "code or its full name",
    )
    assert found["E06000065"].organisation.source_ref == "la:NYE"


def test_a_former_council_named_by_its_code_says_what_replaced_it(loaded, officer):
    [(_, match)] = organisations_match(["E10000023"], user=officer).items()
    assert match.organisation is None
    assert match.message == (
        "North Yorkshire County Council (E10000023) is no longer active: it was replaced by "
        "North Yorkshire Council (E06000065)"
    )


def test_the_registers_spellings_find_the_council_but_are_not_shown_on_its_page(
    loaded, as_user, officer
):
    """The register's spellings include other datasets' typos: the directory search finds the
    council by them, and its page does not list them as names it is known by."""
    hull = Organisation.objects.get(source_ref="la:KHL")
    page = as_user(officer).get(reverse("partners:detail", args=[hull.pk])).content.decode()
    assert "Also known as" not in page
    found = as_user(officer).get(reverse("partners:list"), {"q": "Kingston upon Hull, City of"})
    assert hull.name in found.content.decode()
