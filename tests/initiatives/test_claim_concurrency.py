"""Decisions and double posts under concurrency, with two PostgreSQL connections at a barrier."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from collaborate.kit import edits
from initiatives.claims import services
from initiatives.models import ClaimAttribution, SavingsClaim
from partners.history import history_of
from tests import factories
from tests import services as test_services
from tests.concurrency import run_together
from tests.factories import make_claim

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres():
    test_services.need_postgres()


def test_two_managers_deciding_at_once_record_exactly_one_decision(
    initiative, officer, manager, council
):
    second = factories.UserFactory(full_name="Second Manager", member_of=[(council, "manager")])
    claim = make_claim(officer, initiative, council)
    services.claim_submit(actor=officer, claim=claim)

    def decide(actor, decision):
        def run(barrier):
            loaded = SavingsClaim.objects.get(pk=claim.pk)  # both see it awaiting a decision
            barrier.wait()
            return services.claim_decide(
                actor=actor, claim=loaded, decision=decision, note="Checked"
            )

        return run

    results = run_together(decide(manager, "verify"), decide(second, "reject"))
    decided = [r for r in results if isinstance(r, SavingsClaim)]
    told = [r for r in results if isinstance(r, ValidationError)]
    assert len(decided) == 1 and len(told) == 1, results
    assert "no longer awaiting" in told[0].messages[0]
    claim.refresh_from_db()
    assert claim.status == decided[0].status
    decisions = [e.action for e in history_of(claim) if e.action in ("Verified", "Rejected")]
    assert len(decisions) == 1
    expected_parts = 2 if claim.status == "verified" else 0
    assert ClaimAttribution.objects.filter(claim=claim).count() == expected_parts


def test_two_api_clients_deciding_the_version_they_read_get_one_decision_and_one_conflict(
    initiative, officer, manager, council
):
    """Both pass the early version check at the barrier; the conditional update lets one
    through, and the other is told the claim changed (the API's 409), not that it is decided."""
    second = factories.UserFactory(full_name="Second Manager", member_of=[(council, "manager")])
    claim = services.claim_submit(actor=officer, claim=make_claim(officer, initiative, council))

    def decide(actor, decision):
        def run(barrier):
            loaded = SavingsClaim.objects.get(pk=claim.pk)
            barrier.wait()
            return services.claim_decide(
                actor=actor,
                claim=loaded,
                decision=decision,
                note="Checked",
                expected_version=claim.version,
            )

        return run

    results = run_together(decide(manager, "verify"), decide(second, "return"))
    decided = [r for r in results if isinstance(r, SavingsClaim)]
    conflicts = [r for r in results if isinstance(r, edits.EditConflict)]
    assert len(decided) == 1 and len(conflicts) == 1, results
    read = claim.version
    claim.refresh_from_db()
    assert (claim.status, claim.version) == (decided[0].status, read + 1)


def test_a_double_clicked_create_makes_one_claim(initiative, officer, council):
    token = uuid.uuid4()

    def create(barrier):
        barrier.wait()
        return make_claim(officer, initiative, council, creation_token=token).pk

    first, second = run_together(create, create)
    assert first == second, (first, second)
    assert SavingsClaim.objects.count() == 1


def test_a_double_clicked_submit_submits_once(initiative, officer, council):
    claim = make_claim(officer, initiative, council)

    def submit(barrier):
        barrier.wait()
        return services.claim_submit(actor=officer, claim=claim)

    results = run_together(submit, submit)
    assert sum(isinstance(r, SavingsClaim) for r in results) == 1, results
    assert [e.action for e in history_of(claim)].count("Submitted") == 1


def test_a_double_clicked_correction_makes_one_adjustment(initiative, officer, manager, council):
    original = make_claim(officer, initiative, council)
    services.claim_submit(actor=officer, claim=original)
    services.claim_decide(actor=manager, claim=original, decision="verify")
    token = uuid.uuid4()

    def correct(barrier):
        barrier.wait()
        return services.claim_correct(
            actor=officer,
            corrected=original,
            change=Decimal("-100.00"),
            description="Overstated",
            creation_token=token,
        ).pk

    first, second = run_together(correct, correct)
    assert first == second, (first, second)
    assert SavingsClaim.objects.filter(corrects=original).count() == 1
