"""A person who does nothing for SESSION_IDLE_TIMEOUT is signed out and asked to sign in again,
coming back to where they were; a page polling by itself is not the person doing something."""

import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from collaborate.middleware import LAST_ACTIVITY, POLLING_ELEMENTS
from partners.models import AuditEvent
from tests.pages import text_of

pytestmark = pytest.mark.django_db

PAGE = "/claims/?status=submitted"


def idle_for(client, seconds):
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - seconds
    session.save()


def sign_in_then(url):
    """Where a redirect to sign in comes back to afterwards (None: not to sign in)."""
    parts = urlsplit(url)
    if parts.path != reverse("login"):
        return None
    return parse_qs(parts.query)["next"][0]


def last_activity(client):
    return client.session.get(LAST_ACTIVITY)


def test_idle_past_the_timeout_signs_out_and_comes_back_after_signing_in(
    client, officer, password, settings
):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    client.force_login(officer)
    idle_for(client, 30 * 60 + 5)

    response = client.get(PAGE)
    assert response.status_code == 302
    assert sign_in_then(response["Location"]) == PAGE
    assert "_auth_user_id" not in client.session
    login = client.get(response["Location"])
    assert "You were signed out because you did nothing for 30 minutes" in text_of(login)
    assert "govuk-notification-banner" in login.content.decode()

    back = client.post(
        response["Location"], {"login": officer.email, "password": password, "next": PAGE}
    )
    assert back.status_code == 302 and back["Location"] == PAGE


def test_activity_within_the_timeout_keeps_one_signed_in(client, officer, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    client.force_login(officer)
    idle_for(client, 30 * 60 - 5)
    assert client.get(reverse("home")).status_code == 200
    assert last_activity(client) >= int(time.time()) - 5  # the clock starts again
    assert client.get(reverse("home")).status_code == 200


def test_a_poll_is_not_activity_and_an_idle_polling_page_is_sent_to_sign_in(
    client, officer, settings
):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    client.force_login(officer)
    idle_for(client, 10 * 60)
    before = last_activity(client)
    poll = {"HX-Request": "true", "HX-Trigger": "freshness"}
    assert client.get(reverse("home"), headers=poll).status_code == 200
    assert last_activity(client) == before

    idle_for(client, 30 * 60 + 5)
    page = "https://testserver/claims/?status=submitted"
    timed_out = client.get(reverse("home"), headers={**poll, "HX-Current-URL": page})
    assert sign_in_then(timed_out["HX-Redirect"]) == PAGE
    assert "_auth_user_id" not in client.session


def test_a_form_sent_after_the_timeout_is_not_acted_on_and_returns_to_its_page(
    client, officer, settings
):
    settings.SESSION_IDLE_TIMEOUT = 60
    client.force_login(officer)
    idle_for(client, 61)
    response = client.post(
        reverse("accounts:emails"),
        {"emails": []},
        headers={"Referer": "http://testserver/accounts/"},
    )
    assert sign_in_then(response["Location"]) == "/accounts/"
    officer.refresh_from_db()
    assert officer.email_claims_submitted is True  # the choices sent were not saved
    assert "1 minute." in text_of(client.get(response["Location"]))


def test_every_element_that_polls_by_itself_is_known_not_to_be_activity():
    """htmx sends the polling element's id as HX-Trigger: each one must be listed."""
    polling = set()
    roots = [Path(django_settings.BASE_DIR)]
    for template in (p for root in roots for p in root.rglob("templates/**/*.html")):
        if ".venv" in template.parts or "node_modules" in template.parts:
            continue
        for tag in re.findall(r"<[^>]*hx-trigger=\"every [^>]*>", template.read_text()):
            found = re.search(r'\bid="([^"]+)"', tag)
            assert found, f"{template}: a polling element needs an id: {tag}"
            polling.add(found.group(1))
    assert polling, "no polling element found: the scan is broken"
    assert polling <= POLLING_ELEMENTS, polling - POLLING_ELEMENTS


def test_an_idle_sign_out_is_in_the_audit_log(client, officer, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    client.force_login(officer)
    idle_for(client, 30 * 60 + 5)
    client.get(PAGE, REMOTE_ADDR="203.0.113.7")
    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGNED_OUT_IDLE)
    assert (event.actor_id, event.ip_address) == (officer.pk, "203.0.113.7")
    assert event.detail == {"idle_minutes": 30}
