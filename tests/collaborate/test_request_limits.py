"""Every request is bounded before it is read: evidence 10 MB, imports 20 MB, 1 MB elsewhere,
refused at the file field with nothing written; gunicorn's own limits; pages of a fixed size
whatever the URL asks; downloads that stream."""

import json
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django import forms
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, path, resolve, reverse

from collaborate.kit import uploads
from initiatives.models import ClaimEvidence, SavingsClaim
from tests.factories import CLAIM_DEFAULTS, make_claim
from tests.pages import assert_error_at_field, text_of
from tests.subprocesses import output_of

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


def pdf_of(size, name="big-report.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.7 " + bytes(size - 9))


def files_in(directory):
    return [item for item in directory.rglob("*") if item.is_file()]


# --- a route that takes a spreadsheet import (none does yet): the limit it will have -------------


class ImportForm(forms.Form):
    spreadsheet = uploads.BoundedFileField()


@login_not_required
@uploads.accepts(uploads.IMPORT)
def import_view(request):
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        return HttpResponse(f"imported {form.cleaned_data['spreadsheet'].size} bytes")
    return HttpResponse(" ".join(form.errors["spreadsheet"]), status=422)


urlpatterns = [path("import/", import_view, name="import")]


@pytest.mark.urls(__name__)
def test_an_import_takes_up_to_20_mb_and_a_larger_one_is_refused_at_its_field(client):
    taken = client.post("/import/", {"spreadsheet": pdf_of(19 * MB, "figures.xlsx")})
    assert taken.status_code == 200 and taken.content == f"imported {19 * MB} bytes".encode()
    refused = client.post("/import/", {"spreadsheet": pdf_of(20 * MB, "figures.xlsx")})
    assert refused.status_code == 422
    assert refused.content == b"The selected files must be smaller than 20 MB in total"


# --- evidence: 10 MB a request ------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "uploading"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    return tmp_path


def test_a_new_claim_with_evidence_over_10_mb_is_refused_at_the_field_and_nothing_is_written(
    client, initiative, officer, media
):
    client.force_login(officer)
    url = reverse("initiatives:claim_create", args=[initiative.pk])
    response = client.post(url, {**CLAIM_DEFAULTS, "evidence": pdf_of(10 * MB)})
    assert_error_at_field(
        response, "evidence", "The selected files must be smaller than 10 MB in total"
    )
    # What the officer typed is still there to send again.
    assert CLAIM_DEFAULTS["description"] in text_of(response)
    assert not SavingsClaim.objects.exists() and not ClaimEvidence.objects.exists()
    assert not files_in(media)


def test_evidence_just_under_10_mb_in_one_request_is_taken(client, initiative, officer, media):
    client.force_login(officer)
    claim = make_claim(officer, initiative, initiative.lead)
    url = reverse("claims:evidence_add", args=[claim.pk])
    response = client.post(url, {"evidence": pdf_of(10 * MB - 1024)})
    assert response.status_code == 302
    assert claim.evidence_files.get().size == 10 * MB - 1024


@pytest.mark.parametrize("route", ["claims:evidence_add", "claims:edit", "claims:correct"])
def test_every_page_that_takes_evidence_refuses_too_much_at_the_field(
    client, initiative, officer, manager, media, settings, route
):
    settings.EVIDENCE_UPLOAD_MAX_SIZE = 64 * 1024  # the limit is read from settings
    claim = make_claim(officer, initiative, initiative.lead)
    if route == "claims:correct":
        from initiatives.claims import services

        services.claim_submit(actor=officer, claim=claim)
        services.claim_decide(actor=manager, claim=claim, decision="verify")
    client.force_login(officer)
    response = client.post(
        reverse(route, args=[claim.pk]),
        {
            **CLAIM_DEFAULTS,
            "version": claim.version,
            "change": "-100",
            "description": "A correction",
            "evidence": [pdf_of(40 * 1024, "one.pdf"), pdf_of(40 * 1024, "two.pdf")],
        },
    )
    assert_error_at_field(response, "evidence", "smaller than 64 KB in total")
    assert not ClaimEvidence.objects.exists()
    assert SavingsClaim.objects.count() == 1
    assert not files_in(media)


def multipart_request(url, fields, files, user=None):
    """A POST as the browser sends it, resolved to its view, its body not yet read."""
    request = RequestFactory().post(url, {**fields, **files})
    request.resolver_match = resolve(url)
    return request


def test_a_request_too_large_keeps_its_fields_but_not_one_byte_of_its_files(
    initiative, officer, media
):
    claim = make_claim(officer, initiative, initiative.lead)
    url = reverse("claims:evidence_add", args=[claim.pk])
    request = multipart_request(
        url, {"csrfmiddlewaretoken": "token", "note": "kept"}, {"evidence": pdf_of(11 * MB)}
    )
    files = request.FILES.getlist("evidence")
    assert request.POST["csrfmiddlewaretoken"] == "token" and request.POST["note"] == "kept"
    assert len(files) == 1 and isinstance(files[0], uploads.RefusedUpload)
    assert files[0].name == "big-report.pdf" and files[0].size == 0
    # The handlers after ours were never given the file: nothing was held in memory or on disk.
    later = request.upload_handlers[1:]
    assert all(getattr(handler, "file", None) is None for handler in later)
    assert not files_in(media)  # not even a temporary file while it was read


def test_a_body_longer_than_it_declared_is_stopped_while_it_streams(initiative, officer):
    claim = make_claim(officer, initiative, initiative.lead)
    request = multipart_request(reverse("claims:evidence_add", args=[claim.pk]), {}, {})
    handler = uploads.BoundedUploadHandler(request)
    handler.handle_raw_input(None, request.META, 1000, b"boundary")  # it says 1000 bytes
    handler.new_file("evidence", "a.pdf", "application/pdf", None)
    chunk = bytes(64 * 1024)
    with pytest.raises(RequestDataTooBig):
        for _ in range(10 * MB // len(chunk) + 1):
            assert handler.receive_data_chunk(chunk, 0) is chunk


# --- 1 MB elsewhere -----------------------------------------------------------------------------


def test_a_file_sent_to_a_page_that_takes_none_is_refused_with_400_before_it_is_read(
    initiative, officer, media
):
    claim = make_claim(officer, initiative, initiative.lead)
    browser = Client(enforce_csrf_checks=True)  # the CSRF check is what reads a form's body
    browser.force_login(officer)
    browser.get(reverse("claims:detail", args=[claim.pk]))
    token = {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value}
    url = reverse("claims:submit", args=[claim.pk])
    assert browser.post(url, {**token, "evidence": pdf_of(MB + 1)}).status_code == 400
    claim.refresh_from_db()
    assert claim.status == "draft"
    assert not files_in(media)
    # The same button with a body under 1 MB does its work.
    assert browser.post(url, {**token, "evidence": pdf_of(MB - 4096)}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == "submitted" and not ClaimEvidence.objects.exists()


def test_form_fields_over_1_mb_or_over_1000_of_them_are_refused_with_400(client, officer):
    client.force_login(officer)
    url = reverse("initiatives:create")
    assert client.post(url, {"title": "x" * (MB + 1)}).status_code == 400
    assert client.post(url, {f"f{n}": "1" for n in range(1001)}).status_code == 400
    # Under both, the form answers as usual (its own errors: 422).
    assert client.post(url, {"title": "x" * 1000}).status_code == 422


def test_the_limits_come_from_the_environment_with_the_documented_defaults():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.DATA_UPLOAD_MAX_MEMORY_SIZE, s.DATA_UPLOAD_MAX_NUMBER_FIELDS, "
        "s.FILE_UPLOAD_MAX_MEMORY_SIZE, s.UPLOAD_MAX_SIZE, s.EVIDENCE_UPLOAD_MAX_SIZE, "
        "s.IMPORT_UPLOAD_MAX_SIZE]))"
    )
    defaults = output_of(code, DEBUG="true")
    assert json.loads(defaults.splitlines()[-1]) == [MB, 1000, MB, MB, 10 * MB, 20 * MB]
    chosen = output_of(
        code,
        DEBUG="true",
        DATA_UPLOAD_MAX_MEMORY_SIZE="1",
        DATA_UPLOAD_MAX_NUMBER_FIELDS="2",
        FILE_UPLOAD_MAX_MEMORY_SIZE="3",
        UPLOAD_MAX_SIZE="4",
        EVIDENCE_UPLOAD_MAX_SIZE="5",
        IMPORT_UPLOAD_MAX_SIZE="6",
    )
    assert json.loads(chosen.splitlines()[-1]) == [1, 2, 3, 4, 5, 6]


# --- the reverse proxy's example agrees with the routes -----------------------------------------


def routes():
    """(a sample path, URL name, view, whether it takes arguments) of every URL pattern but the
    Django admin's."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                sample = re.sub(r"<int:\w+>", "7", route)
                sample = re.sub(r"<(str:)?\w+>", "x", sample)
                name = ":".join(filter(None, [namespace, pattern.name]))
                yield "/" + sample, name, pattern.callback, "<" in route

    return list(walk(get_resolver().url_patterns, "", ""))


def test_the_nginx_example_gives_10_mb_to_exactly_the_pages_that_take_files():
    text = (ROOT / "docs" / "reverse-proxy.md").read_text()
    found = re.search(r"location ~ (\S+) \{\s*client_max_body_size 10m;", text)
    assert found, "docs/reverse-proxy.md has no 10m location for evidence"
    evidence_location = re.compile(found.group(1))
    takes_evidence = {
        url
        for url, _, view, _ in routes()
        if getattr(view, "upload_limit_setting", None) == uploads.EVIDENCE
    }
    assert takes_evidence == {url for url, *_ in routes() if evidence_location.search(url)}
    # Four pages of claims, the API's evidence upload, and an initiative's documents.
    assert len(takes_evidence) == 6
    assert re.search(r"^\s*client_max_body_size 1m;", text, re.M)
    assert "client_max_body_size 20m;" in text


# --- gunicorn -----------------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raw_request(port, request):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer.split(b"\r\n", 1)[0].decode()


@pytest.fixture
def gunicorn_server():
    port = free_port()
    environment = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "collaborate.settings",
        "SECRET_KEY": "gunicorn-test-only-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "GUNICORN_WORKERS": "1",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "collaborate.wsgi:application",
            "--config=gunicorn.conf.py",
            f"--bind=127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status = raw_request(port, b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        assert status == "HTTP/1.0 200 OK", status
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_gunicorn_starts_with_its_config_and_refuses_oversized_request_lines_and_headers(
    gunicorn_server,
):
    port = gunicorn_server
    long_line = b"GET /healthz?" + b"a" * 5000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    assert raw_request(port, long_line) == "HTTP/1.1 414 URI Too Long"
    many = b"".join(b"X-Header-%d: 1\r\n" % n for n in range(60))
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + many + b"\r\n"
    assert raw_request(port, request) == "HTTP/1.1 431 Request Header Fields Too Large"
    large = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n"
    assert raw_request(port, large) == "HTTP/1.1 431 Request Header Fields Too Large"
    fine = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    assert raw_request(port, fine) == "HTTP/1.1 200 OK"


# --- lists a page at a time; downloads that stream ----------------------------------------------


HUGE = {"per_page": "100000", "page_size": "100000", "size": "100000", "limit": "0"}


def test_no_list_page_shows_more_than_25_rows_whatever_its_url_asks(
    client, admin_user, manager, initiative, officer
):
    """Every page of the site that pages a list, asked for enormous pages: 25 rows at most."""
    claim = make_claim(officer, initiative, initiative.lead)
    with_objects = [
        reverse("initiatives:history", args=[initiative.pk]),
        reverse("initiatives:claims", args=[initiative.pk]),
        reverse("claims:detail", args=[claim.pk]),
        reverse("partners:detail", args=[initiative.lead.pk]),
        reverse("partners:history", args=[initiative.lead.pk]),
        reverse("users:detail", args=[officer.pk]),
    ]
    pages = [
        url
        for url, _, _, has_args in routes()
        if not has_args and not url.endswith((".csv", ".xlsx"))
    ] + with_objects
    paged = set()
    for user in (admin_user, manager):
        client.force_login(user)
        for url in pages:
            response = client.get(url, HUGE)
            page = (response.context or {}).get("page") if response.status_code == 200 else None
            if hasattr(page, "paginator"):
                assert page.paginator.per_page == 25, url
                paged.add(url)
    assert len(paged) >= 10, paged


def export_urls():
    return [
        (url, name)
        for url, name, _, has_args in routes()
        if url.endswith((".csv", ".xlsx")) and not has_args
    ]


def downloader(name, *, admin, manager):
    """Who may take a download: an admin, but for the review queue's, which is a manager's
    (admins do not decide claims), and the imports', which are a member's (admins import
    for no organisation)."""
    return manager if name.startswith(("claims:review", "imports:")) else admin


def test_every_download_streams_rather_than_being_built_in_memory(
    client, admin_user, manager, initiative
):
    downloads = export_urls()
    assert {"initiatives:csv", "claims:csv", "partners:csv", "dashboard:xlsx"} <= {
        name for _, name in downloads
    }
    for url, name in downloads:
        client.force_login(downloader(name, admin=admin_user, manager=manager))
        response = client.get(url)
        assert response.status_code == 200, name
        assert response.streaming, f"{name} is built whole before it is sent"
        assert b"".join(response.streaming_content), name
