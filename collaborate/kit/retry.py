"""The transient errors our Celery tasks retry, with backoff: anything else is a bug or a
permanent condition and fails at once. Every task module passes RETRY to `shared_task`."""

import smtplib

from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


class MailDeferred(Exception):
    """The mail server refused a message for now (an SMTP 4xx: greylisting, a full queue, a
    recipient's mailbox busy): sending it again later is what the server asks."""


TRANSIENT_ERRORS = (
    MailDeferred,
    OperationalError,
    InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
    KombuOperationalError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
)

RETRY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
}
