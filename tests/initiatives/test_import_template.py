"""The import template (/imports/template.xlsx): a Guidance sheet, then a sheet per kind with
the headings the import reads, a note on every heading, a list to choose from in every coded
column down to the last row an import accepts, typed columns, and an example row that the
import's own reader accepts without an error. Its size does not grow with the row limit."""

import io
import tracemalloc
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.styles.numbers import is_date_format

from collaborate.kit.spreadsheets import read_workbook
from initiatives.imports import sheets
from initiatives.imports.template import EXAMPLE_REFERENCE, template_write
from initiatives.models import Initiative, SavingsClaim

KINDS = [sheet.name for sheet in sheets.SHEETS]
CODED = {
    (sheets.INITIATIVES, "Collaboration model"): Initiative.CollaborationModel.labels,
    (sheets.INITIATIVES, "Service area"): Initiative.ServiceArea.labels,
    (sheets.INITIATIVES, "Governance model"): Initiative.Governance.labels,
    (sheets.INITIATIVES, "Status"): Initiative.Status.labels,
    (sheets.CLAIMS, "Category"): SavingsClaim.Category.labels,
    (sheets.CLAIMS, "Kind"): SavingsClaim.Kind.labels,
    (sheets.CLAIMS, "Recurrence"): SavingsClaim.Recurrence.labels,
    (sheets.CLAIMS, "Service quality"): SavingsClaim.ServiceQuality.labels,
    # An import makes drafts and submits them; it never decides a claim.
    (sheets.CLAIMS, "Status"): [
        SavingsClaim.Status.DRAFT.label,
        SavingsClaim.Status.SUBMITTED.label,
    ],
}


def template_bytes():
    stream = io.BytesIO()
    template_write(stream)
    return stream.getvalue()


@pytest.fixture
def book():
    return openpyxl.load_workbook(io.BytesIO(template_bytes()))


def letter_of(worksheet, header):
    headers = [cell.value for cell in worksheet[1]]
    return openpyxl.utils.get_column_letter(headers.index(header) + 1)


def validations_of(worksheet, cell):
    return [v for v in worksheet.data_validations.dataValidation if cell in v.sqref]


def choices_of(book, validation):
    """The choices of a list validation, inline or in a range of another sheet."""
    formula = validation.formula1
    if formula.startswith('"'):
        assert len(formula) <= 255, "Excel refuses an inline list longer than 255 characters"
        return formula[1:-1].split(",")
    sheet, cells = formula.lstrip("=").rsplit("!", 1)
    return [cell.value for (cell,) in book[sheet.strip("'")][cells.replace("$", "")]]


def guidance_text(book):
    return " ".join(str(cell.value) for (cell,) in book["Guidance"].iter_rows() if cell.value)


def test_the_guidance_comes_first_then_a_sheet_per_kind_with_the_headings_the_import_reads(book):
    visible = [ws.title for ws in book.worksheets if ws.sheet_state == "visible"]
    assert visible == ["Guidance", *KINDS]
    assert book.active.title == "Guidance"
    assert all(ws.title == "Lists" for ws in book.worksheets if ws.sheet_state != "visible")
    for name in KINDS:
        worksheet = book[name]
        headers = [cell.value for cell in worksheet[1]]
        assert headers == [column.header for column in sheets.read_columns(name)]
        assert all(cell.font.bold for cell in worksheet[1])
        assert worksheet.freeze_panes == "A2"
        # The columns a download writes but an import ignores are left out.
        assert not set(headers) & sheets.IGNORED[name]


@pytest.mark.parametrize(("name", "header"), list(CODED))
def test_every_coded_column_offers_exactly_its_choices_down_to_the_last_allowed_row(
    book, settings, name, header
):
    worksheet = book[name]
    letter = letter_of(worksheet, header)
    last = settings.IMPORT_MAX_ROWS + 1
    (validation,) = validations_of(worksheet, f"{letter}2")
    assert validations_of(worksheet, f"{letter}{last}") == [validation]
    assert not validations_of(worksheet, f"{letter}1")  # not the heading
    assert not validations_of(worksheet, f"{letter}{last + 1}")
    assert validation.type == "list"
    assert validation.showErrorMessage and validation.errorStyle == "stop"
    assert validation.error and validation.errorTitle
    assert validation.showInputMessage and validation.prompt
    assert choices_of(book, validation) == list(CODED[name, header])


def test_only_coded_columns_have_lists(book):
    for name in KINDS:
        worksheet = book[name]
        listed = {
            header
            for header in (cell.value for cell in worksheet[1])
            if validations_of(worksheet, f"{letter_of(worksheet, header)}2")
        }
        assert listed == {header for kind, header in CODED if kind == name}


def test_every_heading_has_a_note_saying_whether_it_is_required_and_what_goes_in_it(book):
    for name in KINDS:
        worksheet = book[name]
        for column, cell in zip(sheets.read_columns(name), worksheet[1], strict=True):
            assert cell.comment is not None, (name, column.header)
            need = "Optional." if column.optional else "Required."
            assert cell.comment.text.startswith(need + " "), (name, column.header)
            assert len(cell.comment.text) > len(need) + 10
    start = book[sheets.INITIATIVES][f"{letter_of(book[sheets.INITIATIVES], 'Start date')}1"]
    assert start.comment.text.startswith("Required. A date, like 1/4/2025.")


def test_the_guidance_gives_the_limits_from_settings_and_the_rules_of_an_import(settings):
    settings.IMPORT_MAX_ROWS = 12_345
    settings.IMPORT_UPLOAD_MAX_SIZE = 7 * 1024 * 1024
    book = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    text = guidance_text(book)
    assert "Up to 12,345 rows on each sheet." in text
    assert "Files up to 7 MB." in text
    for needed in [
        *KINDS,
        "Reference",
        "Your reference",
        "INI-",
        "CLM-",
        "uploading the same file again changes nothing",
        "ONS/GSS code first, then by their name",
        "only for managers of the initiative's lead organisation",
        "one step at a time",
        "never verified",
        "1/4/2025",
        "£1,200.50",
        "2025/26",
        "Delete it or replace it",
    ]:
        assert needed in text, needed
    guidance = book["Guidance"]
    assert guidance.column_dimensions["A"].width >= 80
    assert all(cell.alignment.wrap_text for (cell,) in guidance.iter_rows() if cell.value)


def test_dates_money_and_years_are_formatted_for_the_whole_column(book):
    formats = {
        (sheets.INITIATIVES, "Start date"): "date",
        (sheets.INITIATIVES, "Planned end date"): "date",
        (sheets.TARGETS, "Target (£)"): "#,##0.00",
        (sheets.TARGETS, "Financial year"): "@",
        (sheets.PARTNERS, "Share of savings (%)"): "0.00",
        (sheets.CLAIMS, "Financial year"): "@",
        (sheets.CLAIMS, "Gross saving (£)"): "#,##0.00",
        (sheets.CLAIMS, "Implementation cost (£)"): "#,##0.00",
    }
    for (name, header), expected in formats.items():
        worksheet = book[name]
        letter = letter_of(worksheet, header)
        for number_format in (
            worksheet.column_dimensions[letter].number_format,
            worksheet[f"{letter}2"].number_format,
        ):
            if expected == "date":
                assert is_date_format(number_format), (name, header, number_format)
            else:
                assert number_format == expected, (name, header, number_format)


def test_the_example_rows_are_marked_typed_and_name_the_example_initiative(book):
    for name in KINDS:
        example = [cell for cell in book[name][2] if cell.value is not None]
        assert example and all(cell.font.italic and cell.font.color.rgb.endswith("505A5F")
                               for cell in example)  # fmt: skip
        assert book[name].max_row == 2
    initiatives = book[sheets.INITIATIVES]
    assert isinstance(initiatives[f"{letter_of(initiatives, 'Start date')}2"].value, datetime)
    targets = book[sheets.TARGETS]
    assert isinstance(targets[f"{letter_of(targets, 'Target (£)')}2"].value, int | float)
    assert targets[f"{letter_of(targets, 'Financial year')}2"].value == "2025/26"


def test_the_import_reads_the_template_back_with_no_errors():
    readings = read_workbook(
        io.BytesIO(template_bytes()), name="template.xlsx", sheets=sheets.SHEETS
    )
    rows = {}
    for reading in readings:
        (row,) = list(reading.rows)
        assert row.number == 2
        assert row.errors == [], [str(error) for error in row.errors]
        rows[reading.name] = row.values
    assert list(rows) == KINDS
    initiative = rows[sheets.INITIATIVES]
    assert initiative["Your reference"] == EXAMPLE_REFERENCE
    assert initiative["Reference"] is None  # a new initiative
    assert initiative["Status"] == Initiative.Status.PROPOSED
    assert initiative["Collaboration model"] in Initiative.CollaborationModel.values
    assert initiative["Service area"] in Initiative.ServiceArea.values
    assert initiative["Start date"] == date(2025, 4, 1)
    assert initiative["Planned end date"] > initiative["Start date"]
    assert rows[sheets.TARGETS] == {
        "Reference": EXAMPLE_REFERENCE,
        "Financial year": 2025,
        "Target (£)": Decimal("120000.00"),
    }
    partner = rows[sheets.PARTNERS]
    assert partner["Reference"] == EXAMPLE_REFERENCE
    assert partner["Partner"] == "Example District Council"
    assert partner["Share of savings (%)"] == Decimal("40.00")
    claim = rows[sheets.CLAIMS]
    assert claim["Initiative reference"] == EXAMPLE_REFERENCE
    assert claim["Your reference"] == EXAMPLE_REFERENCE
    assert claim["Financial year"] == 2025
    assert claim["Gross saving (£)"] == Decimal("50000.00")
    assert claim["Status"] == SavingsClaim.Status.DRAFT
    assert all(claim[header] for header in ("Category", "Kind", "Recurrence", "Description"))


def build_peak():
    tracemalloc.start()
    try:
        size = len(template_bytes())
        return size, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_template_stays_small_whatever_the_row_limit(settings):
    """Lists and formats cover ranges: no cell is written below the example row, so a limit of
    a million rows costs what a hundred do."""
    template_bytes()  # imports and caches warmed
    settings.IMPORT_MAX_ROWS = 100
    small_size, small_peak = build_peak()
    settings.IMPORT_MAX_ROWS = 1_000_000
    large_size, large_peak = build_peak()
    assert large_size < 100 * 1024
    assert large_size - small_size < 100  # only the ranges' last row numbers are longer
    assert large_peak < small_peak * 1.2
    book = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    claims = book[sheets.CLAIMS]
    assert claims.max_row == 2
    assert validations_of(claims, f"{letter_of(claims, 'Kind')}1000001")


def test_the_lists_stop_at_the_last_row_excel_has(settings):
    settings.IMPORT_MAX_ROWS = 2_000_000
    book = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    initiatives = book[sheets.INITIATIVES]
    assert validations_of(initiatives, f"{letter_of(initiatives, 'Status')}1048576")
