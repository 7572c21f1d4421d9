"""Celery tasks for claims: ids in, one service call."""

from celery import shared_task

from collaborate.kit import mail


@shared_task(**mail.SENDS_EMAIL)
def claim_submitted_notify(*, claim_id, user_id=None):
    """Without `user_id`, one task of this kind queued for each manager to tell (a retry after
    one person's email was refused sends to that person only); with it, that person's email."""
    from initiatives.claims import notifications

    if user_id is None:
        return notifications.claim_submitted_fan_out(claim_id=claim_id)
    return notifications.claim_submitted_notify(claim_id=claim_id, user_id=user_id)


@shared_task(**mail.SENDS_EMAIL)
def claim_decided_notify(*, claim_id):
    from initiatives.claims import notifications

    return notifications.claim_decided_notify(claim_id=claim_id)
