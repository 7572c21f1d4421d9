"""An admin resets a person's second factors (a lost phone): a 404 for anyone else, recorded in
the audit log, and the person must set one up again before anything else."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.test import Client
from django.urls import reverse

from partners.models import AuditEvent

pytestmark = pytest.mark.usefixtures("postgres")


def reset_url(person):
    return reverse("users:second_factor_reset", kwargs={"pk": person.pk})


def test_an_admin_resets_a_managers_second_factors(as_user, admin_user, manager, client):
    RecoveryCodes.activate(manager)
    page = as_user(admin_user).get(reverse("users:detail", kwargs={"pk": manager.pk}))
    assert reset_url(manager) in page.content.decode()
    confirm = client.get(reset_url(manager))
    assert confirm.status_code == 200
    assert "Reset Mona Manager&#x27;s two-factor authentication?" in confirm.content.decode()

    response = client.post(reset_url(manager), REMOTE_ADDR="192.0.2.7")
    assert response["Location"] == reverse("users:detail", kwargs={"pk": manager.pk})
    assert not Authenticator.objects.filter(user=manager).exists()
    (event,) = AuditEvent.objects.filter(action=AuditEvent.Action.SECOND_FACTOR_RESET)
    assert event.actor_id == admin_user.pk
    assert event.ip_address == "192.0.2.7"
    assert event.detail == {
        "user_id": manager.pk,
        "email": manager.email,
        "types": ["recovery_codes", "totp"],
    }


def test_after_a_reset_the_person_must_set_up_a_second_factor_again(
    as_user, admin_user, manager, django_capture_on_commit_callbacks
):
    managers_browser = Client()
    managers_browser.force_login(manager)
    assert managers_browser.get("/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        as_user(admin_user).post(reset_url(manager))
    response = managers_browser.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("who", ["manager", "officer", "partner_manager"])
def test_nobody_but_an_admin_may_reset(as_user, request, manager, who):
    user = request.getfixturevalue(who)
    target = manager if who != "manager" else request.getfixturevalue("officer")
    client = as_user(user)
    assert client.get(reset_url(target)).status_code == 404
    assert client.post(reset_url(target)).status_code == 404
    assert Authenticator.objects.filter(user=manager).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SECOND_FACTOR_RESET).exists()


def test_an_admin_cannot_reset_their_own_second_factor_this_way(as_user, admin_user):
    client = as_user(admin_user)
    assert client.get(reset_url(admin_user)).status_code == 404
    assert client.post(reset_url(admin_user)).status_code == 404
    assert Authenticator.objects.filter(user=admin_user).exists()
