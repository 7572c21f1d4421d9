"""Reading a whole file for the spreadsheet reading kit: see the package's docstring."""

import codecs
import csv
import io
import struct
import tempfile
import weakref
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from openpyxl.cell.text import Text
from openpyxl.reader.excel import SHARED_STRINGS as SHARED_STRINGS_TYPE
from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import DIMENSION_TAG, FORMULA_TAG, ROW_TAG, WorkSheetParser
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from collaborate.kit.exports import FORMULA_STARTS
from collaborate.kit.spreadsheets.cells import CellError, normal

MB = 1024 * 1024
MAX_EXPANDED_SIZE = 200 * MB  # everything inside an Excel file, uncompressed
MAX_RATIO = 100  # uncompressed ÷ compressed size of any part bigger than RATIO_FLOOR
RATIO_FLOOR = 1 * MB
MAX_PARTS = 10_000
CHUNK = 64 * 1024

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and every encrypted Office file
MACRO_TYPE = b"macroEnabled"
SHEET_DATA_TAG = f"{{{SHEET_MAIN_NS}}}sheetData"
DOCTYPE = b"<!DOCTYPE"  # Excel never writes one: its entities are how XML bombs expand
NO_SAVED_VALUE = "has a formula with no saved value: open the file in Excel and save it"

RETRY = "Save it from Excel as an Excel workbook (.xlsx) or as CSV (UTF-8) and upload it again."


class SpreadsheetRefused(Exception):
    """The whole file is refused; `message` is for the error summary."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Column:
    """A column the caller expects: its header, the parser that types its cells (a callable
    taking the cell's value, never None, and returning the typed value or raising CellError)
    and whether the header may be absent."""

    header: str
    parse: object = None
    optional: bool = False


@dataclass(frozen=True)
class Sheet:
    """A kind of row: the sheet's name in a workbook and its columns."""

    name: str
    columns: list

    def column(self, header):
        return {normal(column.header): column for column in self.columns}.get(normal(header))


@dataclass
class Row:
    sheet: str
    number: int  # the spreadsheet's own row number, as Excel shows it
    values: dict  # header (as the caller spelled it) -> typed value or None
    errors: list = field(default_factory=list)  # CellError, in column order
    raw: dict = field(default_factory=dict)  # header -> the cell as read, for non-blank cells


@dataclass
class SheetReading:
    name: str  # the Sheet's name
    header: list  # the caller's headers, in the file's column order
    rows: object  # a generator of Row


# --- the file as a whole -----------------------------------------------------------------------


def read_workbook(file, *, name, sheets):
    """Check `file` (an UploadedFile or a binary file object that can seek) and return the
    sheets of `sheets` it holds, in the order given, as SheetReadings whose rows are read one at
    a time. A CSV file is the one Sheet whose headers it has. Raises SpreadsheetRefused."""
    size = _size_of(file)
    limit = settings.IMPORT_UPLOAD_MAX_SIZE
    if size > limit:
        raise SpreadsheetRefused(
            f"{name} is larger than {limit // MB} MB. Split it into smaller files."
        )
    if size == 0:
        raise SpreadsheetRefused(f"{name} is empty.")
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    if head.startswith(ZIP_MAGIC):
        return _Workbook(file, name, sheets).readings()
    if head.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in _read_some(file, 1 * MB):
            raise SpreadsheetRefused(
                f"{name} is protected by a password. Remove the password in Excel "
                "(File, Info, Protect Workbook) and upload it again."
            )
        raise SpreadsheetRefused(f"{name} is an old Excel 97–2003 workbook (.xls). {RETRY}")
    if (
        not _is_text(head)
        or head.startswith(b"%PDF-")
        or name.lower().endswith((".xlsx", ".xlsm", ".xls"))
    ):
        raise SpreadsheetRefused(f"{name} is not a spreadsheet. {RETRY}")
    return _CsvFile(file, name, sheets).readings()


CONTROL = {chr(code) for code in range(32)} - set("\t\n\v\f\r")


def _is_text(head):
    """Whether the start of a file is text that a CSV file could hold: UTF-8 or Windows-1252
    without control characters. (Magic numbers do not decide it: a CSV file whose first header
    starts BM or ID3 would pass for a picture or a song.)"""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(head)
        except UnicodeDecodeError:
            continue
        return not CONTROL.intersection(text)
    return False


def _size_of(file):
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    return size


def _read_some(file, limit):
    file.seek(0)
    data = file.read(limit)
    file.seek(0)
    return data


def _too_many_rows(name, sheet):
    return SpreadsheetRefused(
        f"The {sheet} sheet of {name} has more than {settings.IMPORT_MAX_ROWS:,} rows. "
        "Split it into smaller files."
    )


def _cell_value(value):
    """Text trimmed, blank as None, and the apostrophe our exports put before formula-looking
    text taken off again."""
    if isinstance(value, ExcelError):
        return value
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("'") and value[1:2] and value[1] in FORMULA_STARTS:
            value = value[1:]
        return value or None
    return value


def _check_header(name, sheet, cells):
    """The caller's headers by the file's column index; refuses missing or unexpected ones."""
    by_index, unexpected, seen = {}, [], set()
    for index, cell in enumerate(cells):
        if cell is None or str(cell).strip() == "":
            continue
        column = sheet.column(cell)
        if column is None or column.header in seen:
            unexpected.append(" ".join(str(cell).split()))
            continue
        seen.add(column.header)
        by_index[index] = column
    missing = [c.header for c in sheet.columns if c.header not in seen and not c.optional]
    if missing or unexpected:
        where = f"the {sheet.name} sheet of {name}" if sheet.name else name
        problems = []
        if missing:
            problems.append("is missing the columns " + ", ".join(missing))
        if unexpected:
            problems.append("has columns we do not know: " + ", ".join(unexpected))
        expected = ", ".join(column.header for column in sheet.columns)
        raise SpreadsheetRefused(
            f"The header row of {where} {' and '.join(problems)}. The columns should be: "
            f"{expected}. Download the template to see them."
        )
    return by_index


def _row_of(sheet, number, by_index, cells):
    """A Row, or None for a blank one. `cells` are raw values; NO_SAVED_VALUE and ExcelError
    mark cells that cannot be read whatever their column."""
    values = {column.header: None for column in by_index.values()}
    row = Row(sheet=sheet.name, number=number, values=values)
    blank = True
    for index, column in by_index.items():
        value = _cell_value(cells[index]) if index < len(cells) else None
        if value is None:
            continue
        blank = False
        row.raw[column.header] = None if value is _NoSavedValue else value
        try:
            if value is _NoSavedValue:
                raise CellError(NO_SAVED_VALUE)
            if isinstance(value, ExcelError):
                raise CellError(f"shows the Excel error {value}: correct the formula")
            values[column.header] = column.parse(value) if column.parse else value
        except CellError as error:
            row.errors.append(
                CellError(error.message, sheet=sheet.name, row=number, column=column.header)
            )
    return None if blank else row


class _NoSavedValue:
    """The value of a formula cell that Excel never saved a result for."""


class ExcelError(str):
    """The value of a cell showing an error, #DIV/0! or #REF!"""


class _ValuesParser(WorkSheetParser):
    """openpyxl's own sheet parser with the values Excel saved for formulas, telling a formula
    that has none (read as None, like a blank cell) and error cells from text; it reads only the
    rows, and drops each from the tree once read."""

    def parse(self):
        """(row number, cells) for each row. openpyxl's own parse clears a row once read but
        leaves it in the tree: one empty element a row, which for 50,000 rows is memory that
        grows with the file. Here the rows read are taken out of the sheet's data."""
        sheet_data = None
        for event, element in iterparse(self.source, events=("start", "end")):
            if event == "start":
                if element.tag == SHEET_DATA_TAG:
                    sheet_data = element
            elif element.tag == ROW_TAG:
                row = self.parse_row(element)
                if sheet_data is not None:
                    sheet_data.clear()
                else:
                    element.clear()
                yield row

    def parse_cell(self, element):
        cell = super().parse_cell(element)
        if cell["value"] is None and element.find(FORMULA_TAG) is not None:
            cell["value"] = _NoSavedValue
        elif cell["data_type"] == "e":
            cell["value"] = ExcelError(cell["value"])
        return cell


class _SpilledStrings(Sequence):
    """A workbook's shared strings table, kept in a temporary file rather than in memory. Excel
    stores every distinct text of a workbook once, in one table that is read before any row,
    so held as a list (as openpyxl holds it) it grows with the file: a 50,000-row import of
    titles and references would hold every one of them while reading the first row."""

    ENTRY = struct.Struct("<QI")  # where a string starts in the data file, and its length

    def __init__(self):
        # Closed (and so deleted) when the table is no longer referenced: with the workbook.
        self.data = tempfile.TemporaryFile()  # noqa: SIM115
        self.index = tempfile.TemporaryFile()  # noqa: SIM115
        weakref.finalize(self, _close, self.data, self.index)
        self.count = 0
        self.item = lru_cache(maxsize=512)(self._read)  # choices repeat on every row

    def append(self, text):
        encoded = text.encode("utf-8", "surrogatepass")
        self.data.seek(0, io.SEEK_END)
        self.index.seek(0, io.SEEK_END)
        self.index.write(self.ENTRY.pack(self.data.tell(), len(encoded)))
        self.data.write(encoded)
        self.count += 1

    def __len__(self):
        return self.count

    def __getitem__(self, position):
        if not isinstance(position, int) or not 0 <= position < self.count:
            raise IndexError(position)
        return self.item(position)

    def _read(self, position):
        self.index.seek(position * self.ENTRY.size)
        start, length = self.ENTRY.unpack(self.index.read(self.ENTRY.size))
        self.data.seek(start)
        return self.data.read(length).decode("utf-8", "surrogatepass")


def _close(*files):
    for file in files:
        file.close()


class _Reader(ExcelReader):
    """openpyxl's reader in read-only mode, with the shared strings spilled to disk (read as
    openpyxl's read_string_table reads them)."""

    def read_strings(self):
        self.shared_strings = _SpilledStrings()
        part = self.package.find(SHARED_STRINGS_TYPE)
        if part is None:
            return
        tag, table = f"{{{SHEET_MAIN_NS}}}si", None
        with self.archive.open(part.PartName[1:]) as source:
            for event, node in iterparse(source, events=("start", "end")):
                if event == "start":
                    table = table if table is not None else node  # <sst>, the first element
                elif node.tag == tag:
                    self.shared_strings.append(Text.from_tree(node).content.replace("x005F_", ""))
                    table.clear()  # each string out of the tree once kept, as rows are

    def read_worksheets(self):
        """The workbook's worksheets, read-only (charts and the rest an import never reads are
        left out)."""
        for sheet, relation in self.parser.find_sheets():
            if relation.target in self.valid_files and "chartsheet" not in relation.Type:
                worksheet = _Worksheet(self.wb, sheet.name, relation.target, self.shared_strings)
                worksheet.sheet_state = sheet.state
                self.wb._sheets.append(worksheet)


class _Worksheet(ReadOnlyWorksheet):
    def _get_size(self):
        """The sheet's declared size, from its <dimension>, which comes before its rows. When
        there is none, openpyxl parses the whole sheet into memory looking for it; here the
        reading stops where the rows start (and the kit counts them as it streams them)."""
        with self._get_source() as source:
            for event, element in iterparse(source, events=("start", "end")):
                if event == "start" and element.tag == SHEET_DATA_TAG:
                    return
                if event == "end" and element.tag == DIMENSION_TAG:
                    boundaries = SheetDimension.from_tree(element).boundaries
                    self._min_column, self._min_row, self._max_column, self._max_row = boundaries
                    return


def _load_workbook(file):
    reader = _Reader(file, read_only=True, data_only=True, keep_links=False)
    reader.read()
    return reader.wb


class _Workbook:
    def __init__(self, file, name, sheets):
        self.file, self.name, self.sheets = file, name, sheets

    def readings(self):
        self._check_archive()
        try:
            book = _load_workbook(self.file)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise SpreadsheetRefused(f"{self.name} could not be read. {RETRY}") from error
        titles = {normal(title): title for title in book.sheetnames}
        found = [(sheet, book[titles[normal(sheet.name)]]) for sheet in self.sheets
                 if normal(sheet.name) in titles]  # fmt: skip
        if not found:
            if len(self.sheets) == 1 and len(book.sheetnames) == 1:
                found = [(self.sheets[0], book[book.sheetnames[0]])]
            else:
                wanted = ", ".join(sheet.name for sheet in self.sheets)
                raise SpreadsheetRefused(
                    f"{self.name} has none of the sheets {wanted}. Download the template to "
                    "see how the workbook is laid out."
                )
        checked = []
        for sheet, worksheet in found:  # every header and count before any row
            rows = self._rows_of(worksheet)
            header = next(((n, cells) for n, cells in rows if any(_present(cells))), None)
            rows.close()
            by_index = _check_header(self.name, sheet, header[1] if header else [])
            self._count(sheet, worksheet, header[0] if header else 0)
            checked.append((sheet, worksheet, header[0] if header else 0, by_index))
        return [
            SheetReading(
                name=sheet.name,
                header=[column.header for column in by_index.values()],
                rows=self._data_rows(sheet, worksheet, after, by_index),
            )
            for sheet, worksheet, after, by_index in checked
        ]

    def _check_archive(self):
        """Refuse what is not a workbook, a macro-enabled one, and a zip bomb, before openpyxl
        opens it: the declared sizes first, then every part read through a cap, since a zip may
        declare sizes that are not the truth."""
        try:
            archive = zipfile.ZipFile(self.file)
        except (zipfile.BadZipFile, OSError) as error:
            raise SpreadsheetRefused(f"{self.name} is not a spreadsheet. {RETRY}") from error
        with archive:
            parts = archive.infolist()
            names = {part.filename for part in parts}
            if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
                raise SpreadsheetRefused(f"{self.name} is not an Excel workbook. {RETRY}")
            if "xl/vbaProject.bin" in names or MACRO_TYPE in archive.read("[Content_Types].xml"):
                raise SpreadsheetRefused(
                    f"{self.name} is a macro-enabled workbook, which we do not accept. {RETRY}"
                )
            declared = sum(part.file_size for part in parts)
            if (
                len(parts) > MAX_PARTS
                or declared > MAX_EXPANDED_SIZE
                or any(_ratio(part) > MAX_RATIO for part in parts)
            ):
                raise self._bomb()
            total = 0
            for part in parts:
                try:
                    with archive.open(part) as stream:
                        tail = b""
                        while chunk := stream.read(CHUNK):
                            total += len(chunk)
                            if total > MAX_EXPANDED_SIZE:
                                raise self._bomb()
                            if DOCTYPE in (tail + chunk).upper():
                                raise SpreadsheetRefused(
                                    f"{self.name} is not an Excel workbook. {RETRY}"
                                )
                            tail = chunk[-len(DOCTYPE) :]
                except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError,
                        RuntimeError) as error:  # fmt: skip
                    if "encrypted" in str(error):
                        raise SpreadsheetRefused(
                            f"{self.name} is protected by a password. Remove the password and "
                            "upload it again."
                        ) from error
                    raise SpreadsheetRefused(f"{self.name} is damaged. {RETRY}") from error
        self.file.seek(0)

    def _bomb(self):
        return SpreadsheetRefused(
            f"{self.name} expands to more than {MAX_EXPANDED_SIZE // MB} MB when opened, which "
            f"is more than a spreadsheet of {settings.IMPORT_MAX_ROWS:,} rows needs. {RETRY}"
        )

    def _rows_of(self, worksheet):
        """(row number, raw values) for each row the sheet's XML holds, streamed. XML that does
        not parse refuses the file, even after some rows were read."""
        try:
            yield from self._parsed_rows(worksheet)
        except Exception as error:
            raise SpreadsheetRefused(f"{self.name} is damaged. {RETRY}") from error

    def _parsed_rows(self, worksheet):
        book = worksheet.parent
        with worksheet._get_source() as source:
            parser = _ValuesParser(
                source,
                worksheet._shared_strings,
                data_only=True,
                epoch=book.epoch,
                date_formats=book._date_formats,
                timedelta_formats=book._timedelta_formats,
            )
            for number, cells in parser.parse():
                values = [None] * (max((cell["column"] for cell in cells), default=0))
                for cell in cells:
                    values[cell["column"] - 1] = cell["value"]
                yield number, values

    def _count(self, sheet, worksheet, header_number):
        """Refuses a sheet of too many rows: its dimension says how many when it is small
        enough, and otherwise the rows are counted (blank or formatted ones are not rows)."""
        limit = settings.IMPORT_MAX_ROWS
        if worksheet.max_row is not None and worksheet.max_row - header_number <= limit:
            return
        count = 0
        for number, cells in self._rows_of(worksheet):
            if number > header_number and any(_present(cells)):
                count += 1
                if count > limit:
                    raise _too_many_rows(self.name, sheet.name)

    def _data_rows(self, sheet, worksheet, after, by_index):
        count = 0
        for number, cells in self._rows_of(worksheet):
            if number <= after:
                continue
            row = _row_of(sheet, number, by_index, cells)
            if row is not None:
                count += 1
                if count > settings.IMPORT_MAX_ROWS:  # a dimension that was not the truth
                    raise _too_many_rows(self.name, sheet.name)
                yield row


def _ratio(part):
    if part.file_size <= RATIO_FLOOR:
        return 0
    return part.file_size / max(part.compress_size, 1)


def _present(cells):
    return (_cell_value(cell) is not None for cell in cells)


class _CsvFile:
    def __init__(self, file, name, sheets):
        self.file, self.name, self.sheets = file, name, sheets

    def readings(self):
        self.encoding = self._encoding()
        header, count = None, 0
        for number, cells in self._records():
            if not any(_present(cells)):
                continue
            if header is None:
                header = (number, cells)
                continue
            count += 1
        sheet = self._sheet_for(header[1] if header else [])
        if count > settings.IMPORT_MAX_ROWS:
            raise _too_many_rows(self.name, sheet.name)
        by_index = _check_header(self.name, Sheet("", sheet.columns), header[1] if header else [])
        return [
            SheetReading(
                name=sheet.name,
                header=[column.header for column in by_index.values()],
                rows=self._data_rows(sheet, header[0], by_index),
            )
        ]

    def _encoding(self):
        """UTF-8 (a byte-order mark or none) if the whole file decodes so, else Windows-1252."""
        for encoding in ("utf-8-sig", "cp1252"):
            decoder = codecs.getincrementaldecoder(encoding)()
            self.file.seek(0)
            try:
                while chunk := self.file.read(CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return encoding
        raise SpreadsheetRefused(f"{self.name} is not a spreadsheet. {RETRY}")

    def _records(self):
        """(line number of the record's first line, fields) for each CSV record, streamed."""
        self.file.seek(0)
        raw = getattr(self.file, "file", self.file)  # an UploadedFile's own file object
        text = io.TextIOWrapper(raw, encoding=self.encoding, newline="")
        try:
            reader = csv.reader(text)
            number = 0  # a record is a row, as Excel shows the file, whatever newlines it holds
            while True:
                number += 1
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    raise SpreadsheetRefused(
                        f"{self.name} could not be read as CSV at row {number}. {RETRY}"
                    ) from error
                yield number, cells
        finally:
            text.detach()

    def _sheet_for(self, header):
        """The one kind of row a CSV file holds: the Sheet all of whose required headers it
        has, or the only Sheet there is (whose header check then says what is wrong)."""
        if len(self.sheets) == 1:
            return self.sheets[0]
        present = {normal(cell) for cell in header}
        for sheet in self.sheets:
            required = {normal(c.header) for c in sheet.columns if not c.optional}
            if required <= present:
                return sheet
        kinds = " or ".join(sheet.name for sheet in self.sheets)
        raise SpreadsheetRefused(
            f"The header row of {self.name} is not that of {kinds}. Download the template to "
            "see the columns each one needs."
        )

    def _data_rows(self, sheet, after, by_index):
        for number, cells in self._records():
            if number <= after:
                continue
            row = _row_of(sheet, number, by_index, cells)
            if row is not None:
                yield row
