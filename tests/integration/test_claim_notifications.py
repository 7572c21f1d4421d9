"""Claim notifications are queued only after commit and sent by a real worker through Redis."""

import threading

import pytest
from django.core import mail
from django.db import transaction

from initiatives.claims import services
from tests import factories
from tests.factories import make_claim
from tests.own_smtp import Inbox, MailServer

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(count):
    pause = threading.Event()
    for _ in range(300):
        if len(mail.outbox) >= count:
            return list(mail.outbox)
        pause.wait(0.05)
    raise AssertionError(f"expected {count} emails, got {len(mail.outbox)}")


def test_the_lead_managers_hear_of_a_submission_and_the_submitter_of_the_decision(
    celery_worker, initiative, officer, manager, council
):
    factories.UserFactory(
        email="inactive.manager@example.gov.uk", is_active=False, member_of=[(council, "manager")]
    )
    claim = make_claim(officer, initiative, council)
    services.claim_submit(actor=officer, claim=claim)
    submitted = wait_for(1)
    assert [m.to for m in submitted] == [[manager.email]]
    assert f"Claim {claim.reference} awaits your decision" == submitted[0].subject
    assert "/claims/" in submitted[0].body

    services.claim_decide(actor=manager, claim=claim, decision="return", note="Add the invoice")
    decided = wait_for(2)[1]
    assert decided.to == [officer.email]
    assert "returned for revision" in decided.subject and "Add the invoice" in decided.body


def test_nothing_is_sent_for_a_submission_that_rolls_back(
    celery_worker, initiative, officer, manager, council
):
    claim = make_claim(officer, initiative, council)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.claim_submit(actor=officer, claim=claim)
        raise RuntimeError("the request failed after the submit")
    claim.refresh_from_db()
    assert claim.status == "draft"
    services.claim_submit(actor=officer, claim=claim)
    assert len(wait_for(1)) == 1
    assert mail.outbox[0].subject == f"Claim {claim.reference} awaits your decision"


def test_only_the_managers_who_may_decide_hear_of_a_submission(
    celery_worker, initiative, officer, manager, council
):
    """A manager who drafted or edited the claim is not asked to decide it: another is."""
    other = factories.UserFactory(
        email="other.manager@example.gov.uk", member_of=[(council, "manager")]
    )
    claim = make_claim(manager, initiative, council)
    services.claim_submit(actor=officer, claim=claim)
    assert [m.to for m in wait_for(1)] == [[other.email]]


@pytest.fixture
def greylisting_mail_server(settings):
    """A real SMTP server that refuses the second manager's address for now the first time it
    is offered (greylisting: a 451 the sender must try again later)."""
    inbox = Inbox(greylist={"second.manager@example.gov.uk"})
    server = MailServer(inbox)
    server.start()
    options = {"host": "127.0.0.1", "port": server.port, "use_tls": False, "timeout": 10}
    settings.MAILERS = {"default": {"BACKEND": settings.SMTP_BACKEND, "OPTIONS": options}}
    try:
        yield inbox
    finally:
        server.stop()


def test_a_manager_greylisted_by_the_mail_server_is_told_later_and_the_others_only_once(
    greylisting_mail_server, celery_worker, initiative, officer, manager, council
):
    """Each manager's email is a task of its own: the retry the refusal causes sends to the
    refused manager alone (a single task for everyone would tell the first manager twice)."""
    second = factories.UserFactory(
        email="second.manager@example.gov.uk", member_of=[(council, "manager")]
    )
    claim = make_claim(officer, initiative, council)
    services.claim_submit(actor=officer, claim=claim)

    assert greylisting_mail_server.wait_for(2, timeout=30) == 2
    pause = threading.Event()
    pause.wait(2)  # a second email to anyone would have arrived by now
    subject = f"Claim {claim.reference} awaits your decision"
    assert sorted(greylisting_mail_server.received) == sorted(
        [(manager.email, subject), (second.email, subject)]
    )
    assert greylisting_mail_server.greylist == set()  # the second was refused once, then told
