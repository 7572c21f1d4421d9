"""Repeated failed sign-ins lock the account and the address; an admin unlocks them."""

import pytest
from django.urls import reverse

from partners.models import AuditEvent
from partners.services import audit
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
    admin.post(reverse("users:locked"), {"attempt": attempt.pk}, REMOTE_ADDR="192.0.2.7")
    assert "No sign-in is locked" in text_of(admin.get(reverse("users:locked")))
    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_UNLOCKED)
    assert (event.actor_id, event.actor_email) == (admin_user.pk, admin_user.email)
    assert event.ip_address == "192.0.2.7"
    assert event.detail["username"] == officer.email

    response = client.post(reverse("login"), {"username": officer.email, "password": password})
    assert response.status_code == 302


def test_the_lock_says_nothing_about_whether_the_account_exists(client, settings):
    fail(client, "nobody@example.gov.uk", settings.AXES_FAILURE_LIMIT)
    locked = client.post(reverse("login"), {"username": "nobody@example.gov.uk", "password": "x"})
    assert locked.status_code == 429
    assert "Signing in is paused" in text_of(locked)


def test_audit_events_are_never_changed_or_deleted(admin_user):
    event = audit.audit_record(action=AuditEvent.Action.SIGN_IN_UNLOCKED, actor=admin_user)
    event.actor_email = "someone-else@example.gov.uk"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.get().actor_email == admin_user.email


def test_only_an_admin_may_unlock_and_a_refusal_records_nothing(client, manager):
    client.force_login(manager)
    assert client.post(reverse("users:locked"), {"attempt": 1}).status_code == 403
    assert not AuditEvent.objects.exists()
