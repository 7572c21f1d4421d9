"""Read an uploaded spreadsheet for an import: an Excel workbook with a sheet per kind, or a CSV
file holding one kind (issue 16).

    sheets = [Sheet("Initiatives", [Column("Reference", optional=True),
                                    Column("Start date", parse_date), …]), …]
    for sheet in read_workbook(upload, name=upload.name, sheets=sheets):
        for row in sheet.rows:           # a generator: one row at a time, never a list
            row.values["Start date"]     # a date, or None when the cell is blank or wrong
            row.errors                   # [CellError…], each saying sheet, row and column

A file that cannot be read is refused with SpreadsheetRefused (its message is written for a
GOV.UK error summary) before any row is returned: not a spreadsheet, too big, a zip bomb, a
macro-enabled or password-protected workbook, more than settings.IMPORT_MAX_ROWS rows, missing
or unexpected headers. A cell that cannot be read is an error on its row, and reading goes on,
so that a report can name every error at once.

One refusal can come while rows are read: a sheet whose XML breaks off part-way (or a file whose
row count was not what it declared) raises SpreadsheetRefused from the rows generator, so a
caller catches it around the loop too.

Excel files are checked as zips first (declared sizes and ratios, then every part read through a
200 MB cap, and no part may declare a DTD: XML entities are how XML bombs expand; Excel never
writes one, so defusedxml, a development dependency only, is not needed in production). They are
then read by openpyxl in read-only mode, through its own sheet parser with the values Excel saved
for formulas, telling a formula that has no saved value (openpyxl reads it as blank) from a blank
cell in the same single pass. CSV files decode as UTF-8 (with or without a byte-order mark) or
else Windows-1252; rows are numbered by record, as Excel shows them.
"""

from collaborate.kit.spreadsheets.cells import (
    CellError,
    parse_amount,
    parse_choice,
    parse_date,
    parse_financial_year,
    parse_text,
)
from collaborate.kit.spreadsheets.reading import (
    Column,
    Row,
    Sheet,
    SheetReading,
    SpreadsheetRefused,
    read_workbook,
)

__all__ = [
    "CellError",
    "Column",
    "Row",
    "Sheet",
    "SheetReading",
    "SpreadsheetRefused",
    "parse_amount",
    "parse_choice",
    "parse_date",
    "parse_financial_year",
    "parse_text",
    "read_workbook",
]
