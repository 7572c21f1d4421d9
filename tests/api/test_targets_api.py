"""/api/v1/initiatives/{id}/targets/: the savings targets read by whoever may see the
initiative, and set by those who may edit it through initiatives.services.targets_set, versioned
like the page's targets form."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def url(initiative):
    return reverse("api:initiative-targets", args=[initiative.pk])


def body(initiative, targets, version=None, **extra):
    return {
        "version": initiative.version if version is None else version,
        "targets": [{"financial_year": y, "amount": a} for y, a in targets.items()],
        **extra,
    }


def test_targets_read_with_the_years_and_version(client, people, initiative):
    factories.SavingsTargetFactory(initiative=initiative, financial_year=2025, amount="1000.00")
    client.force_login(people.partner_officer)
    response = client.get(url(initiative))
    assert response.status_code == 200
    data = response.json()
    assert data["version"] == initiative.version
    assert data["targets"] == [{"financial_year": 2025, "amount": "1000.00"}]
    assert data["years"] == list(initiative.savings_years())
    assert data["not_for_savings"] is False and data["savings_expected_from"] is None


def test_targets_are_404_to_someone_who_may_not_see_the_initiative(client, people, initiative):
    client.force_login(people.outsider)
    assert client.get(url(initiative)).status_code == 404
    response = client.put(
        url(initiative), body(initiative, {2025: "1"}), content_type="application/json"
    )
    assert response.status_code == 404


def test_targets_anonymous_is_401(client, initiative):
    assert client.get(url(initiative)).status_code == 401


def test_targets_cost_the_same_queries_with_more_targets(client, people, initiative):
    client.force_login(people.lead_officer)
    factories.SavingsTargetFactory(initiative=initiative, financial_year=2025)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(initiative)).status_code == 200
        return len(queries)

    count()
    at_one = count()
    for year in (2026, 2027):
        factories.SavingsTargetFactory(initiative=initiative, financial_year=year)
    assert count() == at_one


def test_targets_set_by_an_officer_of_the_lead(client, people, initiative):
    client.force_login(people.lead_officer)
    response = client.put(
        url(initiative),
        body(initiative, {2025: "150000", 2026: "200000.50"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["targets"] == [
        {"financial_year": 2025, "amount": "150000.00"},
        {"financial_year": 2026, "amount": "200000.50"},
    ]
    assert response.json()["version"] == initiative.version + 1


def test_targets_left_out_are_cleared_as_the_page_does(client, people, initiative):
    factories.SavingsTargetFactory(initiative=initiative, financial_year=2025)
    client.force_login(people.lead_officer)
    response = client.put(
        url(initiative), body(initiative, {2026: "5"}), content_type="application/json"
    )
    assert response.status_code == 200
    assert [t["financial_year"] for t in response.json()["targets"]] == [2026]


def test_targets_for_a_year_outside_the_initiative_are_400_and_unchanged(
    client, people, initiative
):
    client.force_login(people.lead_officer)
    response = client.put(
        url(initiative), body(initiative, {2040: "5"}), content_type="application/json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not initiative.targets.exists()


def test_targets_not_for_savings_needs_a_reason(client, people, initiative):
    client.force_login(people.lead_officer)
    response = client.put(
        url(initiative), body(initiative, {}, not_for_savings=True), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["not_for_savings_reason"] == [
        "Say why this initiative is not meant to save money"
    ]


def test_targets_negative_amount_is_400_at_its_year(client, people, initiative):
    client.force_login(people.lead_officer)
    response = client.put(
        url(initiative), body(initiative, {2025: "-1"}), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["target_2025"] == ["Enter an amount of £0 or more"]


def test_targets_on_a_stale_version_are_409_with_the_stored_targets(client, people, initiative):
    client.force_login(people.lead_officer)
    response = client.put(
        url(initiative),
        body(initiative, {2025: "5"}, version=initiative.version - 1),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["current"]["version"] == initiative.version
    assert response.json()["current"]["targets"] == []
    assert not initiative.targets.exists()


def test_targets_set_by_a_partner_is_403(client, people, initiative):
    client.force_login(people.partner_officer)
    response = client.put(
        url(initiative), body(initiative, {2025: "5"}), content_type="application/json"
    )
    assert response.status_code == 403
    assert not initiative.targets.exists()


def test_targets_without_a_version_are_400(client, people, initiative):
    client.force_login(people.lead_officer)
    data = body(initiative, {2025: "5"})
    del data["version"]
    response = client.put(url(initiative), data, content_type="application/json")
    assert response.status_code == 400 and "version" in response.json()
