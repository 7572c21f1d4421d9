"""Sending email: every email of the product leaves through here, from a Celery task."""

from django.core.mail import EmailMessage

# The option that marks a Celery task as one that sends email (`@shared_task(**SENDS_EMAIL)`):
# /metrics counts such tasks still waiting in the queue (collaborate.observability).
SENDS_EMAIL = {"sends_email": True}


def email_deliver(*, to, subject, body):
    """Send one plain-text email now."""
    EmailMessage(subject=subject, body=body, to=[to]).send()
