"""GET /api/v1/progress/ (the dashboard's figures) and /api/v1/initiatives/{id}/progress/ (one
initiative's): the dashboard's permission and filters, freshness, 401/404, constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("api:progress-detail")


def progress_of(initiative):
    return reverse("api:initiative-progress", args=[initiative.pk])


@pytest.fixture
def api():
    return APIClient()


def test_dashboard_figures_of_ones_organisation(api, officer, council, initiative):
    api.force_authenticate(officer)
    response = api.get(DASHBOARD)
    assert response.status_code == 200
    body = response.json()
    assert body["organisation"] == {"id": council.pk, "name": council.name}
    assert set(body["headline"]) >= {"target", "verified", "claimed", "computed_at", "percent"}
    assert {"pending", "by_financial_year", "at_risk_count", "without_targets"} <= set(body)


def test_dashboard_filters_as_the_page_reads_them(api, officer, initiative):
    api.force_authenticate(officer)
    body = api.get(DASHBOARD, {"fy": "2026", "model": "shared_service", "area": "nonsense"}).json()
    assert body["financial_year"] == 2026
    assert body["service_area"] == ""  # a malformed filter is ignored, as on the page


def test_dashboard_of_an_organisation_one_may_not_see_is_404(api, outsider, council):
    api.force_authenticate(outsider)
    assert api.get(DASHBOARD, {"org": council.pk}).status_code == 404


def test_admin_sees_all_organisations(api, admin_user, council):
    api.force_authenticate(admin_user)
    body = api.get(DASHBOARD, {"org": "all"}).json()
    assert body["organisation"] is None
    assert api.get(DASHBOARD, {"org": council.pk}).json()["organisation"]["id"] == council.pk


def test_anonymous_gets_401(api, initiative):
    assert api.get(DASHBOARD).status_code == 401
    assert api.get(progress_of(initiative)).status_code == 401


def test_initiative_figures(api, partner_officer, initiative):
    api.force_authenticate(partner_officer)
    response = api.get(progress_of(initiative))
    assert response.status_code == 200
    body = response.json()
    assert body["initiative"] == initiative.pk
    assert {"computed", "computed_at", "pending", "rag", "target_this_year"} <= set(body)
    if not body["computed"]:
        assert body["verified"] is None and body["computed_at"] is None


def test_initiative_not_visible_is_404(api, outsider, initiative):
    api.force_authenticate(outsider)
    assert api.get(progress_of(initiative)).status_code == 404
    assert api.get(reverse("api:initiative-progress", args=[10**9])).status_code == 404


def test_dashboard_queries_do_not_grow(api, officer, council):
    api.force_authenticate(officer)
    api.get(DASHBOARD)  # the first request of all reads what later ones find cached

    def count(n):
        for _ in range(n):
            factories.InitiativeFactory(lead=council, targets={2026: "1000"})
        with CaptureQueriesContext(connection) as queries:
            assert api.get(DASHBOARD).status_code == 200
        return len(queries)

    assert count(2) == count(18)
