"""A real SMTP server (aiosmtpd) of the test's own on a spare port, which the test may stop and
start again on the same port, and which may refuse a recipient for a while as a greylisting
server does."""

import email
import threading
import time

from aiosmtpd.controller import Controller

from tests.own_redis import free_port

GREYLISTED = "451 4.7.1 Greylisted, please try again later"


class Inbox:
    """What the SMTP server accepted: (recipient, subject) of each message. Each address in
    `greylist` is refused with a temporary error (4xx) the first time it is offered."""

    def __init__(self, greylist=()):
        self.lock = threading.Lock()
        self.received = []
        self.greylist = set(greylist)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if address in self.greylist:
                self.greylist.discard(address)
                return GREYLISTED
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        subject = email.message_from_bytes(envelope.content)["Subject"]
        with self.lock:
            self.received.extend((recipient, subject) for recipient in envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    def count(self):
        with self.lock:
            return len(self.received)

    def wait_for(self, number, timeout):
        deadline = time.monotonic() + timeout
        while self.count() < number and time.monotonic() < deadline:
            time.sleep(0.5)
        return self.count()


class MailServer:
    def __init__(self, inbox):
        self.inbox, self.port, self.controller = inbox, free_port(), None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
