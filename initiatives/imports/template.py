"""The import template (/imports/template.xlsx): a workbook with a Guidance sheet first, then a
sheet per kind an import reads (sheets.SHEETS), each with the headings of read_columns, a note
on every heading saying what goes in its column, a list to choose from in every coded column,
and an example row.

The lists and the columns' formats are given for whole ranges (a validation's range, a
column's style), never cell by cell: the template is the same few kilobytes whatever
settings.IMPORT_MAX_ROWS is. A list whose labels do not fit in Excel's 255 characters of an
inline list (or that have a comma, which an inline list would split on) is written on a hidden
Lists sheet that the validation refers to.

The example rows carry EXAMPLE_REFERENCE as Your reference (the initiative's, and the claim's)
and the Targets, Partners and Claims examples name the example initiative by it: an import
treats a row carrying it as the template's example row, to be deleted or replaced."""

from datetime import date
from decimal import Decimal
from functools import partial

from django.conf import settings
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from collaborate.kit.exports import DATE, MONEY
from collaborate.kit.spreadsheets import (
    parse_amount,
    parse_choice,
    parse_date,
    parse_financial_year,
)
from initiatives import financial_years
from initiatives.imports import sheets
from initiatives.models import Initiative, SavingsClaim

EXAMPLE_REFERENCE = sheets.EXAMPLE_REFERENCE

GUIDANCE = "Guidance"
LISTS = "Lists"
EXCEL_LAST_ROW = 1_048_576
MB = 1024 * 1024
INLINE_LIST_LIMIT = 255  # characters of a list validation's formula written inline
TEXT = "@"
PERCENT = "0.00"
GREY = "505A5F"  # GOV.UK's secondary text colour: 7:1 contrast on white
EXAMPLE_FONT = Font(italic=True, color=GREY)
HEADING_FONT = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")

# The lists people choose from where they differ from what the import reads: claims come in
# as drafts or submitted, never decided.
CHOSEN = {(sheets.CLAIMS, "Status"): sheets.CLAIM_STATUSES_CHOSEN}
# Columns of ids, kept as text so that Excel does not turn 00123 into 123.
ID_COLUMNS = {"Reference", "Your reference", "Initiative reference", "ONS/GSS code"}

DATE_FORM = "A date, like 1/4/2025."
AMOUNT_FORM = "An amount in pounds, like 1200.50."
YEAR_FORM = "A financial year, like 2025/26."
CHOOSE = "Choose from the list."
BLANK_FOR_YOURS = "Leave it blank for your own organisation."

# What goes in each column, after "Required." or "Optional." (whether the import needs it).
NOTES = {
    sheets.INITIATIVES: {
        "Reference": "Our reference for the initiative, like INI-2025-0001. "
        "Leave it blank for a new initiative.",
        "Your reference": "Your organisation's own id for the initiative, up to 50 "
        "characters. Rows are matched on it when they have no Reference.",
        "Title": "The initiative's name, up to 200 characters.",
        "Summary": "What the initiative does, up to 5,000 characters.",
        "Lead organisation": "The organisation that leads it: its name or ONS/GSS code. "
        + BLANK_FOR_YOURS,
        "Status": CHOOSE + " A new initiative starts as "
        f"{Initiative.Status.PROPOSED.label}. The initiative moves to the status you "
        "choose through the allowed steps.",
        "Collaboration model": CHOOSE,
        "Service area": CHOOSE,
        "Governance model": CHOOSE + f" Blank means {Initiative.Governance.INFORMAL.label}.",
        "Start date": DATE_FORM,
        "Planned end date": DATE_FORM + " On or after the start date.",
        "One-off set-up cost (£)": AMOUNT_FORM + " What setting it up cost once, including "
        "procurement, legal and transition costs.",
        "Contract term (months)": "For an arrangement under a contract: its length in whole "
        "months, like 60.",
        "Break points": "When either side may end the contract early, like "
        "“after 3 and 5 years”, up to 200 characters.",
        "Procurement started": DATE_FORM + " When procurement of the contract began.",
        "Contract awarded": DATE_FORM + " On or after procurement started.",
        "Live since": DATE_FORM + " Only for an arrangement that was already live before it "
        "was recorded here: today or earlier, on or after the start date, with a status that "
        "is implementing, live, paused, closed or stopped. Otherwise leave it blank: the day "
        "it goes live is recorded when its status becomes live.",
    },
    sheets.TARGETS: {
        "Reference": "The initiative's reference: ours, like INI-2025-0001, or yours.",
        "Financial year": YEAR_FORM,
        "Target (£)": AMOUNT_FORM + " What the initiative should save that year.",
    },
    sheets.PARTNERS: {
        "Reference": "The initiative's reference: ours, like INI-2025-0001, or yours.",
        "Partner": "The partner organisation's name.",
        "ONS/GSS code": "The partner's ONS/GSS code, like E07000223. It is matched before "
        "the name.",
        "Share of savings (%)": "A number from 0 to 100, like 33.33. An initiative's shares "
        "must add up to 100, the lead organisation's among them: give the lead a row too, "
        "or its share stays as it is (100 for a new initiative).",
    },
    sheets.CLAIMS: {
        "Reference": "Our reference for the claim, like CLM-2025-0001. "
        "Leave it blank for a new claim.",
        "Your reference": "Your organisation's own id for the claim, up to 50 characters. "
        "Rows are matched on it when they have no Reference.",
        "Initiative reference": "The reference of the initiative the saving comes from: "
        "ours, like INI-2025-0001, or yours.",
        "Claimant organisation": "The organisation claiming the saving: its name or ONS/GSS "
        "code. " + BLANK_FOR_YOURS,
        "Financial year": YEAR_FORM + " The year the saving was made in.",
        "Category": CHOOSE,
        "Kind": CHOOSE,
        "Recurrence": CHOOSE,
        "Gross saving (£)": AMOUNT_FORM,
        "Implementation cost (£)": AMOUNT_FORM + " Blank means 0.",
        "Description": "How the saving was made, up to 5,000 characters.",
        "Service quality": CHOOSE,
        "Service quality statement": "What happened to the service, up to 2,000 characters.",
        "Evidence": "What shows the saving, such as a budget report, up to 5,000 characters.",
        "Status": CHOOSE + " Draft, or Awaiting decision to submit the claim for a decision.",
    },
}

EXAMPLE_YEAR = 2025
EXAMPLES = {
    sheets.INITIATIVES: {
        "Your reference": EXAMPLE_REFERENCE,
        "Title": "Example: shared revenues and benefits service",
        "Summary": "Example row: delete it or replace it with your own. Two councils run "
        "one revenues and benefits service.",
        "Status": Initiative.Status.PROPOSED.label,
        "Collaboration model": Initiative.CollaborationModel.SHARED_SERVICE.label,
        "Service area": Initiative.ServiceArea.REVENUES_BENEFITS.label,
        "Governance model": Initiative.Governance.JOINT_COMMITTEE.label,
        "Start date": date(EXAMPLE_YEAR, 4, 1),
        "Planned end date": date(EXAMPLE_YEAR + 3, 3, 31),
        "One-off set-up cost (£)": Decimal("85000.00"),
    },
    sheets.TARGETS: {
        "Reference": EXAMPLE_REFERENCE,
        "Financial year": financial_years.label(EXAMPLE_YEAR),
        "Target (£)": Decimal("120000.00"),
    },
    sheets.PARTNERS: {
        "Reference": EXAMPLE_REFERENCE,
        "Partner": "Example District Council",
        "Share of savings (%)": Decimal("40.00"),
    },
    sheets.CLAIMS: {
        "Your reference": EXAMPLE_REFERENCE,
        "Initiative reference": EXAMPLE_REFERENCE,
        "Financial year": financial_years.label(EXAMPLE_YEAR),
        "Category": SavingsClaim.Category.COST_REDUCTION.label,
        "Kind": SavingsClaim.Kind.CASH_RELEASING.label,
        "Recurrence": SavingsClaim.Recurrence.RECURRING.label,
        "Gross saving (£)": Decimal("50000.00"),
        "Implementation cost (£)": Decimal("5000.00"),
        "Description": "Example row: delete it or replace it with your own. One team now "
        "processes benefit claims for both councils.",
        "Service quality": SavingsClaim.ServiceQuality.MAINTAINED.label,
        "Service quality statement": "Claims are still processed within 10 working days.",
        "Evidence": "Budget monitoring report, month 6",
        "Status": sheets.CLAIM_STATUSES_CHOSEN[0],
    },
}

WIDE = {"Title", "Summary", "Description", "Service quality statement", "Evidence"}


def template_write(stream):
    """Write the import template to `stream`, a binary file object, as an .xlsx workbook."""
    book = Workbook()
    _guidance(book.active)
    lists = _Lists(book)
    for sheet in sheets.SHEETS:
        _kind_sheet(book.create_sheet(sheet.name), sheet.name, lists)
    lists.finish()
    book.active = 0
    book.save(stream)


def _last_row():
    return min(settings.IMPORT_MAX_ROWS + 1, EXCEL_LAST_ROW)


def _choices(name, column):
    """The labels to choose from in a coded column, or None for a column that is not coded."""
    if (name, column.header) in CHOSEN:
        return list(CHOSEN[name, column.header])
    if isinstance(column.parse, partial) and column.parse.func is parse_choice:
        choices = column.parse.keywords["choices"]
        return [str(label) for _, label in getattr(choices, "choices", choices)]
    return None


def _number_format(column):
    if column.parse is parse_date:
        return DATE
    if column.parse is parse_amount:
        return PERCENT if "(%)" in column.header else MONEY
    if column.parse is parse_financial_year or column.header in ID_COLUMNS:
        return TEXT
    return None


def _note(name, column):
    need = "Optional." if column.optional else "Required."
    return Comment(f"{need} {NOTES[name][column.header]}", "Collaborate", width=320, height=140)


class _Lists:
    """Where each list validation's choices are: inline when they fit, else a column of the
    hidden Lists sheet, created when the first list needs it."""

    def __init__(self, book):
        self.book, self.sheet, self.columns = book, None, 0

    def formula(self, labels):
        inline = '"' + ",".join(labels) + '"'
        if len(inline) <= INLINE_LIST_LIMIT and not any(
            "," in label or '"' in label for label in labels
        ):
            return inline
        if self.sheet is None:
            self.sheet = self.book.create_sheet(LISTS)
        self.columns += 1
        for row, label in enumerate(labels, start=1):
            self.sheet.cell(row=row, column=self.columns, value=label)
        letter = get_column_letter(self.columns)
        return f"{quote_sheetname(LISTS)}!${letter}$1:${letter}${len(labels)}"

    def finish(self):
        """Hide the Lists sheet and put it last, after the sheets people fill in."""
        if self.sheet is not None:
            self.sheet.sheet_state = "hidden"
            self.book.move_sheet(
                self.sheet, len(self.book.sheetnames) - 1 - self.book.index(self.sheet)
            )


def _validation(header, labels, formula, cells):
    validation = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle="Choose from the list",
        error=f"Choose a {header.lower()} from the list.",
        promptTitle=header[:32],
        prompt=CHOOSE if len(", ".join(labels)) > 200 else "One of: " + ", ".join(labels),
    )
    validation.add(cells)
    return validation


def _kind_sheet(worksheet, name, lists):
    columns = sheets.read_columns(name)
    example = EXAMPLES[name]
    last = _last_row()
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        heading = worksheet.cell(row=1, column=index, value=column.header)
        heading.font = HEADING_FONT
        heading.comment = _note(name, column)
        number_format = _number_format(column)
        dimension = worksheet.column_dimensions[letter]
        dimension.width = 40 if column.header in WIDE else max(len(column.header) + 6, 16)
        if number_format:
            dimension.number_format = number_format
        cell = worksheet.cell(row=2, column=index, value=example.get(column.header))
        cell.font = EXAMPLE_FONT
        if number_format:
            cell.number_format = number_format
        labels = _choices(name, column)
        if labels:
            dimension.width = max(dimension.width, min(max(map(len, labels)) + 4, 40))
            worksheet.add_data_validation(
                _validation(
                    column.header, labels, lists.formula(labels), f"{letter}2:{letter}{last}"
                )
            )
    worksheet.freeze_panes = "A2"


def _guidance_lines():
    """(style, text) of each line of the Guidance sheet: "title", "heading" or "text"."""
    rows = settings.IMPORT_MAX_ROWS
    size = settings.IMPORT_UPLOAD_MAX_SIZE
    size_text = f"{size // MB} MB" if size >= MB else f"{size:,} bytes"
    first_status = Initiative.Status.PROPOSED.label
    chosen = " or ".join(sheets.CLAIM_STATUSES_CHOSEN)
    return [
        ("title", "Import initiatives, targets, partners and claims"),
        ("text", "Use this workbook to add initiatives, their targets, partners and claims, "
                 "or to change them. Save it as an Excel workbook (.xlsx) and upload it on the "
                 "Imports page."),
        ("text", "We check every row before anything is saved. A report shows what would "
                 "change and any errors. You then choose whether to import."),
        ("heading", "Before you start"),
        ("text", "Row 2 of each sheet is an example, in grey italics. Delete it or replace it "
                 "with your own row before you upload the file."),
        ("text", "Keep the headings in row 1 as they are. Each heading has a note that says "
                 "what goes in its column and whether it is required."),
        ("text", "Leave out any sheet you do not need, or leave it empty."),
        ("heading", "What each sheet is for"),
        ("text", f"{sheets.INITIATIVES}: one row for each initiative."),
        ("text", f"{sheets.TARGETS}: one row for each initiative and financial year, with how "
                 "much the initiative should save that year."),
        ("text", f"{sheets.PARTNERS}: one row for each organisation taking part in an "
                 "initiative, with its share of the savings."),
        ("text", f"{sheets.CLAIMS}: one row for each savings claim."),
        ("heading", "How rows are matched"),
        ("text", "A row is matched by its Reference, the reference we gave the initiative or "
                 "claim (like INI-2025-0001 or CLM-2025-0001), or else by Your reference, "
                 "your organisation's own id for it. A row that matches nothing is added."),
        ("text", "So uploading the same file again changes nothing. Uploading an edited file "
                 "changes only what you edited."),
        ("text", f"On the {sheets.TARGETS} and {sheets.PARTNERS} sheets, Reference is the "
                 f"initiative's reference, ours or yours. On the {sheets.CLAIMS} sheet, "
                 "Initiative reference is."),
        ("text", "Organisations are matched by their ONS/GSS code first, then by their name. "
                 "If nothing matches, the report names the closest organisations."),
        ("heading", "What an import can change"),
        ("text", "You can import initiatives your organisation leads, their targets, and "
                 "claims for your own organisation."),
        ("text", "Partner and share rows are applied only for managers of the initiative's "
                 "lead organisation."),
        ("text", f"A new initiative starts as {first_status}. A Status moves an initiative "
                 "along the allowed steps, one step at a time, and each step is kept in its "
                 "history. A status it cannot reach is an error."),
        ("text", f"Claims arrive as drafts or submitted ({chosen}), never verified. The lead "
                 "organisation's managers decide them as usual."),
        ("heading", "Limits"),
        ("text", f"Up to {rows:,} rows on each sheet."),
        ("text", f"Files up to {size_text}."),
        ("text", "Excel workbooks (.xlsx) or CSV files. Not old .xls workbooks, and not "
                 "workbooks with macros or a password."),
        ("heading", "How to write values"),
        ("text", "Dates: a date, like 1/4/2025, 01/04/2025, 1 April 2025, 1 Apr 2025 or "
                 "2025-04-01. Write the day before the month."),
        ("text", "Amounts in pounds: a number, like 1200 or 1200.50. £ signs and commas are "
                 "fine, like £1,200.50. Use at most 2 decimal places. Write a negative amount "
                 "with a minus sign, like -1200, or in brackets, like (1,200.50)."),
        ("text", "Financial years: like 2025/26, 2025-26 or 2025 to 2026. The year starts on "
                 "1 April."),
        ("text", "Shares of savings: a number from 0 to 100, like 33.33, without a % sign."),
        ("text", "Coded columns, like Service area: choose from the list in the cell."),
        ("text", "Formulas are fine: we read the value Excel saved for them."),
    ]  # fmt: skip


def _guidance(worksheet):
    worksheet.title = GUIDANCE
    worksheet.column_dimensions["A"].width = 100
    fonts = {"title": Font(bold=True, size=16), "heading": Font(bold=True, size=13)}
    row = 0
    for style, text in _guidance_lines():
        row += 2 if style == "heading" else 1  # a blank line before each heading
        cell = worksheet.cell(row=row, column=1, value=text)
        cell.alignment = WRAP
        if style in fonts:
            cell.font = fonts[style]
