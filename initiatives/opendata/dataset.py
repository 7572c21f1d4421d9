"""The columns of the open dataset, each declared once: its name (the CSV's and workbook's
heading), its type, what it means and how its cell is read from an Entry. The CSV, the
workbook, the CSVW metadata and the page that explains the dataset all read them, so the
description always matches the file.

One row per published initiative, and the savings by financial year as a pair of columns per
year (`verified_cash_2025_26`, `verified_non_cash_2025_26`) for every year in which some
published initiative has verified savings: a data user can sum or chart a year as it is, with
no reshaping, and the CSVW metadata names every column there is. The JSON gives the same
figures as a list of years per initiative. The last five columns repeat values under the
headings of the LGA's Shared Services Map, so that its users find their fields."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from collaborate.kit.exports import DATE, MONEY, SECOND, Column
from initiatives import financial_years

TITLE = "Public register of council collaboration initiatives"
DESCRIPTION = (
    "Every initiative published on Collaborate's public register: collaborations between "
    "councils and their partners, who takes part (with ONS/GSS codes), how they work together, "
    "and the savings that the lead organisation has checked and verified, by financial year."
)
LICENCE_NAME = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
SEPARATOR = "; "  # between the items of a list in one CSV cell

# Types, by their CSVW (XML Schema) names.
STRING, INTEGER, DECIMAL, DATE_TYPE, DATETIME, URL = (
    "string",
    "integer",
    "decimal",
    "date",
    "dateTime",
    "anyURI",
)
TYPE_WORDS = {
    STRING: "Text",
    INTEGER: "Whole number",
    DECIMAL: "Number (pounds, two decimal places)",
    DATE_TYPE: "Date (YYYY-MM-DD)",
    DATETIME: "Date and time (ISO 8601, UTC)",
    URL: "Web address",
}
LIST_WORDS = "Text: a list, items separated by “; ”"


@dataclass(frozen=True)
class Field:
    name: str
    datatype: str
    description: str
    cell: Callable  # Entry → a value (a list for a list column)
    is_list: bool = False

    @property
    def type_words(self):
        return LIST_WORDS if self.is_list else TYPE_WORDS[self.datatype]


def _money(attribute):
    """A total from the computed figures, empty (not zero) for an initiative never computed."""

    def cell(entry):
        return getattr(entry.progress, attribute) if entry.progress else None

    return cell


def _in_year(financial_year, attribute):
    def cell(entry):
        if entry.progress is None:
            return None
        year = entry.year(financial_year)
        return getattr(year, attribute) if year else Decimal("0.00")

    return cell


def year_suffix(financial_year):
    """2025 → "2025_26", for the columns of the financial year 2025/26."""
    return financial_years.label(financial_year).replace("/", "_")


def _year_fields(years):
    for year in years:
        label = financial_years.label(year)
        yield Field(
            f"verified_cash_{year_suffix(year)}",
            DECIMAL,
            f"Verified cash-releasing savings in the financial year {label} (April to March), "
            "in pounds; 0.00 when none.",
            _in_year(year, "cash"),
        )
        yield Field(
            f"verified_non_cash_{year_suffix(year)}",
            DECIMAL,
            f"Verified non-cash-releasing savings in the financial year {label}, in pounds; "
            "0.00 when none.",
            _in_year(year, "non_cash"),
        )


def _total(entry):
    return entry.progress.verified if entry.progress else None


def _updated_at(entry):
    return entry.progress.computed_at if entry.progress else None


def fields(years, url_of):
    """The dataset's columns, in order, for these financial years (`selectors.financial_years`);
    `url_of(reference)` is the absolute address of an initiative's register page."""
    return [
        Field(
            "reference",
            STRING,
            "The register's reference for the initiative, unique and never reused "
            "(for example INI-2026-0001).",
            lambda e: e.initiative.reference,
        ),
        Field("title", STRING, "The initiative's name.", lambda e: e.initiative.title),
        Field(
            "summary",
            STRING,
            "What the initiative does, in its lead's words; may be empty.",
            lambda e: e.initiative.summary,
        ),
        Field(
            "lead_organisation",
            STRING,
            "The organisation that leads the initiative and chose to publish it.",
            lambda e: e.initiative.lead.name,
        ),
        Field(
            "lead_organisation_gss_code",
            STRING,
            "The lead's nine-character ONS/GSS code (for example E08000035); empty if it has none.",
            lambda e: e.initiative.lead.gss_code or "",
        ),
        Field(
            "partner_names",
            STRING,
            "Every organisation taking part now, the lead included, the largest share of the "
            "savings first.",
            lambda e: [p.name for p in e.partners],
            is_list=True,
        ),
        Field(
            "partner_gss_codes",
            STRING,
            "The ONS/GSS code of each organisation in partner_names, in the same order; an "
            "empty item for one with no code.",
            lambda e: [p.gss_code for p in e.partners],
            is_list=True,
        ),
        Field(
            "collaboration_model",
            STRING,
            "How the partners work together (for example Shared service).",
            lambda e: e.initiative.get_collaboration_model_display(),
        ),
        Field(
            "service_area",
            STRING,
            "The council service the initiative is about (for example Revenues and benefits).",
            lambda e: e.initiative.get_service_area_display(),
        ),
        Field(
            "governance",
            STRING,
            "How the initiative is governed (for example Joint committee).",
            lambda e: e.initiative.get_governance_display(),
        ),
        Field(
            "regions",
            STRING,
            "The regions of the partners (an English region, Scotland, Wales or Northern "
            "Ireland), each once.",
            lambda e: e.regions,
            is_list=True,
        ),
        Field(
            "status",
            STRING,
            "Where the initiative is: Proposed, In design, Implementing, Live, Paused, Closed "
            "or Stopped.",
            lambda e: e.initiative.get_status_display(),
        ),
        Field("start_date", DATE_TYPE, "When it started.", lambda e: e.initiative.start_date),
        Field(
            "start_year",
            INTEGER,
            "The calendar year it started.",
            lambda e: e.initiative.start_date.year,
        ),
        Field(
            "planned_end_date",
            DATE_TYPE,
            "When it is planned to end; empty if no end is planned.",
            lambda e: e.initiative.planned_end_date,
        ),
        Field(
            "verified_savings_to_date",
            DECIMAL,
            "Every saving verified so far, in pounds, net of the costs of making it: "
            "cash-releasing and non-cash-releasing together. Empty if the figures were never "
            "calculated.",
            _total,
        ),
        Field(
            "verified_cash_releasing_to_date",
            DECIMAL,
            "The cash-releasing part of verified_savings_to_date, in pounds.",
            _money("verified_cash"),
        ),
        Field(
            "verified_non_cash_releasing_to_date",
            DECIMAL,
            "The non-cash-releasing part of verified_savings_to_date, in pounds.",
            _money("verified_non_cash"),
        ),
        *_year_fields(years),
        Field(
            "figures_updated_at",
            DATETIME,
            "When the savings figures were last calculated from the verified claims.",
            _updated_at,
        ),
        Field(
            "register_url",
            URL,
            "The initiative's page on the public register.",
            lambda e: url_of(e.initiative.reference),
        ),
        Field(
            "partnership_name",
            STRING,
            "As the LGA's Shared Services Map named it: the same as title.",
            lambda e: e.initiative.title,
        ),
        Field(
            "councils_involved",
            STRING,
            "As in the LGA's Shared Services Map: the councils among partner_names.",
            lambda e: [p.name for p in e.councils],
            is_list=True,
        ),
        Field(
            "service_category",
            STRING,
            "As in the LGA's Shared Services Map: the same as service_area.",
            lambda e: e.initiative.get_service_area_display(),
        ),
        Field(
            "region",
            STRING,
            "As in the LGA's Shared Services Map: the same as regions.",
            lambda e: e.regions,
            is_list=True,
        ),
        Field(
            "savings_to_date",
            DECIMAL,
            "As in the LGA's Shared Services Map: the same as verified_savings_to_date.",
            _total,
        ),
    ]


def iso(moment):
    """A time in ISO 8601, in UTC to the second ("2026-04-01T09:30:00Z"); None stays None."""
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def csv_value(field, entry):
    """A cell as the CSV writes it: lists joined, dates and times in ISO 8601 (times in UTC),
    numbers as numbers."""
    value = field.cell(entry)
    if field.is_list:
        return SEPARATOR.join(value)
    if isinstance(value, datetime.datetime):
        return iso(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _xlsx_cell(field):
    if field.is_list:
        return lambda entry: SEPARATOR.join(field.cell(entry))
    return field.cell


XLSX_FORMATS = {DECIMAL: MONEY, DATE_TYPE: DATE, DATETIME: SECOND}


def xlsx_columns(dataset_fields):
    """The same columns for the workbook, whose dates and numbers are typed and formatted."""
    return [Column(f.name, _xlsx_cell(f), XLSX_FORMATS.get(f.datatype)) for f in dataset_fields]


def _number(value):
    return None if value is None else float(value)


def json_object(entry, url_of):
    """One initiative as the JSON gives it: partners and savings by year as lists."""
    initiative, progress = entry.initiative, entry.progress
    return {
        "reference": initiative.reference,
        "title": initiative.title,
        "summary": initiative.summary,
        "lead_organisation": {
            "name": initiative.lead.name,
            "gss_code": initiative.lead.gss_code or None,
        },
        "partners": [{"name": p.name, "gss_code": p.gss_code or None} for p in entry.partners],
        "collaboration_model": initiative.get_collaboration_model_display(),
        "service_area": initiative.get_service_area_display(),
        "governance": initiative.get_governance_display(),
        "regions": entry.regions,
        "status": initiative.get_status_display(),
        "start_date": initiative.start_date.isoformat(),
        "start_year": initiative.start_date.year,
        "planned_end_date": initiative.planned_end_date and initiative.planned_end_date.isoformat(),
        "verified_savings_to_date": _number(progress and progress.verified),
        "verified_cash_releasing_to_date": _number(progress and progress.verified_cash),
        "verified_non_cash_releasing_to_date": _number(progress and progress.verified_non_cash),
        "verified_savings_by_financial_year": [
            {
                "financial_year": financial_years.label(y.financial_year),
                "cash_releasing": _number(y.cash),
                "non_cash_releasing": _number(y.non_cash),
            }
            for y in entry.years
        ],
        "figures_updated_at": iso(_updated_at(entry)),
        "register_url": url_of(initiative.reference),
        "lga_shared_services_map": {
            "partnership_name": initiative.title,
            "councils_involved": [p.name for p in entry.councils],
            "service_category": initiative.get_service_area_display(),
            "region": entry.regions,
            "savings_to_date": _number(progress and progress.verified),
        },
    }


def metadata(*, generated_at, modified, count):
    """What the JSON says about itself before its initiatives."""
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "licence": {"name": LICENCE_NAME, "url": LICENCE_URL},
        "generated_at": iso(generated_at),
        "modified": iso(modified),
        "count": count,
    }


def csvw(*, csv_url, dataset_fields, modified):
    """The CSV on the Web metadata (JSON-LD) describing the CSV at csv_url column by column."""

    def column(f):
        described = {
            "name": f.name,
            "titles": f.name,
            "datatype": f.datatype,
            "dc:description": f.description,
        }
        if f.is_list:
            described["separator"] = SEPARATOR
        return described

    return {
        "@context": "http://www.w3.org/ns/csvw",
        "url": csv_url,
        "dc:title": TITLE,
        "dc:description": DESCRIPTION,
        "dc:license": {"@id": LICENCE_URL},
        "dc:modified": iso(modified),
        "dialect": {"encoding": "utf-8", "header": True},
        "tableSchema": {
            "columns": [column(f) for f in dataset_fields],
            "primaryKey": "reference",
        },
    }
