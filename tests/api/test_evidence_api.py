"""/api/v1/claims/{id}/evidence/ and /evidence/{eid}/: listed, added through the pages' evidence
checks, downloaded with an audit event, removed through the same service."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from initiatives.models import ClaimEvidence
from partners.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def listing(claim):
    return reverse("api:claim-evidence-list", args=[claim.pk])


def item_url(item):
    return reverse("api:claim-evidence-detail", args=[item.claim_id, item.pk])


def pdf(name="budget.pdf", data=b"%PDF-1.4\n% a budget\n"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def draft(people, initiative):
    return factories.SavingsClaimFactory(initiative=initiative, created_by=people.lead_officer)


def test_evidence_upload_list_and_download(client, people, draft):
    client.force_login(people.lead_officer)
    added = client.post(listing(draft), {"file": pdf()})
    assert added.status_code == 201, added.json()
    rows = client.get(listing(draft)).json()
    assert [row["file_name"] for row in rows] == ["budget.pdf"]
    assert rows[0]["content_type"] == "application/pdf" and rows[0]["size"] > 0
    item = ClaimEvidence.objects.get()
    assert rows[0]["download_url"] == item_url(item)
    response = client.get(item_url(item))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="budget.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EVIDENCE_DOWNLOADED).exists()


def test_evidence_upload_refuses_a_file_that_is_not_what_it_says_at_file(client, people, draft):
    client.force_login(people.lead_officer)
    response = client.post(listing(draft), {"file": pdf("x.pdf", b"MZ not a pdf at all")})
    assert response.status_code == 400
    assert response.json()["file"]
    missing = client.post(listing(draft), {})
    assert missing.status_code == 400 and missing.json()["file"]
    assert not ClaimEvidence.objects.exists()


def test_evidence_of_a_submitted_claim_may_be_seen_but_not_added_or_removed(
    client, people, initiative
):
    submitted = factories.SavingsClaimFactory(
        initiative=initiative, created_by=people.lead_officer, submitted=True
    )
    item = factories.ClaimEvidenceFactory(claim=submitted)
    client.force_login(people.partner_officer)
    assert client.get(listing(submitted)).status_code == 200
    assert client.get(item_url(item)).status_code == 200
    assert client.post(listing(submitted), {"file": pdf()}).status_code == 403
    assert client.delete(item_url(item)).status_code == 403
    assert ClaimEvidence.objects.count() == 1


def test_evidence_is_404_to_whoever_may_not_see_the_claim_and_401_anonymous(client, people, draft):
    item = factories.ClaimEvidenceFactory(claim=draft)
    for url in (listing(draft), item_url(item)):
        assert client.get(url).status_code == 401
    for user in (people.outsider, people.partner_officer):
        client.force_login(user)
        assert client.get(listing(draft)).status_code == 404
        assert client.get(item_url(item)).status_code == 404
        assert client.delete(item_url(item)).status_code == 404
        assert client.post(listing(draft), {"file": pdf()}).status_code == 404
    assert ClaimEvidence.objects.count() == 1


def test_evidence_of_another_claim_is_not_served_through_this_one(client, people, draft):
    other = factories.SavingsClaimFactory(
        initiative=draft.initiative, created_by=people.lead_officer
    )
    item = factories.ClaimEvidenceFactory(claim=other)
    client.force_login(people.lead_officer)
    url = reverse("api:claim-evidence-detail", args=[draft.pk, item.pk])
    assert client.get(url).status_code == 404


def test_evidence_delete_removes_it_from_a_draft(client, people, draft):
    item = factories.ClaimEvidenceFactory(claim=draft)
    client.force_login(people.lead_officer)
    assert client.delete(item_url(item)).status_code == 204
    assert not ClaimEvidence.objects.exists()


def test_evidence_larger_than_the_evidence_routes_take_is_400_at_file(
    client, people, draft, settings
):
    settings.EVIDENCE_UPLOAD_MAX_SIZE = 1000
    client.force_login(people.lead_officer)
    response = client.post(listing(draft), {"file": pdf(data=b"%PDF-1.4\n" + b"x" * 5000)})
    assert response.status_code == 400
    assert "smaller than" in response.json()["file"][0]
    assert not ClaimEvidence.objects.exists()
