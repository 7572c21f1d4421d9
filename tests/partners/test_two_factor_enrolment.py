"""Setting up, keeping and losing second factors: enrolment with the app's code, recovery codes
shown once, a person whose role needs a factor keeps one, and an admin's reset. Each recorded in
the audit log without a secret or a code."""

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from partners.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.usefixtures("postgres")


@pytest.fixture
def bare_manager(council):
    return factories.UserFactory(member_of=[(council, "manager")], second_factor=False)


def reauthenticated(client):
    """Changing second factors asks for the password again unless the sign-in is recent."""
    client.post(reverse("account_reauthenticate"), {"password": factories.PASSWORD})
    return client


def enrol(client, django_capture_on_commit_callbacks):
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": factories.totp_code(secret)})
    return secret, response


def actions(user):
    return list(
        AuditEvent.objects.filter(actor_id=user.pk).order_by("pk").values_list("action", "detail")
    )


def test_a_manager_enrols_an_authenticator_app_and_gets_ten_codes_shown_once(
    as_user, bare_manager, django_capture_on_commit_callbacks
):
    client = reauthenticated(as_user(bare_manager))
    secret, response = enrol(client, django_capture_on_commit_callbacks)
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=bare_manager, type="totp").exists()

    codes_page = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    codes = Authenticator.objects.get(user=bare_manager, type="recovery_codes")
    unused = codes.wrap().get_unused_codes()
    assert len(unused) == 10
    assert all(code in codes_page for code in unused)
    assert "collaborate-recovery-codes.txt" in codes_page  # the download
    again = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    assert not any(code in again for code in unused)
    assert "cannot be shown again" in again

    assert client.get("/").status_code == 200  # no longer sent to enrolment
    assert actions(bare_manager) == [
        (AuditEvent.Action.SECOND_FACTOR_ADDED, {"type": "totp"}),
        (AuditEvent.Action.RECOVERY_CODES_GENERATED, {"codes": 10}),
    ]
    everything = str(list(AuditEvent.objects.values_list("detail", flat=True)))
    assert secret not in everything
    assert not any(code in everything for code in unused)
    # The app's key and the codes' seed are kept encrypted, never in the clear.
    stored = str(list(Authenticator.objects.values_list("data", flat=True)))
    assert secret not in stored


def test_a_wrong_code_does_not_enrol(as_user, bare_manager):
    client = reauthenticated(as_user(bare_manager))
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    wrong = "123456" if pyotp.TOTP(secret).now() != "123456" else "654321"
    response = client.post(reverse("mfa_activate_totp"), {"code": wrong})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not Authenticator.objects.filter(user=bare_manager).exists()


def test_new_recovery_codes_replace_the_old_and_are_recorded(
    as_user, manager, django_capture_on_commit_callbacks
):
    client = reauthenticated(as_user(manager))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_generate_recovery_codes"))
    first = Authenticator.objects.get(user=manager, type="recovery_codes").wrap()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_generate_recovery_codes"))
    second = Authenticator.objects.get(user=manager, type="recovery_codes").wrap()
    assert set(first.get_unused_codes()).isdisjoint(second.get_unused_codes())
    assert [a for a, _ in actions(manager)] == [AuditEvent.Action.RECOVERY_CODES_GENERATED] * 2


def test_a_manager_cannot_remove_their_only_authenticator_app_and_is_told_why(as_user, manager):
    client = reauthenticated(as_user(manager))
    page = client.get(reverse("mfa_deactivate_totp")).content.decode()
    assert "Your role needs two-factor authentication" in page
    client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=manager, type="totp").exists()
    assert not actions(manager)


def test_an_officer_may_remove_their_authenticator_app(as_user, council):
    officer = factories.UserFactory(member_of=[(council, "officer")], second_factor=True)
    client = reauthenticated(as_user(officer))
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=officer).exists()
    assert actions(officer) == [(AuditEvent.Action.SECOND_FACTOR_REMOVED, {"type": "totp"})]


def test_a_manager_cannot_remove_their_last_security_key(as_user, bare_manager):
    key = Authenticator.objects.create(
        user=bare_manager, type=Authenticator.Type.WEBAUTHN, data={"name": "My key"}
    )
    client = reauthenticated(as_user(bare_manager))
    response = client.post(reverse("mfa_remove_webauthn", kwargs={"pk": key.pk}))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_list_webauthn")
    assert Authenticator.objects.filter(pk=key.pk).exists()
