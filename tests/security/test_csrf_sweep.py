"""Every unsafe method of every URL pattern, sent without a CSRF token by a browser that holds a
session and the CSRF cookie (what a page on another site makes a visitor's browser send),
is refused with 403 by the CSRF check before any view runs: signed in, and signed out (sign-in,
password reset and invitation forms). The patterns come from the URL resolver, so a new one
is swept without being listed."""

import logging

import pytest
from django.middleware.csrf import CSRF_SECRET_LENGTH

from tests.security import figures, matrix
from tests.security.routes import all_routes
from tests.security.scene import ADMIN, ANONYMOUS, AUDITOR, LEAD_OFFICER

pytestmark = pytest.mark.django_db

UNSAFE = ("post", "put", "patch", "delete")

# Patterns that take unsafe requests without a CSRF token, and why. None outside the API.
EXEMPT = {}


def first_row_of_each_pattern():
    seen = {}
    for key in matrix.rows_of_known_patterns():
        seen.setdefault(matrix.name_of(key), key)
    return seen


def test_no_view_is_exempt_from_the_csrf_check_unless_listed():
    exempt = {
        r.name
        for r in all_routes()
        if getattr(r.view, "csrf_exempt", False) and not matrix.is_api(r.name)
    }
    assert exempt == set(EXEMPT), f"csrf_exempt views not in EXEMPT (or gone from it): {exempt}"


@pytest.mark.parametrize("role", [ANONYMOUS, LEAD_OFFICER, ADMIN, AUDITOR])
def test_every_unsafe_request_without_a_token_is_refused(plain_scene, role, caplog):
    rows = first_row_of_each_pattern()
    unguarded, sent = [], 0
    for route in all_routes():
        if route.name in EXEMPT or matrix.is_api(route.name):
            continue
        assert route.name in rows, f"{route.name} has no row in the permission matrix"
        url = matrix.url_of(plain_scene, rows[route.name])
        client = plain_scene.client_for(role, enforce_csrf_checks=True)
        client.cookies["csrftoken"] = "x" * CSRF_SECRET_LENGTH  # the browser has the cookie
        for method in UNSAFE:
            caplog.clear()
            with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
                response = getattr(client, method)(url, {"name": "value"})
            sent += 1
            refused = response.status_code == 403 and any(
                r.name == "django.security.csrf" for r in caplog.records
            )
            if not refused:
                unguarded.append(f"{method.upper()} {url}: {response.status_code}")
    assert not unguarded, "Answered without a CSRF token:\n" + "\n".join(unguarded)
    figures.record(
        f"CSRF sweep ({role})",
        f"{sent} unsafe requests ({', '.join(m.upper() for m in UNSAFE)} × {len(rows)} "
        "patterns) without a token, every one refused with 403",
    )
