"""Matching the organisations a spreadsheet names: by GSS code, else by name or short name, else
by an alternative name; merges followed, inactive ones refused with the reason, ambiguous names
named, and the closest organisations suggested when nothing matches. The directory and the
organisation page know the alternative names too."""

import factory as factory_boy
import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from partners.matching import organisations_match
from partners.models import Organisation, OrganisationName
from partners.services import organisations as organisation_services
from tests import factories

pytestmark = pytest.mark.django_db


def organisation(name, gss_code=None, **extra):
    return factories.OrganisationFactory(name=name, gss_code=gss_code, **extra)


@pytest.fixture
def leeds(db):
    return organisation("Leeds City Council", "E08000035", short_name="Leeds")


@pytest.fixture
def bradford(db):
    return organisation("City of Bradford Metropolitan District Council", "E08000032")


@pytest.fixture
def reader(db):
    return factories.UserFactory()


def match(value, user):
    return organisations_match([value], user=user)[value]


def test_a_gss_code_finds_its_organisation_whatever_its_case_and_spacing(leeds, bradford, reader):
    found = organisations_match(["E08000035", " e08000032 "], user=reader)
    assert found["E08000035"] == (leeds, "")
    assert found[" e08000032 "] == (bradford, "")


def test_an_unknown_gss_code_is_said_to_be_unknown(leeds, reader):
    assert match("E08999999", reader) == (None, "No organisation has the GSS code E08999999")


@pytest.mark.parametrize(
    "typed",
    ["Leeds City Council", "LEEDS CITY COUNCIL", "  leeds   city council. ", "Leeds-City-Council"],
)
def test_a_name_matches_whatever_its_case_spacing_and_punctuation(leeds, reader, typed):
    assert match(typed, reader) == (leeds, "")


def test_ampersand_and_accents_match_the_spelled_out_forms(reader):
    fire = organisation("Tyne and Wear Fire and Rescue Service")
    anglesey = organisation("Cyngor Sir Ynys Môn")
    found = organisations_match(
        ["Tyne & Wear Fire & Rescue Service", "cyngor sir ynys mon"], user=reader
    )
    assert found["Tyne & Wear Fire & Rescue Service"] == (fire, "")
    assert found["cyngor sir ynys mon"] == (anglesey, "")


def test_a_short_name_matches(leeds, reader):
    assert match("leeds", reader) == (leeds, "")


def test_an_alternative_name_matches(leeds, reader):
    factories.OrganisationNameFactory(organisation=leeds, name="Leeds Metropolitan District")
    assert match("leeds metropolitan district", reader) == (leeds, "")


def test_an_organisations_own_name_wins_over_another_ones_alternative_name(leeds, reader):
    calderdale = organisation("Calderdale", "E08000033")
    factories.OrganisationNameFactory(organisation=leeds, name="Calderdale")
    assert match("Calderdale", reader) == (calderdale, "")


def test_a_merged_duplicate_leads_to_the_organisation_it_was_merged_into(leeds, reader, admin_user):
    duplicate = organisation("Leeds Council", "E08000099")
    factories.OrganisationNameFactory(organisation=duplicate, name="LCC")
    organisation_services.organisation_merge(actor=admin_user, duplicate=duplicate, survivor=leeds)
    found = organisations_match(["Leeds Council", "E08000099", "LCC"], user=reader)
    assert found == {
        "Leeds Council": (leeds, ""),
        "E08000099": (leeds, ""),
        "LCC": (leeds, ""),
    }


def test_a_name_shared_by_a_duplicate_and_its_survivor_is_not_ambiguous(leeds, reader, admin_user):
    duplicate = organisation("Leeds City Council")
    organisation_services.organisation_merge(actor=admin_user, duplicate=duplicate, survivor=leeds)
    assert match("Leeds City Council", reader) == (leeds, "")


def test_an_inactive_organisation_is_refused_naming_what_replaced_it(leeds, reader):
    former = organisation("Leeds Borough Council", "E07000999", active=False)
    former.successors.add(leeds)
    closed = organisation("Old Charity", active=False)
    found = organisations_match(["Leeds Borough Council", "old charity"], user=reader)
    assert found["Leeds Borough Council"] == (
        None,
        "Leeds Borough Council (E07000999) is no longer active: it was replaced by "
        "Leeds City Council (E08000035)",
    )
    assert found["old charity"] == (None, "Old Charity is no longer active")
    assert closed.pk  # an organisation, not a missing one


def test_a_duplicate_of_an_organisation_that_is_no_longer_active_is_refused(
    leeds, reader, admin_user
):
    duplicate = organisation("Leeds Council")
    organisation_services.organisation_merge(actor=admin_user, duplicate=duplicate, survivor=leeds)
    organisation_services.organisation_set_active(
        actor=admin_user, organisation=leeds, active=False
    )
    assert match("Leeds Council", reader) == (
        None,
        "Leeds Council was merged into Leeds City Council (E08000035), which is no longer active",
    )


def test_two_active_organisations_of_the_same_name_are_ambiguous_and_both_named(reader):
    organisation("Newport City Council", "W06000022")
    organisation("Newport City Council", "E07000998")
    organisation("Newport City Council (old)", "W06000099", active=False)
    assert match("newport city council", reader) == (
        None,
        "'newport city council' could be Newport City Council (E07000998) or Newport City "
        "Council (W06000022): give its GSS code or its full name",
    )


def test_no_match_suggests_the_three_closest_active_organisations_with_their_codes(
    leeds, bradford, reader
):
    organisation("Leeds Beckett University", sector="social", kind="university")
    organisation("Leeds Trinity University", sector="social", kind="university")
    organisation("Leeds and York Partnership", sector="social", kind="charity")
    organisation("Leeds Metropolitan Council", "E08000098", active=False)
    value, found = "Leeds CC", match("Leeds CC", reader)
    assert found.organisation is None
    message = found.message
    assert message.startswith(
        f"No organisation called '{value}'. Did you mean Leeds City Council (E08000035), "
    )
    suggested = message.removeprefix(f"No organisation called '{value}'. Did you mean ")
    assert suggested.count(", ") + suggested.count(" or ") == 2  # three names
    assert "Leeds Metropolitan Council" not in message  # inactive: cannot be chosen
    assert "Bradford" not in message


def test_no_match_and_nothing_close_asks_for_the_spelling_or_the_code(leeds, reader):
    assert match("Zzyzx Quorum", reader) == (
        None,
        "No organisation called 'Zzyzx Quorum'. Check its spelling, or give its GSS code",
    )


def test_an_empty_cell_asks_for_the_organisation(leeds, reader):
    found = organisations_match(["", None, "  "], user=reader)
    assert set(found.values()) == {(None, "Enter the organisation's name or GSS code")}


def test_someone_signed_out_or_deactivated_matches_nothing(leeds):
    gone = factories.UserFactory(is_active=False)
    for user in (AnonymousUser(), gone):
        found = match("E08000035", user)
        assert found.organisation is None


def test_many_values_are_matched_in_the_same_few_queries_as_ten(reader, django_assert_num_queries):
    factories.OrganisationFactory.create_batch(
        1000,
        name=factory_boy.Iterator([f"Partner Organisation {n:04d}" for n in range(1000)]),
        gss_code=factory_boy.Iterator([f"E99{n:06d}" for n in range(1000)]),
    )
    factories.OrganisationNameFactory(
        organisation=factories.OrganisationFactory(name="Harrogate Borough Council"),
        name="Harrogate BC",
    )

    def values(count):
        names = [f"partner organisation {n:04d}" for n in range(0, count, 3)]
        codes = [f"E99{n:06d}" for n in range(1, count, 3)]
        wrong = [f"Partner Organsation {n:04d}x" for n in range(2, count, 3)]
        return [*names, *codes, *wrong, "Harrogate BC"]

    for count in (10, 1000):
        asked = values(count)
        with django_assert_num_queries(5):
            found = organisations_match(asked, user=reader)
        assert len(found) == len(asked)
        assert found["partner organisation 0000"].organisation.name == "Partner Organisation 0000"
        assert found["E99000001"].organisation.name == "Partner Organisation 0001"
        assert found["Harrogate BC"].organisation.name == "Harrogate Borough Council"
        assert found["Partner Organsation 0002x"].message.startswith(
            "No organisation called 'Partner Organsation 0002x'. Did you mean Partner "
            "Organisation 0002 (E99000002)"
        )


# --- the directory finds an organisation by its alternative names too --------------------------


def test_the_directory_finds_an_organisation_by_an_alternative_name_best_match_first(
    leeds, bradford, as_user, reader
):
    factories.OrganisationNameFactory(organisation=bradford, name="Bradford MDC")
    organisation("Bradford Community Trust", sector="social", kind="charity")
    page = as_user(reader).get(reverse("partners:list"), {"q": "bradford mdc"})
    found = list(page.context["page"].object_list)
    assert found[0] == bradford
    assert leeds not in found


def test_the_directory_search_by_name_is_unchanged_for_organisations_without_other_names(
    leeds, bradford, as_user, reader
):
    page = as_user(reader).get(reverse("partners:list"), {"q": "leeds cc"})
    assert list(page.context["page"].object_list) == [leeds]


@pytest.mark.parametrize("count", [400, 4000])
def test_searching_the_directory_by_an_alternative_name_costs_the_same_queries_at_400_and_4000(
    as_user, officer, django_assert_num_queries, count
):
    """The six queries of the directory's search by name (test_organisation_views), unchanged."""
    factories.OrganisationFactory.create_batch(
        count,
        name=factory_boy.Iterator([f"Organisation {n:05d}" for n in range(count)]),
        sector="social",
        kind="charity",
    )
    factories.OrganisationNameFactory.create_batch(
        count // 4,
        organisation=factory_boy.Iterator(Organisation.objects.all()),
        name=factory_boy.Iterator([f"Other Name {n:05d}" for n in range(count)]),
    )
    client = as_user(officer)
    client.get(reverse("partners:list"))  # warm the session and content types
    with django_assert_num_queries(6):
        response = client.get(reverse("partners:list"), {"q": "other name 0", "sector": "social"})
    assert response.status_code == 200
    shown = response.context["page"].object_list
    assert shown and all(o.alternative_names.get().name.startswith("Other Name 0") for o in shown)


def test_an_organisation_page_lists_its_other_names(leeds, as_user, reader):
    factories.OrganisationNameFactory(organisation=leeds, name="Leeds Metropolitan District")
    factories.OrganisationNameFactory(organisation=leeds, name="leeds")  # its short name
    page = as_user(reader).get(reverse("partners:detail", args=[leeds.pk])).content.decode()
    assert "Also known as" in page
    assert "<li>Leeds Metropolitan District</li>" in page
    assert "<li>leeds</li>" not in page


def test_the_registers_spellings_are_used_for_matching_but_never_shown(leeds, as_user, reader):
    """The register's lookup holds other datasets' typos: they find the organisation, but the
    page does not name them as what it is known by."""
    factories.OrganisationNameFactory(
        organisation=leeds, name="leeds citty council", source=OrganisationName.REGISTER_SOURCE
    )
    matched = organisations_match(["Leeds Citty Council"], user=reader)
    assert matched["Leeds Citty Council"][0] == leeds
    page = as_user(reader).get(reverse("partners:detail", args=[leeds.pk])).content.decode()
    assert "citty" not in page


def test_an_organisation_page_without_other_names_has_no_such_row(bradford, as_user, reader):
    page = as_user(reader).get(reverse("partners:detail", args=[bradford.pk])).content.decode()
    assert "Also known as" not in page
