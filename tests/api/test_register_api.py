"""GET /api/v1/register/ and /api/v1/register/{reference}/: anyone, published initiatives only,
the open dataset's fields and nothing private, the register's filters, cursor pages, constant
queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from initiatives.models import Initiative
from tests import factories

pytestmark = pytest.mark.django_db

LIST = reverse("api:register-list")


def published(**fields):
    return factories.InitiativeFactory(
        visibility=Initiative.Visibility.PUBLIC, published_at=timezone.now(), **fields
    )


def test_anonymous_reads_published_initiatives_only(council):
    shown = published(lead=council, title="Shown")
    factories.InitiativeFactory(lead=council, title="Hidden")
    response = APIClient().get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert [r["reference"] for r in body["results"]] == [shown.reference]
    entry = body["results"][0]
    assert entry["lead_organisation"]["name"] == council.name
    assert entry["register_url"].endswith(f"/register/{shown.reference}/")
    assert "id" not in entry and "visibility" not in entry  # only the open dataset's fields


def test_detail_404_unless_published(council):
    shown = published(lead=council)
    hidden = factories.InitiativeFactory(lead=council)
    client = APIClient()
    assert client.get(reverse("api:register-detail", args=[shown.reference])).status_code == 200
    assert client.get(reverse("api:register-detail", args=[hidden.reference])).status_code == 404


def test_filters_as_the_register(council):
    published(lead=council, title="Bins together", service_area="waste")
    published(lead=council, title="Shared ICT")
    results = APIClient().get(LIST, {"q": "bins"}).json()["results"]
    assert [r["title"] for r in results] == ["Bins together"]


def test_cursor_pages(council):
    for _ in range(3):
        published(lead=council)
    first = APIClient().get(LIST, {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = APIClient().get(first["next"]).json()
    assert len(second["results"]) == 1


def test_list_queries_do_not_grow(council, partner_council):
    def count(n):
        for _ in range(n):
            published(lead=council, shares={council: 60, partner_council: 40})
        with CaptureQueriesContext(connection) as queries:
            assert APIClient().get(LIST, {"page_size": 100}).status_code == 200
        return len(queries)

    assert count(2) == count(20)


def test_a_cursor_no_page_gave_is_refused_at_the_parameter(council):
    published(lead=council)
    response = APIClient().get(LIST, {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert "start again without it" in response.json()["cursor"][0]
