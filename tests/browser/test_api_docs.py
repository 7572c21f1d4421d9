"""The API's documentation page (/api/docs/, rendered by the app from the OpenAPI schema) in
Chromium under the site's strict CSP: it lists the API's operations with no CSP violation, and
axe-core finds nothing on it, every details element (response fields, examples) open."""

import pytest
from playwright.sync_api import expect

from tests.fixtures_browser import AXE_TAGS, CSP_RECORDER, axe

pytestmark = pytest.mark.django_db(transaction=True)


def open_docs(page, live_server):
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(CSP_RECORDER)
    page.goto(live_server.url + "/api/docs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Collaborate API")
    return console


def test_the_docs_page_lists_the_operations_with_no_csp_violation(page, live_server):
    console = open_docs(page, live_server)
    for operation, path in (
        ("register_list", "/api/v1/register/"),
        ("progress_dashboard", "/api/v1/progress/"),
    ):
        expect(page.locator(f"h3#{operation}")).to_contain_text(path)
    page.get_by_role("link", name="Claims").click()
    expect(page).to_have_url(live_server.url + "/api/docs/#tag-claims")
    assert page.evaluate("window.__cspViolations") == []
    assert not [m for m in console if "Content Security Policy" in m]


def test_the_docs_page_passes_axe_with_its_details_open(page, live_server):
    open_docs(page, live_server)
    summary = page.locator("details summary").first
    summary.click()
    expect(page.locator("details").first).to_have_attribute("open", "")
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    expect(page.locator("pre.app-code-block").first).to_be_visible()
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.response["violations"] == []
