"""The first half of checking an import: the uploaded file read into ImportRows, a batch at a
time (memory does not grow with the file), each row's cell errors kept as ImportProblems, the
organisations its cells name matched, and the initiative it is about found: its key.

A key groups the rows that `applying` writes in one transaction: "id:<pk>" for an initiative
that exists (named by our reference, or by the lead's own reference, its Your reference),
"ref:<your reference>" for one the file creates and the other sheets name by that reference,
and "row:<number>" for one the file creates with no reference at all (only its own row can be
about it). A row whose initiative cannot be found has no key, and an error saying why."""

import datetime

from django.db import transaction
from django.db.models import Q

from collaborate.kit.spreadsheets import SpreadsheetRefused, read_workbook
from initiatives import permissions
from initiatives.imports import sheets
from initiatives.models import ImportProblem, ImportRow, Initiative
from partners.matching import organisations_match

BATCH = 500  # rows read, matched and stored at a time

# Where a row's matched organisations are kept among its values (not headers of any sheet).
LEAD, PARTNER, CLAIMANT = "_lead", "_partner", "_claimant"
# Which cells name an organisation, by sheet: (value kept under, cells tried in order).
ORGANISATION_CELLS = {
    sheets.INITIATIVES: (LEAD, ["Lead organisation"]),
    sheets.PARTNERS: (PARTNER, ["ONS/GSS code", "Partner"]),
    sheets.CLAIMS: (CLAIMANT, ["Claimant organisation"]),
}
REQUIRED = "must not be blank"


def json_safe(value):
    """A cell's value as the JSON of an ImportRow keeps it (the sheet's parser reads it back)."""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float):
        return value  # bool among them
    return str(value)  # a Decimal, or a time or duration Excel's formats make of a number


class Problems:
    """Problems found, written a batch at a time (by reading, and by applying)."""

    def __init__(self, spreadsheet_import):
        self.spreadsheet_import, self.pending = spreadsheet_import, []

    def add(self, row, column, message, when=ImportProblem.When.CHECKING):
        self.pending.append(
            ImportProblem(
                spreadsheet_import=self.spreadsheet_import,
                when=when,
                sheet=row.sheet,
                row=row.number,
                column=column,
                message=message,
            )
        )

    def flush(self):
        ImportProblem.objects.bulk_create(self.pending, batch_size=1000)
        self.pending = []


def rows_read(spreadsheet_import, *, report):
    """Read the file into ImportRows. Returns why the whole file is refused, or ""."""
    ImportRow.objects.filter(spreadsheet_import=spreadsheet_import).delete()  # a retried job
    spreadsheet_import.problems.all().delete()
    problems = Problems(spreadsheet_import)
    done = 0
    try:
        with spreadsheet_import.file.open("rb") as file:
            readings = read_workbook(
                file, name=spreadsheet_import.original_name, sheets=sheets.SHEETS
            )
            for reading in readings:
                batch = []
                for row in reading.rows:
                    batch.append(row)
                    if len(batch) == BATCH:
                        _store(spreadsheet_import, batch, problems)
                        done += len(batch)
                        report(done, 0)
                        batch = []
                _store(spreadsheet_import, batch, problems)
                done += len(batch)
    except SpreadsheetRefused as refused:
        ImportRow.objects.filter(spreadsheet_import=spreadsheet_import).delete()
        spreadsheet_import.problems.all().delete()
        return refused.message
    report(done, done)
    return ""


@transaction.atomic
def _store(spreadsheet_import, batch, problems):
    if not batch:
        return
    sheet = sheets.BY_NAME[batch[0].sheet]
    matches = _organisations(spreadsheet_import, batch)
    found = _initiatives_named(spreadsheet_import, batch)
    stored = []
    for row in batch:
        invalid = bool(row.errors)
        for error in row.errors:
            problems.add(row, error.column, error.message)
        for column in sheet.columns:
            blank = row.values.get(column.header) is None
            if blank and not column.optional and column.header not in row.raw:
                problems.add(row, column.header, REQUIRED)
                invalid = True
        values = {header: json_safe(value) for header, value in row.values.items()}
        if sheet.name in ORGANISATION_CELLS:
            kept_as, cells = ORGANISATION_CELLS[sheet.name]
            cell = next((c for c in cells if row.values.get(c) is not None), None)
            if cell is not None:
                match = matches[row.values[cell]]
                if match.organisation is None:
                    problems.add(row, cell, match.message)
                    invalid = True
                else:
                    values[kept_as] = match.organisation.pk
        key, message = _key_of(spreadsheet_import, row, found, values.get(LEAD))
        if row.sheet == sheets.INITIATIVES:  # later rows of the batch see this one
            found.file_rows.setdefault(("ref", row.values.get(sheets.REFERENCE)), row.number)
            found.file_rows.setdefault(("own", row.values.get(sheets.YOUR_REFERENCE)), row.number)
        if message:
            problems.add(row, message[0], message[1])
            invalid = True
        stored.append(
            ImportRow(
                spreadsheet_import=spreadsheet_import,
                sheet=row.sheet,
                number=row.number,
                key=key,
                reference=_text(row.values.get(sheets.REFERENCE))
                if row.sheet == sheets.INITIATIVES
                else "",
                your_reference=_text(row.values.get(sheets.YOUR_REFERENCE))
                if row.sheet == sheets.INITIATIVES
                else "",
                cells={header: json_safe(value) for header, value in row.raw.items()},
                values=values,
                action=ImportRow.Action.INVALID if invalid else "",
            )
        )
    ImportRow.objects.bulk_create(stored, batch_size=BATCH)
    problems.flush()


def _text(value):
    return (value or "")[:50]


def _organisations(spreadsheet_import, batch):
    """{cell value: OrganisationMatch} for every organisation the batch's rows name."""
    if batch[0].sheet not in ORGANISATION_CELLS:
        return {}
    _, cells = ORGANISATION_CELLS[batch[0].sheet]
    values = set()
    for row in batch:
        cell = next((c for c in cells if row.values.get(c) is not None), None)
        if cell is not None:
            values.add(row.values[cell])
    return organisations_match(values, user=spreadsheet_import.uploaded_by) if values else {}


class _Found:
    """What the references in a batch name: initiatives by our reference (those the uploader
    may see), by the lead's own reference, and the Initiatives-sheet rows of this file."""

    def __init__(self, by_reference, by_own_reference, file_rows):
        self.by_reference = by_reference  # INI-… -> pk
        self.by_own_reference = by_own_reference  # (lead pk, your reference) -> pk
        self.file_rows = file_rows  # reference or your reference -> key


def _initiatives_named(spreadsheet_import, batch):
    sheet = batch[0].sheet
    if sheet == sheets.INITIATIVES:
        references = {r.values.get(sheets.REFERENCE) for r in batch}
        own = {r.values.get(sheets.YOUR_REFERENCE) for r in batch}
    else:
        references = own = {r.values.get(sheets.INITIATIVE_OF[sheet]) for r in batch}
    references.discard(None)
    own.discard(None)
    visible = permissions.initiatives_visible_to(user=spreadsheet_import.uploaded_by)
    by_reference = dict(visible.filter(reference__in=references).values_list("reference", "pk"))
    by_own_reference = {
        (lead, ref): pk
        for lead, ref, pk in visible.filter(external_reference__in=own).values_list(
            "lead_id", "external_reference", "pk"
        )
    }
    file_rows = {}
    if sheet != sheets.INITIATIVES and references:
        rows = ImportRow.objects.filter(
            spreadsheet_import=spreadsheet_import, sheet=sheets.INITIATIVES
        ).filter(Q(reference__in=references) | Q(your_reference__in=references))
        for reference, your_reference, key in rows.values_list(
            "reference", "your_reference", "key"
        ):
            for name in (reference, your_reference):
                if name in references:
                    file_rows.setdefault(name, key)
    elif sheet == sheets.INITIATIVES:
        # Rows earlier in the file with the same references: duplicates.
        rows = ImportRow.objects.filter(
            spreadsheet_import=spreadsheet_import, sheet=sheets.INITIATIVES
        ).filter(Q(reference__in=references) | Q(your_reference__in=own))
        for reference, your_reference, number in rows.values_list(
            "reference", "your_reference", "number"
        ):
            file_rows.setdefault(("ref", reference), number)
            file_rows.setdefault(("own", your_reference), number)
    return _Found(by_reference, by_own_reference, file_rows)


def _key_of(spreadsheet_import, row, found, lead):
    """(key, None) or ("", (column, message))."""
    if row.sheet == sheets.INITIATIVES:
        return _initiative_key(spreadsheet_import, row, found, lead)
    column = sheets.INITIATIVE_OF[row.sheet]
    named = row.values.get(column)
    if named is None:
        return "", None  # reported as blank
    if named in found.file_rows:
        key = found.file_rows[named]
        return (key, None) if key else ("", (column, f"names a row of the Initiatives sheet "
                                              f"with errors ({named})"))  # fmt: skip
    if named in found.by_reference:
        return f"id:{found.by_reference[named]}", None
    pk = found.by_own_reference.get((spreadsheet_import.organisation_id, named))
    if pk is not None:
        return f"id:{pk}", None
    return "", (
        column,
        f"names no initiative you can see, and no row of the Initiatives sheet: '{named}'. "
        "Give the initiative's reference (like INI-2026-0001) or the Your reference of a row "
        "of the Initiatives sheet",
    )


def _initiative_key(spreadsheet_import, row, found, lead):
    reference = row.values.get(sheets.REFERENCE)
    own = row.values.get(sheets.YOUR_REFERENCE)
    for kind, value, column in (
        ("ref", reference, sheets.REFERENCE),
        ("own", own, sheets.YOUR_REFERENCE),
    ):
        if value is not None and (earlier := found.file_rows.get((kind, value))):
            return "", (column, f"is the same as row {earlier}'s: each initiative takes one row")
    if reference is not None:
        if reference not in found.by_reference:
            return "", (
                sheets.REFERENCE,
                f"names no initiative you can see: '{reference}'. Leave Reference empty to "
                "create a new initiative",
            )
        return f"id:{found.by_reference[reference]}", None
    if own is not None:
        lead = lead or spreadsheet_import.organisation_id
        pk = found.by_own_reference.get((lead, own))
        return (f"id:{pk}", None) if pk is not None else (f"ref:{own}"[:80], None)
    return f"row:{row.number}", None


def initiative_of(key):
    """The existing initiative a key names, or None for one the file creates."""
    if key.startswith("id:"):
        return Initiative.objects.select_related("lead").get(pk=int(key[3:]))
    return None
