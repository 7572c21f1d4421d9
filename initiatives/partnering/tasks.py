"""Celery task of finding partners: one email to one manager, retried like every email."""

from celery import shared_task

from collaborate.kit import mail


@shared_task(**mail.SENDS_EMAIL)
def interest_notify(*, event_id, user_id):
    from initiatives.partnering import notifications

    return notifications.interest_notify(event_id=event_id, user_id=user_id)
