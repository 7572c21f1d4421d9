"""A real OpenID Provider for the single sign-on tests: Node's OpenID-certified `oidc-provider`
(tests/oidc/provider.mjs, installed by `npm ci`), started once per session on a spare port, with
Collaborate's live test server registered as its client; and a browser-less person who signs in
through it with the `requests` library, cookie by cookie, the way a browser would."""

import json
import re
import select
import shutil
import socket
import subprocess
from importlib import import_module
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from django.conf import settings
from django.utils.text import slugify

from partners.models import IdentityProvider, OrganisationSignOn, SignOnDomain
from partners.sso import secrets
from tests import services

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"
MODULE = ROOT / "node_modules" / "oidc-provider"
NODE = shutil.which("node")
CLIENT_ID = "collaborate-tests"
CLIENT_SECRET = "oidc-test-client-secret-5f1c9e"
# The identity providers the tests make, by name: their redirect URIs are registered.
PROVIDER_NAMES = ["Test IdP", "Second IdP"]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OidcProvider:
    def __init__(self, issuer):
        self.issuer = issuer

    def accounts(self, **accounts):
        """Set who may sign in: account id → {"claims": …, "amr": […], "id_token": {…}}."""
        response = requests.put(
            f"{self.issuer}/__test__/accounts", data=json.dumps(accounts), timeout=5
        )
        response.raise_for_status()

    def account(self, sub, *, email, name="Sam Single", amr=None, id_token=None, **claims):
        """One person at the provider, known by `sub`; `id_token` changes what their ID token
        says (see provider.mjs)."""
        account = {"claims": {"email": email, "name": name, **claims}}
        if amr is not None:
            account["amr"] = amr
        if id_token is not None:
            account["id_token"] = id_token
        self.accounts(**{sub: account})
        return sub

    def identity_provider(self, name="Test IdP", **fields):
        """An identity provider in Collaborate for this provider, its secret encrypted."""
        assert name in PROVIDER_NAMES, "its redirect URI must be registered (PROVIDER_NAMES)"
        values = {
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "client_secret_encrypted": secrets.encrypt(CLIENT_SECRET),
            "token_auth_method": IdentityProvider.TokenAuthMethod.POST,
            **fields,
        }
        return IdentityProvider.objects.create(name=name, slug=slugify(name), **values)


def sign_on(organisation, identity_provider, *domains, creates_accounts=False):
    """Give `organisation` single sign-on (straight into the tables: the services have their
    own tests)."""
    configured = OrganisationSignOn.objects.create(
        organisation=organisation,
        identity_provider=identity_provider,
        creates_accounts=creates_accounts,
    )
    SignOnDomain.objects.bulk_create(SignOnDomain(sign_on=configured, domain=d) for d in domains)
    return configured


@pytest.fixture(scope="session")
def oidc_provider(django_db_setup, live_server, tmp_path_factory):
    """The provider, for the whole session. After the test database is made (so that the live
    server's connections have closed before it is dropped)."""
    services.need("Node.js with oidc-provider (npm ci)", bool(NODE) and MODULE.is_dir())
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    folder = tmp_path_factory.mktemp("oidc")
    config = folder / "config.json"
    client = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "token_endpoint_auth_method": "client_secret_post",
        "redirect_uris": [
            f"{live_server.url}/accounts/oidc/{slugify(name)}/login/callback/"
            for name in PROVIDER_NAMES
        ],
    }
    config.write_text(json.dumps({"port": port, "issuer": issuer, "clients": [client]}))
    with (folder / "provider.log").open("w") as log:
        process = subprocess.Popen(
            [NODE, str(SCRIPT), str(config)], cwd=ROOT, stdout=subprocess.PIPE, stderr=log
        )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 20)
        line = process.stdout.readline() if ready else b""
        assert b'"ready":true' in line, (
            f"the OpenID Provider did not start: {(folder / 'provider.log').read_text()}"
        )
        yield OidcProvider(issuer)
    finally:
        process.terminate()
        process.wait(timeout=10)


class Person:
    """Someone signing in without a browser: the sign-in page, the provider's sign-in page,
    and back, following every redirect by hand (so that the callback's URL can be kept)."""

    def __init__(self, base_url, provider):
        self.base_url = base_url
        self.provider = provider
        self.http = requests.Session()
        self.callback_url = None
        self.authorisation_url = None

    def start(self, email, next_url=None):
        """The sign-in page's first step: where it sends this email address."""
        page = self.request("GET", f"{self.base_url}/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        data = {"csrfmiddlewaretoken": token, "login": email}
        if next_url:
            data["next"] = next_url
        response = self.request("POST", f"{self.base_url}/accounts/login/", data=data)
        refresh = response.headers.get("Refresh", "").partition(";url=")[2]
        if refresh.startswith(self.provider.issuer):
            self.authorisation_url = refresh
        return response

    def sign_in(self, email, account, next_url=None):
        """Sign in as `account` at the provider: the last answer from Collaborate."""
        response = self.start(email, next_url)
        assert self.authorisation_url, f"not sent to the provider: {response.status_code}"
        return self.follow(self.request("GET", self.authorisation_url), account)

    def follow(self, response, account=None):
        for _ in range(20):
            if response.is_redirect:
                url = urljoin(response.url, response.headers["Location"])
                if "/login/callback/" in url:
                    self.callback_url = url
                response = self.request("GET", url)
            elif "/interaction/" in response.url and response.status_code == 200:
                response = self.request("POST", response.url, data={"account": account})
            else:
                return response
        raise AssertionError("too many redirects")

    def request(self, method, url, **arguments):
        """One request, no redirect followed. The live server is plain HTTP: its `Secure`
        cookies are sent back all the same, as browsers do for localhost."""
        for cookie in self.http.cookies:
            cookie.secure = False
        return self.http.request(method, url, allow_redirects=False, timeout=10, **arguments)

    def get(self, url):
        return self.follow(self.request("GET", url))

    @property
    def session(self):
        """Collaborate's session for this person, as stored on the server."""
        key = self.http.cookies.get(settings.SESSION_COOKIE_NAME)
        return import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)

    @property
    def signed_in_user_id(self):
        user_id = self.session.get("_auth_user_id")
        return int(user_id) if user_id else None


@pytest.fixture
def person(live_server, oidc_provider):
    person = Person(live_server.url, oidc_provider)
    yield person
    # Its kept-alive connections hold the live server's threads, and their database
    # connections, open: closed before the test database goes.
    person.http.close()


@pytest.fixture
def another_person(live_server, oidc_provider):
    person = Person(live_server.url, oidc_provider)
    yield person
    person.http.close()
