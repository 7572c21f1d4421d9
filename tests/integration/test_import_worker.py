"""Imports through a real worker and Redis: the upload queues the check, the start queues the
import, and the import queues one recompute of the figures for the whole batch, not one for
each initiative."""

from decimal import Decimal

import pytest
from celery.signals import before_task_publish
from django.core.files.uploadedfile import SimpleUploadedFile

from initiatives.imports import services
from initiatives.models import Initiative, InitiativeProgress, ProgressDirty, SpreadsheetImport
from tests.fixtures_celery import running_worker
from tests.initiatives.test_imports import (
    INITIATIVE_HEADERS,
    TARGET_HEADERS,
    initiative_row,
    workbook,
)
from tests.integration.test_progress_worker import until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def twenty_initiatives():
    return workbook(
        Initiatives=[INITIATIVE_HEADERS, *(initiative_row(f"W-{n}") for n in range(20))],
        Targets=[TARGET_HEADERS, *([f"W-{n}", "2025/26", 1000 * (n + 1)] for n in range(20))],
    )


def status_of(spreadsheet_import):
    return SpreadsheetImport.objects.get(pk=spreadsheet_import.pk).status


def test_an_import_runs_on_the_worker_and_queues_one_recompute_for_the_batch(
    celery_queue, officer, council
):
    sent = []

    def count(sender=None, **kwargs):
        sent.append(sender)

    spreadsheet_import = services.import_upload(
        actor=officer,
        organisation=council,
        upload=SimpleUploadedFile("twenty.xlsx", twenty_initiatives()),
    )
    with running_worker():
        until(lambda: status_of(spreadsheet_import) == "checked", "the check")
        checked = SpreadsheetImport.objects.get(pk=spreadsheet_import.pk)
        assert checked.count("new") == 40
        assert not Initiative.objects.exists()

        before_task_publish.connect(count)
        try:
            services.import_start(actor=officer, spreadsheet_import=checked, mode="all")
            until(lambda: status_of(spreadsheet_import) == "imported", "the import")
            until(lambda: not ProgressDirty.objects.exists(), "the recompute")
        finally:
            before_task_publish.disconnect(count)
    assert Initiative.objects.count() == 20
    recomputes = [task for task in sent if task.startswith("initiatives.progress.tasks.")]
    assert recomputes == ["initiatives.progress.tasks.progress_recompute_dirty"]
    figures = InitiativeProgress.objects.get(initiative__external_reference="W-19")
    assert figures.target == Decimal("20000.00")
    assert SpreadsheetImport.objects.get(pk=spreadsheet_import.pk).results["created_count"] == 40
