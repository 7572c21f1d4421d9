"""Repeated failed sign-ins lock the account and the address; an admin unlocks them."""

import pytest
from django.urls import reverse

from tests.pages import text_of

pytestmark = pytest.mark.django_db


def fail(client, email, times):
    for _ in range(times):
        client.post(reverse("login"), {"username": email, "password": "wrong password"})


def test_signing_in_locks_after_the_configured_failures_then_an_admin_unlocks(
    client, officer, password, admin_user, settings
):
    fail(client, officer.email, settings.AXES_FAILURE_LIMIT - 1)
    response = client.post(reverse("login"), {"username": officer.email, "password": password})
    assert response.status_code == 302  # one short of the limit: still allowed
    client.logout()

    fail(client, officer.email.upper(), settings.AXES_FAILURE_LIMIT)  # capitals count the same
    locked = client.post(reverse("login"), {"username": officer.email, "password": password})
    assert locked.status_code == 429
    assert "Signing in is paused" in text_of(locked)
    assert "_auth_user_id" not in client.session

    admin = client.__class__()
    admin.force_login(admin_user)
    page = admin.get(reverse("users:locked"))
    assert officer.email in text_of(page)
    attempt = page.context["attempts"][0]
    admin.post(reverse("users:locked"), {"attempt": attempt.pk})
    assert "No sign-in is locked" in text_of(admin.get(reverse("users:locked")))

    response = client.post(reverse("login"), {"username": officer.email, "password": password})
    assert response.status_code == 302


def test_the_lock_says_nothing_about_whether_the_account_exists(client, settings):
    fail(client, "nobody@example.gov.uk", settings.AXES_FAILURE_LIMIT)
    locked = client.post(reverse("login"), {"username": "nobody@example.gov.uk", "password": "x"})
    assert locked.status_code == 429
    assert "Signing in is paused" in text_of(locked)
