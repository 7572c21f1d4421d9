"""Celery tasks of the partners app: thin wrappers around one service call each."""

from celery import shared_task
from django.core.mail import EmailMessage

from partners.retry import TRANSIENT_ERRORS


@shared_task(autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, retry_jitter=True, max_retries=5)
def email_send(*, to, subject, body):
    """Send one plain-text email. Queued after commit by the services that need one."""
    EmailMessage(subject=subject, body=body, to=[to]).send()
