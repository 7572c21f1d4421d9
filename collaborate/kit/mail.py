"""Sending email: every email of the product leaves through here, from a Celery task."""

import smtplib

from django.core.mail import EmailMessage

from collaborate.kit.retry import RETRY, MailDeferred

# The options of a Celery task that sends email (`@shared_task(**SENDS_EMAIL)`). `sends_email`
# marks it: /metrics counts such tasks still waiting in the queue (collaborate.observability).
# A mail server out of reach for many minutes loses no email: 12 retries, each after a random
# part of 1, 2, 4 … 512, 600, 600 s (about 18 minutes in all, on average); the kit's 5, each a
# random part of 1 to 16 s, can all be spent within seconds of a mail server's restart.
SENDS_EMAIL = {**RETRY, "max_retries": 12, "sends_email": True}


def _temporary(code):
    return 400 <= code < 500


def email_deliver(*, to, subject, body, reply_to=None):
    """Send one plain-text email now (answers going to `reply_to`, if given). A refusal the
    server calls temporary (4xx) is raised as MailDeferred, which the email tasks retry; a
    permanent one (5xx) fails the task."""
    try:
        replies = [reply_to] if reply_to else None
        EmailMessage(subject=subject, body=body, to=[to], reply_to=replies).send()
    except smtplib.SMTPRecipientsRefused as refused:
        if all(_temporary(code) for code, _ in refused.recipients.values()):
            raise MailDeferred(f"{to}: {refused.recipients}") from refused
        raise
    except smtplib.SMTPResponseException as refused:  # the sender or the message refused
        if _temporary(refused.smtp_code):
            raise MailDeferred(f"{to}: {refused.smtp_code} {refused.smtp_error!r}") from refused
        raise
