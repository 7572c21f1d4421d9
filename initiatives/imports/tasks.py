"""Celery tasks for spreadsheet imports: ids in, one service call."""

from celery import shared_task
from django.conf import settings

from collaborate.kit.retry import RETRY

# A large import takes longer than the default limits allow (see settings).
LIMITS = {
    "soft_time_limit": settings.IMPORT_JOB_TIME_LIMIT - 60,
    "time_limit": settings.IMPORT_JOB_TIME_LIMIT,
}


@shared_task(**LIMITS, **RETRY)
def import_check(*, import_id):
    from initiatives.imports import services

    return services.import_check(import_id=import_id)


@shared_task(**LIMITS, **RETRY)
def import_write(*, import_id):
    from initiatives.imports import services

    return services.import_write(import_id=import_id)


@shared_task(**RETRY)
def imports_delete_old_files():
    from initiatives.imports import services

    return services.imports_delete_old_files()
