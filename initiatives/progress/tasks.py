"""Celery tasks for the progress tables: thin wrappers around the recompute services and the
reconcile."""

import logging

from celery import shared_task

from collaborate.kit import retry

logger = logging.getLogger(__name__)

# The progress tasks allow more retries than the kit's default (8, not 5).
RETRY = {**retry.RETRY, "max_retries": 8}


@shared_task(**RETRY)
def progress_recompute(*, initiative_id):
    from initiatives.progress import services

    services.progress_recompute_initiative(initiative_id=initiative_id)


@shared_task(**RETRY)
def progress_recompute_dirty():
    from initiatives.progress import services

    return services.progress_recompute_dirty()


@shared_task(bind=True, **RETRY)
def progress_reconcile(self):
    from initiatives.progress import reconcile

    def report(done, total):
        """The progress bar's figure, in the result store (Redis). Out of reach, the bar waits:
        the reconcile carries on, rather than roll back its work for a progress figure."""
        if self.request.is_eager:
            return
        try:
            self.update_state(state="PROGRESS", meta={"done": done, "total": total})
        except retry.TRANSIENT_ERRORS as error:
            logger.warning(
                "The reconcile's progress (%s of %s) was not reported: %s", done, total, error
            )

    return reconcile.progress_reconcile(report=report)
