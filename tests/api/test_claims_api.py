"""/api/v1/claims/ and /api/v1/claims/{id}/: read through the claims page's selector and
FilterSet, created and changed through initiatives.claims.services, refusing what the pages
refuse."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives.models import SavingsClaim
from tests import factories

pytestmark = pytest.mark.django_db

LIST = reverse("api:claim-list")

NEW = {k: str(v) for k, v in factories.CLAIM_DEFAULTS.items()}


def detail(claim):
    return reverse("api:claim-detail", args=[claim.pk])


def claim(initiative, created_by, **traits):
    return factories.SavingsClaimFactory(initiative=initiative, created_by=created_by, **traits)


def test_claim_list_shows_what_the_person_may_see_with_its_fields(client, people, initiative):
    submitted = claim(initiative, people.lead_officer, submitted=True)
    draft = claim(initiative, people.lead_officer)
    client.force_login(people.partner_officer)
    response = client.get(LIST)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [submitted.pk]  # the lead's draft is not the partner's
    row = rows[0]
    assert row["initiative"] == {
        "id": initiative.pk,
        "reference": initiative.reference,
        "title": initiative.title,
    }
    assert row["claimant"] == {"id": people.lead.pk, "name": people.lead.name}
    assert row["gross_amount"] == "10000.00" and row["net_amount"] == "9000.00"
    assert row["status"] == "submitted" and row["version"] == submitted.version
    assert row["evidence_count"] == 0 and row["corrects"] is None
    client.force_login(people.lead_officer)
    assert {r["id"] for r in client.get(LIST).json()["results"]} == {submitted.pk, draft.pk}


def test_claim_list_filters_as_the_page_does(client, people, initiative):
    submitted = claim(initiative, people.lead_officer, submitted=True)
    claim(initiative, people.lead_officer)
    client.force_login(people.lead_officer)
    rows = client.get(LIST, {"status": "submitted"}).json()["results"]
    assert [row["id"] for row in rows] == [submitted.pk]


def test_claim_list_and_detail_answer_an_anonymous_request_with_401(client, people, initiative):
    one = claim(initiative, people.lead_officer, submitted=True)
    assert client.get(LIST).status_code == 401
    assert client.get(detail(one)).status_code == 401


def test_claim_list_and_detail_cost_the_same_queries_at_n_and_10n_claims(
    client, people, initiative
):
    def counted(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    first = claim(initiative, people.lead_officer, submitted=True)
    factories.ClaimEvidenceFactory(claim=first)
    client.force_login(people.lead_manager)
    at_n = counted(LIST), counted(detail(first))
    for _ in range(9):
        factories.ClaimEvidenceFactory(claim=claim(initiative, people.lead_officer, submitted=True))
    assert (counted(LIST), counted(detail(first))) == at_n


def test_claim_detail_is_404_to_someone_who_may_not_see_it(client, people, initiative):
    draft = claim(initiative, people.lead_officer)
    client.force_login(people.outsider)
    assert client.get(detail(draft)).status_code == 404
    client.force_login(people.partner_officer)
    assert client.get(detail(draft)).status_code == 404


def test_claim_create_drafts_a_claim_for_the_officers_organisation(client, people, initiative):
    client.force_login(people.partner_officer)
    response = client.post(
        LIST, {"initiative": initiative.pk, **NEW}, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    made = SavingsClaim.objects.get(pk=body["id"])
    assert made.claimant == people.partner and made.status == "draft"
    assert body["claimant"]["id"] == people.partner.pk and body["version"] == 1


def test_claim_create_with_the_same_idempotency_key_makes_one_claim(client, people, initiative):
    client.force_login(people.lead_officer)
    data = {"initiative": initiative.pk, **NEW}
    headers = {"Idempotency-Key": "retry-1"}
    first = client.post(LIST, data, content_type="application/json", headers=headers)
    second = client.post(LIST, data, content_type="application/json", headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert SavingsClaim.objects.count() == 1


def test_claim_create_refuses_bad_input_at_its_field_and_writes_nothing(client, people, initiative):
    client.force_login(people.lead_officer)
    bad = {"initiative": initiative.pk, **NEW, "financial_year": 2010}
    response = client.post(LIST, bad, content_type="application/json")
    assert response.status_code == 400
    assert "financial_year" in response.json()
    response = client.post(
        LIST, {**NEW, "initiative": initiative.pk, "kind": "x"}, "application/json"
    )
    assert response.status_code == 400 and "kind" in response.json()
    assert not SavingsClaim.objects.exists()


def test_claim_create_by_an_outsider_is_404_and_by_a_manager_for_another_403(
    client, people, initiative
):
    client.force_login(people.outsider)
    data = {"initiative": initiative.pk, **NEW}
    assert client.post(LIST, data, content_type="application/json").status_code == 404
    client.force_login(people.partner_officer)
    other = {**data, "claimant": people.lead.pk}
    assert client.post(LIST, other, content_type="application/json").status_code == 403
    assert not SavingsClaim.objects.exists()


def test_claim_patch_changes_a_draft_and_refuses_a_stale_version_with_the_current(
    client, people, initiative
):
    draft = claim(initiative, people.lead_officer)
    client.force_login(people.lead_officer)
    changed = client.patch(
        detail(draft), {"gross_amount": "12000.00", "version": 1}, "application/json"
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["gross_amount"] == "12000.00" and changed.json()["version"] == 2
    stale = client.patch(detail(draft), {"gross_amount": "1.00", "version": 1}, "application/json")
    assert stale.status_code == 409
    assert stale.json()["current"]["gross_amount"] == "12000.00"
    draft.refresh_from_db()
    assert draft.gross_amount == 12000


def test_claim_patch_of_a_submitted_claim_is_403_and_bad_input_400(client, people, initiative):
    submitted = claim(initiative, people.lead_officer, submitted=True)
    client.force_login(people.lead_officer)
    data = {"description": "Changed", "version": submitted.version}
    assert client.patch(detail(submitted), data, "application/json").status_code == 403
    draft = claim(initiative, people.lead_officer)
    bad = client.patch(detail(draft), {"gross_amount": "lots", "version": 1}, "application/json")
    assert bad.status_code == 400 and "gross_amount" in bad.json()
    missing = client.patch(detail(draft), {"description": "x"}, "application/json")
    assert missing.status_code == 400 and "version" in missing.json()
