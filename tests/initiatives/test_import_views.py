"""The pages of spreadsheet imports, with imports built directly in each state (no engine):
the list, the upload, the report while a job runs and after, the choice to import, the rows
with errors to download, and who may open what."""

import csv
import html
import io
from datetime import timedelta

import openpyxl
import pytest
from celery.signals import before_task_publish
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from initiatives.imports import selectors, sheets
from initiatives.models import ImportProblem, ImportRow, SpreadsheetImport
from tests import factories
from tests.pages import assert_error_at_field, assert_strict_page, text_of

pytestmark = pytest.mark.django_db

Status = SpreadsheetImport.Status

COUNTS = {
    "Initiatives": {"new": 3, "changed": 1, "unchanged": 2, "invalid": 1},
    "Targets": {"new": 6, "changed": 0, "unchanged": 4, "invalid": 1},
    "total": {"new": 9, "changed": 1, "unchanged": 6, "invalid": 2},
}
VALID_ONLY = {
    "Initiatives": {"new": 50, "changed": 0, "unchanged": 0, "invalid": 0},
    "total": {"new": 50, "changed": 0, "unchanged": 0, "invalid": 0},
}


def make_import(user, organisation, **fields):
    fields.setdefault("original_name", "savings 2025.xlsx")
    return SpreadsheetImport.objects.create(
        uploaded_by=user, organisation=organisation, size=2048, **fields
    )


def checked_with_errors(user, organisation, **fields):
    """A checked import: 7 rows in two sheets, one row of each with an error."""
    imp = make_import(
        user,
        organisation,
        status=Status.CHECKED,
        checked_at=timezone.now(),
        counts=COUNTS,
        **fields,
    )
    ImportRow.objects.create(
        spreadsheet_import=imp,
        sheet="Initiatives",
        number=7,
        cells={
            "Title": "Shared legal service",
            "Start date": "31/31/2025",
            "Service area": "legal",
        },
        action=ImportRow.Action.INVALID,
    )
    ImportRow.objects.create(
        spreadsheet_import=imp,
        sheet="Initiatives",
        number=8,
        cells={"Title": "Joint fleet", "Start date": "1/4/2025"},
        action=ImportRow.Action.NEW,
    )
    ImportRow.objects.create(
        spreadsheet_import=imp,
        sheet="Targets",
        number=3,
        cells={"Reference": "INI-0099", "Financial year": "2025/26", "Target (£)": "lots"},
        action=ImportRow.Action.INVALID,
    )
    # Listed in the file's order, sheet by sheet, whatever order they were found in.
    problem(imp, "Targets", 3, "Target (£)", "must be an amount of pounds, like 15000.50")
    problem(imp, "Targets", 3, "Reference", "names no initiative in the file or that you can see")
    problem(imp, "Initiatives", 7, "Start date", "must be a date, like 1/4/2025")
    return imp


def problem(imp, sheet, row, column, message, when=ImportProblem.When.CHECKING):
    return ImportProblem.objects.create(
        spreadsheet_import=imp, sheet=sheet, row=row, column=column, message=message, when=when
    )


def report(client, imp, **headers):
    return client.get(reverse("imports:detail", args=[imp.pk]), headers=headers)


@pytest.fixture
def published():
    """The names of the Celery tasks published while the test runs."""
    sent = []

    def record(sender=None, **kwargs):
        sent.append(sender)

    before_task_publish.connect(record)
    yield sent
    before_task_publish.disconnect(record)


# --- the list ----------------------------------------------------------------------------------


def test_the_list_shows_the_users_imports_newest_first_with_status_and_counts(
    client, officer, council, outsider, other_council
):
    older = make_import(
        officer,
        council,
        original_name="first try.csv",
        status=Status.REFUSED,
        created_at=timezone.now() - timedelta(days=2),
    )
    newer = checked_with_errors(officer, council)
    make_import(outsider, other_council, original_name="cornwall.xlsx")
    client.force_login(officer)
    response = client.get(reverse("imports:list"))
    assert response.status_code == 200
    assert_strict_page(response)
    page = text_of(response)
    assert page.index("savings 2025.xlsx") < page.index("first try.csv")
    assert "cornwall.xlsx" not in page
    assert "for Leeds City Council" in page and "by Olive Officer" in page
    body = response.content.decode()
    assert '<strong class="govuk-tag govuk-tag--blue">Checked</strong>' in body
    assert '<strong class="govuk-tag govuk-tag--red">Could not be read</strong>' in body
    # new, changed, unchanged, with errors
    assert "Checked 9 1 6 2" in page
    assert f'href="{newer.get_absolute_url()}"' in body
    assert f'href="{older.get_absolute_url()}"' in body
    assert f'href="{reverse("imports:new")}"' in body and "Import a spreadsheet" in page
    assert f'href="{reverse("imports:template")}"' in body and "Download the template" in page


def test_an_admin_sees_everyones_imports_but_is_offered_no_upload(
    client, officer, council, outsider, other_council, admin_user
):
    make_import(officer, council, original_name="leeds.xlsx")
    make_import(outsider, other_council, original_name="cornwall.xlsx")
    client.force_login(admin_user)
    page = text_of(client.get(reverse("imports:list")))
    assert "leeds.xlsx" in page and "cornwall.xlsx" in page
    assert "Import a spreadsheet" not in page


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_costs_the_same_queries_at_2_and_20_imports(
    client, officer, council, count, django_assert_num_queries
):
    for n in range(count):
        make_import(officer, council, original_name=f"file {n}.xlsx", counts=VALID_ONLY)
    client.force_login(officer)
    # session, user, memberships (roles and the acting-for switcher), count, page of imports
    with django_assert_num_queries(6):
        response = client.get(reverse("imports:list"))
    assert text_of(response).count(".xlsx") == count


def test_the_list_is_a_page_at_a_time_and_answers_htmx_with_the_results_only(
    client, officer, council
):
    for n in range(30):
        make_import(officer, council, original_name=f"file {n:02}.xlsx")
    client.force_login(officer)
    page = text_of(client.get(reverse("imports:list")))
    assert "Imports 1 to 25 of 30" in page
    second = client.get(reverse("imports:list") + "?page=2", headers={"HX-Request": "true"})
    assert second.content.decode().lstrip().startswith('<div id="results">')
    assert "Imports 26 to 30 of 30" in text_of(second)
    assert "HX-Request" in second["Vary"]


def test_the_navigation_links_imports_for_members_only(client, officer, admin_user):
    client.force_login(officer)
    body = client.get(reverse("imports:list")).content.decode()
    assert f'href="{reverse("imports:list")}" aria-current="page"' in body
    client.force_login(admin_user)
    body = client.get(reverse("claims:list")).content.decode()
    assert f'class="govuk-service-navigation__link" href="{reverse("imports:list")}"' not in body


# --- uploading ---------------------------------------------------------------------------------


def test_the_upload_page_says_what_to_upload_and_for_which_organisation(client, officer):
    client.force_login(officer)
    response = client.get(reverse("imports:new"))
    assert response.status_code == 200
    assert_strict_page(response)
    page = text_of(response)
    assert "Upload a spreadsheet" in page
    assert "An Excel workbook (.xlsx) or a CSV file (.csv), up to 20 MB and 50,000 rows" in page
    assert "You are importing for Leeds City Council" in page
    body = response.content.decode()
    assert 'type="file"' in body and 'enctype="multipart/form-data"' in body
    assert f'href="{reverse("imports:template")}"' in body


def test_the_upload_page_says_how_to_import_for_another_organisation(
    client, officer, partner_council
):
    factories.MembershipFactory(user=officer, organisation=partner_council, role="officer")
    client.force_login(officer)
    assert "switch to it at the top of the page" in text_of(client.get(reverse("imports:new")))


def test_someone_with_no_membership_may_not_upload(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("imports:new")).status_code == 403
    upload = SimpleUploadedFile("a.csv", b"Title\nx\n")
    assert client.post(reverse("imports:new"), {"file": upload}).status_code == 403
    assert not SpreadsheetImport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_uploading_stores_the_file_and_queues_its_check_and_nothing_else(
    celery_queue, published, client, officer, council, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(officer)
    content = b"Title,Collaboration model,Service area,Start date\nShared legal,,,1/4/2025\n"
    response = client.post(
        reverse("imports:new"), {"file": SimpleUploadedFile("Our savings.csv", content)}
    )
    imp = SpreadsheetImport.objects.get()
    assert response.status_code == 302 and response["Location"] == imp.get_absolute_url()
    assert (imp.uploaded_by, imp.organisation, imp.status) == (officer, council, Status.QUEUED)
    assert (imp.original_name, imp.size) == ("Our savings.csv", len(content))
    with imp.file.open("rb") as stored:
        assert stored.read() == content
    assert "Our savings" not in imp.file.name  # a random name, never the user's
    assert published == ["initiatives.imports.tasks.import_check"]
    assert not ImportRow.objects.exists() and not ImportProblem.objects.exists()


def test_an_empty_file_is_refused_at_the_field_and_nothing_is_stored(
    client, officer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(officer)
    response = client.post(reverse("imports:new"), {"file": SimpleUploadedFile("empty.csv", b"")})
    assert_error_at_field(response, "file", "The selected file is empty")
    assert not SpreadsheetImport.objects.exists()
    assert not list(tmp_path.rglob("*.*"))


def test_no_file_is_refused_at_the_field(client, officer):
    client.force_login(officer)
    response = client.post(reverse("imports:new"), {})
    assert_error_at_field(response, "file", "Choose a spreadsheet to upload")
    assert not SpreadsheetImport.objects.exists()


def test_a_file_larger_than_imports_take_is_refused_at_the_field_and_not_kept(
    client, officer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_UPLOAD_MAX_SIZE = 4096
    client.force_login(officer)
    upload = SimpleUploadedFile("big.csv", b"Title\n" + b"x" * 8000)
    response = client.post(reverse("imports:new"), {"file": upload})
    assert_error_at_field(response, "file", "The selected files must be smaller than 4 KB")
    assert not SpreadsheetImport.objects.exists()
    assert not list(tmp_path.rglob("*.*"))


# --- the report while a job runs ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "done", "total", "says"),
    [
        (Status.QUEUED, 0, 0, "Waiting for the file to be checked"),
        (Status.CHECKING, 1200, 0, "Reading the file: 1,200 rows read so far"),
        (Status.CHECKING, 1200, 5000, "Checking the rows: 1,200 of 5,000 rows"),
        (Status.IMPORTING, 1200, 5000, "Importing the rows: 1,200 of 5,000 rows"),
    ],
)
def test_a_running_job_shows_a_progress_bar_polled_by_htmx_and_a_refresh_link(
    client, officer, council, status, done, total, says
):
    imp = make_import(officer, council, status=status, done=done, total=total)
    client.force_login(officer)
    response = report(client, imp)
    assert response.status_code == 200
    assert_strict_page(response)
    assert says in text_of(response)
    body = response.content.decode()
    url = imp.get_absolute_url()
    assert f'<div id="import-report" hx-get="{url}" hx-trigger="every 1s">' in body
    if total:
        assert f'<progress class="app-progress" id="import-progress" max="{total}"' in body
        assert f'value="{done}"' in body
    else:  # how many rows the file holds is not known yet: a bar that says it is busy
        assert '<progress class="app-progress" id="import-progress">' in body
    assert '<label class="govuk-label" for="import-progress">' in body
    assert f'<a class="govuk-link" href="{url}">Refresh this page</a>' in body


def test_htmx_polling_gets_the_report_fragment_only(client, officer, council):
    imp = make_import(officer, council, status=Status.CHECKING, done=10, total=20)
    client.force_login(officer)
    response = report(client, imp, HX_Request="true")
    assert response.status_code == 200
    body = response.content.decode().strip()
    assert body.startswith('<div id="import-report"') and "<html" not in body
    assert "Checking the rows: 10 of 20 rows" in text_of(response)
    assert "HX-Request" in response["Vary"]
    # Once the check is done, the fragment no longer polls: it is the report.
    SpreadsheetImport.objects.filter(pk=imp.pk).update(status=Status.CHECKED, counts=VALID_ONLY)
    body = report(client, imp, HX_Request="true").content.decode()
    assert "hx-trigger" not in body and "Import all 50 rows" in body


# --- the report once the job is done -----------------------------------------------------------


def test_a_refused_file_says_why_and_offers_to_upload_again(client, officer, council):
    imp = make_import(
        officer,
        council,
        status=Status.REFUSED,
        refusal="The Initiatives sheet is missing columns: Title, Start date.",
    )
    client.force_login(officer)
    response = report(client, imp)
    assert_strict_page(response)
    page = text_of(response)
    assert "This file could not be read" in page
    assert "The Initiatives sheet is missing columns: Title, Start date." in page
    body = response.content.decode()
    assert 'class="govuk-error-summary"' in body
    assert f'href="{reverse("imports:new")}">Upload the file again</a>' in body
    assert "hx-trigger" not in body and "<progress" not in body


def test_a_checked_file_shows_its_counts_by_sheet_and_every_error_where_it_is(
    client, officer, council
):
    imp = checked_with_errors(officer, council)
    client.force_login(officer)
    response = report(client, imp)
    assert response.status_code == 200
    assert_strict_page(response)
    page = text_of(response)
    assert "2 rows have errors" in page
    first = "Initiatives sheet, row 7, Start date: must be a date, like 1/4/2025"
    second = "Targets sheet, row 3, Target (£): must be an amount of pounds, like 15000.50"
    third = "Targets sheet, row 3, Reference: names no initiative in the file or that you can see"
    assert page.index(first) < page.index(second) < page.index(third)
    # Sheet, new, changed, unchanged, has errors
    assert "Initiatives 3 1 2 1" in page
    assert "Targets 6 0 4 1" in page
    assert "Total 9 1 6 2" in page
    # Some rows are invalid: importing all of them is not offered.
    assert "Import all" not in page
    assert "Import the 10 rows without errors" in page
    body = response.content.decode()
    assert f'action="{reverse("imports:start", args=[imp.pk])}"' in body
    assert '<input type="hidden" name="mode" value="valid">' in body
    assert f'href="{reverse("imports:errors_xlsx", args=[imp.pk])}"' in body
    assert f'href="{reverse("imports:errors_csv", args=[imp.pk])}?sheet=Targets"' in body


def test_a_file_without_errors_offers_to_import_all_its_rows(client, officer, council):
    imp = make_import(officer, council, status=Status.CHECKED, counts=VALID_ONLY)
    client.force_login(officer)
    response = report(client, imp)
    page = text_of(response)
    assert "Import all 50 rows" in page and "without errors" not in page
    assert "have errors" not in page and "Download the rows with errors" not in page
    assert '<input type="hidden" name="mode" value="all">' in response.content.decode()


def test_a_file_that_changes_nothing_says_so_and_offers_no_import(client, officer, council):
    unchanged = {"Initiatives": {"unchanged": 50}, "total": {"unchanged": 50}}
    imp = make_import(officer, council, status=Status.CHECKED, counts=unchanged)
    client.force_login(officer)
    page = text_of(report(client, imp))
    assert "Total 0 0 50 0" in page
    assert "There is nothing to import" in page and "Import all" not in page


def test_only_the_first_problems_are_listed_and_the_rest_counted(client, officer, council):
    imp = make_import(
        officer,
        council,
        status=Status.CHECKED,
        counts={"Initiatives": {"invalid": 600}, "total": {"invalid": 600}},
    )
    ImportRow.objects.create(
        spreadsheet_import=imp, sheet="Initiatives", number=2, action=ImportRow.Action.INVALID
    )
    ImportProblem.objects.bulk_create(
        ImportProblem(
            spreadsheet_import=imp, sheet="Initiatives", row=n + 2, column="Title", message="empty"
        )
        for n in range(selectors.PROBLEMS_SHOWN + 7)
    )
    client.force_login(officer)
    page = text_of(report(client, imp))
    assert page.count("Initiatives sheet, row") == selectors.PROBLEMS_SHOWN
    assert "and 7 more: download the rows with errors" in page
    assert "No row can be imported yet" in page


def test_an_imported_file_links_to_what_it_created_and_lists_the_rows_it_skipped(
    client, officer, council
):
    imp = make_import(
        officer,
        council,
        status=Status.IMPORTED,
        mode=SpreadsheetImport.Mode.VALID,
        counts=COUNTS,
        imported_at=timezone.now(),
        results={
            "created": [["INI-0101", "Shared legal service", "/initiatives/101/"]],
            "created_count": 3,
            "updated_count": 1,
            "unchanged_count": 6,
            "skipped_count": 1,
        },
    )
    ImportRow.objects.create(
        spreadsheet_import=imp,
        sheet="Initiatives",
        number=9,
        cells={"Title": "Depot"},
        action=ImportRow.Action.CHANGED,
        outcome=ImportRow.Outcome.SKIPPED,
    )
    problem(
        imp,
        "Initiatives",
        9,
        "Status",
        "was changed by someone else since the file was checked",
        when=ImportProblem.When.IMPORTING,
    )
    client.force_login(officer)
    response = report(client, imp)
    assert_strict_page(response)
    page = text_of(response)
    assert "Imported 3 rows created, 1 updated, 6 unchanged, 1 skipped." in page
    assert "Initiatives created" in page
    body = response.content.decode()
    assert (
        '<a class="govuk-link" href="/initiatives/101/">INI-0101</a> Shared legal service' in body
    )
    assert "1 row was skipped" in page
    assert "Initiatives sheet, row 9, Status: was changed by someone else" in page
    assert f'href="{reverse("imports:errors_xlsx", args=[imp.pk])}"' in body
    assert "Import all" not in page and "without errors" not in page.split("skipped")[0]


def test_a_failed_job_says_to_try_again_or_contact_support(client, officer, council):
    imp = make_import(officer, council, status=Status.FAILED)
    client.force_login(officer)
    response = report(client, imp)
    assert_strict_page(response)
    page = text_of(response)
    assert "Failed" in page
    assert "Something went wrong on our side while checking this file" in page
    assert "Upload the file again to try again" in page and "contact support" in page


# --- who may open a report ---------------------------------------------------------------------


def test_someone_elses_import_is_not_found_and_an_admin_may_read_it(
    client, officer, council, manager, outsider, admin_user
):
    imp = checked_with_errors(officer, council)
    urls = [
        reverse("imports:detail", args=[imp.pk]),
        reverse("imports:errors_csv", args=[imp.pk]),
        reverse("imports:errors_xlsx", args=[imp.pk]),
    ]
    for user in (manager, outsider):  # even a manager of the same council
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [404, 404, 404]
        response = client.post(reverse("imports:start", args=[imp.pk]), {"mode": "valid"})
        assert response.status_code == 404
    client.force_login(admin_user)
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    page = text_of(client.get(urls[0]))
    assert "Only Olive Officer, who uploaded it, can import this file." in page
    assert "Import the 10 rows without errors" not in page
    response = client.post(reverse("imports:start", args=[imp.pk]), {"mode": "valid"})
    assert response.status_code == 403
    imp.refresh_from_db()
    assert imp.status == Status.CHECKED


# --- starting the import -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_importing_starts_the_job_and_the_report_shows_its_progress(
    celery_queue, published, client, officer, council
):
    imp = checked_with_errors(officer, council)
    client.force_login(officer)
    response = client.post(reverse("imports:start", args=[imp.pk]), {"mode": "valid"})
    assert response.status_code == 302 and response["Location"] == imp.get_absolute_url()
    imp.refresh_from_db()
    assert (imp.status, imp.mode) == (Status.IMPORTING, SpreadsheetImport.Mode.VALID)
    assert published == ["initiatives.imports.tasks.import_write"]
    page = text_of(client.get(response["Location"]))
    assert "Starting to import the rows" in page and "Refresh this page" in page
    # A second start (another tab, a double click) is refused, and nothing more is queued.
    again = client.post(reverse("imports:start", args=[imp.pk]), {"mode": "valid"})
    assert again.status_code == 422
    assert_strict_page(again)
    page = text_of(again)
    assert "The file was not imported" in page
    assert "This file is importing: it can be imported only once" in page
    assert published == ["initiatives.imports.tasks.import_write"]


def test_importing_all_rows_of_a_file_with_errors_is_refused_on_the_report(
    client, officer, council
):
    imp = checked_with_errors(officer, council)
    client.force_login(officer)
    response = client.post(reverse("imports:start", args=[imp.pk]), {"mode": "all"})
    assert response.status_code == 422
    page = text_of(response)
    assert "Some rows have errors: correct them and upload the file again" in page
    assert html.escape("Initiatives sheet, row 7") in response.content.decode()
    imp.refresh_from_db()
    assert imp.status == Status.CHECKED


def test_starting_is_a_post_only(client, officer, council):
    imp = checked_with_errors(officer, council)
    client.force_login(officer)
    assert client.get(reverse("imports:start", args=[imp.pk])).status_code == 405


# --- the rows with errors ----------------------------------------------------------------------


def test_the_rows_with_errors_download_as_a_workbook_with_an_errors_column(
    client, officer, council
):
    imp = checked_with_errors(officer, council)
    client.force_login(officer)
    response = client.get(reverse("imports:errors_xlsx", args=[imp.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["Initiatives", "Targets"]
    initiatives = list(book["Initiatives"].values)
    header = initiatives[0]
    assert header[:4] == ("Reference", "Your reference", "Title", "Summary")
    assert header[-1] == "Errors" and "Published" not in header
    assert len(initiatives) == 2  # the header and row 7, not the valid row 8
    row = dict(zip(header, initiatives[1], strict=True))
    assert row["Title"] == "Shared legal service" and row["Start date"] == "31/31/2025"
    assert row["Errors"] == "Start date: must be a date, like 1/4/2025"
    targets = list(book["Targets"].values)
    assert targets[0] == ("Reference", "Financial year", "Target (£)", "Errors")
    assert targets[1] == (
        "INI-0099",
        "2025/26",
        "lots",
        "Target (£): must be an amount of pounds, like 15000.50; "
        "Reference: names no initiative in the file or that you can see",
    )


def test_the_rows_with_errors_download_as_csv_a_sheet_at_a_time(client, officer, council):
    imp = checked_with_errors(officer, council)
    client.force_login(officer)

    def rows(query=""):
        response = client.get(reverse("imports:errors_csv", args=[imp.pk]) + query)
        assert response.status_code == 200
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))

    initiatives = rows()
    assert initiatives[0][-1] == "Errors" and len(initiatives) == 2
    assert "31/31/2025" in initiatives[1]
    targets = rows("?sheet=Targets")
    assert targets[1][:3] == ["INI-0099", "2025/26", "lots"]
    response = client.get(reverse("imports:errors_csv", args=[imp.pk]) + "?sheet=Claims")
    assert response.status_code == 404


def test_once_the_file_is_deleted_its_rows_with_errors_cannot_be_downloaded(
    client, officer, council
):
    imp = checked_with_errors(officer, council, file_deleted_at=timezone.now())
    ImportRow.objects.filter(spreadsheet_import=imp).delete()
    client.force_login(officer)
    response = report(client, imp)
    page = text_of(response)
    assert "The rows with errors can no longer be downloaded" in page
    assert "30 days after it was uploaded" in page
    assert reverse("imports:errors_xlsx", args=[imp.pk]) not in response.content.decode()
    # The problems are still listed: the report outlives the file.
    assert "Initiatives sheet, row 7, Start date" in page
    assert client.get(reverse("imports:errors_xlsx", args=[imp.pk])).status_code == 404
    assert client.get(reverse("imports:errors_csv", args=[imp.pk])).status_code == 404


# --- the template ------------------------------------------------------------------------------


def test_members_download_the_template_workbook_and_others_may_not(client, officer, admin_user):
    client.force_login(officer)
    response = client.get(reverse("imports:template"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="collaborate-import-template.xlsx"'
    )
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    for name in ("Initiatives", "Targets", "Partners", "Claims"):
        headers = [cell.value for cell in book[name][1]]
        assert headers[: len(sheets.read_columns(name))] == [
            column.header for column in sheets.read_columns(name)
        ]
    client.force_login(admin_user)  # no membership: nothing to import for
    assert client.get(reverse("imports:template")).status_code == 403


def test_the_template_and_the_rows_with_errors_are_private_and_never_stored(
    client, officer, council
):
    imp = checked_with_errors(officer, council)
    client.force_login(officer)
    for name, args in [
        ("imports:template", []),
        ("imports:errors_csv", [imp.pk]),
        ("imports:errors_xlsx", [imp.pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        assert response.streaming, name
        assert response["Cache-Control"] == "private, no-store", name
        b"".join(response.streaming_content)
