"""The organisation pages: directory, forms, detail, history and merge, as a browser sees them."""

import csv
import io

import factory
import pytest
from django.urls import reverse

from partners.models import Organisation
from partners.services import organisations as organisation_services
from tests import factories, form_data
from tests.pages import assert_error_at_field, assert_strict_page, text_of

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def test_the_directory_answers_the_results_fragment_alone_to_htmx(as_user, officer, council):
    client = as_user(officer)
    full = client.get(reverse("partners:list"), {"q": "leeds"})
    fragment = client.get(reverse("partners:list"), {"q": "leeds"}, headers=HTMX)
    assert "HX-Request" in full["Vary"] and "HX-Request" in fragment["Vary"]
    assert "<html" in full.content.decode() and "<h1" in full.content.decode()
    body = fragment.content.decode()
    assert "<html" not in body and body.lstrip().startswith('<div id="results">')
    assert "Leeds City Council" in body
    assert 'hx-swap-oob="innerHTML:#results-count"' in body
    assert_strict_page(full)


def test_a_history_restore_or_boosted_request_gets_the_full_page(as_user, officer, council):
    client = as_user(officer)
    for headers in (
        {**HTMX, "HX-History-Restore-Request": "true"},
        {**HTMX, "HX-Boosted": "true"},
    ):
        response = client.get(reverse("partners:list"), headers=headers)
        assert "<html" in response.content.decode()


def test_search_finds_by_part_of_a_name_ignoring_case_and_punctuation(as_user, officer):
    factories.OrganisationFactory(name="St. Helens Borough Council")
    factories.OrganisationFactory(name="Helensburgh Community Trust")
    factories.OrganisationFactory(name="Cornwall Council")
    client = as_user(officer)
    page = text_of(client.get(reverse("partners:list"), {"q": "st helens"}))
    assert "St. Helens Borough Council" in page and "Cornwall Council" not in page


def test_search_on_postgresql_tolerates_a_misspelling(postgres, as_user, officer):
    factories.OrganisationFactory(name="Leeds City Council")
    factories.OrganisationFactory(name="Cornwall Council")
    page = text_of(as_user(officer).get(reverse("partners:list"), {"q": "leds city"}))
    assert "Leeds City Council" in page and "Cornwall Council" not in page


def test_filters_combine_and_stay_in_the_url(as_user, officer):
    factories.OrganisationFactory(name="Aire Trust", sector="social", kind="charity")
    factories.OrganisationFactory(name="Old District", active=False)
    factories.OrganisationFactory(
        name="Pennine Services Ltd", sector="business", kind="private_company"
    )
    client = as_user(officer)
    charities = text_of(
        client.get(reverse("partners:list"), {"sector": "social", "kind": "charity"})
    )
    assert "Aire Trust" in charities and "Pennine" not in charities
    default = text_of(client.get(reverse("partners:list")))
    assert "Old District" not in default  # active organisations unless asked
    inactive = text_of(client.get(reverse("partners:list"), {"active": "no"}))
    assert "Old District" in inactive and "Aire Trust" not in inactive
    page = client.get(
        reverse("partners:list"), {"sector": "social", "sort": "-name"}
    ).content.decode()
    assert "sector=social" in page and "sort=-name" in page  # the CSV link keeps the state


@pytest.mark.parametrize(
    "query",
    [
        {"sector": "martian"},
        {"sort": "; drop table"},
        {"page": "999"},
        {"page": "x"},
        {"active": "maybe"},
    ],
)
def test_unknown_filter_values_are_ignored_never_a_500(as_user, officer, council, query):
    response = as_user(officer).get(reverse("partners:list"), query)
    assert response.status_code == 200
    assert "Leeds City Council" in text_of(response)


def test_the_csv_holds_the_filtered_organisations_with_formulas_escaped(as_user, officer):
    factories.OrganisationFactory(name='=HYPERLINK("http://evil")', sector="business", kind="other")
    factories.OrganisationFactory(name="Aire Trust", sector="social", kind="charity")
    response = as_user(officer).get(reverse("partners:csv"), {"sector": "business"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["Name", "Short name", "Sector", "Kind"]
    assert [row[0] for row in rows[1:]] == ['\'=HYPERLINK("http://evil")']


def post_organisation(client, **changes):
    return client.post(reverse("partners:create"), form_data.organisation(**changes))


def test_an_admin_adds_an_organisation_and_is_taken_to_it(as_user, admin_user):
    response = post_organisation(as_user(admin_user))
    organisation = Organisation.objects.get(name="Aire Valley Community Trust")
    assert response.status_code == 302 and response.url == organisation.get_absolute_url()


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"name": "  "}, "name", "Enter the organisation's name"),
        ({"website": "not a website"}, "website", "Enter the website address in the right format"),
        ({"gss_code": "E0800003"}, "gss_code", "Enter a GSS code of a letter"),
        ({"gss_code": "E08000035"}, "gss_code", "Another organisation already has this GSS code"),
        ({"sector": "martian"}, "sector", "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_clear_message_at_the_field_and_writes_nothing(
    as_user, admin_user, council, changes, field, message
):
    council.gss_code = "E08000035"
    council.save()
    response = post_organisation(as_user(admin_user), **changes)
    assert_error_at_field(response, field, message)
    assert Organisation.objects.count() == 1


def test_an_edit_over_someone_elses_change_is_refused_and_shows_the_current_values(
    as_user, admin_user, council
):
    client = as_user(admin_user)
    form_version = council.version
    organisation_services.organisation_update(
        actor=admin_user, organisation=council, short_name="Leeds"
    )
    response = client.post(
        reverse("partners:edit", args=[council.pk]),
        {
            "name": "Leeds CC",
            "sector": "public",
            "kind": "metropolitan_borough",
            "nation": "england",
            "region": "yorkshire",
            "version": form_version,
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "changed by someone else" in page
    assert 'value="Leeds"' in page  # the short name stored now
    council.refresh_from_db()
    assert council.name == "Leeds City Council"


def test_a_page_for_an_id_that_does_not_exist_is_404(as_user, admin_user):
    client = as_user(admin_user)
    for name in ["detail", "edit", "history", "set_active", "merge"]:
        assert client.get(reverse(f"partners:{name}", args=[999999])).status_code == 404


def test_merge_confirmation_counts_what_will_move_then_merges(as_user, admin_user, council):
    duplicate = factories.OrganisationFactory(name="Leeds CC")
    factories.UserFactory(member_of=[(duplicate, "officer")])
    factories.UserFactory(member_of=[(duplicate, "manager")])
    client = as_user(admin_user)
    url = reverse("partners:merge_confirm", args=[council.pk, duplicate.pk])
    confirm = text_of(client.get(url))
    assert "Memberships 2" in confirm
    response = client.post(url)
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == council


def test_merging_into_itself_is_refused_with_a_message(as_user, admin_user, council):
    url = reverse("partners:merge_confirm", args=[council.pk, council.pk])
    response = as_user(admin_user).post(url)
    assert response.status_code == 422
    assert "cannot be merged into itself" in text_of(response)


def many_organisations(count):
    factories.OrganisationFactory.create_batch(
        count,
        name=factory.Sequence(lambda n: f"Organisation {n:05d}"),
        sector="social",
        kind="charity",
    )


# The same number of queries at 30 and at 300 rows: a page's cost must not grow with the data.
@pytest.mark.parametrize("count", [30, 300])
def test_the_directory_first_page_costs_the_same_queries_at_30_and_300(
    as_user, officer, django_assert_num_queries, count
):
    many_organisations(count)
    client = as_user(officer)
    client.get(reverse("partners:list"))  # warm the session and content types
    with django_assert_num_queries(6):
        response = client.get(reverse("partners:list"), {"q": "organisation 0", "sector": "social"})
    assert response.status_code == 200


@pytest.mark.parametrize("count", [30, 300])
def test_an_organisations_history_costs_the_same_queries_at_30_and_300(
    as_user, admin_user, council, django_assert_num_queries, count
):
    many_organisations(count)
    factories.HistoryEntryFactory.create_batch(count, owner=council, actor=admin_user)
    client = as_user(admin_user)
    client.get(reverse("partners:history", args=[council.pk]))
    with django_assert_num_queries(6):
        response = client.get(reverse("partners:history", args=[council.pk]), {"page": 2})
    assert response.status_code == 200
