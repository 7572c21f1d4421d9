"""Spreadsheet imports (issue 16): a file a user uploaded, what checking it found, and what
importing it did. The file itself is kept for 30 days (settings.IMPORT_FILE_RETENTION_DAYS), so
that its report can offer the rows with errors back as a spreadsheet; the report outlives it."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from collaborate.kit import uploads
from partners.models import Organisation


def import_path(instance, filename):
    return uploads.stored_name("imports", filename)


class SpreadsheetImport(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be checked"
        CHECKING = "checking", "Being checked"
        CHECKED = "checked", "Checked"
        REFUSED = "refused", "Could not be read"
        IMPORTING = "importing", "Importing"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"

    class Mode(models.TextChoices):
        ALL = "all", "All rows"
        VALID = "valid", "Only the rows without errors"

    RUNNING = (Status.QUEUED, Status.CHECKING, Status.IMPORTING)

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The organisation the user acted for when uploading: the lead of new initiatives and the
    # claimant of new claims when a row does not name one.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=import_path, max_length=200, blank=True)
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    mode = models.CharField(max_length=5, choices=Mode.choices, blank=True)
    task_id = models.CharField(max_length=50, blank=True)
    # How far the running job has got, in rows.
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # Why the whole file was refused, for the error summary.
    refusal = models.TextField(blank=True)
    # What checking found, by kind of row: {"new": n, "changed": n, "unchanged": n, "invalid": n}
    # per sheet name, and under "total".
    counts = models.JSONField(default=dict, blank=True)
    # What importing did: the initiatives created and updated ({"created": [[reference, title,
    # url], …], "updated": […], the first 500 of each) and the rows by outcome
    # ("created_count", "updated_count", "unchanged_count", "skipped_count"); the rows skipped
    # are ImportProblems with `when` = IMPORTING.
    results = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    file_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["uploaded_by", "created_at"])]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display().lower()})"

    def get_absolute_url(self):
        return reverse("imports:detail", args=[self.pk])

    @property
    def running(self):
        return self.status in self.RUNNING

    def count(self, kind, sheet="total"):
        return self.counts.get(sheet, {}).get(kind, 0)


class ImportProblem(models.Model):
    """One error in one cell or row: found when the file was checked, or a row skipped when it
    was imported (the data had changed since it was checked)."""

    class When(models.TextChoices):
        CHECKING = "checking", "Checking"
        IMPORTING = "importing", "Importing"

    spreadsheet_import = models.ForeignKey(
        SpreadsheetImport, on_delete=models.CASCADE, related_name="problems"
    )
    when = models.CharField(max_length=10, choices=When.choices, default=When.CHECKING)
    sheet = models.CharField(max_length=31)
    row = models.PositiveIntegerField()  # as Excel numbers it
    column = models.CharField(max_length=100, blank=True)  # blank: the row as a whole
    message = models.TextField()

    class Meta:
        ordering = ["spreadsheet_import", "when", "pk"]
        indexes = [models.Index(fields=["spreadsheet_import", "when", "sheet", "row"])]

    def __str__(self):
        where = f"{self.sheet} row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class ImportRow(models.Model):
    """One row of an uploaded file as checking read it: its cells as they were (for the rows with
    errors to be downloaded and fixed), their typed values, the initiative it belongs to, and
    what checking and importing made of it. Deleted with the file after 30 days."""

    class Action(models.TextChoices):
        NEW = "new", "New"
        CHANGED = "changed", "Changed"
        UNCHANGED = "unchanged", "Unchanged"
        INVALID = "invalid", "Has errors"

    class Outcome(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        UNCHANGED = "unchanged", "Unchanged"
        SKIPPED = "skipped", "Skipped"

    spreadsheet_import = models.ForeignKey(
        SpreadsheetImport, on_delete=models.CASCADE, related_name="rows"
    )
    sheet = models.CharField(max_length=31)
    number = models.PositiveIntegerField()  # as Excel numbers it
    # The initiative the row is about: "id:<pk>" for one that exists, "ref:<your reference>" or
    # "row:<number>" for one the file creates; blank when the row names none that can be found.
    key = models.CharField(max_length=80, blank=True)
    # The row's own Reference and Your reference cells, on the Initiatives sheet: what the other
    # sheets' rows name it by.
    reference = models.CharField(max_length=50, blank=True)
    your_reference = models.CharField(max_length=50, blank=True)
    cells = models.JSONField(default=dict)  # header -> the cell as read
    values = models.JSONField(default=dict)  # header -> the typed value (DjangoJSONEncoder)
    action = models.CharField(max_length=10, choices=Action.choices, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["spreadsheet_import", "pk"]
        indexes = [
            models.Index(fields=["spreadsheet_import", "key"]),
            models.Index(fields=["spreadsheet_import", "sheet", "reference"]),
            models.Index(fields=["spreadsheet_import", "sheet", "your_reference"]),
        ]

    def __str__(self):
        return f"{self.sheet} row {self.number}"
