"""Celery tasks for claims: ids in, one service call."""

from celery import shared_task

from collaborate.kit import mail
from collaborate.kit.retry import RETRY


@shared_task(**RETRY, **mail.SENDS_EMAIL)
def claim_submitted_notify(*, claim_id):
    from initiatives.claims import notifications

    return notifications.claim_submitted_notify(claim_id=claim_id)


@shared_task(**RETRY, **mail.SENDS_EMAIL)
def claim_decided_notify(*, claim_id):
    from initiatives.claims import notifications

    return notifications.claim_decided_notify(claim_id=claim_id)
