"""CSV downloads that a spreadsheet can open safely (DESIGN.md §5)."""

import csv
from decimal import Decimal

from django.http import StreamingHttpResponse

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
