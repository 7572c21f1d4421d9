"""The spreadsheet reading kit of imports (issue 16): bad files are refused, with a message for
the error summary, before any row is read; good ones are read a row at a time with typed values
and errors that say sheet, row and column."""

import gc
import inspect
import io
import struct
import tracemalloc
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import Workbook

from collaborate.kit.exports import spreadsheet_safe
from collaborate.kit.spreadsheets import (
    CellError,
    Column,
    Sheet,
    SpreadsheetRefused,
    parse_amount,
    parse_choice,
    parse_date,
    parse_financial_year,
    read_workbook,
)

KIB = 1024
STATUSES = [("proposed", "Proposed"), ("in_delivery", "In delivery")]
INITIATIVES = Sheet(
    "Initiatives",
    [
        Column("Reference", optional=True),
        Column("Name"),
        Column("Start date", parse_date),
        Column("Status", lambda value: parse_choice(value, STATUSES)),
    ],
)
TARGETS = Sheet(
    "Targets",
    [
        Column("Reference"),
        Column("Financial year", parse_financial_year),
        Column("Amount", parse_amount),
    ],
)
KINDS = [INITIATIVES, TARGETS]


def workbook_bytes(sheets):
    """An Excel workbook of {title: rows}, as bytes (the import tests share it)."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def xlsx(sheets, *, name="import.xlsx"):
    """An uploaded workbook of {title: rows}."""
    return SimpleUploadedFile(name, workbook_bytes(sheets))


def rezipped(upload, *, replace=None, add=None, name=None):
    """The same workbook with parts replaced ({part: function of its bytes}) or added."""
    source = zipfile.ZipFile(io.BytesIO(upload.read()))
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            content = source.read(part)
            if replace and part.filename in replace:
                content = replace[part.filename](content)
            target.writestr(part.filename, content)
        for part, content in (add or {}).items():
            target.writestr(part, content)
    return SimpleUploadedFile(name or upload.name, data.getvalue())


def csv_upload(text, *, encoding="utf-8", name="import.csv"):
    return SimpleUploadedFile(name, text.encode(encoding))


def read_all(upload, sheets=KINDS):
    """{sheet name: [row…]} of everything the kit reads."""
    return {
        reading.name: list(reading.rows)
        for reading in read_workbook(upload, name=upload.name, sheets=sheets)
    }


def refusal(upload, sheets=KINDS):
    with pytest.raises(SpreadsheetRefused) as refused:
        read_workbook(upload, name=upload.name, sheets=sheets)
    return refused.value.message


GOOD_INITIATIVES = [
    ["Reference", "Name", "Start date", "Status"],
    ["I-1", "Shared legal service", date(2025, 4, 1), "Proposed"],
]


# --- bad files: refused before any row is read ------------------------------------------------


def test_a_text_file_called_xlsx_is_not_a_spreadsheet():
    message = refusal(SimpleUploadedFile("savings.xlsx", b"Name,Start date\nA,1/4/2025\n"))
    assert message.startswith("savings.xlsx is not a spreadsheet.")
    assert ".xlsx" in message and "CSV" in message  # says what to upload instead


def test_a_pdf_is_not_a_spreadsheet_whatever_it_is_called():
    message = refusal(SimpleUploadedFile("savings.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"))
    assert message.startswith("savings.csv is not a spreadsheet.")


def test_a_picture_is_not_a_spreadsheet():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
    assert refusal(SimpleUploadedFile("savings.csv", png)).startswith("savings.csv is not a")


def test_a_csv_file_whose_first_header_looks_like_a_magic_number_is_read():
    sheet = Sheet("Codes", [Column("BM code"), Column("ID3")])
    (row,) = read_all(csv_upload("BM code,ID3\nX1,Y1\n"), [sheet])["Codes"]
    assert row.values == {"BM code": "X1", "ID3": "Y1"}


def test_a_zip_that_is_not_a_workbook_is_refused():
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    message = refusal(SimpleUploadedFile("letter.xlsx", data.getvalue()))
    assert message.startswith("letter.xlsx is not an Excel workbook.")


def test_a_zip_bomb_is_refused_by_its_compression_ratio_before_openpyxl_opens_it():
    bomb = rezipped(
        xlsx({"Initiatives": GOOD_INITIATIVES}),
        add={"xl/media/padding.xml": b" " * (4 * 1024 * KIB)},  # 4 MB of spaces: about 1000:1
    )
    assert len(bomb.read()) < 64 * KIB
    message = refusal(bomb)
    assert message.startswith("import.xlsx expands to more than 200 MB when opened")


def test_a_zip_that_declares_smaller_sizes_than_it_holds_is_refused():
    """The declared sizes pass, but reading through the cap finds the truth."""
    upload = rezipped(
        xlsx({"Initiatives": GOOD_INITIATIVES}),
        add={"xl/media/padding.xml": bytes(range(256)) * 8 * KIB},  # 2 MB, little compression
    )
    data = bytearray(upload.read())
    part = b"xl/media/padding.xml"
    local = data.find(part) - 30  # its local header: 30 bytes, then its name
    central = data.rfind(part) - 46  # its central directory entry: 46 bytes, then its name
    data[local + 22 : local + 26] = struct.pack("<I", 1000)
    data[central + 24 : central + 28] = struct.pack("<I", 1000)
    liar = SimpleUploadedFile("import.xlsx", bytes(data))
    assert zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(part.decode()).file_size == 1000
    assert refusal(liar).startswith("import.xlsx is damaged.")


def test_a_sheet_of_nested_xml_entities_is_refused_not_expanded():
    """A billion laughs, refused before openpyxl parses it, whether or not defusedxml (a
    development dependency only) is installed."""
    entities = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)).replace(
        "&lol0;", "lol"
    )
    doctype = f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>'.encode()
    upload = rezipped(
        xlsx({"Initiatives": [["Name", "Start date", "Status"], ["x", "", ""]]}),
        replace={
            "xl/worksheets/sheet1.xml": lambda xml: (
                doctype + xml[xml.index(b"<worksheet") :].replace(b"<t>x</t>", b"<t>&lol9;</t>")
            )
        },
    )
    assert refusal(upload).startswith("import.xlsx is not an Excel workbook.")


def test_a_file_over_the_upload_limit_is_refused(settings):
    settings.IMPORT_UPLOAD_MAX_SIZE = 1024 * KIB
    upload = csv_upload("Name,Start date,Status\n" + "A,1/4/2025,Proposed\n" * 60_000)
    assert upload.size > 1024 * KIB
    assert refusal(upload, [INITIATIVES]) == (
        "import.csv is larger than 1 MB. Split it into smaller files."
    )


def test_the_upload_limit_is_twenty_megabytes_by_default():
    upload = SimpleUploadedFile("huge.csv", b"Name\n" + b"A" * (20 * 1024 * KIB))
    assert refusal(upload, [INITIATIVES]).startswith("huge.csv is larger than 20 MB.")


def test_an_empty_file_is_refused():
    assert refusal(csv_upload("")) == "import.csv is empty."


def test_too_many_rows_in_a_workbook_are_refused_before_any_row_is_read(settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = [GOOD_INITIATIVES[0]] + [
        ["", f"Initiative {n}", "1/4/2025", "Proposed"] for n in range(4)
    ]
    assert refusal(xlsx({"Initiatives": rows})) == (
        "The Initiatives sheet of import.xlsx has more than 3 rows. Split it into smaller files."
    )
    assert read_all(xlsx({"Initiatives": rows[:4]}))["Initiatives"][-1].number == 4


def test_formatted_blank_rows_do_not_count_towards_the_limit(settings):
    """A sheet whose dimension runs past the limit only because of blank rows is counted."""
    settings.IMPORT_MAX_ROWS = 3
    rows = [*GOOD_INITIATIVES, *[[None, None, None, None]] * 10, ["", "Last", "1/4/2025", ""]]
    book = xlsx({"Initiatives": rows})
    book = rezipped(
        book,
        replace={
            "xl/worksheets/sheet1.xml": lambda xml: xml.replace(
                b"</sheetData>", b'<row r="40"><c r="A40" s="0"/></row></sheetData>'
            ).replace(b'ref="A1:D13"', b'ref="A1:D40"')
        },
    )
    assert [row.number for row in read_all(book)["Initiatives"]] == [2, 13]


def test_too_many_rows_in_a_csv_file_are_refused(settings):
    settings.IMPORT_MAX_ROWS = 2
    upload = csv_upload("Name,Start date,Status\nA,1/4/2025,\nB,,\nC,,\n")
    assert refusal(upload, [INITIATIVES]) == (
        "The Initiatives sheet of import.csv has more than 2 rows. Split it into smaller files."
    )


def test_missing_and_unexpected_headers_are_named_with_the_expected_ones():
    upload = xlsx({"Initiatives": [["Name", "Starts", "Status", "Colour"], ["A", "", "", ""]]})
    assert refusal(upload) == (
        "The header row of the Initiatives sheet of import.xlsx is missing the columns "
        "Start date and has columns we do not know: Starts, Colour. The columns should be: "
        "Reference, Name, Start date, Status. Download the template to see them."
    )


def test_a_csv_file_with_missing_headers_says_which():
    message = refusal(csv_upload("Reference,Amount\nI-1,5\n"), [TARGETS])
    assert message.startswith(
        "The header row of import.csv is missing the columns Financial year. "
    )


def test_a_csv_file_that_is_no_kind_of_import_is_refused():
    message = refusal(csv_upload("Colour,Size\nred,4\n"))
    assert message == (
        "The header row of import.csv is not that of Initiatives or Targets. Download the "
        "template to see the columns each one needs."
    )


def test_a_workbook_without_any_expected_sheet_is_refused():
    message = refusal(xlsx({"Sheet1": [["Name"]], "Sheet2": [["Name"]]}))
    assert message.startswith("import.xlsx has none of the sheets Initiatives, Targets.")


def test_a_macro_enabled_workbook_is_refused():
    macro = rezipped(
        xlsx({"Initiatives": GOOD_INITIATIVES}, name="tracker.xlsm"),
        add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros"},
    )
    assert refusal(macro).startswith("tracker.xlsm is a macro-enabled workbook")
    by_type = rezipped(
        xlsx({"Initiatives": GOOD_INITIATIVES}),
        replace={
            "[Content_Types].xml": lambda xml: xml.replace(
                b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml"
            )
        },
    )
    assert "macro-enabled" in refusal(by_type)


def ole_file(*stream_names):
    """The start of a compound (OLE) file, the container of old .xls files and of every
    password-protected Office file, with directory entries of the streams named."""
    directory = b"".join(name.encode("utf-16-le").ljust(128, b"\0") for name in stream_names)
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + directory


def test_a_password_protected_workbook_is_refused():
    """Made by hand: msoffcrypto-tool is not a dependency. The kit was also checked against a
    workbook it encrypted (an OLE file holding EncryptionInfo and EncryptedPackage)."""
    upload = SimpleUploadedFile("secret.xlsx", ole_file("EncryptionInfo", "EncryptedPackage"))
    assert refusal(upload).startswith("secret.xlsx is protected by a password.")


def test_an_old_xls_workbook_is_refused_with_what_to_do():
    upload = SimpleUploadedFile("old.xls", ole_file("Workbook", "SummaryInformation"))
    assert refusal(upload).startswith("old.xls is an old Excel 97–2003 workbook (.xls).")


def test_a_csv_file_in_neither_utf8_nor_windows_1252_is_refused():
    upload = SimpleUploadedFile("import.csv", b"Name\n\x81\x8d\x8f\x90\n")
    assert refusal(upload, [INITIATIVES]).startswith("import.csv is not a spreadsheet.")


# --- workbooks read correctly -----------------------------------------------------------------


def test_a_workbook_yields_each_sheet_with_its_header_and_numbered_typed_rows():
    upload = xlsx(
        {
            "Guidance": [["How to fill this in"]],
            "initiatives": [  # sheet names and headers match whatever their case and spacing
                ["  NAME ", "start   date", "Status", "reference"],
                ["  Shared legal service  ", date(2025, 4, 1), "in delivery", 17],
                [None, None, None, None],
                ["Joint fleet", "1 April 2025", "PROPOSED", "  "],
            ],
            "Targets": [
                ["Reference", "Financial year", "Amount"],
                ["I-1", "2025/26", "£1,200.50"],
            ],
        }
    )
    readings = read_workbook(upload, name=upload.name, sheets=KINDS)
    assert [reading.name for reading in readings] == ["Initiatives", "Targets"]
    assert readings[0].header == ["Name", "Start date", "Status", "Reference"]
    first, second = readings[0].rows
    assert (first.sheet, first.number, first.errors) == ("Initiatives", 2, [])
    assert first.values == {
        "Name": "Shared legal service",
        "Start date": date(2025, 4, 1),
        "Status": "in_delivery",
        "Reference": 17,
    }
    assert second.number == 4  # the blank row is skipped, and Excel's numbering kept
    assert second.values["Reference"] is None
    assert second.values["Status"] == "proposed"
    (target,) = readings[1].rows
    assert target.values == {
        "Reference": "I-1",
        "Financial year": 2025,
        "Amount": Decimal("1200.50"),
    }


def test_cell_errors_name_sheet_row_and_column_and_reading_goes_on():
    upload = xlsx(
        {
            "Initiatives": [
                *GOOD_INITIATIVES,
                ["I-2", "Bad one", "next Tuesday", "Abandoned"],
                ["I-3", "Good one", "2025-04-01", "Proposed"],
            ]
        }
    )
    rows = read_all(upload)["Initiatives"]
    assert [str(error) for error in rows[1].errors] == [
        "sheet Initiatives, row 3, column Start date: must be a date, like 1/4/2025 or "
        "1 April 2025",
        "sheet Initiatives, row 3, column Status: must be one of: Proposed, In delivery",
    ]
    assert rows[1].values["Start date"] is None
    assert rows[2].errors == []


def with_formula_values(upload, cached):
    """The workbook with the <v> Excel saves for each formula cell, {coordinate: value}
    (openpyxl writes formulas but cannot compute them)."""

    def fill(xml):
        for coordinate, value in cached.items():
            xml = xml.replace(
                f'<c r="{coordinate}"'.encode(),
                f'<c r="{coordinate}"{value[0]}'.encode(),
            )
            start = xml.find(f'<c r="{coordinate}"'.encode())
            empty = xml.find(b"<v />", start)
            xml = xml[:empty] + f"<v>{value[1]}</v>".encode() + xml[empty + 5 :]
        return xml

    return rezipped(upload, replace={"xl/worksheets/sheet1.xml": fill})


def test_formulas_are_read_as_the_values_excel_saved():
    upload = xlsx(
        {
            "Targets": [
                ["Reference", "Financial year", "Amount"],
                ['=CONCAT("I-", 1)', "=2024+1", "=1000*1.2"],
            ]
        }
    )
    upload = with_formula_values(
        upload, {"A2": (' t="str"', "I-1"), "B2": ("", "2025"), "C2": ("", "1200")}
    )
    (row,) = read_all(upload)["Targets"]
    assert row.errors == []
    assert row.values == {"Reference": "I-1", "Financial year": 2025, "Amount": Decimal("1200.00")}


def test_a_formula_without_a_saved_value_is_an_error_for_its_cell():
    upload = xlsx({"Targets": [["Reference", "Financial year", "Amount"], ["I-1", 2025, "=B2*2"]]})
    (row,) = read_all(upload)["Targets"]
    assert [str(error) for error in row.errors] == [
        "sheet Targets, row 2, column Amount: has a formula with no saved value: open the file "
        "in Excel and save it"
    ]


def test_a_cell_showing_an_excel_error_is_an_error_for_its_cell():
    upload = xlsx({"Targets": [["Reference", "Financial year", "Amount"], ["I-1", 2025, "=1/0"]]})
    upload = with_formula_values(upload, {"C2": (' t="e"', "#DIV/0!")})
    (row,) = read_all(upload)["Targets"]
    assert [error.message for error in row.errors] == [
        "shows the Excel error #DIV/0!: correct the formula"
    ]


def test_dates_in_every_form_a_workbook_holds_them():
    rows = [
        ["Name", "Start date", "Status"],
        ["date cell", date(2025, 4, 1), ""],
        ["datetime cell", datetime(2025, 4, 1, 0, 0), ""],
        ["serial number", 45748, ""],
        ["iso text", "2025-04-01", ""],
        ["day first", "01/04/2025", ""],
        ["short year", "1/4/25", ""],
        ["month name", "1 April 2025", ""],
        ["excel short", "1-Apr-2025", ""],
    ]
    got = {
        row.values["Name"]: row.values["Start date"]
        for row in read_all(xlsx({"Initiatives": rows}))["Initiatives"]
    }
    assert set(got.values()) == {date(2025, 4, 1)}
    assert len(got) == 8


def test_an_exported_file_reads_back_as_it_was_written():
    """Our exports put an apostrophe before text a spreadsheet would run; the import takes it
    off, so that a round trip changes nothing."""
    name = "=SUM(A1) and -5 are names too"
    upload = csv_upload(f"Name,Start date,Status\n{spreadsheet_safe(name)},,\n")
    assert read_all(upload, [INITIATIVES])["Initiatives"][0].values["Name"] == name


# --- CSV files read correctly -----------------------------------------------------------------


def test_a_csv_file_in_utf8_with_a_byte_order_mark_is_one_kind_of_row():
    upload = csv_upload(
        '\ufeffReference,Financial year,Amount\r\nI-1,2025-26,"£1,200"\r\n,,\r\n'
        '"I-2\nline two",2025 to 2026,(1 200.50)\r\nI-3,2025,-5\r\n'
    )
    rows = read_all(upload)["Targets"]
    assert [(row.number, row.values["Amount"]) for row in rows] == [
        (2, Decimal("1200.00")),
        (4, Decimal("-1200.50")),
        (5, Decimal("-5.00")),
    ]
    assert rows[1].values["Reference"] == "I-2\nline two"
    assert {row.values["Financial year"] for row in rows} == {2025}


def test_a_csv_file_in_windows_1252_is_read():
    upload = csv_upload(
        "Name,Start date,Status\nCafé services,1/4/2025,Proposed\n", encoding="cp1252"
    )
    (row,) = read_all(upload, [INITIATIVES])["Initiatives"]
    assert row.values["Name"] == "Café services"


def test_a_csv_file_uploaded_to_a_temporary_file_is_read():
    upload = TemporaryUploadedFile("import.csv", "text/csv", 0, "utf-8")
    upload.write("Name,Start date,Status\nÉlan,1 Apr 2025,In delivery\n".encode())
    upload.size = upload.tell()
    (row,) = read_all(upload, [INITIATIVES])["Initiatives"]
    assert row.values == {"Name": "Élan", "Start date": date(2025, 4, 1), "Status": "in_delivery"}
    upload.close()


# --- memory: rows are streamed ----------------------------------------------------------------


def test_fifty_thousand_rows_are_read_one_at_a_time():
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Targets")
    sheet.append(["Reference", "Financial year", "Amount"])
    for number in range(50_000):
        sheet.append([f"I-{number}", 2025, number])
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("big.xlsx", data.getvalue())
    (reading,) = read_workbook(upload, name="big.xlsx", sheets=KINDS)
    assert inspect.isgenerator(reading.rows)
    count, last = 0, None
    for row in reading.rows:
        count, last = count + 1, row
    assert count == 50_000
    assert last.number == 50_001
    assert last.values == {
        "Reference": "I-49999",
        "Financial year": 2025,
        "Amount": Decimal("49999.00"),
    }


def _peak_reading(rows):
    """Python's peak allocations while reading a workbook of `rows` rows of distinct text."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Targets")
    sheet.append(["Reference", "Financial year", "Amount"])
    for number in range(rows):
        sheet.append([f"A distinct reference of some length {number}", 2025, number])
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("big.xlsx", data.getvalue())
    gc.collect()  # what earlier tests left for the collector is not this reading's
    tracemalloc.start()
    try:
        (reading,) = read_workbook(upload, name="big.xlsx", sheets=KINDS)
        assert sum(1 for _ in reading.rows) == rows
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_reading_fifty_thousand_rows_takes_the_memory_of_five_thousand():
    """Excel keeps every distinct text in one table read before the first row (kept on disk
    here), and a sheet's rows are dropped from the parsed tree once read: memory does not grow
    with the file."""
    _peak_reading(500)  # modules and caches, loaded once
    assert _peak_reading(50_000) / _peak_reading(5_000) < 1.3


# --- per-cell parsers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        date(2025, 4, 1),
        datetime(2025, 4, 1, 9, 30),
        45748,
        45748.0,
        "2025-04-01",
        "01/04/2025",
        "1/4/2025",
        "1/4/25",
        "01-04-2025",
        "1.4.2025",
        "1 April 2025",
        "1 Apr 2025",
        "1-Apr-2025",
        "01-Apr-25",
        "  1   April 2025 ",
        "2025-04-01 00:00:00",
        "2025-04-01 09:30",
    ],
)
def test_parse_date_reads_every_form_excel_produces(value):
    assert parse_date(value) == date(2025, 4, 1)


@pytest.mark.parametrize(
    "value", ["31/02/2025", "April", "2025", "4/1/2025 pm", True, -3, "1/4/0025"]
)
def test_parse_date_refuses_what_is_not_a_date(value):
    with pytest.raises(CellError, match="must be a date"):
        parse_date(value)


@hypothesis_settings(max_examples=50, deadline=None)
@given(
    day=st.dates(min_value=date(1900, 3, 1), max_value=date(2199, 12, 31)),
    form=st.sampled_from(["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d %B %Y", "%d-%b-%Y", "serial"]),
)
def test_parse_date_reads_back_any_date_written_in_any_form(day, form):
    if form == "serial":
        value = (day - date(1899, 12, 30)).days
    elif form == "%d/%m/%y" and not 1969 <= day.year <= 2068:
        value = day.strftime("%d/%m/%Y")  # two-digit years mean 1969 to 2068
    else:
        value = day.strftime(form)
    assert parse_date(value) == day


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("£1,200.50", "1200.50"),
        ("1200", "1200.00"),
        ("1 200", "1200.00"),
        ("£ 1,234,567.8", "1234567.80"),
        ("(1,200.50)", "-1200.50"),
        ("(£1,200.50)", "-1200.50"),
        ("-£5", "-5.00"),
        ("£-5", "-5.00"),
        ("−5", "-5.00"),
        (1200, "1200.00"),
        (1200.505, "1200.51"),
        (Decimal("7.1"), "7.10"),
        (0, "0.00"),
    ],
)
def test_parse_amount_reads_pounds_as_people_write_them(value, expected):
    assert parse_amount(value) == Decimal(expected)


@pytest.mark.parametrize(
    "value", ["twelve", "£", "1,20", "12,34.5", "$5", "(-5)", "1.2.3", "1.234", True, float("nan")]
)
def test_parse_amount_refuses_anything_else(value):
    with pytest.raises(CellError):
        parse_amount(value)


@hypothesis_settings(max_examples=50, deadline=None)
@given(
    amount=st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False),
    pound_sign=st.booleans(),
    brackets=st.booleans(),
)
def test_parse_amount_reads_back_any_amount_written_with_pounds_and_commas(
    amount, pound_sign, brackets
):
    written = ("£" if pound_sign else "") + f"{abs(amount):,.2f}"
    if amount < 0:
        written = f"({written})" if brackets else "-" + written
    assert parse_amount(written) == amount


def test_parse_choice_matches_a_label_or_a_code_whatever_its_case():
    assert parse_choice("In Delivery", STATUSES) == "in_delivery"
    assert parse_choice(" IN_DELIVERY ", STATUSES) == "in_delivery"
    assert parse_choice("proposed", STATUSES) == "proposed"
    with pytest.raises(CellError) as wrong:
        parse_choice("Done", STATUSES)
    assert wrong.value.message == "must be one of: Proposed, In delivery"


def test_parse_choice_takes_a_django_choices_class():
    from django.db import models

    class Kind(models.TextChoices):
        CASHABLE = "cashable", "Cashable saving"

    assert parse_choice("cashable saving", Kind) == "cashable"


@pytest.mark.parametrize(
    "value", ["2025/26", "2025-26", "2025 to 2026", "2025/2026", "2025", 2025, 2025.0, "FY2025/26"]
)
def test_parse_financial_year_reads_every_way_of_writing_one(value):
    assert parse_financial_year(value) == 2025


@pytest.mark.parametrize("value", ["2025/27", "25/26", "next year", "2025 to 2025", True, 12])
def test_parse_financial_year_refuses_anything_else(value):
    with pytest.raises(CellError, match="must be"):
        parse_financial_year(value)
