"""Celery task for the insights: a thin wrapper around the nightly rebuild of the figures."""

from celery import shared_task

from collaborate.kit import retry


@shared_task(**retry.RETRY)
def insights_recompute():
    from initiatives.insights import services

    return services.insights_recompute()
