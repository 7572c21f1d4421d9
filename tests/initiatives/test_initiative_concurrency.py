"""Rules that depend on concurrency, with two real PostgreSQL connections at a barrier."""

import threading

import pytest
from django.db import transaction

from collaborate.kit import edits
from initiatives import services
from initiatives.claims import services as claim_services
from initiatives.models import Initiative, ProgressDirty
from initiatives.progress import services as progress
from tests import services as test_services
from tests.concurrency import run_together
from tests.factories import make_claim, make_initiative

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres():
    test_services.need_postgres()


def test_two_officers_creating_at_the_same_moment_get_different_references(
    officer, manager, council
):
    make_initiative(officer, council)  # the year's sequence exists: both now contend for one row

    def create(actor):
        def run(barrier):
            with transaction.atomic():
                barrier.wait()
                return make_initiative(actor, council).reference

        return run

    first, second = run_together(create(officer), create(manager))
    assert isinstance(first, str) and isinstance(second, str), (first, second)
    assert first != second
    assert Initiative.objects.count() == 3


def test_the_first_initiative_of_a_year_from_two_officers_at_once_gets_two_references(
    officer, manager, council
):
    def create(actor):
        def run(barrier):
            barrier.wait()
            return make_initiative(actor, council).reference

        return run

    first, second = run_together(create(officer), create(manager))
    assert {first, second} == set(Initiative.objects.values_list("reference", flat=True))
    assert first != second


def test_two_saves_of_the_same_version_one_wins_the_other_is_told(officer, manager, council):
    initiative = make_initiative(officer, council)
    version = initiative.version

    def save(actor, title):
        def run(barrier):
            loaded = Initiative.objects.get(pk=initiative.pk)
            barrier.wait()
            services.initiative_update(
                actor=actor, initiative=loaded, expected_version=version, title=title
            )
            return title

        return run

    results = run_together(save(officer, "Officer's title"), save(manager, "Manager's title"))
    winners = [r for r in results if isinstance(r, str)]
    conflicts = [r for r in results if isinstance(r, edits.EditConflict)]
    assert len(winners) == 1 and len(conflicts) == 1, results
    initiative.refresh_from_db()
    assert initiative.title == winners[0]
    assert initiative.version == version + 1


def test_a_change_made_while_a_recompute_runs_is_marked_again(officer, initiative):
    """A recompute claims an initiative's mark at its start; a change committed meanwhile must
    leave a new mark (and queue another recompute), or the running one could miss it."""
    ProgressDirty.objects.get_or_create(initiative_id=initiative.pk)
    recompute_claimed = threading.Event()

    def recompute(barrier):
        with transaction.atomic():
            ProgressDirty.objects.filter(initiative_id=initiative.pk).delete()  # claims the mark
            recompute_claimed.set()
            barrier.wait()
            threading.Event().wait(0.5)  # still running while the change below is made
        return "recomputed"

    def change(barrier):
        recompute_claimed.wait(10)
        barrier.wait()
        with transaction.atomic():
            progress.progress_mark_dirty([initiative.pk])
        return "marked"

    assert run_together(recompute, change) == ["recomputed", "marked"]
    assert ProgressDirty.objects.filter(initiative_id=initiative.pk).exists()


def test_a_recompute_never_deadlocks_with_a_service_editing_the_initiative(initiative):
    """A service locks the initiative, then marks it dirty; a recompute claims the mark, then
    writes the initiative's rows. Neither may wait for the other in a circle."""

    def service(barrier):
        with transaction.atomic():
            Initiative.objects.select_for_update().get(pk=initiative.pk)
            barrier.wait()
            threading.Event().wait(0.5)  # the recompute has claimed the mark by now
            progress.progress_mark_dirty([initiative.pk])
        return "edited"

    def recompute(barrier):
        barrier.wait()
        progress.progress_recompute_initiative(initiative_id=initiative.pk)
        return "recomputed"

    assert run_together(service, recompute) == ["edited", "recomputed"]
    assert ProgressDirty.objects.filter(initiative_id=initiative.pk).exists()


def test_verifying_a_claim_never_deadlocks_with_an_edit_of_its_initiative(
    officer, manager, council
):
    """Found under load (tests/load): an edit locks the initiative, a manager verifies one of its
    claims (marking it dirty, attributing the saving to the lead), then the edit marks it dirty.
    The edit's lock must not hold back the verification's foreign-key checks at commit (the
    lead's row), or each waits for the other and one of them answers 500."""
    initiative = make_initiative(officer, council)
    claim = claim_services.claim_submit(
        actor=officer, claim=make_claim(officer, initiative, council)
    )
    ProgressDirty.objects.all().delete()  # as a recompute leaves it: nothing marked yet

    def edit(barrier):
        with transaction.atomic():
            services._locked(initiative, officer)
            barrier.wait()
            threading.Event().wait(0.5)  # the verification has marked it and is committing
            progress.progress_mark_dirty([initiative.pk])
        return "edited"

    def verify(barrier):
        barrier.wait()
        return claim_services.claim_decide(actor=manager, claim=claim, decision="verify").status

    assert run_together(edit, verify) == ["edited", "verified"]
