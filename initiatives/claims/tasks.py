"""Celery tasks for claims: ids in, one service call."""

from celery import shared_task

from collaborate.kit import mail


@shared_task(**mail.SENDS_EMAIL)
def claim_submitted_notify(*, claim_id, user_id=None):
    """Without `user_id`: one task of this kind for each manager to tell, so that a retry after
    the mail server refused one person's email sends to that person only, never again to those
    already told. With it: that person's email."""
    from initiatives.claims import notifications

    if user_id is not None:
        return notifications.claim_submitted_notify(claim_id=claim_id, user_id=user_id)
    deciders = notifications.claim_submitted_deciders(claim_id=claim_id)
    for decider in deciders:
        claim_submitted_notify.delay(claim_id=claim_id, user_id=decider)
    return len(deciders)


@shared_task(**mail.SENDS_EMAIL)
def claim_decided_notify(*, claim_id):
    from initiatives.claims import notifications

    return notifications.claim_decided_notify(claim_id=claim_id)
