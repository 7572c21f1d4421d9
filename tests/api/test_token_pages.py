"""The API token pages: made after a recent second factor, the secret shown once in the answer
to the POST (not stored, not cached), listed and revoked by the owner or an admin."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import ApiToken, AuditEvent
from partners.services import tokens
from tests.authentication import proved
from tests.factories import totp_code

pytestmark = pytest.mark.django_db

NEW = reverse("accounts:token_create")
LIST = reverse("accounts:tokens")


def form_data(**extra):
    expiry = timezone.localdate() + datetime.timedelta(days=30)
    return {"name": "Reporting", "writable": "true", "expires_on": expiry.isoformat(), **extra}


def test_officer_with_a_recent_sign_in_creates_a_token_and_sees_it_once(client, officer):
    client.force_login(officer)
    proved(client, officer, "password", 1)
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, form_data())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=officer)
    body = response.content.decode()
    secret = body.split('id="token-secret"', 1)[1].split(">", 1)[1].split("<", 1)[0]
    assert token.secret_hash == tokens.secret_hash(secret)
    assert token.writable
    assert secret not in client.get(LIST).content.decode()
    assert token.prefix in client.get(LIST).content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_CREATED).count() == 1


def test_manager_whose_code_is_16_minutes_old_reauthenticates(client, manager):
    client.force_login(manager)
    proved(client, manager, "mfa", 16)
    response = client.get(NEW)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert "next=" in response["Location"]
    assert client.post(NEW, form_data()).status_code == 302
    assert not ApiToken.objects.exists()
    # After a code, the form works.
    response = client.post(reverse("mfa_reauthenticate"), {"code": totp_code()})
    assert response.status_code == 302, response.content
    assert client.post(NEW, form_data()).status_code == 200
    assert ApiToken.objects.filter(user=manager).count() == 1


def test_bad_expiry_is_refused_with_the_message(client, officer):
    client.force_login(officer)
    proved(client, officer, "password", 1)
    far = (timezone.localdate() + datetime.timedelta(days=400)).isoformat()
    response = client.post(NEW, form_data(expires_on=far))
    assert response.status_code == 200
    assert "within one year" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke_by_owner_and_admin_not_others(client, officer, outsider, admin_user):
    token, _secret = tokens.token_create(
        actor=officer,
        name="Sync",
        writable=False,
        expires_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    url = reverse("accounts:token_revoke", args=[token.pk])
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    client.force_login(admin_user)
    assert token.name in client.get(LIST).content.decode()
    assert client.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == admin_user


def test_account_page_links_to_tokens(client, officer):
    client.force_login(officer)
    assert LIST in client.get(reverse("accounts:account")).content.decode()
