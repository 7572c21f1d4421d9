"""The load scenario (README "Load"): officers creating and editing initiatives and claims,
managers verifying claims and reading their dashboard, anonymous visitors on the public register.

Run by tests/load/run.py, which prepares the database and the accounts and starts the servers:
each signed-in virtual user is an account of its own, read from the JSON file LOAD_ACCOUNTS
names ({"password": …, "officers": [{"email": …}], "managers": [{"email": …, "totp_secret":
…, "organisation": id}]}). LOAD_MANAGERS and LOAD_VISITORS say how many of those users to start
(the rest are officers).

The users sign in while they are started (the ramp-up); once the last has, the figures so far
(the sign-in steps) are written to LOAD_RAMP_FILE and the statistics start again for
LOAD_SECONDS of every user working, after which the run ends.

Requests are named by page, so that each page's figures add up across users. A page that
answers but refuses (a form shown again with errors, a decision not taken) is a failure. The
page every signed-in user opens now and then, `account (baseline)` (/accounts/: the account
and its email settings), is the trivial page the others' p95 is compared with.

This file runs under gevent (locust): it imports nothing of Django."""

import itertools
import json
import os
import random
import re
import time
import uuid
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import gevent
import pyotp
from locust import HttpUser, between, task

BASELINE = "account (baseline)"
ACCOUNTS = json.loads(open(os.environ["LOAD_ACCOUNTS"], encoding="utf-8").read())  # noqa: SIM115
NEXT_OFFICER = itertools.count()
NEXT_MANAGER = itertools.count()
HTMX = {"HX-Request": "true"}
SIGNING_IN = int(os.environ.get("LOAD_SIGNED_IN", "0"))  # users who sign in, all told
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
signed_in = 0  # sign-ins finished (or given up)


def sign_in_done(environment):
    """Count a sign-in finished; after the last, keep the ramp-up's figures, start the
    statistics again and end the run LOAD_SECONDS later."""
    global signed_in
    signed_in += 1
    if signed_in != SIGNING_IN:
        return
    runner = environment.runner
    ramp = {
        "seconds": time.time() - runner.stats.total.start_time,
        "pages": [
            {
                "name": entry.name,
                "method": entry.method,
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "p50": entry.get_response_time_percentile(0.5),
                "p95": entry.get_response_time_percentile(0.95),
                "p99": entry.get_response_time_percentile(0.99),
            }
            for entry in runner.stats.entries.values()
        ],
        "errors": [
            {"name": e.name, "error": str(e.error), "count": e.occurrences}
            for e in runner.stats.errors.values()
        ],
        "exceptions": [
            {"message": e["msg"], "count": e["count"]} for e in runner.exceptions.values()
        ],
    }
    with open(os.environ["LOAD_RAMP_FILE"], "w", encoding="utf-8") as file:
        json.dump(ramp, file)
    runner.stats.reset_all()
    runner.exceptions = {}
    gevent.spawn_later(SECONDS, runner.quit)


# --- reading pages ----------------------------------------------------------------------------


class Forms(HTMLParser):
    """Every form of a page as a browser would send it untouched: [(action, method, {name:
    value or [values]})], with its text inputs, ticked boxes, chosen options and text areas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None
        self._first_option = None
        self._textarea = None

    def _put(self, name, value):
        fields = self._form[2]
        if name in fields:
            old = fields[name]
            fields[name] = [*old, value] if isinstance(old, list) else [old, value]
        else:
            fields[name] = value

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = (a.get("action") or "", (a.get("method") or "get").lower(), {})
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file", "image", "reset"):
                self._put(a["name"], a.get("value") or "")
        elif tag == "select" and a.get("name"):
            self._select, self._first_option = a["name"], None
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._put(self._select, value)
                self._select = None
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            self._put(self._select, self._first_option or "")
            self._select = None
        elif tag == "textarea" and self._textarea:
            self._put(*self._textarea)
            self._textarea = None
        elif tag == "form":
            self._form = None


def form_with(page, field):
    """The (action, fields) of the page's form that has `field`; the action made absolute."""
    parser = Forms()
    parser.feed(page.text)
    for action, _, fields in parser.forms:
        if field in fields or any(name.startswith(f"{field}_") for name in fields):
            return urljoin(urlsplit(page.url).path, action or urlsplit(page.url).path), fields
    raise LookupError(f"no form with {field!r} on {page.url}")


def options_of(page, name):
    """The non-empty values of select `name` on the page, in order."""
    block = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page.text, re.S)
    return [v for v in re.findall(r'<option value="([^"]*)"', block.group(1)) if v] if block else []


def csrf_of(page):
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if match is None:
        match = re.search(r'"X-CSRFToken": "([^"]+)"', page.text)
    if match is None:
        raise LookupError(f"no CSRF token on {page.url}")
    return match.group(1)


def path_of(location):
    return urlsplit(location).path


# --- the users --------------------------------------------------------------------------------


class SignedIn(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    account = None

    def get(self, url, name, *, expect=(200,), contains=None, **kwargs):
        """GET a page; a failure unless its status is expected and it says `contains`."""
        with self.client.get(url, name=name, catch_response=True, **kwargs) as page:
            if page.status_code not in expect:
                page.failure(f"{page.status_code} for {url}")
            elif contains and contains not in page.text:
                page.failure(f"{url} does not say {contains!r}")
            else:
                page.success()
            return page

    def post(self, url, name, data, *, redirect_to=None, expect=(302,), contains=None, **kwargs):
        """POST a form without following its redirect: a failure unless it answers `expect` and,
        when it redirects, to a path matching `redirect_to` (the path is returned)."""
        with self.client.post(
            url, data=data, name=name, allow_redirects=False, catch_response=True, **kwargs
        ) as answer:
            location = path_of(answer.headers.get("Location", ""))
            if answer.status_code not in expect:
                errors = re.findall(r'govuk-error-message"[^>]*>(.*?)</p>', answer.text, re.S)
                answer.failure(f"{answer.status_code} for {url}: {' '.join(errors)[:300]}")
            elif redirect_to and not re.fullmatch(redirect_to, location):
                answer.failure(f"{url} redirected to {location!r}")
            elif contains and contains not in answer.text:
                answer.failure(f"{url} does not say {contains!r}: {answer.text[:300]}")
            else:
                answer.success()
                return location or answer
            return None

    def on_start(self):
        try:
            self.sign_in()
        finally:
            sign_in_done(self.environment)

    def sign_in(self):
        page = self.get("/accounts/login/", "sign in: page")
        _, fields = form_with(page, "login")
        fields.update(login=self.account["email"], password=ACCOUNTS["password"])
        location = self.post("/accounts/login/", "sign in: password", fields)
        if location == "/accounts/2fa/authenticate/":
            page = self.get(location, "sign in: code page")
            _, fields = form_with(page, "code")
            # In the last seconds of a code's 30, wait for the next one, as many people do.
            left = 30 - time.time() % 30
            if left < 5:
                time.sleep(left + 0.1)
            fields["code"] = pyotp.TOTP(self.account["totp_secret"]).now()
            location = self.post(location, "sign in: code", fields)
        if location is None or location.startswith("/accounts/"):
            raise RuntimeError(f"{self.account['email']} did not sign in (sent to {location})")

    @task(3)
    def baseline(self):
        self.get("/accounts/", BASELINE, contains=self.account["email"])


class Officer(SignedIn):
    """Creates initiatives for their organisation, edits them, claims savings and submits."""

    weight = 1

    def on_start(self):
        self.account = ACCOUNTS["officers"][next(NEXT_OFFICER) % len(ACCOUNTS["officers"])]
        self.initiatives = []
        super().on_start()

    @task(2)
    def initiative_create(self):
        page = self.get("/initiatives/new/", "initiative: new (form)")
        action, fields = form_with(page, "title")
        tag = uuid.uuid4().hex[:8]
        year = random.randint(2022, 2025)
        fields.update(
            {
                "title": f"Shared {random.choice(['revenues', 'waste', 'legal', 'ICT'])} {tag}",
                "summary": "Two councils share one team and one system under a joint committee.",
                "collaboration_model": "shared_service",
                "governance": "joint_committee",
                "start_date_0": "1",
                "start_date_1": "4",
                "start_date_2": str(year),
                "planned_end_date_0": "31",
                "planned_end_date_1": "3",
                "planned_end_date_2": str(year + 3),
            }
        )
        if not fields.get("service_area"):
            fields["service_area"] = options_of(page, "service_area")[0]
        fields = {k: v for k, v in fields.items() if v is not None}
        location = self.post(
            action, "initiative: create (POST)", fields, redirect_to=r"/initiatives/\d+/partners/"
        )
        if location:
            pk = int(location.split("/")[2])
            self.initiatives.append(pk)
            self.get(location, "initiative: partners", contains="was created")

    @task(2)
    def initiative_edit(self):
        if not self.initiatives:
            return self.initiative_create()
        pk = random.choice(self.initiatives)
        page = self.get(f"/initiatives/{pk}/edit/", "initiative: edit (form)")
        action, fields = form_with(page, "title")
        fields["summary"] = f"Revised {uuid.uuid4().hex[:6]}: one team, one system, one budget."
        location = self.post(
            action, "initiative: edit (POST)", fields, redirect_to=rf"/initiatives/{pk}/"
        )
        if location:
            self.get(location, "initiative: overview", contains="was updated")

    @task(4)
    def claim_create_and_submit(self):
        if not self.initiatives:
            return self.initiative_create()
        pk = random.choice(self.initiatives)
        page = self.get(f"/initiatives/{pk}/claims/new/", "claim: new (form)")
        action, fields = form_with(page, "gross_amount")
        gross = random.randint(5_000, 90_000)
        fields.update(
            {
                "financial_year": random.choice(options_of(page, "financial_year")),
                "category": "cost_reduction",
                "kind": random.choice(["cash_releasing", "non_cash_releasing"]),
                "recurrence": random.choice(["recurring", "one_off"]),
                "gross_amount": f"{gross}.{random.randint(0, 99):02d}",
                "implementation_cost": str(random.randint(0, gross // 4)),
                "description": "One contract instead of two: the second licence was cancelled.",
                "service_quality": "maintained",
                "service_quality_statement": "Collections on time stayed at 99.6 %.",
                "evidence_text": "Budget monitoring report, period 6.",
            }
        )
        claim = self.post(action, "claim: create (POST)", fields, redirect_to=r"/claims/\d+/")
        if not claim:
            return
        page = self.get(claim, "claim: detail", contains="was saved as a draft")
        self.post(
            f"{claim}submit/",
            "claim: submit (POST)",
            {"csrfmiddlewaretoken": csrf_of(page)},
            redirect_to=claim,
        )
        self.get(claim, "claim: detail", contains="was submitted")

    @task(2)
    def initiatives_list(self):
        self.get("/initiatives/", "initiatives: list")

    @task(1)
    def initiative_claims(self):
        if self.initiatives:
            pk = random.choice(self.initiatives)
            self.get(f"/initiatives/{pk}/claims/", "initiative: claims")


class Manager(SignedIn):
    """Verifies the claims submitted to their organisation (never ones they took part in: the
    queue leaves those out) and reads its dashboard and the dashboard's fragments."""

    fixed_count = int(os.environ.get("LOAD_MANAGERS", "1"))

    def on_start(self):
        self.account = ACCOUNTS["managers"][next(NEXT_MANAGER) % len(ACCOUNTS["managers"])]
        super().on_start()

    def queue(self):
        page = self.get("/claims/review/", "review queue")
        return page, [int(pk) for pk in re.findall(r'action="/claims/(\d+)/decide/"', page.text)]

    @task(4)
    def decide(self):
        page, waiting = self.queue()
        for pk in random.sample(waiting, min(2, len(waiting))):
            claim = self.get(f"/claims/{pk}/", "claim: detail")
            # Outputs that fell make a cut, not a saving: it goes back to the claimant.
            fell = "Outputs fell" in claim.text
            self.post(
                f"/claims/{pk}/decide/",
                "claim: decide (htmx POST)",
                {
                    "from": "review",
                    "decision": "return" if fell else "verify",
                    "note": "The outputs fell: please claim it as a cut." if fell else "",
                },
                expect=(200,),
                contains="returned for revision" if fell else ": verified.",
                headers={**HTMX, "HX-Target": f"claim-row-{pk}", "X-CSRFToken": csrf_of(page)},
            )

    @task(1)
    def verify_selected(self):
        page, waiting = self.queue()
        chosen = [str(pk) for pk in waiting[:5]]
        if not chosen:
            return
        token = csrf_of(page)
        self.post(
            "/claims/review/verify/",
            "review: verify selected (confirm page)",
            {"csrfmiddlewaretoken": token, "claims": chosen},
            expect=(200,),
            contains="confirm",
        )
        self.post(
            "/claims/review/verify/",
            "review: verify selected (POST)",
            {"csrfmiddlewaretoken": token, "claims": chosen, "confirm": "on"},
            redirect_to="/claims/review/",
        )
        self.get("/claims/review/", "review queue", contains="verified")

    @task(3)
    def dashboard(self):
        organisation = self.account["organisation"]
        page = self.get("/dashboard/", "dashboard")
        years = options_of(page, "fy")
        fragment = {**HTMX, "HX-Current-URL": page.url}
        query = {"org": organisation, "fy": random.choice(years) if years else ""}
        self.get(
            "/dashboard/",
            "dashboard: figures (htmx)",
            params=query,
            headers={**fragment, "HX-Target": "dashboard-figures"},
        )
        self.get(
            "/dashboard/",
            "dashboard: poll (htmx)",
            params={**query, "poll": "1"},
            expect=(200, 204),
            headers={**fragment, "HX-Target": "dashboard-figures"},
        )
        list_name = random.choice(["at-risk", "gaps"])
        self.get(
            f"/dashboard/{list_name}/",
            f"dashboard: {list_name} (htmx)",
            params={"org": organisation},
            headers={**fragment, "HX-Target": "results"},
        )


class Visitor(HttpUser):
    """Anyone, signed out, reading the public register and its initiatives."""

    fixed_count = int(os.environ.get("LOAD_VISITORS", "1"))
    wait_time = between(1, 3)
    references = ()

    @task(2)
    def register(self):
        page = self.client.get("/register/", params={"page": random.randint(1, 3)}, name="register")
        found = re.findall(r'href="/register/([A-Z0-9-]+)/"', page.text)
        if found:
            self.references = found

    @task(3)
    def register_initiative(self):
        if not self.references:
            self.register()
        if self.references:
            reference = random.choice(self.references)
            self.client.get(f"/register/{reference}/", name="register: initiative")
