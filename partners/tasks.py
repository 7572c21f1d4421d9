"""Celery tasks of the partners app: thin wrappers around one service call each."""

from celery import shared_task

from collaborate.kit.retry import RETRY


@shared_task(**RETRY)
def password_reset_send(*, user_id):
    from partners.services import users

    users.password_reset_email_send(user_id=user_id)


@shared_task(**RETRY)
def invitation_send(*, invitation_id):
    from partners.services import users

    users.invitation_email_send(invitation_id=invitation_id)
