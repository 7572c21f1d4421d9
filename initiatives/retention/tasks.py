"""Celery task for the retention of people named in claims: one service call."""

from celery import shared_task

from collaborate.kit.retry import RETRY


@shared_task(**RETRY)
def accounts_anonymise_due():
    from initiatives.retention import services

    return services.accounts_anonymise_due()
