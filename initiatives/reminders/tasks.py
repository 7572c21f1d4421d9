"""Celery tasks of the reminders, run by beat (collaborate/settings.py): one service call each,
retried on transient errors; a retry sends only what the first try did not."""

from celery import shared_task

from collaborate.kit import mail


@shared_task(**mail.SENDS_EMAIL)
def awaiting_decision_remind():
    from initiatives.reminders import services

    return services.awaiting_decision_remind()


@shared_task(**mail.SENDS_EMAIL)
def quiet_initiatives_remind():
    from initiatives.reminders import services

    return services.quiet_initiatives_remind()
