"""Celery tasks of the partners app: thin wrappers around one service call each."""

from celery import shared_task

from collaborate.kit import mail
from collaborate.kit.retry import RETRY


@shared_task(**mail.SENDS_EMAIL)
def password_reset_send(*, user_id):
    from partners.services import users

    users.password_reset_email_send(user_id=user_id)


@shared_task(**mail.SENDS_EMAIL)
def invitation_send(*, invitation_id):
    from partners.services import users

    users.invitation_email_send(invitation_id=invitation_id)


# --- retention, nightly (partners.services.retention): each returns what it removed ---------


@shared_task(**RETRY)
def sign_in_records_delete_old():
    from partners.services import retention

    return retention.sign_in_records_delete_old()


@shared_task(**RETRY)
def sessions_clear_expired():
    from partners.services import retention

    retention.sessions_clear_expired()


@shared_task(**RETRY)
def audit_events_delete_old():
    from partners.services import retention

    return retention.audit_events_delete_old()


@shared_task(**RETRY)
def invitations_unaccepted_anonymise():
    from partners.services import retention

    return retention.invitations_unaccepted_anonymise()
