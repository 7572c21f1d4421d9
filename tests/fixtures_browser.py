"""Headless Chromium (Debian's) through pytest-playwright, with checks every page must pass:
axe-core finds no WCAG 2.2 AA violation and the browser reports no CSP violation; and the steps
and parts of a page that every journey uses."""

import json
import re
import threading
import time

import pytest
from allauth.mfa.models import Authenticator
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

from tests import factories, services

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Records CSP violations in the page itself (init scripts are not subject to the page's CSP).
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(
    [e.violatedDirective, e.blockedURI || 'inline', e.sourceFile, e.lineNumber].join(' ')
  );
});
window.__htmxSettled = 0;
document.addEventListener('htmx:afterSettle', () => { window.__htmxSettled += 1; });
"""

axe = Axe()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    services.need_chromium()
    return {
        **browser_type_launch_args,
        "executable_path": services.CHROMIUM,
        "args": CHROMIUM_FLAGS,
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB", "timezone_id": "Europe/London"}


class Checked:
    """A Playwright page whose every visit is checked for accessibility and CSP."""

    def __init__(self, page, base_url, javascript=True, axe_page=None):
        self.page = page
        # With JavaScript off, axe cannot run in the page itself: the same HTML is shown again
        # in a second page, with the same styles and our scripts blocked, and checked there.
        self.axe_page = axe_page or page
        self.base_url = base_url
        self.javascript = javascript
        self.console_csp = []
        self.checked = []
        page.set_default_timeout(15_000)
        page.on("console", self._on_console)
        if javascript:
            page.add_init_script(CSP_RECORDER)

    def _on_console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console_csp.append(message.text)

    def url(self, path):
        return self.base_url + path

    def goto(self, path):
        response = self.page.goto(self.url(path))
        self.check(f"GET {path}")
        return response

    def check(self, where=None):
        """Run axe-core and the CSP checks on the page as it is now (after a load or a swap)."""
        where = where or self.page.url
        self.checked.append(where)
        self.page.wait_for_load_state("load")
        recorded = self.page.evaluate("window.__cspViolations || []") if self.javascript else []
        assert not (self.console_csp or recorded), (
            f"CSP violation on {where}: {recorded} {self.console_csp}"
        )
        if not self.javascript:
            self._show_in_axe_page()
        results = axe.run(self.axe_page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        violations = results.response["violations"]
        assert not violations, f"axe-core violations on {where}:\n" + json.dumps(
            [
                {"id": v["id"], "help": v["help"], "nodes": [n["html"] for n in v["nodes"][:3]]}
                for v in violations
            ],
            indent=1,
        )

    def _show_in_axe_page(self):
        html, url = self.page.content(), self.page.url
        self.axe_page.unroute("**/*")

        def serve(route):
            if route.request.url == url:
                route.fulfill(body=html, content_type="text/html; charset=utf-8")
            elif route.request.resource_type == "script":
                route.abort()
            else:
                route.continue_()

        self.axe_page.route("**/*", serve)
        self.axe_page.goto(url)

    def after_swap(self, action, where):
        """Do something that makes htmx swap content in, wait until htmx has settled it, then
        check the page as it now stands."""
        settled = self.page.evaluate("window.__htmxSettled")
        action()
        # Poll from outside the page: wait_for_function would need eval, which our CSP forbids.
        for _ in range(300):
            if self.page.evaluate("window.__htmxSettled") > settled:
                break
            self.page.wait_for_timeout(50)
        else:
            raise AssertionError(f"htmx did not swap anything in: {where}")
        self.check(where)


@pytest.fixture
def checked_page(page, live_server):
    return Checked(page, live_server.url)


@pytest.fixture
def checked_page_without_js(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    axe_context = browser.new_context(locale="en-GB")
    page = context.new_page()
    yield Checked(page, live_server.url, javascript=False, axe_page=axe_context.new_page())
    axe_context.close()
    context.close()


@pytest.fixture(params=["with javascript", "without javascript"])
def checked(request):
    """A journey's checked page, once with JavaScript and once without: the site works both ways."""
    if request.param == "with javascript":
        return request.getfixturevalue("checked_page")
    return request.getfixturevalue("checked_page_without_js")


def download(checked, name, tmp_path):
    """Click the link called `name` and keep what it downloads: (its file name, its path)."""
    page = checked.page
    with page.expect_download() as waiting:
        page.get_by_role("link", name=name, exact=True).click()
    downloaded = waiting.value
    assert downloaded.failure() is None
    path = tmp_path / downloaded.suggested_filename
    downloaded.save_as(path)
    return downloaded.suggested_filename, path


def sign_in(checked, user, password, secret=factories.TOTP_SECRET):
    """Sign in through the form: email, password and, for someone with an authenticator app,
    its code (computed from `secret`)."""
    checked.goto("/accounts/login/")
    page = checked.page
    page.get_by_label("Email address").fill(user.email)
    page.get_by_role("button", name="Continue").click()
    checked.check("sign in: the password step")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists():
        checked.check("sign in: the second factor step")
        page.get_by_label(CODE_LABEL).fill(unused_totp_code(user, secret))
        page.get_by_role("button", name="Sign in").click()
    checked.check("home after sign in")


CODE_LABEL = "Code from your authenticator app"


def set_up_second_factor(checked, password):
    """For someone just sent to set up a second factor: give the password again if asked (a
    sign-in through an invitation link is not a recent one for allauth), enrol an authenticator
    app and carry on. Returns its secret."""
    page = checked.page
    if "/accounts/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Confirm").click()
        checked.check("setting up a second factor, the password given again")
    secret, _ = enrol_authenticator_app(checked)
    page.get_by_role("link", name="Continue").click()
    checked.check("home after setting up a second factor")
    return secret


def enrol_authenticator_app(checked):
    """On the page that sets up an authenticator app: read the setup key shown in text, enter
    the app's code, and read the recovery codes shown once. Returns (secret, codes)."""
    page = checked.page
    secret = page.locator("#setup-key").inner_text().strip()
    page.get_by_label(CODE_LABEL).fill(factories.totp_code(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    checked.check("the recovery codes, shown once")
    codes = [code.strip() for code in page.locator("#recovery-codes li").all_inner_texts()]
    return secret, codes


def unused_totp_code(user, secret=factories.TOTP_SECRET):
    """The code `user`'s authenticator app shows now; if it was used already (a code works once),
    the next one, after waiting for it as a person would."""
    while True:
        code = factories.totp_code(secret)
        if not cache.get(f"allauth.mfa.totp.used?user={user.pk}&code={code}"):
            return code
        time.sleep(1)


def sign_out(checked):
    checked.page.get_by_role("button", name=re.compile("Sign out")).click()
    checked.check("signed out")


def menu(page):
    return page.get_by_role("navigation", name="Menu")


def banner(page):
    return page.locator(".govuk-notification-banner")


def error_summary(page):
    return page.locator(".govuk-error-summary")


def choose_filter(checked, label, option, where, button="Apply filters"):
    """Change one filter of a list or a dashboard: with JavaScript the results are swapped in
    at once; without it, the form is sent by its button."""
    page = checked.page
    select = page.get_by_label(label, exact=True)
    if checked.javascript:
        checked.after_swap(lambda: select.select_option(label=option), where)
    else:
        select.select_option(label=option)
        page.get_by_role("button", name=button).click()
        checked.check(where)
    expect(page.get_by_label(label, exact=True).locator("option:checked")).to_have_text(option)


def send_empty(checked, button, *messages):
    """Press a form's button with nothing entered: the form comes back with these messages in
    its error summary, and "There is a problem" above them."""
    checked.page.get_by_role("button", name=button).click()
    checked.check(f"{button}, nothing entered")
    for message in ("There is a problem", *messages):
        expect(error_summary(checked.page)).to_contain_text(message)


def emails_arrived(count):
    """The outbox once `count` emails are in it: a Celery worker sends them in its own time."""
    waiter = threading.Event()
    for _ in range(300):
        if len(mail.outbox) >= count:
            return mail.outbox
        waiter.wait(0.05)
    raise AssertionError(f"{count} emails expected, {len(mail.outbox)} arrived: {mail.outbox}")
