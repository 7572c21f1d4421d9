"""The mail server down while claims are submitted and decided: the worker's email tasks fail
to connect and are retried with backoff; once a real SMTP server (aiosmtpd) answers again on
the same port, every email arrives, and none twice."""

import time
from collections import Counter

import pytest

from tests.faults.scene import PEOPLE
from tests.own_smtp import Inbox, MailServer
from tests.security import figures

pytestmark = pytest.mark.faults

OUTAGE_SECONDS = 15
ARRIVAL_SECONDS = 180  # beyond the retries' backoff after the outage
QUIET_SECONDS = 5  # watched after the last expected email, for any sent twice


@pytest.fixture
def mail_server():
    server = MailServer(Inbox())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def submit_and_verify(officer, manager, claim):
    assert officer.form(f"/claims/{claim}/submit/", {}).status_code == 302
    assert manager.form(f"/claims/{claim}/decide/", {"decision": "verify"}).status_code == 302


def test_the_mail_server_down(stack, mail_server):
    made = stack.build(initiatives=1, claims_each=6)
    stack.env.update(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(mail_server.port),
        EMAIL_USE_TLS="false",
    )
    stack.start()
    officer = stack.person(PEOPLE["officer"])
    manager = stack.person(PEOPLE["manager"], second_factor=True)
    claims = made["claims"]
    inbox = mail_server.inbox
    # Each claim: one email to the manager when submitted (unless it is decided before the
    # email goes: nothing to ask for then), one to the officer when decided.
    for claim in claims[:2]:
        assert officer.form(f"/claims/{claim}/submit/", {}).status_code == 302
    assert inbox.wait_for(2, ARRIVAL_SECONDS) == 2
    for claim in claims[:2]:
        assert manager.form(f"/claims/{claim}/decide/", {"decision": "verify"}).status_code == 302
    assert inbox.wait_for(4, ARRIVAL_SECONDS) == 4

    mail_server.stop()
    stopped = time.monotonic()
    # Four claims submitted, two of them verified: due are the manager's emails of the two
    # claims still awaiting a decision and the officer's emails of the two decisions.
    decided, waiting = claims[2:4], claims[4:6]
    for claim in decided:
        submit_and_verify(officer, manager, claim)
    for claim in waiting:
        assert officer.form(f"/claims/{claim}/submit/", {}).status_code == 302
    time.sleep(max(0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
    retries = stack.processes["worker"].log_text().count("retry: Retry in")
    mail_server.start()
    back = time.monotonic()
    expected = 4 + len(decided) + len(waiting)
    arrived = inbox.wait_for(expected, ARRIVAL_SECONDS)
    all_in = time.monotonic() - back
    time.sleep(QUIET_SECONDS)

    sent = Counter(inbox.received)
    assert arrived == expected, stack.logs()
    assert inbox.count() == expected
    assert max(sent.values()) == 1
    assert {recipient for recipient, _ in sent} == set(PEOPLE.values())
    kinds = Counter("asks" if "awaits your decision" in subject else "tells" for _, subject in sent)
    assert kinds == {"asks": 2 + len(waiting), "tells": 2 + len(decided)}
    figures.record(
        "faults: mail server down",
        f"SMTP server stopped for {back - stopped:.0f} s while 4 claims were submitted and 2 of "
        f"them verified ({expected - 4} emails due, {retries} retries with backoff logged "
        f"meanwhile); all {expected} emails had arrived {all_in:.1f} s after it came back, none "
        f"twice ({inbox.count()} received in all, watched {QUIET_SECONDS} s more)",
    )
