"""Failed sign-ins lock the pair (email address typed, client address), so that colleagues
behind one address are not locked out together and nobody's successful sign-in clears someone
else's failures; an email address failing from many addresses is paused whatever the address;
an admin unlocks a pair. Password-reset and invitation emails are limited an hour per address
and per recipient; an invitation link that cannot be used says one thing whatever the reason."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from collaborate.celery import app as celery_app
from partners import tokens
from partners.models import AuditEvent, Invitation
from partners.services import audit
from partners.services import users as user_services
from tests import factories, form_data, two_factor
from tests.pages import text_of

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.9"
NAT = "203.0.113.20"  # a council's offices, everyone behind one address
PAUSED = "Signing in with it is paused"


def fail(client, email, times, ip="127.0.0.1"):
    for _ in range(times):
        client.post(
            reverse("login"), {"login": email, "password": "wrong password"}, REMOTE_ADDR=ip
        )


def sign_in(client, email, password, ip="127.0.0.1"):
    """The password step and, for someone with an authenticator app, the code step."""
    response = client.post(reverse("login"), {"login": email, "password": password}, REMOTE_ADDR=ip)
    return two_factor.code_step(client, response, email, REMOTE_ADDR=ip)


def signed_in(client):
    return "_auth_user_id" in client.session


# --- the pair (account, address) --------------------------------------------------------------


def test_the_attackers_own_sign_in_from_their_address_does_not_reset_the_victims_count(
    client, officer, manager, password, settings
):
    """The issue's test: five failures for the victim from the attacker's address, then the
    attacker signs in to their own account from there; the victim's sixth is still locked."""
    fail(client, officer.email, settings.AXES_FAILURE_LIMIT, ip=ATTACKER)
    attacker = client.__class__()
    assert sign_in(attacker, manager.email, password, ip=ATTACKER).status_code == 302

    sixth = sign_in(client, officer.email, password, ip=ATTACKER)
    assert sixth.status_code == 429
    assert "Signing in is paused" in text_of(sixth)
    assert not signed_in(client)


def test_a_success_one_short_of_the_limit_clears_only_its_own_pair(
    client, officer, manager, password, settings
):
    limit = settings.AXES_FAILURE_LIMIT
    fail(client, officer.email, limit - 1, ip=ATTACKER)
    attacker = client.__class__()
    assert sign_in(attacker, manager.email, password, ip=ATTACKER).status_code == 302
    fail(client, officer.email, 1, ip=ATTACKER)  # the victim's count reaches the limit
    assert sign_in(client, officer.email, password, ip=ATTACKER).status_code == 429

    # The victim's own success clears the victim's own pair.
    fail(client, manager.email, limit - 1, ip=NAT)
    assert sign_in(client, manager.email, password, ip=NAT).status_code == 302
    client.logout()
    fail(client, manager.email, limit - 1, ip=NAT)
    assert sign_in(client, manager.email, password, ip=NAT).status_code == 302


def test_a_colleague_behind_the_same_address_still_signs_in(
    client, officer, manager, password, settings
):
    fail(client, officer.email, settings.AXES_FAILURE_LIMIT, ip=NAT)
    assert sign_in(client, officer.email, password, ip=NAT).status_code == 429

    colleague = client.__class__()
    assert sign_in(colleague, manager.email, password, ip=NAT).status_code == 302
    assert signed_in(colleague)
    # The locked person from another address (at home) is not locked either.
    at_home = client.__class__()
    assert sign_in(at_home, officer.email, password, ip="192.0.2.80").status_code == 302


def test_signing_in_locks_after_the_configured_failures_then_an_admin_unlocks(
    client, officer, password, admin_user, settings
):
    fail(client, officer.email, settings.AXES_FAILURE_LIMIT - 1)
    response = client.post(reverse("login"), {"login": officer.email, "password": password})
    assert response.status_code == 302  # one short of the limit: still allowed
    client.logout()

    fail(client, officer.email.upper(), settings.AXES_FAILURE_LIMIT)  # capitals count the same
    locked = client.post(reverse("login"), {"login": officer.email, "password": password})
    assert locked.status_code == 429
    assert "Signing in is paused" in text_of(locked)
    assert not signed_in(client)

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

    response = client.post(reverse("login"), {"login": officer.email, "password": password})
    assert response.status_code == 302


def test_the_lock_says_nothing_about_whether_the_account_exists(client, settings):
    fail(client, "nobody@example.gov.uk", settings.AXES_FAILURE_LIMIT)
    locked = client.post(reverse("login"), {"login": "nobody@example.gov.uk", "password": "x"})
    assert locked.status_code == 429
    assert "Signing in is paused" in text_of(locked)


# --- the account, from every address ----------------------------------------------------------


def spread_failures(client, email, total, per_address):
    """`total` failures for `email`, `per_address` from each of as many addresses as needed
    (each under the pair's limit, as a spread attack keeps them)."""
    for n in range(total // per_address):
        fail(client, email, per_address, ip=f"192.0.2.{100 + n}")


def test_an_account_failing_from_many_addresses_is_paused_from_every_address(
    client, officer, manager, password, settings
):
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 8
    per_address = settings.AXES_FAILURE_LIMIT - 1  # never locked as a pair
    spread_failures(client, officer.email, 8, per_address)

    refused = sign_in(client, officer.email, password, ip="192.0.2.250")  # a fresh address
    assert PAUSED in text_of(refused)
    assert "try again in 15 minutes" in text_of(refused)
    assert "govuk-error-summary" in refused.content.decode()
    assert not signed_in(client)

    locked = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_LOCKED)
    assert locked.detail == {"email": officer.email, "failures": 8, "every_address": True}
    assert locked.ip_address == "192.0.2.101"

    # Another account from the very same addresses is not affected.
    assert sign_in(client, manager.email, password, ip="192.0.2.100").status_code == 302


def test_the_pause_of_an_unknown_address_reads_the_same(client, officer, password, settings):
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 8
    per_address = settings.AXES_FAILURE_LIMIT - 1
    spread_failures(client, officer.email, 8, per_address)
    spread_failures(client, "nobody@example.gov.uk", 8, per_address)
    known = sign_in(client, officer.email, password, ip="192.0.2.250")
    unknown = sign_in(client, "nobody@example.gov.uk", password, ip="192.0.2.250")
    assert known.status_code == unknown.status_code
    assert text_of(known).replace(officer.email, "X") == text_of(unknown).replace(
        "nobody@example.gov.uk", "X"
    )


def test_the_pause_ends_with_the_cool_off(client, officer, password, settings):
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 8
    spread_failures(client, officer.email, 8, settings.AXES_FAILURE_LIMIT - 1)
    assert PAUSED in text_of(sign_in(client, officer.email, password, ip="192.0.2.250"))
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME * 2)
    assert sign_in(client, officer.email, password, ip="192.0.2.250").status_code == 302


# --- emails anyone may cause to be sent -------------------------------------------------------


@pytest.fixture
def emails_sent_here(monkeypatch, django_capture_on_commit_callbacks):
    """Queued emails sent in this process as their transaction commits, into mail.outbox."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)

    def post(client, url, data, ip):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data, REMOTE_ADDR=ip)

    return post


def test_password_reset_emails_are_limited_per_recipient_the_page_unchanged(
    client, officer, emails_sent_here, settings
):
    limit = settings.PASSWORD_RESET_EMAILS_PER_RECIPIENT
    for n in range(limit + 2):
        page = emails_sent_here(
            client, reverse("password_reset"), {"email": officer.email}, f"192.0.2.{n + 1}"
        )
        assert page.status_code == 302 and page["Location"] == reverse("password_reset_done")
    assert [m.to for m in mail.outbox] == [[officer.email]] * limit


def test_password_reset_emails_are_limited_per_address_known_or_not(
    client, officer, emails_sent_here, settings
):
    limit = settings.PASSWORD_RESET_EMAILS_PER_ADDRESS
    for n in range(limit):  # unknown addresses count as much as known ones
        page = emails_sent_here(
            client, reverse("password_reset"), {"email": f"nobody{n}@example.gov.uk"}, ATTACKER
        )
        assert page.status_code == 302
    page = emails_sent_here(client, reverse("password_reset"), {"email": officer.email}, ATTACKER)
    assert page.status_code == 302 and page["Location"] == reverse("password_reset_done")
    assert mail.outbox == []
    # From another address the same person still gets their email.
    emails_sent_here(client, reverse("password_reset"), {"email": officer.email}, NAT)
    assert [m.to for m in mail.outbox] == [[officer.email]]


def test_invitation_emails_are_limited_per_recipient(
    client, admin_user, council, emails_sent_here, settings
):
    client.force_login(admin_user)
    emails_sent_here(client, reverse("users:invite"), form_data.invitation(council, send="on"), NAT)
    invitation = Invitation.objects.get()
    resend = reverse("users:resend", args=[invitation.user_id])
    for _ in range(settings.INVITATION_EMAILS_PER_RECIPIENT):  # the last one too many
        assert emails_sent_here(client, resend, {}, NAT).status_code == 302
    assert len(mail.outbox) == settings.INVITATION_EMAILS_PER_RECIPIENT
    page = client.get(reverse("users:detail", args=[invitation.user_id]))
    assert "Too many invitation emails have been sent" in text_of(page)
    invitation.refresh_from_db()
    assert invitation.times_sent == settings.INVITATION_EMAILS_PER_RECIPIENT


def test_invitation_emails_are_limited_per_address(
    client, admin_user, council, emails_sent_here, settings
):
    settings.INVITATION_EMAILS_PER_ADDRESS = 2
    client.force_login(admin_user)
    for n in range(2):
        data = form_data.invitation(council, email=f"person{n}@example.gov.uk", send="on")
        assert emails_sent_here(client, reverse("users:invite"), data, NAT).status_code == 302
    data = form_data.invitation(council, email="person9@example.gov.uk", send="on")
    refused = emails_sent_here(client, reverse("users:invite"), data, NAT)
    assert refused.status_code == 422
    assert "Too many invitation emails have been sent" in text_of(refused)
    assert len(mail.outbox) == 2
    assert not Invitation.objects.filter(user__email="person9@example.gov.uk").exists()
    # Another admin elsewhere still invites.
    assert emails_sent_here(client, reverse("users:invite"), data, ATTACKER).status_code == 302


# --- invitation links -------------------------------------------------------------------------


def test_an_invitation_link_that_cannot_be_used_says_one_thing_whatever_the_reason(
    client, council, settings
):
    def link(user, token=None):
        token = token or tokens.invitation_tokens.make_token(user)
        return reverse("accounts:invitation", args=[tokens.user_reference(user), token])

    wrong_token = factories.InvitationFactory(organisation=council)
    used = factories.InvitationFactory(organisation=council)
    used_link = link(used.user)
    user_services.invitation_accept(
        invitation=used, token=used_link.split("/")[-2], password="a long passphrase 77"
    )
    deactivated = factories.InvitationFactory(organisation=council)
    deactivated.user.is_active = False
    deactivated.user.save()
    expired = factories.InvitationFactory(organisation=council)
    expired_link = link(expired.user)
    unknown = factories.UserFactory.build(pk=987654, password=make_password(None))

    links = {
        "unknown person": link(unknown),
        "wrong token": link(wrong_token.user, token="c0ffee-0123456789abcdef"),
        "used": used_link,
        "deactivated": link(deactivated.user),
    }
    pages = {why: client.get(url) for why, url in links.items()}
    settings.PASSWORD_RESET_TIMEOUT = -1  # every link made so far has expired
    pages["expired"] = client.get(expired_link)

    texts = {why: text_of(page) for why, page in pages.items()}
    assert {page.status_code for page in pages.values()} == {410}
    assert len(set(texts.values())) == 1, texts
    assert user_services.INVITATION_LINK_INVALID in texts["wrong token"]
    assert council.name not in texts["wrong token"]


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
