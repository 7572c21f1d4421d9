"""No form makes the server fail, whatever is sent. For every URL pattern that takes a POST,
hypothesis sends the fields of its form (found in the markup of the pages of the permission
matrix, as the person shown the form) filled with random text, numbers, huge strings, unicode,
nothing or several values, as that person; the same for every page's search and filter forms
and the query parameters of its links (GET); and evidence uploads of random bytes, names, sizes
up to past the limit and content types. Never a 5xx. Each POST runs in a savepoint that is
rolled back, so every example meets the same scene.

Bounded: the `fuzz` profile (25 examples a form) is what `make test` and `.ci/run` run; for a
long run by hand: FUZZ_PROFILE=fuzz-thorough pytest tests/security/test_fuzz_forms.py"""

import os
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from initiatives.claims import evidence
from tests.authentication import proved
from tests.security import figures, matrix
from tests.security.matrix import OK, REDIRECT
from tests.security.scene import (
    ADMIN,
    ANONYMOUS,
    AUDITOR,
    LEAD_MANAGER,
    LEAD_OFFICER,
    OUTSIDER,
    PARTNER_OFFICER,
    ROLES,
)

pytestmark = pytest.mark.django_db

_QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile("fuzz", max_examples=25, deadline=None, suppress_health_check=_QUIET)
settings.register_profile(
    "fuzz-thorough", max_examples=400, deadline=None, suppress_health_check=_QUIET
)
FUZZ = settings.get_profile(os.environ.get("FUZZ_PROFILE", "fuzz"))

# --- what is sent ------------------------------------------------------------------------------

ODD = [
    *("", " ", "0", "-1", "1e309", "NaN", "-0.001", "2025", "99999999999", "on", "true"),
    *("2025-13-45", "../../etc/passwd", "\x00", "%00", "' OR 1=1 --", "\u202e", "😀", "²"),
]
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), max_size=400),  # any character, NUL included
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(ODD),
    st.integers(250, 100_000).map(lambda n: "x" * n),  # past any max_length (and see below)
)
VALUE = st.one_of(TEXT, st.lists(TEXT, min_size=2, max_size=4))


def form_data(fields):
    """Each field of the form: one of the values its markup offers (so that some examples get
    past one field to fail at the next), random values, several values, or left out."""
    return st.fixed_dictionaries(
        {},
        optional={
            name: st.one_of(st.sampled_from(good), VALUE) if good else VALUE
            for name, good in fields.items()
        },
    )


# --- where the forms are ----------------------------------------------------------------------


@dataclass
class Form:
    role: str  # who is shown it, and sends it
    action: str
    fields: dict  # name → the values the markup offers
    page: str | None  # opened first when the form was reached by a redirect (its session)


class _Forms(HTMLParser):
    """A page's forms by method, with, per field, the values the markup offers (an input's or
    button's value, a textarea's text, a select's options); and the query parameters of its
    links back to itself (pagination, sorting), as one more GET form."""

    def __init__(self, url, role):
        super().__init__()
        self.url, self.role = url, role
        self.forms = {"get": [], "post": []}
        self.links = Form(role, urlsplit(url).path, {}, None)
        self._form = self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            action = urljoin(self.url, attrs.get("action") or "").split("?")[0]
            self._form = Form(self.role, action, {}, None)
            self.forms.setdefault(method, []).append(self._form)
        elif tag == "a" and (attrs.get("href") or "").startswith("?"):
            for name, value in parse_qsl(attrs["href"][1:], keep_blank_values=True):
                self.links.fields.setdefault(name, []).append(value)
        elif self._form is None:
            return
        elif tag == "option" and self._select is not None:
            if attrs.get("value") is not None:
                self._select.append(attrs["value"])
        elif attrs.get("name") and attrs["name"] != "csrfmiddlewaretoken":
            offered = self._form.fields.setdefault(attrs["name"], [])
            if tag == "select":
                self._select = offered
            elif tag == "textarea":
                self._textarea = offered
            elif attrs.get("value") is not None:
                offered.append(attrs["value"])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _route_name(url):
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


# People in the order the forms are looked for: the lead's officer is shown most forms.
FINDERS = (LEAD_OFFICER, LEAD_MANAGER, ADMIN, PARTNER_OFFICER, OUTSIDER, ANONYMOUS)
# Pages that show a form only after a search: (person, matrix row, query).
AFTER_A_SEARCH = [(LEAD_MANAGER, "initiatives:partner_add", {"q": "Cornwall"})]


def _shown_elsewhere(role, name, *fields):
    """A form the scene shows under another name or only part-way through a flow, as sent."""
    return lambda s: Form(role, reverse(name), {field: [""] for field in fields}, None)


def _just_proved(role, name, *fields):
    """A form shown only to someone who proved who they are in the last minutes: sent by a new
    session of `role` that did, a minute ago."""

    def form(scene):
        key = f"{role}, just signed in"
        scene.clients[key] = scene.client_for(role)
        proved(scene.clients[key], scene.people[role], "password", 1)
        return Form(key, reverse(name), {field: [""] for field in fields}, None)

    return form


# Forms no page of the scene shows, as the scene would fill them: the organisation switcher is
# shown only to people in several organisations; allauth's names for Collaborate's sign-in and
# sign-out (the pages' forms are found under Collaborate's); second factors' forms, shown once
# one has just confirmed who one is, and the forms of the middle of a sign-in or a first
# single sign-on.
NOT_SHOWN = {
    "accounts:acting_for": lambda s: Form(
        LEAD_OFFICER,
        reverse("accounts:acting_for"),
        {"organisation": [str(s.lead.pk)], "next": ["/partners/"]},
        None,
    ),
    "account_login": _shown_elsewhere(ANONYMOUS, "account_login", "login", "password"),
    "account_logout": _shown_elsewhere(LEAD_OFFICER, "account_logout"),
    "account_signup": _shown_elsewhere(ANONYMOUS, "account_signup", "email", "password1"),
    "account_reset_password": _shown_elsewhere(ANONYMOUS, "account_reset_password", "email"),
    "mfa_activate_totp": _shown_elsewhere(LEAD_OFFICER, "mfa_activate_totp", "code"),
    "mfa_add_webauthn": _shown_elsewhere(
        LEAD_OFFICER, "mfa_add_webauthn", "name", "credential", "passwordless"
    ),
    "mfa_authenticate": _shown_elsewhere(ANONYMOUS, "mfa_authenticate", "code", "credential"),
    "mfa_deactivate_totp": _shown_elsewhere(LEAD_MANAGER, "mfa_deactivate_totp"),
    "mfa_download_recovery_codes": _shown_elsewhere(LEAD_MANAGER, "mfa_download_recovery_codes"),
    "mfa_generate_recovery_codes": _shown_elsewhere(LEAD_MANAGER, "mfa_generate_recovery_codes"),
    "mfa_reauthenticate_webauthn": _shown_elsewhere(
        LEAD_MANAGER, "mfa_reauthenticate_webauthn", "credential"
    ),
    "mfa_edit_webauthn": lambda s: Form(
        LEAD_MANAGER, reverse("mfa_edit_webauthn", args=[1]), {"name": [""]}, None
    ),
    "mfa_remove_webauthn": lambda s: Form(
        LEAD_MANAGER, reverse("mfa_remove_webauthn", args=[1]), {}, None
    ),
    "partners:sso_choose": _shown_elsewhere(ANONYMOUS, "partners:sso_choose", "organisation"),
    "socialaccount_signup": _shown_elsewhere(ANONYMOUS, "socialaccount_signup", "email"),
    "accounts:token_create": _just_proved(
        LEAD_OFFICER, "accounts:token_create", "name", "writable", "expires_on"
    ),
    "openid_connect_login": lambda s: Form(
        ANONYMOUS, reverse("openid_connect_login", args=[s.identity_provider.slug]), {}, None
    ),
}
# Answers that are not the server failing: starting single sign-on with the scene's identity
# provider, which nothing runs, gets the page saying it cannot be reached (502).
UPSTREAM = {"openid_connect_login": 502}


def _pages(scene):
    for role in FINDERS:
        for key in matrix.rows_of_known_patterns():
            answer = matrix.row(matrix.TABLE[key]).answers[ROLES.index(role)]
            if matrix.name_of(key) not in matrix.NOT_HTML and answer in (OK, REDIRECT):
                yield role, matrix.url_of(scene, key)
    for role, key, query in AFTER_A_SEARCH:
        yield role, f"{matrix.url_of(scene, key)}?{urlencode(query)}"
    # Last, the lead's auditor (matrix.AUDITOR_ANSWERS): the audit-sampling forms are theirs.
    for key in matrix.rows_of_known_patterns():
        answer = matrix.auditor_answer(key)
        if matrix.name_of(key) not in matrix.NOT_HTML and answer in (OK, REDIRECT):
            yield AUDITOR, matrix.url_of(scene, key)


@pytest.fixture(scope="module")
def forms(plain_scene, django_db_blocker):
    """{"post"/"get": {URL name: Form}}: every form on the HTML pages of the matrix (after a
    redirect, as to a password-reset link's form), as the first of FINDERS shown it."""
    found = {"get": {}, "post": {}}
    with django_db_blocker.unblock():
        for role, url in _pages(plain_scene):
            response = plain_scene.clients[role].get(url, follow=True)
            parser = _Forms(response.request["PATH_INFO"], role)
            parser.feed(response.content.decode())
            for method, forms_ in parser.forms.items():
                for form in [*forms_, *([parser.links] if method == "get" else [])]:
                    form.page = url if response.redirect_chain else None
                    name = _route_name(form.action)
                    if name and name not in found.setdefault(method, {}):
                        found[method][name] = form
                    elif name and method == "get" and found[method][name].role == role:
                        found[method][name].fields.update(form.fields)
    return found


def _post(scene, form, data, **extra):
    """POST as the form's person, in a savepoint rolled back after, and with the cookies the
    client had before (a sign-out is undone with the database): each example meets the same
    scene, signed in the same way."""
    client = scene.clients[form.role]
    cookies = SimpleCookie(client.cookies.output(header="", sep="\n"))
    with transaction.atomic():
        if form.page:
            client.get(form.page, follow=True)
        response = client.post(form.action, data, **extra)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


sent = Counter()


def _count(what):
    """One more example sent, and the figure the run ends with."""
    sent[what] += 1
    figures.record(
        "Fuzzing",
        f"{FUZZ.max_examples} examples a form at most: {sent['posts']} random POSTs to "
        f"{sent['post forms']} forms, {sent['queries']} random GETs of {sent['get forms']} GET "
        "forms (searches, filters, sorts, the pages' own links), "
        f"{sent['uploads']} random evidence uploads to 3 routes; no 5xx",
    )


def _names():
    """Every pattern of the matrix but the API's (JSON, fuzzed by schemathesis)."""
    names = {matrix.name_of(key) for key in matrix.rows_of_known_patterns()}
    return sorted(name for name in names if not matrix.is_api(name))


def _url_of(scene, name):
    return matrix.url_of(scene, next(k for k in matrix.TABLE if matrix.name_of(k) == name))


@pytest.mark.parametrize("name", _names())
def test_random_posts_never_fail_the_server(plain_scene, forms, name):
    form = forms["post"].get(name)
    if form is None and name in NOT_SHOWN:
        form = NOT_SHOWN[name](plain_scene)
    if form is None:
        # No page shows a form for it: then it takes no POST.
        url = _url_of(plain_scene, name)
        answers = {
            role: _post(plain_scene, Form(role, url, {}, None), {}).status_code
            for role in (LEAD_OFFICER, ADMIN)
        }
        assert set(answers.values()) == {405}, (
            f"{name} takes a POST ({answers}) but no page of the permission matrix shows its "
            "form: add the page to the matrix or AFTER_A_SEARCH, or the form to NOT_SHOWN"
        )
        return

    @FUZZ
    @given(data=form_data(form.fields))
    def post_anything(data):
        response = _post(plain_scene, form, data)
        _count("posts")
        assert response.status_code < 500 or response.status_code == UPSTREAM.get(name), (
            f"{name} ({form.action}) as {form.role}"
        )

    post_anything()
    _count("post forms")
    # And a body past what any form takes: refused (400) when the form is read; a button whose
    # view reads no field ignores it. Never a failure.
    huge = dict.fromkeys(form.fields or ["x"], "x" * django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    assert _post(plain_scene, form, huge).status_code < 500 or name in UPSTREAM


def _get_anything(scene, name, form):
    client = scene.clients[form.role]

    @FUZZ
    @given(data=form_data(form.fields))
    def get_anything(data):
        response = client.get(form.action, data)
        _count("queries")
        assert response.status_code < 500, f"{name} ({form.action}) as {form.role}: {data}"

    get_anything()
    _count("get forms")


def test_random_queries_never_fail_the_server(plain_scene, forms):
    """Every search, filter and sort form, and every page's own links' parameters."""
    assert len(forms["get"]) > 10  # the lists, the dashboards, the pickers
    for name, form in sorted(forms["get"].items()):
        _get_anything(plain_scene, name, form)


# --- evidence uploads ---------------------------------------------------------------------------

LIMIT = getattr(django_settings, "EVIDENCE_UPLOAD_MAX_SIZE", evidence.MAX_SIZE)
SUFFIXES = [*evidence.ACCEPTED, ".PDF", ".doc", ".xlsm", ".exe", ".html", ".svg", "", ".pdf.exe"]
HEADS = [
    b"",
    b"%PDF-1.4\n",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff\xe0",
    b"GIF89a",
    b"PK\x03\x04",  # zip: docx, xlsx, odt…
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # OLE: doc, xls
    b"a,b\n1,2\n",
    b"\xef\xbb\xbf=HYPERLINK(1)",
    b"<html><script>alert(1)</script>",
]
CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [mime for mime, _ in evidence.ACCEPTED.values()]
        + ["text/html", "application/octet-stream", "image/svg+xml", ""]
    ),
    st.text(max_size=40),
)


def _upload(name, suffix, head, body, size, content_type):
    content = (head + body * (size // max(len(body), 1) + 1))[:size] if body else head[:size]
    name = name + suffix
    if os.path.basename(name) in ("", ".", ".."):
        name = f"evidence{suffix}"  # a browser sends a file name; an empty one is no file
    return SimpleUploadedFile(name, content, content_type=content_type)


def uploads(sizes):
    return st.builds(
        _upload,
        name=st.text(max_size=60),
        suffix=st.sampled_from(SUFFIXES),
        head=st.sampled_from(HEADS),
        body=st.binary(min_size=0, max_size=64),
        size=sizes,
        content_type=CONTENT_TYPES,
    )


SMALL = st.integers(0, 4096)
NEAR_THE_LIMIT = st.integers(LIMIT - 2048, LIMIT + 4096)
FILES = st.one_of(
    st.lists(uploads(SMALL), min_size=1, max_size=evidence.MAX_FILES + 2),
    st.lists(uploads(st.one_of(SMALL, NEAR_THE_LIMIT)), min_size=1, max_size=2),
)
CLAIM = {
    "financial_year": "2025",
    "category": "cost_reduction",
    "kind": "cash_releasing",
    "recurrence": "recurring",
    "gross_amount": "1000",
    "implementation_cost": "0",
    "description": "Saved.",
    "service_quality": "maintained",
    "service_quality_statement": "Unchanged.",
}


# A practice library document (issue 19): its file is checked as evidence is.
DOCUMENT = {"kind": "business_case", "title": "Business case", "visibility": "shared"}


@pytest.mark.parametrize(
    ("name", "args", "fields", "file_field"),
    [
        ("claims:evidence_add", ("draft",), {}, "evidence"),
        ("initiatives:claim_create", ("initiative",), CLAIM, "evidence"),
        ("initiatives:documents", ("initiative",), DOCUMENT, "file"),
    ],
)
def test_random_evidence_uploads_never_fail_the_server(
    plain_scene, tmp_path, name, args, fields, file_field
):
    url = reverse(name, args=[matrix.value_of(plain_scene, a) for a in args])
    form = Form(LEAD_OFFICER, url, {}, None)

    @FUZZ
    @given(files=FILES)
    def upload_anything(files):
        with override_settings(MEDIA_ROOT=tmp_path):
            response = _post(plain_scene, form, {**fields, file_field: files})
        _count("uploads")
        sizes = [f.size for f in files]
        assert response.status_code < 500, f"{name} with files of {sizes} bytes"

    upload_anything()
