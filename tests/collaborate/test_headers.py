"""Response headers: nothing of a signed-in person's and no download is kept by a browser or a
proxy; a Permissions-Policy everywhere; the recompute's redirect stays on this site; /readyz's
detail only for its token; /.well-known/security.txt from settings; the client's address behind a
proxy."""

import json
from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from collaborate.kit import web
from collaborate.middleware import ResponseHeadersMiddleware
from tests import services
from tests.collaborate.test_request_limits import downloader, export_urls
from tests.factories import make_claim
from tests.subprocesses import output_of

pytestmark = pytest.mark.django_db

PRIVATE = "private, no-store"
TOKEN = "a-long-random-readyz-token-for-tests"


# --- Cache-Control ------------------------------------------------------------------------------


def test_every_page_a_signed_in_person_sees_is_private_and_never_stored(
    client, officer, initiative
):
    claim = make_claim(officer, initiative, initiative.lead)
    client.force_login(officer)
    for url in [
        reverse("home"),
        reverse("initiatives:list"),
        reverse("initiatives:detail", args=[initiative.pk]),
        reverse("claims:detail", args=[claim.pk]),
        reverse("accounts:account"),
        reverse("register:list"),  # a public page, but seen signed in
        reverse("accessibility"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == PRIVATE, url
    # Redirects and refusals too.
    assert client.post(reverse("claims:submit", args=[claim.pk]))["Cache-Control"] == PRIVATE
    assert client.get(reverse("users:list"))["Cache-Control"] == PRIVATE  # a 403


def test_the_answer_to_a_successful_sign_in_is_already_private(client, officer):
    officer.set_password("correct horse battery")
    officer.save()
    response = client.post(
        reverse("login"), {"login": officer.email, "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert response["Cache-Control"] == PRIVATE


def test_pages_for_anonymous_visitors_may_be_cached(client, initiative):
    for url in [reverse("register:list"), reverse("accessibility"), reverse("privacy")]:
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" not in response.get("Cache-Control", ""), url


def test_every_download_is_private_and_never_stored(client, admin_user, manager, initiative):
    for url, name in export_urls():
        client.force_login(downloader(name, admin=admin_user, manager=manager))
        response = client.get(url)
        assert response.status_code == 200, name
        assert response["Cache-Control"] == PRIVATE, name
        b"".join(response.streaming_content)


def test_evidence_downloads_are_private_and_never_stored(
    client, officer, initiative, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    claim = make_claim(
        officer,
        initiative,
        initiative.lead,
        evidence_files=[SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 x")],
    )
    item = claim.evidence_files.get()
    client.force_login(officer)
    response = client.get(reverse("claims:evidence", args=[claim.pk, item.pk]))
    assert response["Cache-Control"] == PRIVATE
    assert b"".join(response.streaming_content) == b"%PDF-1.4 x"


def test_a_download_for_an_anonymous_visitor_is_never_stored_either():
    request = RequestFactory().get("/register/initiatives.csv")
    request.user = AnonymousUser()

    def attachment(request):
        response = HttpResponse("a,b\n", content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="register.csv"'
        response["Cache-Control"] = "public, max-age=600"
        return response

    response = ResponseHeadersMiddleware(attachment)(request)
    assert response["Cache-Control"] == PRIVATE


# --- Permissions-Policy -------------------------------------------------------------------------


def test_every_response_denies_camera_microphone_geolocation_payment_and_usb(client, officer):
    anonymous = client.get(reverse("register:list"))
    client.force_login(officer)
    signed_in = client.get(reverse("home"))
    not_found = client.get("/no-such-page/")
    for response in (anonymous, signed_in, not_found):
        policy = {
            part.strip().split("=")[0]: part.strip().split("=")[1]
            for part in response["Permissions-Policy"].split(",")
        }
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert policy[feature] == "()", feature


# --- the recompute's redirect -------------------------------------------------------------------


@pytest.mark.parametrize(
    "next_url, lands_on",
    [
        ("/dashboard/at-risk/?fy=2025", "/dashboard/at-risk/?fy=2025"),
        ("https://evil.example/phish", "/dashboard/"),
        ("//evil.example/phish", "/dashboard/"),
        ("/\\evil.example", "/dashboard/"),
        ("javascript:alert(1)", "/dashboard/"),
        ("0", "/dashboard/"),  # not taken for the name of a URL
        ("", "/dashboard/"),
    ],
)
def test_the_recompute_sends_an_admin_back_only_to_a_page_of_this_site(
    client, admin_user, next_url, lands_on
):
    client.force_login(admin_user)
    response = client.post(reverse("dashboard:recompute"), {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == lands_on


# --- /readyz ------------------------------------------------------------------------------------


def test_readyz_tells_the_public_its_status_alone(client, settings):
    services.need_redis()
    settings.READYZ_TOKEN = TOKEN
    for headers in (
        {},
        {"HTTP_AUTHORIZATION": "Bearer wrong-token"},
        {"HTTP_AUTHORIZATION": TOKEN},  # not as a bearer token
        {"HTTP_AUTHORIZATION": f"Basic {TOKEN}"},
        {"REMOTE_ADDR": "127.0.0.1"},  # behind a proxy every request comes from loopback
    ):
        response = client.get("/readyz", **headers)
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}, headers


def test_readyz_gives_its_detail_to_a_request_bearing_its_token(client, settings):
    services.need_redis()
    settings.READYZ_TOKEN = TOKEN
    response = client.get("/readyz", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "worker"}


def test_readyz_gives_its_detail_to_nobody_while_no_token_is_set(client, settings):
    settings.READYZ_TOKEN = ""
    for authorization in ("Bearer ", "Bearer", "Bearer  "):
        body = client.get("/readyz", HTTP_AUTHORIZATION=authorization).json()
        assert set(body) == {"status"}


def test_readyz_failing_tells_the_public_only_that_it_is(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.READYZ_TOKEN = TOKEN
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "failing"}
    assert "ConnectionError" not in response.content.decode()


def test_the_readyz_token_is_read_from_the_environment():
    code = (
        "import django; django.setup(); from django.test import Client; import json; "
        f"print(json.dumps(Client().get('/readyz', HTTP_AUTHORIZATION='Bearer {TOKEN}').json()))"
    )
    printed = output_of(code, DEBUG="true", ALLOWED_HOSTS="testserver", READYZ_TOKEN=TOKEN)
    assert "checks" in json.loads(printed.strip().splitlines()[-1])


# --- /.well-known/security.txt ------------------------------------------------------------------


def security_fields(response):
    fields = {}
    for line in response.content.decode().splitlines():
        name, _, value = line.partition(": ")
        fields[name] = value
    return fields


def test_security_txt_says_whom_to_tell_until_when_in_which_language(client, settings):
    settings.SECURITY_CONTACT = "security@council.gov.uk"
    settings.SECURITY_TXT_EXPIRES = date(2027, 6, 30)
    settings.SECURITY_POLICY_URL = "https://council.gov.uk/vulnerability-disclosure"
    settings.SITE_URL = "https://collaborate.council.gov.uk"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert security_fields(response) == {
        "Contact": "mailto:security@council.gov.uk",
        "Expires": "2027-06-30T00:00:00Z",
        "Preferred-Languages": "en",
        "Canonical": "https://collaborate.council.gov.uk/.well-known/security.txt",
        "Policy": "https://council.gov.uk/vulnerability-disclosure",
    }
    assert reverse("security_txt") == "/.well-known/security.txt"


def test_security_txt_without_a_set_expiry_stays_fresh_and_takes_a_contact_url(client, settings):
    settings.SECURITY_CONTACT = "https://council.gov.uk/report-a-vulnerability"
    settings.SECURITY_TXT_EXPIRES = None
    settings.SECURITY_POLICY_URL = ""
    fields = security_fields(client.get("/.well-known/security.txt"))
    assert fields["Contact"] == "https://council.gov.uk/report-a-vulnerability"
    assert "Policy" not in fields
    expires = datetime.fromisoformat(fields["Expires"]).date()
    assert date.today() + timedelta(days=30) < expires < date.today() + timedelta(days=365)


def test_security_txt_is_not_served_while_no_contact_is_set(client, settings):
    settings.SECURITY_CONTACT = ""
    assert client.get("/.well-known/security.txt").status_code == 404


def test_security_txt_defaults_to_the_service_contact_and_reads_the_environment():
    code = (
        "import django; django.setup(); from django.test import Client; "
        "print(Client().get('/.well-known/security.txt').content.decode())"
    )
    default = output_of(
        code, DEBUG="true", ALLOWED_HOSTS="testserver", SERVICE_CONTACT_EMAIL="help@council.gov.uk"
    )
    assert "Contact: mailto:help@council.gov.uk" in default
    chosen = output_of(
        code,
        DEBUG="true",
        ALLOWED_HOSTS="testserver",
        SERVICE_CONTACT_EMAIL="help@council.gov.uk",
        SECURITY_CONTACT="security@council.gov.uk",
        SECURITY_TXT_EXPIRES="2027-03-31",
        SECURITY_POLICY_URL="https://council.gov.uk/policy",
    )
    assert "Contact: mailto:security@council.gov.uk" in chosen
    assert "Expires: 2027-03-31T00:00:00Z" in chosen
    assert "Policy: https://council.gov.uk/policy" in chosen


# --- the client's address behind a proxy --------------------------------------------------------


@pytest.mark.parametrize(
    "proxies, forwarded, seen",
    [
        (0, "198.51.100.7", "10.0.0.2"),  # no proxy trusted: the header is the client's word
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # what the client put first is ignored
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (1, "not-an-address", "10.0.0.2"),
        (2, "198.51.100.7", "10.0.0.2"),  # fewer hops than proxies: not to be trusted
    ],
)
def test_the_address_recorded_is_the_one_the_trusted_proxy_saw(settings, proxies, forwarded, seen):
    settings.PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert web.client_ip(request) == seen
