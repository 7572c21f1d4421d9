"""API tokens authenticate API requests: only a hash is stored, read-only tokens only read,
expired and revoked tokens and those of deactivated people authenticate nobody, each use is
recorded, a new address once in the audit log, and requests are throttled per token and per
address."""

import datetime

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from partners.models import ApiToken, AuditEvent
from partners.services import tokens

pytestmark = pytest.mark.django_db

LIST = reverse("api:organisation-list")


def make(user, writable=True, days=30):
    return tokens.token_create(
        actor=user,
        name="Reporting",
        writable=writable,
        expires_on=timezone.localdate() + datetime.timedelta(days=days),
    )


def bearer(secret, address="203.0.113.5"):
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_only_the_hash_is_stored(officer):
    token, secret = make(officer)
    assert secret.startswith("clb_")
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in repr(row)
    assert row["secret_hash"] == tokens.secret_hash(secret)
    assert row["prefix"] == secret[:8]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_CREATED).count() == 1


def test_a_token_authenticates_and_records_its_use(officer):
    token, secret = make(officer, writable=False)
    assert bearer(secret).get(LIST).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_ip == "203.0.113.5"


def test_uses_within_a_minute_from_one_address_are_recorded_once(officer):
    """A client calling many times a minute is not written on each call: last used moves on
    once a minute, and at once for another address."""
    token, secret = make(officer, writable=False)
    client = bearer(secret)
    client.get(LIST)
    token.refresh_from_db()
    first = token.last_used_at
    client.get(LIST)
    token.refresh_from_db()
    assert token.last_used_at == first
    a_while_ago = first - tokens.LAST_USED_PRECISION
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=a_while_ago)
    client.get(LIST)
    token.refresh_from_db()
    assert token.last_used_at > first
    bearer(secret, "198.51.100.7").get(LIST)
    token.refresh_from_db()
    assert token.last_used_ip == "198.51.100.7"


def test_a_new_address_is_audited_once(officer):
    _token, secret = make(officer)
    new_address = AuditEvent.Action.API_TOKEN_NEW_ADDRESS
    for _ in range(3):
        bearer(secret).get(LIST)
    assert AuditEvent.objects.filter(action=new_address).count() == 1
    bearer(secret, "198.51.100.7").get(LIST)
    assert AuditEvent.objects.filter(action=new_address).count() == 2


def test_read_only_token_may_not_write(admin_user, council):
    _token, secret = make(admin_user, writable=False)
    url = reverse("api:organisation-detail", args=[council.pk])
    response = bearer(secret).patch(url, {"short_name": "X", "version": council.version})
    assert response.status_code == 403
    assert response.json()["detail"] == "This token is read-only."


def test_read_write_token_writes_without_csrf(admin_user, council):
    _token, secret = make(admin_user)
    url = reverse("api:organisation-detail", args=[council.pk])
    client = bearer(secret)
    client.enforce_csrf_checks = True
    response = client.patch(url, {"short_name": "X", "version": council.version})
    assert response.status_code == 200, response.json()


@pytest.mark.parametrize("state", ["expired", "revoked", "deactivated", "unknown"])
def test_unusable_tokens_are_401(officer, state):
    token, secret = make(officer)
    if state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(
            expires_on=timezone.localdate() - datetime.timedelta(days=1)
        )
    elif state == "revoked":
        tokens.token_revoke(actor=officer, token=token)
    elif state == "deactivated":
        type(officer).objects.filter(pk=officer.pk).update(is_active=False)
    else:
        secret += "x"
    response = bearer(secret).get(LIST)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_revocation_is_audited_and_only_by_owner_or_admin(officer, outsider, admin_user):
    from django.core.exceptions import PermissionDenied

    token, _secret = make(officer)
    with pytest.raises(PermissionDenied):
        tokens.token_revoke(actor=outsider, token=token)
    tokens.token_revoke(actor=admin_user, token=token)
    token.refresh_from_db()
    assert token.revoked_by == admin_user
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_REVOKED).count() == 1


def test_expiry_at_most_a_year(officer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        make(officer, days=400)


def rates(token, address):
    return {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": token, "address": address},
    }


def test_throttled_per_token(officer):
    _token, secret = make(officer)
    with override_settings(REST_FRAMEWORK=rates("3/minute", "100/minute")):
        answers = [bearer(secret, f"203.0.113.{n}").get(LIST) for n in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1]["Retry-After"]


def test_throttled_per_address(officer, manager):
    _one, first = make(officer)
    _two, second = make(manager)
    with override_settings(REST_FRAMEWORK=rates("100/minute", "3/minute")):
        answers = [bearer(secret).get(LIST) for secret in (first, second, first, second)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1]["Retry-After"]


def test_guessing_tokens_is_throttled_per_address(officer):
    _token, secret = make(officer)
    with override_settings(REST_FRAMEWORK=rates("100/minute", "3/minute")):
        guesses = [bearer(f"clb_guess{n}").get(LIST).status_code for n in range(3)]
        # The address has spent its requests on guesses: the right token waits too.
        answer = bearer(secret).get(LIST)
        elsewhere = bearer(secret, "198.51.100.7").get(LIST)
    assert guesses == [401, 401, 401]
    assert answer.status_code == 429 and answer["Retry-After"]
    assert elsewhere.status_code == 200


def test_requests_without_credentials_are_throttled_per_address():
    with override_settings(REST_FRAMEWORK=rates("100/minute", "2/minute")):
        answers = [APIClient(REMOTE_ADDR="192.0.2.9").get(LIST).status_code for _ in range(3)]
    assert answers == [401, 401, 429]
