"""Dashboards through a real worker and Redis: decisions change the figures, bursts coalesce,
the 'recalculating' note comes and goes, and the sweep heals a lost message."""

import threading
from decimal import Decimal

import pytest
from celery.signals import before_task_publish
from django.urls import reverse

from initiatives import services as initiative_services
from initiatives.claims import services as claim_services
from initiatives.models import InitiativeProgress, ProgressDirty
from initiatives.progress import reconcile, tasks
from tests.factories import make_claim
from tests.fixtures_celery import running_worker
from tests.pages import text_of

pytestmark = pytest.mark.django_db(transaction=True)


def until(condition, what):
    pause = threading.Event()
    for _ in range(400):
        if condition():
            return
        pause.wait(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def verified_of(initiative):
    row = InitiativeProgress.objects.filter(initiative=initiative).first()
    return row.verified if row else None


def test_ten_changes_in_a_burst_queue_one_recompute(celery_queue, initiative, officer):
    reconcile.progress_reconcile()
    sent = []

    def count(sender=None, headers=None, **kwargs):
        if sender == "initiatives.progress.tasks.progress_recompute":
            sent.append(headers["id"])

    before_task_publish.connect(count)
    try:
        for amount in range(1, 11):  # ten separate requests, each its own transaction
            initiative_services.targets_set(
                actor=officer, initiative=initiative, targets={2025: amount * 1000}
            )
    finally:
        before_task_publish.disconnect(count)
    assert len(sent) == 1
    assert ProgressDirty.objects.filter(initiative=initiative).count() == 1
    with running_worker():
        until(lambda: not ProgressDirty.objects.exists(), "the recompute")
    assert InitiativeProgress.objects.get(initiative=initiative).target == Decimal("10000.00")


def test_verifying_a_claim_changes_the_dashboard_through_the_worker(
    celery_worker, client, initiative, officer, manager, council
):
    reconcile.progress_reconcile()
    claim = make_claim(
        officer, initiative, council, gross_amount=Decimal("5000"), implementation_cost=0
    )
    claim_services.claim_submit(actor=officer, claim=claim)
    claim_services.claim_decide(actor=manager, claim=claim, decision="verify")
    until(lambda: verified_of(initiative) == Decimal("5000.00"), "the verified figure")
    client.force_login(manager)
    page = text_of(client.get(reverse("dashboard:show")))
    assert "Verified £3,000" in page  # Leeds's 60% of £5,000
    assert "Recalculating" not in page


def test_the_recalculating_note_appears_then_clears(
    celery_queue, client, initiative, officer, manager, council
):
    reconcile.progress_reconcile()
    client.force_login(manager)
    claim = make_claim(
        officer, initiative, council, gross_amount=Decimal("2000"), implementation_cost=0
    )
    claim_services.claim_submit(actor=officer, claim=claim)
    claim_services.claim_decide(actor=manager, claim=claim, decision="verify")
    page = client.get(reverse("dashboard:show")).content.decode()
    assert "Recalculating" in page and 'hx-trigger="every 2s"' in page
    poll = {"HX-Request": "true", "HX-Target": "dashboard-figures"}
    assert client.get(reverse("dashboard:show"), {"poll": 1}, headers=poll).status_code == 204
    with running_worker():
        until(lambda: not ProgressDirty.objects.exists(), "the recompute")
    fresh = client.get(reverse("dashboard:show"), {"poll": 1}, headers=poll)
    assert fresh.status_code == 200
    body = fresh.content.decode()
    assert "<html" not in body and '<div id="dashboard-figures">' in body
    assert "Recalculating" not in body and "every 2s" not in body  # the polling stops
    assert "£1,200" in body  # Leeds's 60% of £2,000


def test_a_lost_message_is_healed_by_the_sweep(celery_queue, initiative, officer):
    reconcile.progress_reconcile()
    initiative_services.targets_set(actor=officer, initiative=initiative, targets={2025: "7000"})
    tasks.progress_recompute.app.control.purge()  # the queued recompute is lost

    assert ProgressDirty.objects.filter(initiative=initiative).exists()
    with running_worker():
        tasks.progress_recompute_dirty.delay().get(timeout=30)  # what beat sends every few minutes
    assert not ProgressDirty.objects.exists()
    assert InitiativeProgress.objects.get(initiative=initiative).target == Decimal("7000.00")
