"""The practice library: the lead's officer opens the initiative's Documents section, tries to
upload nothing (the error summary says what is missing), then uploads a business case shared
with everyone signed in; an officer of a council with no part in the initiative finds it in
/library/ by searching and downloads it. In Chromium, with and without JavaScript; every page
and every htmx swap passes axe-core and raises no CSP violation."""

import pytest
from playwright.sync_api import expect

from initiatives.models import PracticeDocument
from tests import factories
from tests.fixtures_browser import banner, download, menu, send_empty, sign_in, sign_out

pytestmark = pytest.mark.django_db(transaction=True)

INITIATIVE = "Shared revenues and benefits service"
TITLE = "Revenues shared service business case"
BUTTON = "Upload the document"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def shared_service(officer, manager, council, partner_council, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return factories.make_partnered_initiative(
        officer, council, partner_council, manager=manager, title=INITIATIVE
    )


def open_documents_section(checked, initiative):
    page = checked.page
    checked.goto(f"/initiatives/{initiative.pk}/")
    tab = page.get_by_role("navigation", name="Sections of this initiative").get_by_role(
        "link", name="Documents"
    )
    if checked.javascript:
        checked.after_swap(tab.click, "the documents section, swapped in")
        expect(tab).to_have_attribute("aria-current", "page")
    else:
        tab.click()
        checked.check("the documents section")
    expect(page.get_by_role("heading", name="Documents", exact=True)).to_be_visible()


def upload_business_case(checked, tmp_path):
    page = checked.page
    send_empty(
        checked,
        BUTTON,
        "Choose the kind of document",
        "Enter a title",
        "Choose who can see the document",
        "Choose a file to upload",
    )
    assert not PracticeDocument.objects.exists()
    case = tmp_path / "business-case.pdf"
    case.write_bytes(PDF)
    page.get_by_label("Business case", exact=True).check()
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Description").fill("The case both cabinets approved in 2025.")
    page.get_by_label("Shared with everyone signed in").check()
    page.get_by_label("File", exact=True).set_input_files(case)
    page.get_by_role("button", name=BUTTON).click()
    checked.check("the documents section after the upload")
    expect(banner(page)).to_contain_text(f"“{TITLE}” was added to the library")
    expect(page.locator("table")).to_contain_text(TITLE)
    expect(page.locator("table")).to_contain_text("Signed-in users")


def find_in_library(checked):
    page = checked.page
    menu(page).get_by_role("link", name="Practice library").click()
    checked.check("the practice library")
    search = page.get_by_label("Search by title, description or initiative")
    if checked.javascript:
        checked.after_swap(lambda: search.fill("revenues"), "the library, searched")
    else:
        search.fill("revenues")
        page.get_by_role("button", name="Apply filters").click()
        checked.check("the library, searched")
    expect(page.locator("#results-count")).to_have_text("1 document")
    expect(page.locator("#results")).to_contain_text(INITIATIVE)


def test_library_journey(checked, shared_service, officer, outsider, password, tmp_path):
    sign_in(checked, officer, password)
    open_documents_section(checked, shared_service)
    upload_business_case(checked, tmp_path)
    document = PracticeDocument.objects.get()
    assert document.visibility == PracticeDocument.Visibility.SHARED
    sign_out(checked)

    sign_in(checked, outsider, password)
    find_in_library(checked)
    (tmp_path / "downloads").mkdir()
    name, path = download(checked, f"{TITLE} (download business-case.pdf)", tmp_path / "downloads")
    assert name == "business-case.pdf"
    assert path.read_bytes() == PDF
