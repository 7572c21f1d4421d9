"""The API's CSRF rule: a write authenticated by the session (what a page on another site could
make a visitor's browser send) needs the CSRF token; a write authenticated by an API token
does not (no browser sends the token by itself)."""

import logging

import pytest
from django.middleware.csrf import CSRF_SECRET_LENGTH
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories
from tests.security import matrix
from tests.security.conftest import plain_scene  # noqa: F401  (the shared scene fixture)
from tests.security.routes import all_routes
from tests.security.scene import ADMIN, LEAD_OFFICER

UNSAFE = ("post", "put", "patch", "delete")


def api_rows():
    seen = {}
    for key in matrix.rows_of_known_patterns():
        name = matrix.name_of(key)
        if name.startswith("api:"):
            seen.setdefault(name, key)
    return seen


@pytest.mark.django_db
@pytest.mark.parametrize("role", [LEAD_OFFICER, ADMIN])
def test_session_writes_without_a_csrf_token_are_refused(plain_scene, role):  # noqa: F811
    rows = api_rows()
    unguarded, sent = [], 0
    for route in all_routes():
        if not route.name.startswith("api:") or route.name not in rows:
            continue  # test_permission_matrix fails for a pattern without a row
        url = matrix.url_of(plain_scene, rows[route.name])
        client = plain_scene.client_for(role, enforce_csrf_checks=True)
        client.cookies["csrftoken"] = "x" * CSRF_SECRET_LENGTH
        for method in UNSAFE:
            response = getattr(client, method)(url, {"name": "value"})
            sent += 1
            if response.status_code == 405:
                continue  # the pattern does not take this method at all
            if response.status_code != 403 or "CSRF" not in response.content.decode():
                unguarded.append(f"{method.upper()} {url}: {response.status_code}")
    assert sent
    assert not unguarded, "Answered without a CSRF token:\n" + "\n".join(unguarded)


@pytest.mark.django_db
def test_token_writes_need_no_csrf_token(admin_user, council, caplog):
    secret = factories.api_secret(admin_user, name="Sync")
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    url = reverse("api:organisation-detail", args=[council.pk])
    with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
        response = client.patch(url, {"short_name": "Sync", "version": council.version})
    assert response.status_code == 200, response.content
