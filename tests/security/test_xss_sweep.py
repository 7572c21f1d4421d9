"""No text anyone typed runs as markup: a numbered payload in every free-text field of every
model (found through the app registry, so a new model or field cannot be forgotten), then every
HTML page of the permission matrix rendered as each person who may open it, as a page and as
an htmx fragment. The payload never appears as markup, no link is a `javascript:` URL, and each
field's payload is found, escaped, on the pages that show it. Text typed into a page's search
and filter boxes comes back escaped too."""

import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.apps import apps

from tests.pages import assert_strict_page
from tests.security import figures, matrix
from tests.security.scene import PAYLOAD, ROLES, is_free_text

pytestmark = pytest.mark.django_db

# Text fields nobody types: what the sweep does not plant a payload in, and why.
NOT_TYPED = {
    "User.password": "a password hash, never shown",
    "Organisation.slug": "made from the name by organisation_slug, letters, digits and hyphens",
    "ReferenceSequence.prefix": "the services' own reference counters (INI, CLM)",
    "InitiativeYear.collaboration_model": "a copy of the initiative's choice, by the recompute",
    "InitiativeYear.service_area": "a copy of the initiative's choice, by the recompute",
    "InitiativeShareYear.collaboration_model": "a copy of the initiative's choice",
    "InitiativeShareYear.service_area": "a copy of the initiative's choice",
    "ImportRow.sheet": "the name of one of the import's own sheets",
    "ImportRow.key": "made by the import's reader from references it found",
    "SpreadsheetImport.task_id": "Celery's id of the import's job",
    "ResilienceForum.slug": "loaded by load_councils from the forums' public data",
    "ResilienceForum.name": "loaded by load_councils from the forums' public data",
    "ResilienceForum.gss_code": "loaded by load_councils from the forums' public data",
    "InitiativeOutcome.collaboration_model": "a copy of the initiative's choice, by the recompute",
    "InitiativeOutcome.service_area": "a copy of the initiative's choice, by the recompute",
    "InitiativeOutcome.lead_region": "a copy of the lead's choice of region, by the recompute",
    "InitiativeOutcome.lead_kind": "a copy of the lead's choice of type, by the recompute",
    "InsightFigure.service_area": "a copy of the outcome rows' choices, by the nightly figures",
    "InsightFigure.lead_region": "a copy of the outcome rows' choices, by the nightly figures",
    "InsightFigure.lead_kind": "a copy of the outcome rows' choices, by the nightly figures",
}
# A model of another app whose text someone typed and one of our pages shows: the email
# address typed at a failed sign-in, on the admins' locked sign-ins page.
TYPED_ELSEWHERE = [AccessAttempt]

# Planted, and shown on no page (where they are used instead).
NOT_SHOWN = {
    "Organisation.source_ref": "the key of the register it was loaded from",
    "ClaimEvidence.content_type": "the download's Content-Type (checked from the bytes)",
    "PracticeDocument.content_type": "the download's Content-Type (checked from the bytes)",
    "AccessAttempt.user_agent": "axes' record of the attempt",
    "AccessAttempt.path_info": "axes' record of the attempt",
    "AccessAttempt.get_data": "axes' record of the attempt",
    "AccessAttempt.post_data": "axes' record of the attempt",
    "AccessAttempt.http_accept": "axes' record of the attempt",
    "ImportRow.reference": "what the import's reader matches other sheets' rows on",
    "ImportRow.your_reference": "what the import's reader matches other sheets' rows on",
}

# Markup that only an unescaped payload makes.
RAW = re.compile(r"<script>alert\(\d+\)|<img src=x onerror|<x\d+>", re.I)
HTMX = {"HX-Request": "true"}

# Pages whose interesting part needs a query or an htmx target the matrix's GET does not send:
# (matrix row, query from the scene, headers).
VARIANTS = [
    ("claims:list", lambda s: {"show": "all"}, {}),
    ("claims:review", lambda s: {"sort": "newest"}, HTMX),
    ("initiatives:list", lambda s: {"partner": s.partner.pk}, {"HX-Target": "partner-initiatives"}),
    ("initiatives:detail", lambda s: {}, {**HTMX, "HX-Target": "progress-panel"}),
    ("initiatives:partner_add", lambda s: {"q": "script"}, {}),
    ("partners:merge", lambda s: {"q": "script"}, {}),
    ("dashboard:show", lambda s: {"org_q": "script"}, {}),
    (
        "dashboard:show",
        lambda s: {"org_q": "script"},
        {**HTMX, "HX-Target": "organisation-matches"},
    ),
    ("dashboard:show (the lead's)", lambda s: {"fy": 2025}, {}),
    ("dashboard:at_risk (the lead's)", lambda s: {}, HTMX),
    ("dashboard:gaps (the lead's)", lambda s: {}, {}),
]


def html_pages(scene):
    """(role, url, headers) of every HTML page each person may open: the matrix's OK answers,
    as a full page and as the fragment htmx asks for, and the variants."""
    for key in matrix.rows_of_known_patterns():
        if matrix.name_of(key) in matrix.NOT_HTML:
            continue
        url = matrix.url_of(scene, key)
        for role, answer in zip(ROLES, matrix.row(matrix.TABLE[key]).answers, strict=True):
            if answer == matrix.OK:
                yield role, url, {}
                yield role, url, HTMX
    for key, query, headers in VARIANTS:
        base = matrix.url_of(scene, key)
        url = f"{base}{'&' if '?' in base else '?'}{urlencode(query(scene))}"
        for role, answer in zip(ROLES, matrix.row(matrix.TABLE[key]).answers, strict=True):
            if answer == matrix.OK:
                yield role, url, headers


def models_swept():
    for label in ("partners", "initiatives"):
        yield from apps.get_app_config(label).get_models()
    yield from TYPED_ELSEWHERE


def test_every_free_text_field_of_every_model_holds_a_payload(marked_scene):
    planted = set(marked_scene.marks.planted.values())
    missing = sorted(
        f"{model.__name__}.{field.name}"
        for model in models_swept()
        for field in model._meta.get_fields()
        if is_free_text(field)
        and f"{model.__name__}.{field.name}" not in NOT_TYPED
        and f"{model.__name__}.{field.name}" not in planted
    )
    assert not missing, (
        "tests/security/scene.py plants no payload in these text fields: set them through "
        f"the scene's marks (or say in NOT_TYPED why nobody types them): {missing}"
    )


def escaped_numbers(page):
    """The payload numbers whose escaped form is on the page (HTML-escaped, in a JavaScript
    string, or in a URL)."""
    found = set()
    for pattern in (
        r"&lt;script&gt;alert\((\d+)\)",
        r"&lt;x(\d+)&gt;",
        r"\\u003Cscript\\u003Ealert\((\d+)\)",
        r"%3Cscript%3Ealert%28(\d+)%29",
    ):
        found.update(int(n) for n in re.findall(pattern, page, re.I))
    return found


def test_no_page_shows_a_payload_as_markup(marked_scene):
    scene = marked_scene
    clients = scene.clients
    problems, shown, rendered = [], set(), 0
    for role, url, headers in html_pages(scene):
        response = clients[role].get(url, headers=headers)
        rendered += 1
        where = f"{url} as {role}{' (htmx)' if headers else ''}"
        if response.status_code != 200:
            if response.status_code != 204:  # a polling panel with nothing new
                problems.append(f"{where}: {response.status_code}")
            continue
        page = response.content.decode()
        if match := RAW.search(page):
            problems.append(f"{where}: unescaped {match.group(0)!r}")
        try:
            assert_strict_page(response)
        except AssertionError as error:
            problems.append(f"{where}: {error}")
        shown |= escaped_numbers(page)
    assert not problems, "\n".join(problems)

    planted = scene.marks.planted
    shown_fields = {planted[n] for n in shown if n in planted}
    never_shown = sorted(set(planted.values()) - shown_fields - set(NOT_SHOWN) - {"JSON value"})
    assert not never_shown, (
        f"No page showed these fields' payloads, escaped: {never_shown}. A page that shows "
        "one must escape it where the sweep can see it; a field no page shows goes in NOT_SHOWN."
    )
    figures.record(
        "XSS sweep",
        f"{len(planted)} payloads planted in {len(set(planted.values()))} fields × "
        f"{rendered} page renderings (pages and htmx fragments, each as every person who "
        f"may open it) = {len(planted) * rendered} payload checks",
    )


class _GetForms(HTMLParser):
    """The names of the fields of a page's GET forms (its search and filters)."""

    def __init__(self):
        super().__init__()
        self.names, self._in_get_form = set(), False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_get_form = (attrs.get("method") or "get").lower() == "get"
        elif tag in ("input", "select", "textarea") and self._in_get_form and attrs.get("name"):
            self.names.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_get_form = False


def test_text_typed_into_search_and_filter_boxes_comes_back_escaped(marked_scene):
    scene = marked_scene
    clients = scene.clients
    problems, rendered = [], 0
    reflected = PAYLOAD.format(n=999)
    for role, url, headers in html_pages(scene):
        if headers:
            continue
        parser = _GetForms()
        parser.feed(clients[role].get(url).content.decode())
        if not parser.names:
            continue
        query = dict.fromkeys(sorted(parser.names), reflected)
        response = clients[role].get(f"{url.split('?')[0]}?{urlencode(query)}")
        rendered += 1
        where = f"{url} as {role} with {sorted(parser.names)}"
        if response.status_code >= 500:
            problems.append(f"{where}: {response.status_code}")
        elif match := RAW.search(response.content.decode()):
            problems.append(f"{where}: unescaped {match.group(0)!r}")
    assert not problems, "\n".join(problems)
    assert rendered > 20  # the lists, the dashboards, the pickers
    figures.record(
        "XSS sweep (reflected)", f"a payload in every search and filter box of {rendered} pages"
    )
