"""Celery tasks for spreadsheet imports: ids in, one service call."""

from celery import shared_task

from collaborate.kit.retry import RETRY


@shared_task(**RETRY)
def import_check(*, import_id):
    from initiatives.imports import services

    return services.import_check(import_id=import_id)


@shared_task(**RETRY)
def import_write(*, import_id):
    from initiatives.imports import services

    return services.import_write(import_id=import_id)


@shared_task(**RETRY)
def imports_delete_old_files():
    from initiatives.imports import services

    return services.imports_delete_old_files()
