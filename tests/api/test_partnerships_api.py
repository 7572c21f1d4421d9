"""/api/v1/initiatives/{id}/partnerships/ and /shares/: partners listed to whoever may see the
initiative, added, removed and their shares set by the lead's managers through
initiatives.services."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives.models import Partnership
from tests import factories

pytestmark = pytest.mark.django_db


def url(initiative, what):
    return reverse(f"api:initiative-{what}", args=[initiative.pk])


def remove_url(initiative, partnership):
    return reverse("api:initiative-partnership-detail", args=[initiative.pk, partnership.pk])


def test_partnerships_lists_the_partners_with_their_shares(client, people, initiative):
    client.force_login(people.partner_officer)
    response = client.get(url(initiative, "partnerships"))
    assert response.status_code == 200
    assert [
        (row["organisation"]["id"], row["share"], row["active"]) for row in response.json()
    ] == [
        (people.lead.pk, "60.00", True),
        (people.partner.pk, "40.00", True),
    ]


def test_partnerships_are_404_to_someone_who_may_not_see_the_initiative(client, people, initiative):
    client.force_login(people.outsider)
    partnership = initiative.partnerships.get(organisation=people.partner)
    assert client.get(url(initiative, "partnerships")).status_code == 404
    assert client.get(url(initiative, "shares")).status_code == 404
    assert client.delete(remove_url(initiative, partnership)).status_code == 404
    assert (
        client.put(url(initiative, "shares"), {}, content_type="application/json").status_code
        == 404
    )


def test_partnerships_anonymous_is_401(client, initiative):
    assert client.get(url(initiative, "partnerships")).status_code == 401


def test_partnerships_cost_the_same_queries_with_ten_times_the_partners(client, people, initiative):
    client.force_login(people.lead_officer)
    factories.PartnershipFactory.create_batch(2, initiative=initiative)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(initiative, "partnerships")).status_code == 200
        return len(queries)

    count()
    at_n = count()
    factories.PartnershipFactory.create_batch(20, initiative=initiative)
    assert count() == at_n


def test_partnership_add_by_a_manager_joins_at_a_share_of_0(client, people, initiative):
    client.force_login(people.lead_manager)
    response = client.post(
        url(initiative, "partnerships"),
        {"organisation": people.other.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["organisation"]["id"] == people.other.pk
    assert response.json()["share"] == "0.00"


def test_partnership_add_by_an_officer_is_403(client, people, initiative):
    client.force_login(people.lead_officer)
    response = client.post(
        url(initiative, "partnerships"),
        {"organisation": people.other.pk},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not initiative.partnerships.filter(organisation=people.other).exists()


@pytest.mark.parametrize("which", ["missing", "inactive", "already", "not a number"])
def test_partnership_add_of_an_organisation_that_cannot_join_is_400_at_organisation(
    client, people, initiative, which
):
    inactive = factories.OrganisationFactory(active=False)
    organisation = {
        "missing": 999999,
        "inactive": inactive.pk,
        "already": people.partner.pk,
        "not a number": "x",
    }[which]
    before = Partnership.objects.count()
    client.force_login(people.lead_manager)
    response = client.post(
        url(initiative, "partnerships"),
        {"organisation": organisation},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["organisation"]
    assert Partnership.objects.count() == before


def test_partnership_remove_of_a_partner_with_no_share(client, people, initiative):
    partnership = factories.PartnershipFactory(initiative=initiative)
    client.force_login(people.lead_manager)
    assert client.delete(remove_url(initiative, partnership)).status_code == 204
    partnership.refresh_from_db()
    assert partnership.removed_on is not None


def test_partnership_remove_of_a_partner_holding_a_share_is_400(client, people, initiative):
    partnership = initiative.partnerships.get(organisation=people.partner)
    client.force_login(people.lead_manager)
    response = client.delete(remove_url(initiative, partnership))
    assert response.status_code == 400
    assert "still holds" in response.json()["non_field_errors"][0]
    partnership.refresh_from_db()
    assert partnership.removed_on is None


def test_partnership_remove_by_an_officer_is_403(client, people, initiative):
    partnership = factories.PartnershipFactory(initiative=initiative)
    client.force_login(people.lead_officer)
    assert client.delete(remove_url(initiative, partnership)).status_code == 403


def test_partnership_remove_of_another_initiatives_partner_is_404(client, people, initiative):
    elsewhere = factories.InitiativeFactory(lead=people.lead)
    client.force_login(people.lead_manager)
    partnership = elsewhere.partnerships.get()
    assert client.delete(remove_url(initiative, partnership)).status_code == 404


def test_shares_read_with_the_version(client, people, initiative):
    client.force_login(people.partner_officer)
    body = client.get(url(initiative, "shares")).json()
    assert body == {
        "version": initiative.version,
        "shares": [
            {"organisation": people.lead.pk, "share": "60.00"},
            {"organisation": people.partner.pk, "share": "40.00"},
        ],
    }


def shares(initiative, people, lead, partner, version=None):
    return {
        "version": initiative.version if version is None else version,
        "shares": [
            {"organisation": people.lead.pk, "share": lead},
            {"organisation": people.partner.pk, "share": partner},
        ],
    }


def test_shares_set_by_a_manager(client, people, initiative):
    client.force_login(people.lead_manager)
    response = client.put(
        url(initiative, "shares"),
        shares(initiative, people, "50", "50"),
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert [row["share"] for row in response.json()["shares"]] == ["50.00", "50.00"]
    assert response.json()["version"] == initiative.version + 1


def test_shares_that_do_not_add_up_to_100_are_400_and_unchanged(client, people, initiative):
    client.force_login(people.lead_manager)
    response = client.put(
        url(initiative, "shares"),
        shares(initiative, people, "50", "40"),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "add up to exactly 100%" in response.json()["non_field_errors"][0]
    assert initiative.partnerships.get(organisation=people.lead).savings_share == 60


def test_shares_set_on_a_stale_version_is_409_with_the_stored_shares(client, people, initiative):
    client.force_login(people.lead_manager)
    response = client.put(
        url(initiative, "shares"),
        shares(initiative, people, "50", "50", version=initiative.version - 1),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["current"]["version"] == initiative.version
    assert [row["share"] for row in response.json()["current"]["shares"]] == ["60.00", "40.00"]


def test_shares_set_by_an_officer_is_403(client, people, initiative):
    client.force_login(people.lead_officer)
    response = client.put(
        url(initiative, "shares"),
        shares(initiative, people, "50", "50"),
        content_type="application/json",
    )
    assert response.status_code == 403


def test_shares_set_without_a_version_is_400(client, people, initiative):
    client.force_login(people.lead_manager)
    body = shares(initiative, people, "50", "50")
    del body["version"]
    response = client.put(url(initiative, "shares"), body, content_type="application/json")
    assert response.status_code == 400 and "version" in response.json()
