"""/api/v1/initiatives/ and /api/v1/initiatives/{id}/ (with its status and publication): the
list and detail read as the pages do, and create, change, status and publication go through
initiatives.services, refusing what the pages refuse."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives.models import Initiative
from tests import factories

pytestmark = pytest.mark.django_db

LIST = reverse("api:initiative-list")


def detail(initiative, what="detail"):
    return reverse(f"api:initiative-{what}", args=[initiative.pk])


NEW = {
    "title": "Joint highways depot",
    "summary": "A depot for both councils.",
    "collaboration_model": "shared_service",
    "service_area": "revenues_benefits",
    "start_date": "2026-04-01",
}


def test_initiative_list_shows_what_the_person_may_see_with_its_fields(client, people, initiative):
    hidden = factories.InitiativeFactory(lead=people.other)
    client.force_login(people.partner_officer)
    response = client.get(LIST)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [initiative.pk]
    assert hidden.pk not in [row["id"] for row in rows]
    row = rows[0]
    assert row["lead"] == {"id": people.lead.pk, "name": people.lead.name}
    assert row["reference"] == initiative.reference
    assert row["version"] == initiative.version
    assert row["published"] is False
    assert row["url"].endswith(initiative.get_absolute_url())


def test_initiative_list_filters_as_the_page_does(client, people, initiative):
    factories.InitiativeFactory(lead=people.lead, status=Initiative.Status.LIVE)
    client.force_login(people.lead_officer)
    rows = client.get(LIST, {"status": "live"}).json()["results"]
    assert initiative.pk not in [row["id"] for row in rows] and len(rows) == 1
    rows = client.get(LIST, {"q": initiative.reference}).json()["results"]
    assert [row["id"] for row in rows] == [initiative.pk]


def test_initiative_list_refuses_a_filter_value_it_does_not_know(client, people):
    client.force_login(people.lead_officer)
    assert client.get(LIST, {"status": "nonsense"}).status_code == 400


def test_initiative_list_answers_anonymous_with_401(client, db):
    assert client.get(LIST).status_code == 401


def _queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_initiative_list_costs_the_same_queries_at_n_and_10n_rows(client, people):
    client.force_login(people.lead_officer)
    factories.InitiativeFactory.create_batch(5, lead=people.lead)
    at_n = _queries(client, LIST)
    factories.InitiativeFactory.create_batch(45, lead=people.lead)
    assert _queries(client, LIST) == at_n


def test_initiative_create_leads_with_the_only_organisation(client, people):
    client.force_login(people.lead_officer)
    response = client.post(LIST, NEW, content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["lead"]["id"] == people.lead.pk and body["title"] == NEW["title"]
    assert Initiative.objects.get(pk=body["id"]).created_by == people.lead_officer


def test_initiative_create_for_an_organisation_the_person_is_not_in_is_403(client, people):
    client.force_login(people.lead_officer)
    response = client.post(LIST, {**NEW, "lead": people.other.pk}, content_type="application/json")
    assert response.status_code == 403
    assert not Initiative.objects.exists()


def test_initiative_create_by_an_admin_needs_a_lead(client, people):
    client.force_login(people.admin)
    response = client.post(LIST, NEW, content_type="application/json")
    assert response.status_code == 400 and "lead" in response.json()
    response = client.post(LIST, {**NEW, "lead": people.other.pk}, content_type="application/json")
    assert response.status_code == 201 and response.json()["lead"]["id"] == people.other.pk


def test_initiative_create_with_bad_input_is_400_at_the_field_and_writes_nothing(client, people):
    client.force_login(people.lead_officer)
    response = client.post(
        LIST,
        {**NEW, "title": "", "planned_end_date": "2020-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "title" in response.json()
    response = client.post(
        LIST, {**NEW, "planned_end_date": "2020-01-01"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["planned_end_date"] == [
        "The planned end date must be on or after the start date"
    ]
    assert not Initiative.objects.exists()


def test_initiative_detail_is_404_to_someone_who_may_not_see_it(client, people, initiative):
    client.force_login(people.outsider)
    assert client.get(detail(initiative)).status_code == 404
    for what in ("status", "publication"):
        assert client.post(detail(initiative, what), {}).status_code == 404


def test_initiative_detail_costs_the_same_queries_with_more_initiatives(client, people, initiative):
    client.force_login(people.lead_officer)
    before = _queries(client, detail(initiative))
    factories.InitiativeFactory.create_batch(20, lead=people.lead)
    assert _queries(client, detail(initiative)) == before


def test_initiative_update_changes_the_fields_and_the_version(client, people, initiative):
    client.force_login(people.lead_officer)
    response = client.patch(
        detail(initiative),
        {"title": "A new title", "version": initiative.version},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "A new title"
    assert response.json()["version"] == initiative.version + 1


def test_initiative_update_without_a_version_is_400(client, people, initiative):
    client.force_login(people.lead_officer)
    response = client.patch(detail(initiative), {"title": "X"}, content_type="application/json")
    assert response.status_code == 400 and "version" in response.json()


def test_initiative_update_on_a_stale_version_is_409_with_the_stored_initiative(
    client, people, initiative
):
    client.force_login(people.lead_officer)
    response = client.patch(
        detail(initiative),
        {"title": "Too late", "version": initiative.version - 1},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["current"]["title"] == initiative.title
    assert response.json()["current"]["version"] == initiative.version
    initiative.refresh_from_db()
    assert initiative.title != "Too late"


def test_initiative_update_by_a_partner_is_403(client, people, initiative):
    client.force_login(people.partner_officer)
    response = client.patch(
        detail(initiative),
        {"title": "Theirs", "version": initiative.version},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_initiative_update_with_bad_dates_is_400_and_changes_nothing(client, people, initiative):
    client.force_login(people.lead_officer)
    response = client.patch(
        detail(initiative),
        {"planned_end_date": "2020-01-01", "version": initiative.version},
        content_type="application/json",
    )
    assert response.status_code == 400 and "planned_end_date" in response.json()
    initiative.refresh_from_db()
    assert initiative.planned_end_date == date(2028, 3, 31)


def test_initiative_status_moves_along_the_table_saying_why(client, people, initiative):
    client.force_login(people.lead_officer)
    response = client.post(
        detail(initiative, "status"),
        {"status": "in_design", "reason": "Agreed"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "in_design"


def test_initiative_status_refuses_a_move_off_the_table_or_without_a_reason(
    client, people, initiative
):
    client.force_login(people.lead_officer)
    url = detail(initiative, "status")
    response = client.post(
        url, {"status": "closed", "reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 400 and "status" in response.json()
    response = client.post(
        url, {"status": "in_design", "reason": " "}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["reason"] == ["Say why the status is changing"]
    initiative.refresh_from_db()
    assert initiative.status == Initiative.Status.PROPOSED


def test_initiative_status_by_a_partner_is_403(client, people, initiative):
    client.force_login(people.partner_officer)
    response = client.post(
        detail(initiative, "status"),
        {"status": "in_design", "reason": "Agreed"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_initiative_publication_by_a_manager_publishes_and_withdraws(client, people, initiative):
    client.force_login(people.lead_manager)
    url = detail(initiative, "publication")
    response = client.post(url, {"published": True}, content_type="application/json")
    assert response.status_code == 200 and response.json()["published"] is True
    response = client.post(url, {"published": False}, content_type="application/json")
    assert response.status_code == 200 and response.json()["published"] is False


def test_initiative_publication_by_an_officer_is_403(client, people, initiative):
    client.force_login(people.lead_officer)
    response = client.post(
        detail(initiative, "publication"), {"published": True}, content_type="application/json"
    )
    assert response.status_code == 403
    initiative.refresh_from_db()
    assert not initiative.is_published


def test_initiative_publication_without_a_boolean_is_400(client, people, initiative):
    client.force_login(people.lead_manager)
    response = client.post(detail(initiative, "publication"), {}, content_type="application/json")
    assert response.status_code == 400 and "published" in response.json()
