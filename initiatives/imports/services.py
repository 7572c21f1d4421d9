"""Every write an import makes of its own records: the upload, the start of an import, the two
jobs' bodies and the deletion of old files. The rows themselves are written through the same
services as the pages (see `applying`)."""

import logging
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from collaborate.kit.retry import TRANSIENT_ERRORS
from initiatives import permissions
from initiatives.imports import applying, reading
from initiatives.models import ImportRow, SpreadsheetImport
from partners.permissions import require

logger = logging.getLogger(__name__)

Status = SpreadsheetImport.Status


@transaction.atomic
def import_upload(*, actor, organisation, upload):
    """Keep the uploaded file and queue the job that checks it (nothing else is written until
    the user has read the report and chosen to import)."""
    require(
        permissions.can_import(actor, organisation),
        "You can import only for an organisation you belong to.",
    )
    spreadsheet_import = SpreadsheetImport(
        uploaded_by=actor,
        organisation=organisation,
        original_name=upload.name[:200],
        size=upload.size,
    )
    spreadsheet_import.file.save(upload.name, upload, save=False)
    spreadsheet_import.save()
    transaction.on_commit(lambda: _queue("import_check", spreadsheet_import))
    return spreadsheet_import


@transaction.atomic
def import_start(*, actor, spreadsheet_import, mode):
    """Import the checked rows: all of them (only when none has an error) or only the valid
    ones. Queues the job that writes them."""
    current = SpreadsheetImport.objects.select_for_update().get(pk=spreadsheet_import.pk)
    require(
        permissions.can_start_import(actor, current),
        "Only the person who uploaded the file can import it.",
    )
    if current.status != Status.CHECKED:
        raise ValidationError(
            f"This file is {current.get_status_display().lower()}: it can be imported only "
            "once, after it has been checked.",
            code="status",
        )
    if mode not in SpreadsheetImport.Mode.values:
        raise ValidationError("Choose which rows to import.", code="mode")
    invalid, valid = current.count("invalid"), current.count("new") + current.count("changed")
    if mode == SpreadsheetImport.Mode.ALL and invalid:
        raise ValidationError(
            "Some rows have errors: correct them and upload the file again, or import only the "
            "rows without errors.",
            code="invalid",
        )
    if not valid:
        raise ValidationError("There is nothing to import: no row is new or changed.", code="none")
    current.mode = mode
    current.status = Status.IMPORTING
    current.done = 0
    current.save(update_fields=["mode", "status", "done"])
    transaction.on_commit(lambda: _queue("import_write", current))
    return current


def _queue(task_name, spreadsheet_import):
    from initiatives.imports import tasks

    result = getattr(tasks, task_name).delay(import_id=spreadsheet_import.pk)
    SpreadsheetImport.objects.filter(pk=spreadsheet_import.pk).update(task_id=result.id or "")


def _progress(spreadsheet_import):
    def report(done, total):
        spreadsheet_import.done, spreadsheet_import.total = done, total
        SpreadsheetImport.objects.filter(pk=spreadsheet_import.pk).update(done=done, total=total)

    return report


# Two runs of one import's job never overlap: a message redelivered while its job still runs
# (a job longer than the broker's visibility timeout), or a retry, finds the lock held.
LOCK_CLASS = 16_016  # the first key of the imports' PostgreSQL advisory locks


@contextmanager
def _only_run(import_id):
    """Whether this run holds the import's lock (for as long as the block lasts)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, import_id])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, import_id])


def _failed(import_id, error):
    """A job that failed for good says so on the report; one Celery will retry does not."""
    if isinstance(error, TRANSIENT_ERRORS):
        return
    logger.exception("Import %s failed", import_id)
    SpreadsheetImport.objects.filter(pk=import_id).update(status=Status.FAILED)


def import_check(*, import_id):
    """The first job: read every row, match it, and try it through the services in a
    transaction that is rolled back, so the report says what importing would do, without
    writing anything but the report. A run that was cut off starts again from the file."""
    with _only_run(import_id) as held:
        spreadsheet_import = SpreadsheetImport.objects.filter(
            pk=import_id, status__in=[Status.QUEUED, Status.CHECKING]
        ).first()
        if not held or spreadsheet_import is None:
            return None
        spreadsheet_import.status = Status.CHECKING
        spreadsheet_import.save(update_fields=["status"])
        try:
            refusal = reading.rows_read(spreadsheet_import, report=_progress(spreadsheet_import))
            if refusal:
                spreadsheet_import.refusal = refusal
                spreadsheet_import.status = Status.REFUSED
            else:
                applying.rows_apply(
                    spreadsheet_import, dry_run=True, report=_progress(spreadsheet_import)
                )
                spreadsheet_import.counts = applying.counts_of(spreadsheet_import)
                spreadsheet_import.status = Status.CHECKED
        except Exception as error:
            _failed(import_id, error)
            raise
        spreadsheet_import.checked_at = timezone.now()
        spreadsheet_import.save(update_fields=["refusal", "status", "counts", "checked_at"])
        return spreadsheet_import.status


def import_write(*, import_id):
    """The second job: write the rows through the services, one transaction per initiative,
    checking each row again (data may have changed since the report), then queue one recompute
    of the figures for the whole batch. A run that was cut off goes on where it stopped: each
    initiative's rows record what was done with them in the transaction that does it."""
    with _only_run(import_id) as held:
        spreadsheet_import = SpreadsheetImport.objects.filter(
            pk=import_id, status=Status.IMPORTING
        ).first()
        if not held or spreadsheet_import is None:
            return None
        try:
            results = applying.rows_apply(
                spreadsheet_import, dry_run=False, report=_progress(spreadsheet_import)
            )
        except Exception as error:
            _failed(import_id, error)
            raise
        spreadsheet_import.results = results
        spreadsheet_import.status = Status.IMPORTED
        spreadsheet_import.imported_at = timezone.now()
        spreadsheet_import.save(update_fields=["results", "status", "imported_at"])
        return spreadsheet_import.status


def imports_delete_old_files(*, now=None):
    """Delete uploaded files, and the copies of their rows, kept longer than
    IMPORT_FILE_RETENTION_DAYS; the reports stay. Returns how many files were deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS)
    old = SpreadsheetImport.objects.filter(created_at__lt=cutoff, file_deleted_at__isnull=True)
    deleted = 0
    for spreadsheet_import in old.exclude(status__in=SpreadsheetImport.RUNNING).iterator():
        with transaction.atomic():
            ImportRow.objects.filter(spreadsheet_import=spreadsheet_import).delete()
            name = spreadsheet_import.file.name
            spreadsheet_import.file = ""
            spreadsheet_import.file_deleted_at = timezone.now()
            spreadsheet_import.save(update_fields=["file", "file_deleted_at"])
            if name:
                storage = spreadsheet_import.file.storage
                transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        deleted += 1
    return deleted
