"""The API's documentation page (/api/docs/, Swagger UI from drf-spectacular-sidecar) in
Chromium under the site's strict CSP: it lists the API's operations with no CSP violation."""

import pytest
from playwright.sync_api import expect

from tests.fixtures_browser import AXE_TAGS, CSP_RECORDER, axe

pytestmark = pytest.mark.django_db(transaction=True)


def open_docs(page, live_server):
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(CSP_RECORDER)
    page.goto(live_server.url + "/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)
    return console


def test_the_docs_page_lists_the_operations_with_no_csp_violation(page, live_server):
    console = open_docs(page, live_server)
    for path in ("/api/v1/register/", "/api/v1/progress/"):
        expect(page.locator(".opblock-summary-path", has_text=path).first).to_be_visible()
    assert page.evaluate("window.__cspViolations") == []
    assert not [m for m in console if "Content Security Policy" in m]


@pytest.mark.xfail(
    strict=True,
    reason="Swagger UI's own markup and colours: nested-interactive (a button inside each "
    "operation's summary button), color-contrast (its version badge, schema URL, Authorize) and "
    "target-size (its operation links); not fixable by configuration. Reported, not switched off.",
)
def test_the_docs_page_passes_axe(page, live_server):
    open_docs(page, live_server)
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.response["violations"] == []
