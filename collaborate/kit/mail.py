"""Sending email: every email of the product leaves through here, from a Celery task."""

from django.core.mail import EmailMessage


def email_deliver(*, to, subject, body):
    """Send one plain-text email now."""
    EmailMessage(subject=subject, body=body, to=[to]).send()
