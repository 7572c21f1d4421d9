"""Invitation and password-reset emails are sent by a real worker through real Redis, and
their links work once and expire."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from partners.models import Invitation
from tests.pages import text_of

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a long and unusual passphrase 42"


def wait_for_email(count=1, attempts=300):
    """The worker runs in this process; wait for it to deliver, without sleeping blindly."""
    import threading

    event = threading.Event()
    for _ in range(attempts):
        if len(mail.outbox) >= count:
            return mail.outbox[count - 1]
        event.wait(0.05)
    raise AssertionError(f"expected {count} email(s), got {len(mail.outbox)}")


def signs_in(client, email, password):
    response = client.post(reverse("login"), {"login": email, "password": password})
    return response.status_code == 302


def link_in(message):
    return re.search(r"https?://\S+", message.body).group(0)


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


def test_an_invitation_is_emailed_by_the_worker_and_its_link_works_once(
    celery_worker, client, manager, council
):
    client.force_login(manager)
    response = client.post(
        reverse("users:invite"),
        {
            "full_name": "Nina New",
            "email": "nina@example.gov.uk",
            "organisation": council.pk,
            "role": "officer",
        },
    )
    assert response.status_code == 302
    message = wait_for_email()
    assert message.to == ["nina@example.gov.uk"]
    assert "Leeds City Council" in message.subject
    assert "Mona Manager has invited you" in message.body

    client.logout()
    link = path_of(link_in(message))
    page = client.get(link)
    assert page.status_code == 200 and "Welcome to Collaborate" in text_of(page)
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302  # signed in and sent home
    assert "Nina New" in text_of(client.get("/"))
    assert Invitation.objects.get().accepted

    client.logout()
    again = client.get(link)
    assert again.status_code == 410
    assert "This invitation link cannot be used" in text_of(again)
    assert signs_in(client, "nina@example.gov.uk", NEW_PASSWORD)


def test_an_expired_invitation_link_is_refused_and_can_be_sent_again(
    celery_worker, client, admin_user, council, settings
):
    client.force_login(admin_user)
    client.post(
        reverse("users:invite"),
        {
            "full_name": "Late Comer",
            "email": "late@example.gov.uk",
            "organisation": council.pk,
            "role": "officer",
            "send": "on",
        },
    )
    link = path_of(link_in(wait_for_email()))
    settings.PASSWORD_RESET_TIMEOUT = -1  # every link is now past its expiry
    client.logout()
    page = client.get(link)
    assert page.status_code == 410 and "expired" in text_of(page)
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 410
    assert not Invitation.objects.get().accepted

    settings.PASSWORD_RESET_TIMEOUT = 3600
    client.force_login(admin_user)
    invitation = Invitation.objects.get()
    client.post(reverse("users:resend", args=[invitation.user_id]))
    fresh = path_of(link_in(wait_for_email(count=2)))
    client.logout()
    assert client.get(fresh).status_code == 200


def test_a_password_reset_email_is_sent_by_the_worker_and_its_link_works_once(
    celery_worker, client, officer
):
    response = client.post(reverse("password_reset"), {"email": officer.email.upper()})
    assert response.status_code == 302
    message = wait_for_email()
    assert message.to == [officer.email]
    link = path_of(link_in(message))
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in text_of(form_page)
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert signs_in(client, officer.email, NEW_PASSWORD)
    client.logout()
    reused = client.get(link, follow=True)
    assert "This link cannot be used" in text_of(reused)


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(
    celery_worker, client, officer
):
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.gov.uk"})
    known = client.post(reverse("password_reset"), {"email": officer.email})
    assert unknown.status_code == known.status_code == 302
    assert unknown.url == known.url
    wait_for_email()
    assert [m.to for m in mail.outbox] == [[officer.email]]


def test_a_queued_password_reset_carries_only_the_user_id_never_a_token(
    celery_queue, client, officer
):
    """What waits in the broker (and later in the result backend) is the user's id: the
    worker makes the link, so a copy of the queue cannot reset anyone's password."""
    import json

    import redis
    from django.conf import settings

    client.post(reverse("password_reset"), {"email": officer.email})
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queued = [json.loads(raw) for raw in broker.lrange(settings.CELERY_TASK_DEFAULT_QUEUE, 0, -1)]
    resets = [m for m in queued if m["headers"]["task"] == "partners.tasks.password_reset_send"]
    assert len(resets) == 1
    assert resets[0]["headers"]["kwargsrepr"] == repr({"user_id": officer.pk})
    mail.outbox.clear()
    from tests.fixtures_celery import running_worker

    with running_worker():
        message = wait_for_email()
    assert message.to == [officer.email]
    assert re.search(r"/reset/[\w-]+/[\w-]+/$", link_in(message))
