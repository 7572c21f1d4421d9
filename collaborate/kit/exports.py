"""CSV and Excel downloads that a spreadsheet can open safely (DESIGN.md §5).

A list declares its columns once (`Column`s, in its app's columns module, whose headings an
import reads too) and answers `download(format, filename_stem, columns, rows)`: the same
columns of the same rows as a streamed CSV or as a workbook written row by row."""

import csv
import datetime
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import column_index_from_string, get_column_letter

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


DATE = "yyyy-mm-dd"
MINUTE = "yyyy-mm-dd hh:mm"
SECOND = "yyyy-mm-dd hh:mm:ss"
MONEY = "#,##0.00"
# How a CSV writes a date or a time that a workbook formats as the key: ISO 8601.
CSV_FORMATS = {DATE: "%Y-%m-%d", MINUTE: "%Y-%m-%d %H:%M", SECOND: "%Y-%m-%d %H:%M:%S"}


@dataclass(frozen=True)
class Column:
    """One column of a download: its heading (the name an import reads too) and how to get
    its cell from a row. Dates and times are given as date/datetime values: a workbook stores
    them as dates formatted with `number_format`, a CSV writes them in ISO 8601."""

    name: str
    cell: Callable
    number_format: str | None = None
    width: int | None = None


def _moment(value, number_format):
    """A date or time as the service's local, naive value and the format to show it in."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value, number_format or MINUTE
    return value, number_format or DATE


def _csv_value(column, row):
    value = column.cell(row)
    if isinstance(value, datetime.date):
        value, number_format = _moment(value, column.number_format)
        return value.strftime(CSV_FORMATS.get(number_format, CSV_FORMATS[DATE]))
    return spreadsheet_safe(value)


def _xlsx_cell(sheet, column, row):
    value = column.cell(row)
    if isinstance(value, datetime.date):
        value, number_format = _moment(value, column.number_format)
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = number_format
        return cell
    cell = WriteOnlyCell(sheet, value=spreadsheet_safe(value))
    if column.number_format and isinstance(cell.value, int | float | Decimal):
        cell.number_format = column.number_format
    return cell


def download(request_format, filename_stem, columns, rows, *, title=None, sheets=()):
    """The same columns of the same rows as CSV (request_format "csv") or as an Excel
    workbook ("xlsx"), streamed. `rows` is iterated once (pass a queryset's .iterator());
    `sheets` are further (title, columns, rows) sheets that only the workbook has."""
    if request_format == "xlsx":
        return _workbook(
            f"{filename_stem}.xlsx",
            [(title or filename_stem.capitalize()[:31], columns, rows), *sheets],
        )
    return csv_response(
        f"{filename_stem}.csv",
        [column.name for column in columns],
        ([_csv_value(column, row) for column in columns] for row in rows),
    )


def _workbook(filename, sheets):
    """Sheets of (title, columns, rows) written in openpyxl's write-only mode, row by row, to
    a temporary file that the response streams: a large download never sits in memory whole."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, columns, rows in sheets:
        sheet = book.create_sheet(title)
        for index, column in enumerate(columns, start=1):
            if column.width:
                sheet.column_dimensions[get_column_letter(index)].width = column.width
        heading = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=spreadsheet_safe(column.name))
            cell.font = bold
            heading.append(cell)
        sheet.append(heading)
        for row in rows:
            sheet.append([_xlsx_cell(sheet, column, row) for column in columns])
    file = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once sent)
    book.save(file)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(filename, sheets, *, number_formats=None, widths=None):
    """An Excel workbook of sheets given as (title, header, rows of values): `number_formats`
    maps a column's index to the format of the numbers in it; `widths` a column's letter to
    its width."""
    number_formats = number_formats or {}
    widths = {column_index_from_string(k) - 1: v for k, v in (widths or {}).items()}
    return _workbook(
        filename,
        [
            (
                title,
                [
                    Column(name, itemgetter(i), number_formats.get(i), widths.get(i))
                    for i, name in enumerate(header)
                ],
                rows,
            )
            for title, header, rows in sheets
        ],
    )
