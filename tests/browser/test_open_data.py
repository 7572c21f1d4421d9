"""An anonymous visitor goes from the public register to its open data page, reads what each
column means and the licence, and downloads the CSV and the JSON; in Chromium, with and
without JavaScript, every page passing axe-core with no CSP violation."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from initiatives.models import Initiative
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def published(council):
    council.gss_code = "E08000035"
    council.save(update_fields=["gss_code"])
    return factories.InitiativeFactory(
        lead=council,
        title="Leeds revenues and benefits",
        visibility=Initiative.Visibility.PUBLIC,
        published_at=timezone.now(),
    )


def test_a_visitor_finds_reads_and_downloads_the_open_data(checked, published):
    page = checked.page
    checked.goto("/register/")
    page.get_by_role("link", name="open data").click()
    checked.check("open data page")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Public register of council collaboration initiatives"
    )
    columns = page.get_by_role("table", name="The columns of the CSV and the workbook, in order")
    expect(
        columns.get_by_role("rowheader", name="lead_organisation_gss_code", exact=True)
    ).to_be_visible()
    expect(columns.get_by_role("rowheader", name="savings_to_date", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Open Government Licence v3.0").first).to_have_attribute(
        "href", "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    )

    with page.expect_download() as download:
        page.get_by_role("link", name="Every published initiative as CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text)))
    assert dict(zip(header, row, strict=True))["lead_organisation_gss_code"] == "E08000035"

    link = page.get_by_role("link", name="Every published initiative as JSON")
    response = page.request.get(checked.url(link.get_attribute("href")))
    assert json.loads(response.text())["initiatives"][0]["title"] == "Leeds revenues and benefits"
    again = page.request.get(
        checked.url(link.get_attribute("href")), headers={"If-None-Match": response.headers["etag"]}
    )
    assert again.status == 304
