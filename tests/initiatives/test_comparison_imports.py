"""The Initiatives sheet's optional comparison columns (set-up cost, contract term and break
points, procurement dates, live since): read, checked by the edit page's own rules, written
through the services with history, and absent columns leave the values as they are."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from initiatives.imports import sheets
from initiatives.models import Initiative
from partners.history import history_of
from tests.initiatives.test_imports import (
    INITIATIVE_HEADERS,
    checked,
    imported,
    initiative_row,
    problems,
    workbook,
)

pytestmark = pytest.mark.django_db

COMPARISON = [
    "One-off set-up cost (£)",
    "Contract term (months)",
    "Break points",
    "Procurement started",
    "Contract awarded",
    "Live since",
]
HEADERS = [*INITIATIVE_HEADERS, *COMPARISON]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def row(own, status=None, **cells):
    base = initiative_row(own, status=status)
    return [*base, *(cells.get(header) for header in COMPARISON)]


def test_the_columns_are_optional_columns_of_the_initiatives_sheet():
    columns = {c.header: c for c in sheets.read_columns(sheets.INITIATIVES)}
    for header in COMPARISON:
        assert columns[header].optional


def test_the_comparison_columns_are_imported_with_history(officer, council):
    content = workbook(
        Initiatives=[
            HEADERS,
            row(
                "OUT-1",
                status="Live",
                **{
                    "One-off set-up cost (£)": "£240,000",
                    "Contract term (months)": 84,
                    "Break points": "After 3 and 5 years",
                    "Procurement started": "15/01/2024",
                    "Contract awarded": date(2024, 11, 1),
                    "Live since": "1/4/2025",
                },
            ),
        ]
    )
    report = checked(officer, council, content)
    assert problems(report) == []
    imported(officer, report)
    initiative = Initiative.objects.get(external_reference="OUT-1")
    assert initiative.setup_cost == Decimal("240000.00")
    assert initiative.contract_months == 84
    assert initiative.contract_break_points == "After 3 and 5 years"
    assert initiative.procurement_started_on == date(2024, 1, 15)
    assert initiative.contract_awarded_on == date(2024, 11, 1)
    # Said on its way to live: the day typed is kept, and no going-live is recorded today.
    assert initiative.status == Initiative.Status.LIVE
    assert initiative.live_since == date(2025, 4, 1) and initiative.went_live_on is None
    fields = {c["field"] for e in history_of(initiative) for c in e.changes}
    assert {"Live since", "Contract term (months)", "One-off set-up cost (£)"} <= fields

    again = checked(officer, council, content)
    assert again.counts["total"]["unchanged"] == 1


def test_a_file_without_the_columns_leaves_the_values_as_they_are(officer, council):
    imported(
        officer,
        checked(
            officer,
            council,
            workbook(Initiatives=[HEADERS, row("OUT-2", **{"One-off set-up cost (£)": 5000})]),
        ),
    )
    report = checked(
        officer, council, workbook(Initiatives=[INITIATIVE_HEADERS, initiative_row("OUT-2")])
    )
    assert report.counts["total"] == {"new": 0, "changed": 0, "unchanged": 1, "invalid": 0}
    assert Initiative.objects.get(external_reference="OUT-2").setup_cost == Decimal("5000.00")


@pytest.mark.parametrize(
    "status, cells, column, message",
    [
        (None, {"One-off set-up cost (£)": -5}, "One-off set-up cost (£)", "£0 or more"),
        (None, {"Contract term (months)": "five years"}, "Contract term (months)", "whole number"),
        (None, {"Contract term (months)": 0}, "Contract term (months)", "at least 1 month"),
        (None, {"Break points": "x" * 201}, "Break points", "200 characters or fewer"),
        (
            None,
            {"Procurement started": "1/6/2025", "Contract awarded": "1/5/2025"},
            "Contract awarded",
            "on or after the day procurement started",
        ),
        (None, {"Live since": "1/6/2025"}, "Live since", "cannot have been live"),
        ("Live", {"Live since": "tomorrow"}, "Live since", "must be a date"),
        ("Live", {"Live since": "FUTURE"}, "Live since", "today or in the past"),
        ("Live", {"Live since": "1/1/2020"}, "Live since", "on or after the start date"),
    ],
)
def test_bad_values_are_errors_at_their_column_and_nothing_is_written(
    officer, council, status, cells, column, message
):
    if cells.get("Live since") == "FUTURE":
        cells = {"Live since": timezone.localdate() + timedelta(days=2)}
    report = checked(
        officer, council, workbook(Initiatives=[HEADERS, row("BAD-1", status, **cells)])
    )
    found = problems(report)
    assert any(p[:3] == ("Initiatives", 2, column) and message in p[3] for p in found), found
    assert report.count("invalid") == 1
    assert not Initiative.objects.filter(external_reference="BAD-1").exists()


def test_live_since_is_refused_for_an_initiative_whose_going_live_is_recorded(officer, council):
    imported(
        officer, checked(officer, council, workbook(Initiatives=[HEADERS, row("GL-1", "Live")]))
    )
    initiative = Initiative.objects.get(external_reference="GL-1")
    assert initiative.went_live_on == timezone.localdate()
    report = checked(
        officer,
        council,
        workbook(Initiatives=[HEADERS, row("GL-1", "Live", **{"Live since": "1/6/2025"})]),
    )
    assert any(p[2] == "Live since" and "went live on" in p[3] for p in problems(report))
