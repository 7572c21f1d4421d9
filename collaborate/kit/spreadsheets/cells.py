"""Per-cell parsers of the spreadsheet reading kit: each takes a cell's value (never None) and
returns it typed or raises CellError with a message for the person who filled the cell in."""

import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


class CellError(ValueError):
    """A value that a parser cannot read. Raised by the parsers with only `message`; the reader
    fills in where it is."""

    def __init__(self, message, *, sheet=None, row=None, column=None):
        super().__init__(message)
        self.message = message
        self.sheet, self.row, self.column = sheet, row, column

    def __str__(self):
        where = [
            f"sheet {self.sheet}" if self.sheet else "",
            f"row {self.row}" if self.row else "",
            f"column {self.column}" if self.column else "",
        ]
        place = ", ".join(part for part in where if part)
        return f"{place}: {self.message}" if place else self.message


def normal(header):
    """Headers match whatever their case and spacing."""
    return " ".join(str(header or "").split()).casefold()


def parse_text(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# Two-digit years before four-digit ones: %Y would read the 25 of 1/4/25 as the year 25.
DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%y",
    "%d/%m/%Y",
    "%d-%m-%y",
    "%d-%m-%Y",
    "%d.%m.%y",
    "%d.%m.%Y",
    "%d %B %y",
    "%d %B %Y",
    "%d %b %y",
    "%d %b %Y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d-%B-%Y",
    "%Y-%m-%d %H:%M:%S",  # the forms our CSV downloads write dates and times in
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)
EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1 January 1900 (Excel's 1900 leap-year bug)
DATE_HELP = "must be a date, like 1/4/2025 or 1 April 2025"


def parse_date(value):
    """A date from a date cell, an Excel serial number, or text in day-month-year order."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise CellError(DATE_HELP)
    if isinstance(value, int | float):
        if not 1 <= value < 2958466:  # 1 January 1900 to 31 December 9999
            raise CellError(DATE_HELP)
        return EXCEL_EPOCH + timedelta(days=int(value))
    text = " ".join(str(value).split()).replace(",", "")
    for pattern in DATE_FORMATS:
        try:
            day = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if day.year >= 1900:
            return day
    raise CellError(DATE_HELP)


AMOUNT_HELP = "must be an amount in pounds, like 1200, £1,200.50 or (1,200.50) for a negative one"
AMOUNT_TEXT = re.compile(r"(?P<sign>-?)£?(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?P<pence>\.\d+)?")
MINUSES = str.maketrans({"−": "-", "–": "-"})


def parse_amount(value, *, places=2):
    """A Decimal from a number or from text with £, thousands separators and spaces; negative
    with a minus sign or in brackets. Numbers are rounded to pence (Excel shows them rounded);
    text with more decimal places than that is an error."""
    quantum = Decimal(1).scaleb(-places)
    if isinstance(value, bool):
        raise CellError(AMOUNT_HELP)
    if isinstance(value, int | float | Decimal):
        amount = Decimal(str(value))
        if not amount.is_finite():
            raise CellError(AMOUNT_HELP)
        return amount.quantize(quantum, rounding=ROUND_HALF_UP)
    text = "".join(str(value).split()).translate(MINUSES)
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    if text.startswith("£-"):
        text = "-£" + text[2:]
    match = AMOUNT_TEXT.fullmatch(text)
    if not match or (negative and match["sign"]):
        raise CellError(AMOUNT_HELP)
    if match["pence"] and len(match["pence"]) - 1 > places:
        raise CellError(f"must be in pounds and pence, with at most {places} decimal places")
    try:
        amount = Decimal(match["digits"].replace(",", "") + (match["pence"] or ""))
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only digits
        raise CellError(AMOUNT_HELP) from error
    if negative or match["sign"]:
        amount = -amount
    return amount.quantize(quantum)


def parse_choice(value, choices):
    """The code of the choice whose code or label the value is, whatever its case and spacing.
    `choices` is a Django choices class or (code, label) pairs."""
    pairs = list(getattr(choices, "choices", choices))
    wanted = normal(value)
    for code, label in pairs:
        if wanted in (normal(code), normal(label)):
            return code
    raise CellError("must be one of: " + ", ".join(str(label) for _, label in pairs))


FINANCIAL_YEAR = re.compile(r"(?:fy)?(\d{4})(?:(?:/|-|to)(\d{2}|\d{4}))?")
YEAR_HELP = "must be a financial year, like 2025/26"


def parse_financial_year(value):
    """The starting year of a financial year written 2025/26, 2025-26, 2025 to 2026 or 2025."""
    if isinstance(value, bool):
        raise CellError(YEAR_HELP)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    match = FINANCIAL_YEAR.fullmatch("".join(str(value).split()).casefold())
    if not match:
        raise CellError(YEAR_HELP)
    start = int(match[1])
    end = match[2]
    if end is not None and int(end) not in (start + 1, (start + 1) % 100):
        raise CellError(f"must be two years in a row, like {start}/{(start + 1) % 100:02d}")
    if not 1900 < start < 2200:
        raise CellError(YEAR_HELP)
    return start
