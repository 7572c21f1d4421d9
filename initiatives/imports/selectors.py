"""Reads for the imports' pages: a user's imports, a report's problems and the rows with errors
to download."""

from django.db.models import Case, IntegerField, Q, Value, When

from initiatives import permissions
from initiatives.imports import sheets
from initiatives.models import ImportProblem, ImportRow

PROBLEMS_SHOWN = 500  # errors listed on a report page; the download holds every row


def imports_for_page(*, user):
    return permissions.imports_visible_to(user=user).select_related("uploaded_by", "organisation")


def problems_of(spreadsheet_import, *, when=ImportProblem.When.CHECKING):
    """The problems found when checking (or the rows skipped when importing), in the file's
    order: by sheet as the template orders them, then row."""
    return (
        spreadsheet_import.problems.filter(when=when)
        .alias(sheet_order=_sheet_order("sheet"))
        .order_by("sheet_order", "row", "pk")
    )


def _sheet_order(field):
    return Case(
        *(When(**{field: name}, then=Value(index)) for index, name in enumerate(sheets.BY_NAME)),
        default=Value(99),
        output_field=IntegerField(),
    )


def error_rows(spreadsheet_import):
    """The rows that had errors or were skipped, with their cells as the file had them, for
    the person to fix and upload again: ImportRows ordered by sheet and row."""
    return (
        ImportRow.objects.filter(spreadsheet_import=spreadsheet_import)
        .filter(Q(action=ImportRow.Action.INVALID) | Q(outcome=ImportRow.Outcome.SKIPPED))
        .alias(sheet_order=_sheet_order("sheet"))
        .order_by("sheet_order", "number")
    )
