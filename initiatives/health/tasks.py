"""Celery task of the health check, run weekly by beat (collaborate/beat.py): one service call,
retried on transient errors; a retry sends only what the first try did not."""

from celery import shared_task

from collaborate.kit import mail


@shared_task(**mail.SENDS_EMAIL)
def health_checks_remind():
    from initiatives.health import services

    return services.health_checks_remind()
