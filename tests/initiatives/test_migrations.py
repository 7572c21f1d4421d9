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


def test_initiatives_that_went_live_before_the_upgrade_get_the_day_from_their_history(
    initiative, manager
):
    """The day an initiative went live and the day it stopped, which insights measure from,
    come from the status changes recorded before those fields existed."""
    from django.utils import timezone

    from initiatives import services as initiative_services
    from initiatives.models import Initiative

    for status in ("in_design", "implementing", "live", "stopped"):
        initiative = initiative_services.initiative_change_status(
            actor=manager, initiative=initiative, status=status, reason="Agreed by the board"
        )
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("initiatives")
    try:
        migrate([("initiatives", "0010_imports_and_external_references")])
        migrate(latest)
    finally:
        migrate(latest)
    stored = Initiative.objects.get(pk=initiative.pk)
    assert stored.went_live_on == timezone.localdate()
    assert stored.ended_on == timezone.localdate()
