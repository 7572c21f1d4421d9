"""Migrations that move data, run on a database that has data, as a deployment runs them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from initiatives.claims import services
from initiatives.models import SavingsClaim
from tests.factories import make_claim

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("initiatives", "0005_progress_without_locks")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_claims_made_before_participants_existed_get_them_from_their_history(
    initiative, officer, manager
):
    """A claim drafted by an officer, edited by a manager and submitted by the officer (its
    history names all three steps) comes out with both as participants, once each."""
    claim = make_claim(officer, initiative, initiative.lead)
    services.claim_update(actor=manager, claim=claim, description="Edited before the upgrade")
    services.claim_submit(actor=officer, claim=claim)
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("initiatives")
    try:
        migrate(BEFORE)
        migrate(latest)
    finally:
        migrate(latest)
    stored = SavingsClaim.objects.get(pk=claim.pk)
    assert sorted(stored.participants.values_list("pk", flat=True)) == sorted(
        [officer.pk, manager.pk]
    )
