"""The download kit: one declaration of columns answers CSV or XLSX of the same rows, with
dates as dates, numbers as numbers and formula-looking text escaped, streamed."""

import csv
import datetime
import io
import tracemalloc
import zoneinfo
from decimal import Decimal

import openpyxl
from django.http import FileResponse, StreamingHttpResponse

from collaborate.kit import exports
from collaborate.kit.exports import DATE, MINUTE, MONEY, Column

LONDON = zoneinfo.ZoneInfo("Europe/London")

COLUMNS = [
    Column("Reference", lambda r: r["reference"]),
    Column("Started", lambda r: r["started"], DATE),
    Column("Decided at", lambda r: r["decided"], MINUTE),
    Column("Amount (£)", lambda r: r["amount"], MONEY),
    Column("Count", lambda r: r["count"]),
    Column("Note", lambda r: r["note"]),
    Column("Published", lambda r: r["published"]),
]
ROW = {
    "reference": "INI-2026-00001",
    "started": datetime.date(2026, 4, 1),
    # 09:30 UTC is 10:30 in London in summer: the service's time is what is written.
    "decided": datetime.datetime(2026, 6, 1, 9, 30, tzinfo=datetime.UTC),
    "amount": Decimal("1234.50"),
    "count": 3,
    "note": '=HYPERLINK("http://evil.example")',
    "published": True,
}


def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def read_xlsx(response):
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_a_csv_writes_the_declared_columns_with_iso_dates_and_escaped_text(settings):
    settings.TIME_ZONE = "Europe/London"
    response = exports.download("csv", "things", COLUMNS, [ROW, {**ROW, "started": None}])
    assert response["Content-Disposition"] == 'attachment; filename="things.csv"'
    header, row, empty = read_csv(response)
    assert header == [column.name for column in COLUMNS]
    assert row == [
        "INI-2026-00001",
        "2026-04-01",
        "2026-06-01 10:30",
        "1234.50",
        "3",
        '\'=HYPERLINK("http://evil.example")',
        "Yes",
    ]
    assert empty[1] == ""


def test_a_workbook_holds_real_dates_numbers_and_escaped_text(settings):
    settings.TIME_ZONE = "Europe/London"
    extra = ("Second", [Column("Year", lambda r: r)], iter(["2025/26", "+1"]))
    response = exports.download(
        "xlsx", "things", COLUMNS, iter([ROW]), title="Things", sheets=[extra]
    )
    assert isinstance(response, FileResponse) and response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="things.xlsx"'
    book = read_xlsx(response)
    assert book.sheetnames == ["Things", "Second"]
    sheet = book["Things"]
    assert [c.value for c in sheet[1]] == [column.name for column in COLUMNS]
    assert all(c.font.b for c in sheet[1])
    _reference, started, decided, amount, count, note, published = sheet[2]
    assert started.is_date and started.value == datetime.datetime(2026, 4, 1)
    assert started.number_format == "yyyy-mm-dd"
    assert decided.is_date and decided.value == datetime.datetime(2026, 6, 1, 10, 30)
    assert decided.number_format == "yyyy-mm-dd hh:mm"
    assert amount.data_type == "n" and amount.value == 1234.5 and amount.number_format == MONEY
    assert count.data_type == "n" and count.value == 3
    # Text, not a formula: the workbook stores the escaped string.
    assert note.data_type == "s" and note.value == '\'=HYPERLINK("http://evil.example")'
    assert published.value == "Yes"
    assert [[c.value for c in row] for row in book["Second"].iter_rows()] == [
        ["Year"],
        ["2025/26"],
        ["'+1"],
    ]


def test_a_csv_streams_rows_as_they_are_read():
    consumed = []

    def rows():
        for n in range(100_000):
            consumed.append(n)
            yield {**ROW, "reference": f"R{n}"}

    response = exports.download("csv", "things", COLUMNS, rows())
    assert isinstance(response, StreamingHttpResponse) and response.streaming
    assert consumed == []  # nothing is read before the response is sent
    chunks = iter(response.streaming_content)
    assert next(chunks).decode("utf-8-sig") == ""  # the byte-order mark
    assert next(chunks).decode().startswith("Reference,Started")
    assert next(chunks).decode().startswith("R0,2026-04-01")
    assert len(consumed) == 1  # one row read for one row written, not all 100,000


def test_a_workbook_of_many_sheets_from_header_lists_keeps_number_formats():
    """The dashboard's workbook (xlsx_response) is written by the same code."""
    response = exports.xlsx_response(
        "savings.xlsx",
        [("All", ["Row", "Target"], [["Waste", Decimal("10.5")]])],
        number_formats={1: MONEY},
        widths={"A": 48},
    )
    sheet = read_xlsx(response)["All"]
    assert sheet.column_dimensions["A"].width == 48
    assert sheet["B2"].value == 10.5 and sheet["B2"].number_format == MONEY


def peak_memory_of_a_workbook(rows):
    """The peak of Python's allocations while a workbook of `rows` rows is written."""
    tracemalloc.start()
    try:
        response = exports.download("xlsx", "things", COLUMNS, (ROW for _ in range(rows)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    response.file_to_stream.close()  # the temporary file (closing the response is the server's)
    return peak


def test_a_workbook_is_written_in_memory_that_does_not_grow_with_its_rows():
    peak_memory_of_a_workbook(100)  # openpyxl's first use loads what it keeps
    small, large = peak_memory_of_a_workbook(500), peak_memory_of_a_workbook(5_000)
    assert large < small * 1.5, (small, large)  # ten times the rows, not ten times the memory
