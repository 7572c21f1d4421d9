"""Importing spreadsheets: what checking reports (without writing), what importing writes
through the services, and that the same file twice changes nothing. The jobs' bodies are called
here as the worker calls them; tests/initiatives/test_import_jobs.py runs them on a worker."""

import io
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.utils import timezone
from openpyxl import load_workbook

from initiatives.imports import services
from initiatives.models import (
    ImportProblem,
    ImportRow,
    Initiative,
    SavingsClaim,
    SpreadsheetImport,
)
from partners.history import history_of
from tests.collaborate.test_spreadsheets import workbook_bytes
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db

INITIATIVE_HEADERS = [
    "Reference",
    "Your reference",
    "Title",
    "Lead organisation",
    "Status",
    "Collaboration model",
    "Service area",
    "Start date",
    "Planned end date",
]
TARGET_HEADERS = ["Reference", "Financial year", "Target (£)"]
PARTNER_HEADERS = ["Reference", "Partner", "ONS/GSS code", "Share of savings (%)"]
CLAIM_HEADERS = [
    "Your reference",
    "Initiative reference",
    "Financial year",
    "Category",
    "Kind",
    "Recurrence",
    "Gross saving (£)",
    "Implementation cost (£)",
    "Description",
    "Service quality",
    "Service quality statement",
    "Status",
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def workbook(**sheets):
    """An .xlsx file of {sheet name: [header, row, …]}, as bytes."""
    return workbook_bytes(sheets)


def initiative_row(own, title="Shared legal service", status=None, start="1/4/2025", **cells):
    values = {
        "Your reference": own,
        "Title": title,
        "Status": status,
        "Collaboration model": "Shared service",
        "Service area": "Legal",
        "Start date": start,
        "Planned end date": "31/03/2028",
        **cells,
    }
    return [values.get(header) for header in INITIATIVE_HEADERS]


def claim_row(initiative_reference, own, gross="£12,000", status="Draft"):
    values = {
        "Your reference": own,
        "Initiative reference": initiative_reference,
        "Financial year": "2025/26",
        "Category": "Cost reduction",
        "Kind": "Cash-releasing",
        "Recurrence": "Recurring",
        "Gross saving (£)": gross,
        "Implementation cost (£)": 0,
        "Description": "One legal team instead of two.",
        "Service quality": "Outputs maintained",
        "Service quality statement": "Same turnaround times.",
        "Status": status,
    }
    return [values[header] for header in CLAIM_HEADERS]


def checked(user, organisation, content, name="savings.xlsx"):
    """Upload a file and run the checking job on it, as the worker would."""
    spreadsheet_import = services.import_upload(
        actor=user, organisation=organisation, upload=SimpleUploadedFile(name, content)
    )
    services.import_check(import_id=spreadsheet_import.pk)
    spreadsheet_import.refresh_from_db()
    return spreadsheet_import


def imported(user, spreadsheet_import, mode="all"):
    services.import_start(actor=user, spreadsheet_import=spreadsheet_import, mode=mode)
    services.import_write(import_id=spreadsheet_import.pk)
    spreadsheet_import.refresh_from_db()
    return spreadsheet_import


def problems(spreadsheet_import, when=ImportProblem.When.CHECKING):
    return [
        (p.sheet, p.row, p.column, p.message)
        for p in spreadsheet_import.problems.filter(when=when).order_by("sheet", "row", "pk")
    ]


def two_initiatives_file():
    return workbook(
        Initiatives=[
            INITIATIVE_HEADERS,
            initiative_row("LEG-1"),
            initiative_row("LEG-2", title="Joint procurement", status="Implementing"),
        ],
        Targets=[TARGET_HEADERS, ["LEG-1", "2025/26", "£10,000"], ["LEG-1", "2026/27", 20000]],
        Claims=[
            CLAIM_HEADERS,
            claim_row("LEG-1", "C-1"),
            claim_row("LEG-2", "C-2", status="Awaiting decision"),
        ],
    )


def test_checking_reports_what_would_change_and_writes_nothing(officer, council):
    before = Initiative.objects.count()
    report = checked(officer, council, two_initiatives_file())
    assert report.status == SpreadsheetImport.Status.CHECKED
    assert problems(report) == []
    assert report.counts["total"] == {"new": 6, "changed": 0, "unchanged": 0, "invalid": 0}
    assert report.counts["Targets"]["new"] == 2
    assert Initiative.objects.count() == before
    assert not SavingsClaim.objects.exists()


def test_importing_writes_through_the_services_and_a_second_upload_changes_nothing(
    officer, council
):
    report = imported(officer, checked(officer, council, two_initiatives_file()))
    assert report.status == SpreadsheetImport.Status.IMPORTED
    assert report.results["created_count"] == 6
    legal = Initiative.objects.get(external_reference="LEG-1", lead=council)
    assert legal.status == Initiative.Status.PROPOSED
    assert legal.created_by == officer
    assert {t.financial_year: t.amount for t in legal.targets.all()} == {
        2025: Decimal("10000.00"),
        2026: Decimal("20000.00"),
    }
    assert [row[0] for row in report.results["created"]] == [
        i.reference for i in Initiative.objects.order_by("pk")
    ]
    procurement = Initiative.objects.get(external_reference="LEG-2")
    assert procurement.status == Initiative.Status.IMPLEMENTING
    steps = [
        (e.changes[0]["after"], e.reason)
        for e in history_of(procurement)
        if e.action == "Status changed"
    ]
    assert sorted(steps) == [
        ("Implementing", "Imported from savings.xlsx"),
        ("In design", "Imported from savings.xlsx"),
    ]
    claims = {c.external_reference: c for c in SavingsClaim.objects.all()}
    assert claims["C-1"].status == SavingsClaim.Status.DRAFT
    assert claims["C-2"].status == SavingsClaim.Status.SUBMITTED
    assert claims["C-1"].gross_amount == Decimal("12000.00")

    again = checked(officer, council, two_initiatives_file())
    assert again.counts["total"] == {"new": 0, "changed": 0, "unchanged": 6, "invalid": 0}


def test_an_edited_file_updates_only_what_changed(officer, council):
    imported(officer, checked(officer, council, two_initiatives_file()))
    edited = workbook(
        Initiatives=[
            INITIATIVE_HEADERS,
            initiative_row("LEG-1", title="Shared legal service for three councils"),
            initiative_row("LEG-2", title="Joint procurement", status="Implementing"),
        ],
        Targets=[TARGET_HEADERS, ["LEG-1", "2025/26", "£10,000"], ["LEG-1", "2026/27", 25000]],
    )
    report = checked(officer, council, edited)
    assert report.counts["Initiatives"] == {"new": 0, "changed": 1, "unchanged": 1, "invalid": 0}
    assert report.counts["Targets"] == {"new": 0, "changed": 1, "unchanged": 1, "invalid": 0}
    imported(officer, report)
    legal = Initiative.objects.get(external_reference="LEG-1")
    assert legal.title == "Shared legal service for three councils"
    assert legal.targets.get(financial_year=2026).amount == Decimal("25000.00")
    assert legal.targets.get(financial_year=2025).amount == Decimal("10000.00")


def test_errors_name_sheet_row_and_column_and_only_valid_rows_can_be_imported(officer, council):
    content = workbook(
        Initiatives=[
            INITIATIVE_HEADERS,
            initiative_row("A-1"),
            initiative_row("A-2", start="31/02/2025"),
            initiative_row("A-3", **{"Lead organisation": "Nowhere Council"}),
            initiative_row("A-4", status="Live"),
        ],
        Targets=[TARGET_HEADERS, ["A-2", "2025/26", 100], ["A-1", "2040/41", 100]],
    )
    report = checked(officer, council, content)
    found = problems(report)
    assert (
        "Initiatives",
        3,
        "Start date",
        "must be a date, like 1/4/2025 or 1 April 2025",
    ) in found
    assert any(
        p[:3] == ("Initiatives", 4, "Lead organisation") and "No organisation called" in p[3]
        for p in found
    )
    assert any(p[:2] == ("Targets", 2) and "has errors" in p[3] for p in found)
    assert any(p[:3] == ("Targets", 3, "Financial year") and "2040/41" in p[3] for p in found)
    assert report.count("invalid") == 4
    assert report.count("new") == 2  # A-1 and A-4 (Proposed → … → Live)

    with pytest.raises(Exception, match="Some rows have errors"):
        services.import_start(actor=officer, spreadsheet_import=report, mode="all")
    assert Initiative.objects.count() == 0
    imported(officer, report, mode="valid")
    assert set(Initiative.objects.values_list("external_reference", flat=True)) == {"A-1", "A-4"}
    assert Initiative.objects.get(external_reference="A-4").status == Initiative.Status.LIVE


def test_partners_and_shares_are_for_the_leads_managers(officer, manager, council, partner_council):
    partner_council.gss_code = "E07000001"
    partner_council.save()
    content = workbook(
        Initiatives=[INITIATIVE_HEADERS, initiative_row("P-1")],
        Partners=[
            PARTNER_HEADERS,
            ["P-1", council.name, None, 70],
            ["P-1", "anything", "E07000001", 30],
        ],
    )
    by_officer = checked(officer, council, content)
    assert any(
        p[:3] == ("Partners", 2, "Partner") and "only a manager" in p[3]
        for p in problems(by_officer)
    )
    by_manager = imported(manager, checked(manager, council, content))
    assert by_manager.count("invalid") == 0
    initiative = Initiative.objects.get(external_reference="P-1")
    assert {p.organisation_id: p.savings_share for p in initiative.partnerships.all()} == {
        council.pk: Decimal("70.00"),
        partner_council.pk: Decimal("30.00"),
    }


def test_shares_that_do_not_add_up_are_an_error(manager, council, partner_council):
    content = workbook(
        Initiatives=[INITIATIVE_HEADERS, initiative_row("S-1")],
        Partners=[PARTNER_HEADERS, ["S-1", partner_council.name, None, 30]],
    )
    report = checked(manager, council, content)
    assert any("add up to 130.00%" in p[3] for p in problems(report))


def test_a_status_the_table_cannot_reach_is_an_error(officer, council):
    closed = make_initiative(officer, council, external_reference="OLD-1")
    Initiative.objects.filter(pk=closed.pk).update(status=Initiative.Status.STOPPED)
    content = workbook(
        Initiatives=[INITIATIVE_HEADERS, initiative_row("OLD-1", status="Live", title=closed.title)]
    )
    report = checked(officer, council, content)
    assert any(p[2] == "Status" and "cannot become live" in p[3] for p in problems(report)), (
        problems(report)
    )


def test_claims_arrive_as_drafts_or_submitted_never_verified(officer, council):
    content = workbook(
        Initiatives=[INITIATIVE_HEADERS, initiative_row("V-1")],
        Claims=[CLAIM_HEADERS, claim_row("V-1", "C-9", status="Verified")],
    )
    report = checked(officer, council, content)
    assert any(p[:3] == ("Claims", 2, "Status") for p in problems(report))


def test_the_templates_example_row_is_an_error(officer, council):
    content = workbook(Initiatives=[INITIATIVE_HEADERS, initiative_row("EXAMPLE-1")])
    report = checked(officer, council, content)
    assert any("example" in p[3] for p in problems(report))


def test_a_file_that_is_not_a_spreadsheet_is_refused_and_nothing_is_kept(officer, council):
    report = checked(officer, council, b"%PDF-1.4 not a spreadsheet", name="report.pdf")
    assert report.status == SpreadsheetImport.Status.REFUSED
    assert "is not a spreadsheet" in report.refusal
    assert not ImportRow.objects.filter(spreadsheet_import=report).exists()


def test_wrong_headers_are_refused_naming_them(officer, council):
    content = workbook(Initiatives=[["Name", "Start"], ["x", "y"]])
    report = checked(officer, council, content)
    assert report.status == SpreadsheetImport.Status.REFUSED
    assert "is missing the columns Title" in report.refusal
    assert "Name, Start" in report.refusal


def test_a_round_trip_of_the_initiatives_download_changes_nothing(
    as_user, manager, officer, council, partner_council, initiative
):
    from tests.factories import SavingsTargetFactory

    SavingsTargetFactory(initiative=initiative, financial_year=2025, amount=Decimal("5000"))
    make_initiative(
        officer,
        council,
        title="Second",
        external_reference="X-2",
        collaboration_model="outsourcing",
        setup_cost=Decimal("125000.50"),
        contract_months=84,
        contract_break_points="Year 3; year 5",
        procurement_started_on=date(2024, 1, 15),
        contract_awarded_on=date(2024, 11, 1),
    )
    response = as_user(manager).get("/initiatives/initiatives.xlsx")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Initiatives", "Partners", "Targets"]
    rows = list(book["Initiatives"].values)
    second = dict(zip(rows[0], next(r for r in rows if "Second" in r), strict=True))
    assert second["One-off set-up cost (£)"] == 125000.5
    assert second["Contract term (months)"] == 84
    assert second["Break points"] == "Year 3; year 5"
    report = checked(manager, council, content, name="initiatives.xlsx")
    assert problems(report) == []
    assert report.counts["total"]["new"] == 0
    assert report.counts["total"]["changed"] == 0
    assert report.counts["total"]["unchanged"] == 2 + 3 + 1  # initiatives, partners, targets


def test_old_files_and_their_rows_are_deleted_after_thirty_days(
    officer, council, django_capture_on_commit_callbacks
):
    report = checked(officer, council, two_initiatives_file())
    name = report.file.name
    storage = report.file.storage
    assert storage.exists(name)
    now = timezone.now()
    SpreadsheetImport.objects.filter(pk=report.pk).update(created_at=now - timedelta(days=31))
    recent = checked(officer, council, two_initiatives_file())
    SpreadsheetImport.objects.filter(pk=recent.pk).update(created_at=now - timedelta(days=29))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.imports_delete_old_files() == 1
    report.refresh_from_db()
    assert report.file_deleted_at is not None
    assert not ImportRow.objects.filter(spreadsheet_import=report).exists()
    assert report.counts["total"]["new"] == 6  # the report stays
    assert not storage.exists(name)
    assert storage.exists(SpreadsheetImport.objects.get(pk=recent.pk).file.name)


def test_an_import_cut_off_and_run_again_does_not_write_twice(officer, council):
    """The job's message delivered again after its work was done but before the report said
    so (a worker killed at that moment): each initiative's rows recorded what was done with
    them in the transaction that did it, so nothing is made twice."""
    report = imported(officer, checked(officer, council, two_initiatives_file()))
    SpreadsheetImport.objects.filter(pk=report.pk).update(
        status=SpreadsheetImport.Status.IMPORTING, imported_at=None
    )
    services.import_write(import_id=report.pk)
    assert Initiative.objects.count() == 2
    assert SavingsClaim.objects.count() == 2
    report.refresh_from_db()
    assert report.status == SpreadsheetImport.Status.IMPORTED
    assert report.results["created_count"] == 6


def test_a_second_run_of_a_job_while_the_first_runs_does_nothing(officer, council):
    report = checked(officer, council, two_initiatives_file())
    services.import_start(actor=officer, spreadsheet_import=report, mode="all")
    other = connections.create_connection("default")  # another worker's session
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [services.LOCK_CLASS, report.pk])
        assert services.import_write(import_id=report.pk) is None
        assert not Initiative.objects.exists()
        with other.cursor() as cursor:  # the other run ends (closing alone releases it later)
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [services.LOCK_CLASS, report.pk])
    finally:
        other.close()
    assert services.import_write(import_id=report.pk) == SpreadsheetImport.Status.IMPORTED


def test_an_officer_creates_initiatives_only_for_their_own_organisation(
    officer, council, partner_council
):
    content = workbook(
        Initiatives=[
            INITIATIVE_HEADERS,
            initiative_row("L-1", **{"Lead organisation": partner_council.name}),
            initiative_row("L-2", **{"Lead organisation": council.name}),
        ]
    )
    report = checked(officer, council, content)
    assert problems(report) == [
        (
            "Initiatives",
            2,
            "Lead organisation",
            f"is {partner_council.name}: you can create initiatives only for an organisation "
            "you belong to",
        )
    ]
    assert report.counts["Initiatives"]["new"] == 1


def test_a_wrong_target_or_partner_row_is_reported_alone(
    officer, manager, council, partner_council
):
    """One row's mistake is that row's: the initiative's other targets are imported, and an
    officer's unchanged partner rows are not errors, only the one that would change a share."""
    make_initiative(officer, council, external_reference="T-1")
    content = workbook(
        Targets=[
            TARGET_HEADERS,
            ["T-1", "2025/26", 100],
            ["T-1", "2040/41", 100],
            ["T-1", "2025/26", 200],
            ["T-1", "2026/27", 300],
        ],
        Partners=[
            PARTNER_HEADERS,
            ["T-1", council.name, None, 100],
            ["T-1", partner_council.name, None, 0],
        ],
    )
    report = checked(officer, council, content)
    found = {(p[0], p[1], p[2]): p[3] for p in problems(report)}
    assert set(found) == {
        ("Targets", 3, "Financial year"),
        ("Targets", 4, "Financial year"),
        ("Partners", 3, "Partner"),
    }
    assert "has two rows for 2025/26" in found[("Targets", 4, "Financial year")]
    assert "only a manager" in found[("Partners", 3, "Partner")]
    assert report.counts["Targets"] == {"new": 2, "changed": 0, "unchanged": 0, "invalid": 2}
    assert report.counts["Partners"] == {"new": 0, "changed": 0, "unchanged": 1, "invalid": 1}
    imported(officer, report, mode="valid")
    targets = Initiative.objects.get(external_reference="T-1").targets.all()
    assert {t.financial_year: t.amount for t in targets} == {
        2025: Decimal("100.00"),
        2026: Decimal("300.00"),
    }


def test_cells_excel_shows_as_times_or_durations_are_read_as_text(officer, council):
    """A number formatted as a time or a duration comes out of a workbook as a time or a
    timedelta: kept as text (a title may be anything), not the end of the check."""
    content = workbook(
        Initiatives=[
            INITIATIVE_HEADERS,
            initiative_row("TM-1", title=time(9, 30)),
            initiative_row("TM-2", title=timedelta(hours=36)),
        ]
    )
    report = checked(officer, council, content)
    assert report.status == SpreadsheetImport.Status.CHECKED
    assert report.counts["Initiatives"]["new"] == 2
    imported(officer, report)
    assert set(Initiative.objects.values_list("title", flat=True)) == {
        "09:30:00",
        "1 day, 12:00:00",
    }
