"""Every URL pattern of the project answers each of the six people of DESIGN.md §3 as the
permission matrix (matrix.py) says: the public pages to all, private pages a sign-in to the
public, admin-only pages 403, what someone may not see 404, POST-only patterns 405 to a GET.
A pattern without a row fails, so a new page cannot go unguarded unnoticed."""

import pytest
from django.urls import reverse

from tests.security import figures, matrix
from tests.security.routes import all_routes
from tests.security.scene import AUDITOR, ROLES

pytestmark = pytest.mark.django_db


def test_every_url_pattern_has_a_row_in_the_matrix():
    routes = all_routes()
    missing = sorted(
        f"{route.name} ({route.route})"
        for route in routes
        if route.name not in {matrix.name_of(key) for key in matrix.TABLE}
    )
    assert not missing, (
        "These URL patterns have no row in tests/security/matrix.py: add what each of "
        f"{', '.join(ROLES)} is answered: {', '.join(missing)}"
    )
    rows = matrix.rows_of_known_patterns()
    figures.record(
        "Permission matrix",
        f"{len(routes)} URL patterns (the admin aside), all covered, in {len(rows)} rows × "
        f"{len(ROLES)} people ({', '.join(ROLES)}) = {len(rows) * len(ROLES)} answers checked",
    )


@pytest.fixture(autouse=True)
def _configured_for_production(settings):
    """The matrix is of a service set up to go live: with a contact for security reports."""
    settings.SECURITY_CONTACT = "security@example.gov.uk"


def answer(response):
    """A response as the matrix writes it: a redirect to sign-in apart from other redirects."""
    if response.status_code == 302 and response.url.startswith(reverse("login") + "?next="):
        return matrix.SIGN_IN
    return response.status_code


@pytest.mark.parametrize("key", matrix.rows_of_known_patterns())
def test_each_person_is_answered_as_the_matrix_says(plain_scene, key):
    url = matrix.url_of(plain_scene, key)
    answers = tuple(answer(plain_scene.clients[role].get(url)) for role in ROLES)
    expected = matrix.row(matrix.TABLE[key]).answers
    assert answers == expected, (
        f"{key} ({url}), as {', '.join(ROLES)}: answered {answers}, the matrix says {expected}"
    )


@pytest.mark.parametrize("key", matrix.rows_of_known_patterns())
def test_the_auditor_is_answered_as_the_matrix_says(plain_scene, key):
    """The auditor's column: the outsider's answer unless matrix.AUDITOR_ANSWERS says another."""
    url = matrix.url_of(plain_scene, key)
    answered = answer(plain_scene.clients[AUDITOR].get(url))
    expected = matrix.auditor_answer(key)
    assert answered == expected, (
        f"{key} ({url}), as the auditor: answered {answered}, the matrix says {expected}"
    )
