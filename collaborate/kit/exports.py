"""CSV and Excel downloads that a spreadsheet can open safely (DESIGN.md §5)."""

import csv
import tempfile
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Numbers stay numbers; text that a spreadsheet would run as a formula is escaped with a
    leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value):
        return value


def csv_response(filename, header, rows):
    """Stream rows (iterables of values) as a CSV attachment, header first."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # a byte-order mark, so that Excel reads UTF-8
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([spreadsheet_safe(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(filename, sheets, *, number_formats=None, widths=None):
    """An Excel workbook as an attachment, one sheet per (title, header, rows): the header in
    bold, every value through spreadsheet_safe (numbers stay numbers). `number_formats` maps a
    column's index to the format of the numbers in it; `widths` a column's letter to its width.

    The workbook is written in openpyxl's write-only mode, row by row, to a temporary file that
    the response streams: a large download never sits in memory whole."""
    number_formats = number_formats or {}
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        for letter, width in (widths or {}).items():
            sheet.column_dimensions[letter].width = width
        heading = []
        for value in header:
            cell = WriteOnlyCell(sheet, value=spreadsheet_safe(value))
            cell.font = bold
            heading.append(cell)
        sheet.append(heading)
        for row in rows:
            cells = []
            for index, value in enumerate(row):
                cell = WriteOnlyCell(sheet, value=spreadsheet_safe(value))
                if index in number_formats and isinstance(cell.value, int | float | Decimal):
                    cell.number_format = number_formats[index]
                cells.append(cell)
            sheet.append(cells)
    file = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once sent)
    book.save(file)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
