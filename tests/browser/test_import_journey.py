"""A lead officer downloads the import template, fills it with 50 initiatives and their targets
and a date that is not one, and uploads it: the report shows the check waiting, then (through
a real Celery worker) the error naming its sheet, row and column. They correct the row in their
file, upload it again and import all the rows; a third upload of the same file changes nothing.
In Chromium, with JavaScript (htmx polls the report) and without it (the Refresh link); every
page, and every swap, passes axe-core and raises no CSP violation."""

import re
import threading

import openpyxl
import pytest
from playwright.sync_api import expect

from initiatives.models import Initiative, SavingsTarget, SpreadsheetImport
from tests.fixtures_browser import banner, download, error_summary, menu, sign_in
from tests.fixtures_celery import running_worker

pytestmark = pytest.mark.django_db(transaction=True)

COUNT = 50
BAD_INDEX = 5  # the sixth initiative: row 7 of its sheet (the headings are row 1)
BAD_DATE = "31/31/2025"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def fill(template, path):
    """The template with its example rows replaced by 50 initiatives, each with a target for
    2025/26, one of them starting on a date that does not exist."""
    book = openpyxl.load_workbook(template)
    for name in ("Partners", "Claims"):
        book[name].delete_rows(2)  # their example rows
    initiatives, targets = book["Initiatives"], book["Targets"]
    headers = [cell.value for cell in initiatives[1]]
    target_headers = [cell.value for cell in targets[1]]
    for n in range(COUNT):
        values = {
            "Your reference": f"LDS-{n:03}",
            "Title": f"Shared service number {n}",
            "Summary": "Two councils run one service.",
            "Collaboration model": "Shared service",
            "Service area": "Legal",
            "Start date": BAD_DATE if n == BAD_INDEX else "1/4/2025",
            "Planned end date": "31/3/2028",
        }
        for column, header in enumerate(headers, start=1):
            initiatives.cell(row=n + 2, column=column, value=values.get(header))
        target = {"Reference": f"LDS-{n:03}", "Financial year": "2025/26", "Target (£)": 1000 + n}
        for column, header in enumerate(target_headers, start=1):
            targets.cell(row=n + 2, column=column, value=target.get(header))
    book.save(path)
    return headers.index("Start date") + 1


def correct(path, date_column):
    book = openpyxl.load_workbook(path)
    book["Initiatives"].cell(row=BAD_INDEX + 2, column=date_column, value="1/4/2025")
    book.save(path)


def upload(checked, path, where):
    page = checked.page
    menu(page).get_by_role("link", name="Imports").click()
    checked.check("imports")
    page.get_by_role("button", name="Import a spreadsheet").click()
    checked.check("import a spreadsheet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a spreadsheet")
    expect(page.get_by_text("You are importing for Leeds City Council")).to_be_visible()
    page.get_by_label("Upload a spreadsheet").set_input_files(path)
    page.get_by_role("button", name="Upload and check").click()
    checked.check(where)
    expect(page).to_have_url(re.compile(r"/imports/\d+/$"))


def wait_for_report(checked, text, where):
    """Until the running job has finished and the report says `text`: with JavaScript htmx
    swaps the report in by itself; without it, the person follows the Refresh link."""
    page = checked.page
    if checked.javascript:
        expect(page.locator("#import-report")).to_contain_text(text, timeout=60_000)
    else:
        pause = threading.Event()
        for _ in range(120):
            refresh = page.get_by_role("link", name="Refresh this page")
            if not refresh.count():
                break
            pause.wait(0.5)
            refresh.click()
        expect(page.locator("#import-report")).to_contain_text(text)
    expect(page.locator("#import-report [hx-trigger]")).to_have_count(0)
    expect(page.locator("#import-report")).not_to_have_attribute("hx-trigger", re.compile("."))
    checked.check(where)


def test_import_a_filled_template_fix_an_error_and_import_again_to_no_change(
    celery_queue, checked, officer, password, council, tmp_path
):
    page = checked.page
    sign_in(checked, officer, password)
    menu(page).get_by_role("link", name="Imports").click()
    checked.check("imports, none yet")
    expect(page.get_by_text("You have not imported a spreadsheet yet.")).to_be_visible()
    name, template = download(checked, "Download the template", tmp_path)
    assert name == "collaborate-import-template.xlsx"
    filled = tmp_path / "our initiatives.xlsx"
    date_column = fill(template, filled)

    # No worker yet: the report shows the file waiting to be checked, and how to follow it.
    upload(checked, filled, "report, waiting to be checked")
    report = page.locator("#import-report")
    expect(report).to_contain_text("Waiting for the file to be checked")
    expect(report.locator("progress")).to_be_visible()
    expect(page.get_by_role("link", name="Refresh this page")).to_be_visible()
    if checked.javascript:
        expect(report).to_have_attribute("hx-trigger", "every 1s")

    with running_worker():
        wait_for_report(checked, "rows have errors", "report, checked with an error")
        summary = error_summary(page)
        expect(summary).to_contain_text(re.compile(r"Initiatives sheet, row 7, Start date: \w"))
        expect(summary).to_contain_text("2 rows have errors")  # the row, and its target's
        counts = page.get_by_role("table", name="What the file holds")
        initiatives_row = counts.get_by_role("row", name=re.compile("^Initiatives"))
        expect(initiatives_row.locator("td")).to_have_text(["49", "0", "0", "1"])
        expect(page.get_by_role("button", name=re.compile("^Import all"))).to_have_count(0)
        expect(page.get_by_role("button", name="Import the 98 rows without errors")).to_be_visible()
        expect(
            page.get_by_role("link", name=re.compile("rows with errors as Excel"))
        ).to_be_visible()
        assert not Initiative.objects.exists()

        # They correct the date in their file and upload it again.
        correct(filled, date_column)
        upload(checked, filled, "report of the corrected file")
        wait_for_report(checked, "Import all 100 rows", "report, corrected, checked")
        expect(error_summary(page)).to_have_count(0)
        page.get_by_role("button", name="Import all 100 rows").click()
        checked.check("report, importing")
        wait_for_report(checked, "Imported", "report, imported")
        expect(banner(page)).to_contain_text("100 rows created, 0 updated, 0 unchanged")
        created = page.get_by_role("heading", name="Initiatives created")
        expect(created).to_be_visible()
        links = page.locator("#import-report ul.govuk-list--bullet a")
        expect(links).to_have_count(COUNT)
        assert Initiative.objects.filter(lead=council).count() == COUNT
        assert SavingsTarget.objects.filter(initiative__lead=council).count() == COUNT
        first = Initiative.objects.get(external_reference="LDS-000")
        links.first.click()
        checked.check("an imported initiative")
        expect(page.get_by_role("heading", level=1)).to_contain_text(first.title)

        # The same file a third time: nothing is new and nothing has changed.
        upload(checked, filled, "report of the same file again")
        wait_for_report(checked, "There is nothing to import", "report, nothing to import")
        total = page.get_by_role("table", name="What the file holds").get_by_role(
            "row", name=re.compile("^Total")
        )
        expect(total.locator("td")).to_have_text(["0", "0", "100", "0"])

    menu(page).get_by_role("link", name="Imports").click()
    checked.check("imports, three")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Checked")
    expect(rows.nth(1)).to_contain_text("Imported")
    assert SpreadsheetImport.objects.count() == 3
