"""Signing in with a second factor (django-allauth's mfa stage after the password): a code from
the authenticator app, once; a recovery code, once; and what the audit log keeps of it."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.urls import reverse

from partners.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.usefixtures("postgres")

CODE_STEP = "/accounts/2fa/authenticate/"


def password_step(client, user):
    response = client.post(reverse("login"), {"login": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == CODE_STEP
    return response


def code_step(client, code):
    return client.post(CODE_STEP, {"code": code})


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_a_manager_signs_in_with_a_password_and_a_code_from_the_app(client, manager):
    password_step(client, manager)
    assert signed_in_as(client) is None  # not before the code
    page = client.get(CODE_STEP).content.decode()
    assert "Code from your authenticator app" in page
    response = code_step(client, factories.totp_code())
    assert response.status_code == 302
    assert signed_in_as(client) == str(manager.pk)
    (signed_in,) = events(AuditEvent.Action.SIGNED_IN)
    assert signed_in.actor_id == manager.pk
    assert signed_in.detail == {"method": "password and second factor"}
    assert client.get("/").status_code == 200


def test_a_wrong_code_is_refused_and_recorded_without_the_code(client, manager):
    password_step(client, manager)
    wrong = "000000" if factories.totp_code() != "000000" else "111111"
    response = code_step(client, wrong)
    assert response.status_code == 200
    assert "Enter the code your authenticator app shows now" in response.content.decode()
    assert signed_in_as(client) is None
    (failed,) = events(AuditEvent.Action.SECOND_FACTOR_FAILED)
    assert failed.actor_id == manager.pk
    assert failed.detail == {"type": "totp", "reauthentication": False}
    assert wrong not in str(failed.detail)


def test_a_code_that_was_used_is_refused_the_second_time(client, manager):
    code = factories.totp_code()
    password_step(client, manager)
    code_step(client, code)
    assert signed_in_as(client) == str(manager.pk)
    client.post(reverse("logout"))

    # Within the same 30 seconds the code is still the app's, and was used; after them it is
    # not the app's any more: refused either way.
    password_step(client, manager)
    response = code_step(client, code)
    assert signed_in_as(client) is None
    assert "Enter the code your authenticator app shows now" in response.content.decode()
    assert len(events(AuditEvent.Action.SECOND_FACTOR_FAILED)) == 1


def test_a_recovery_code_signs_in_once_and_not_twice(client, manager):
    codes = RecoveryCodes.activate(manager).get_unused_codes()
    assert len(codes) == 10
    password_step(client, manager)
    code_step(client, codes[0])
    assert signed_in_as(client) == str(manager.pk)
    (used,) = events(AuditEvent.Action.RECOVERY_CODE_USED)
    assert used.actor_id == manager.pk
    assert used.detail == {"codes_left": 9, "reauthentication": False}
    assert codes[0] not in str(used.detail)
    client.post(reverse("logout"))

    password_step(client, manager)
    code_step(client, codes[0])
    assert signed_in_as(client) is None
    code_step(client, codes[1])
    assert signed_in_as(client) == str(manager.pk)


def test_an_officer_without_a_second_factor_signs_in_with_the_password_alone(client, officer):
    response = client.post(
        reverse("login"), {"login": officer.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] != CODE_STEP
    assert signed_in_as(client) == str(officer.pk)
    assert not Authenticator.objects.filter(user=officer).exists()
