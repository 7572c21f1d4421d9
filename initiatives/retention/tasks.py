"""Celery tasks for the retention of what the initiatives app keeps about people: one service
call each."""

from celery import shared_task

from collaborate.kit.retry import RETRY


@shared_task(**RETRY)
def accounts_anonymise_due():
    from initiatives.retention import services

    return services.accounts_anonymise_due()


@shared_task(**RETRY)
def reminders_sent_delete_old():
    from initiatives.retention import services

    return services.reminders_sent_delete_old()
