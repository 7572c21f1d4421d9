"""/api/v1/claims/{id}/submit|withdraw|verify|return|reject/ and /corrections/: the claim page's
buttons, through the same services, with the version the client read."""

import pytest
from django.urls import reverse

from initiatives.models import SavingsClaim
from tests import factories

pytestmark = pytest.mark.django_db


def url(claim, action):
    return reverse(f"api:claim-{action}", args=[claim.pk])


def post(client, claim, action, data):
    return client.post(url(claim, action), data, content_type="application/json")


def test_submit_then_verify_answer_the_claim_as_it_is_after(client, people, initiative):
    claim = factories.SavingsClaimFactory(initiative=initiative, created_by=people.lead_officer)
    client.force_login(people.lead_officer)
    submitted = post(client, claim, "submit", {"version": 1})
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"
    client.force_login(people.lead_manager)
    verified = post(client, claim, "verify", {"version": submitted.json()["version"]})
    assert verified.status_code == 200, verified.json()
    assert verified.json()["status"] == "verified"
    assert verified.json()["decided_by"] == str(people.lead_manager)


def test_a_stale_version_is_409_with_the_current_claim_and_changes_nothing(
    client, people, initiative
):
    claim = factories.SavingsClaimFactory(
        initiative=initiative, created_by=people.lead_officer, submitted=True
    )
    client.force_login(people.lead_manager)
    response = post(client, claim, "reject", {"version": claim.version + 5, "note": "No"})
    assert response.status_code == 409
    assert response.json()["current"]["status"] == "submitted"
    claim.refresh_from_db()
    assert claim.status == "submitted"


def test_a_decision_on_a_claim_withdrawn_and_resubmitted_since_it_was_read_is_409(
    client, people, initiative
):
    """The status alone would let it through (submitted again); the version the manager read
    says the claim has changed under them, so nothing is verified."""
    claim = factories.SavingsClaimFactory(initiative=initiative, created_by=people.lead_officer)
    client.force_login(people.lead_officer)
    read = post(client, claim, "submit", {"version": claim.version}).json()["version"]
    withdrawn = post(client, claim, "withdraw", {"version": read}).json()["version"]
    assert post(client, claim, "submit", {"version": withdrawn}).status_code == 200
    client.force_login(people.lead_manager)
    response = post(client, claim, "verify", {"version": read})
    assert response.status_code == 409
    assert response.json()["current"]["status"] == "submitted"
    assert response.json()["current"]["version"] == read + 2
    claim.refresh_from_db()
    assert (claim.status, claim.reviewed_by) == ("submitted", None)
    assert not claim.attributions.exists()


def test_return_without_a_note_is_400_and_changes_nothing(client, people, initiative):
    claim = factories.SavingsClaimFactory(
        initiative=initiative, created_by=people.lead_officer, submitted=True
    )
    client.force_login(people.lead_manager)
    response = post(client, claim, "return", {"version": claim.version})
    assert response.status_code == 400
    assert post(client, claim, "return", {}).json()["version"]
    claim.refresh_from_db()
    assert claim.status == "submitted"


def test_someone_who_may_see_but_not_decide_is_403(client, people, initiative):
    claim = factories.SavingsClaimFactory(
        initiative=initiative, created_by=people.lead_officer, submitted=True
    )
    client.force_login(people.partner_officer)
    assert post(client, claim, "verify", {"version": claim.version}).status_code == 403
    assert post(client, claim, "withdraw", {"version": claim.version}).status_code == 403
    claim.refresh_from_db()
    assert claim.status == "submitted"


def test_actions_are_404_to_an_outsider_and_401_to_the_anonymous(client, people, initiative):
    claim = factories.SavingsClaimFactory(
        initiative=initiative, created_by=people.lead_officer, submitted=True
    )
    for action in ("submit", "withdraw", "verify", "return", "reject", "corrections"):
        assert post(client, claim, action, {"version": 1}).status_code == 401
    client.force_login(people.outsider)
    for action in ("submit", "withdraw", "verify", "return", "reject", "corrections"):
        assert post(client, claim, action, {"version": 1}).status_code == 404


def test_withdraw_takes_a_submitted_claim_back_to_draft(client, people, initiative):
    claim = factories.SavingsClaimFactory(
        initiative=initiative, created_by=people.lead_officer, submitted=True
    )
    client.force_login(people.lead_officer)
    response = post(client, claim, "withdraw", {"version": claim.version})
    assert response.status_code == 200 and response.json()["status"] == "draft"


def test_corrections_draft_an_adjustment_of_a_verified_claim(client, people, initiative):
    verified = factories.SavingsClaimFactory(
        initiative=initiative, created_by=people.lead_officer, verified=True
    )
    client.force_login(people.lead_officer)
    data = {"change": "-500.00", "description": "A cost was missed."}
    response = post(client, verified, "corrections", data)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["corrects"] == verified.pk and body["is_adjustment"] is True
    assert body["status"] == "draft"
    bad = post(client, verified, "corrections", {"change": "x", "description": ""})
    assert bad.status_code == 400 and {"change", "description"} <= set(bad.json())
    client.force_login(people.partner_officer)
    assert post(client, verified, "corrections", data).status_code == 403
    assert SavingsClaim.objects.filter(corrects=verified).count() == 1
