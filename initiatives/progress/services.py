"""Writes to the progress tables: recomputing one initiative's rows, marking initiatives whose
figures changed, the sweep of marks left behind, and an admin's start of a full recompute.

The recompute is SQL aggregation (INSERT … SELECT … GROUP BY, in `sql`), never a loop over
claims in Python: claims and targets → per-initiative rows → fact rows. The full recompute is
the reconcile (`reconcile`). Every recompute runs in one transaction under a PostgreSQL
advisory lock, so recomputes never interleave, and each is idempotent: it rebuilds from the
source tables."""

import logging
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from collaborate.kit import cache as kit_cache
from initiatives import permissions
from initiatives.models import ProgressDirty
from initiatives.progress import selectors, sql
from initiatives.progress.reconcile import progress_reconcile
from partners.models import AuditEvent
from partners.permissions import require
from partners.services.audit import audit_record

logger = logging.getLogger(__name__)

SWEEP_RECONCILE_ABOVE = 2000  # more dirty initiatives than this: reconcile instead
RECONCILE_TASK_TIMEOUT = 60 * 60 * 6  # how long the dashboard follows a full recompute


def progress_version_bump(organisations=(), *, everyone=False):
    """After a recompute commits, everything cached under the old version is stale (see
    selectors.version), and so is what is cached about the `organisations` its initiative
    involves (or about every organisation: a full recompute)."""
    kit_cache.version_bump(selectors.VERSION_KEY)
    for organisation_id in organisations:
        kit_cache.version_bump(selectors.ORGANISATION_VERSION_KEY.format(organisation_id))
    if everyone:
        kit_cache.version_bump(selectors.RECONCILED_VERSION_KEY)


def register_version_bump():
    """After a publication or a withdrawal commits, the register's cached pages are stale."""
    kit_cache.version_bump(selectors.REGISTER_VERSION_KEY)


def progress_recompute_initiative(*, initiative_id):
    """Rebuild one initiative's rows and the fact rows it contributed to before or does now."""
    params = {"now": timezone.now(), "initiative_id": initiative_id}
    with transaction.atomic(), connection.cursor() as cursor:
        sql.lock(cursor)
        cursor.execute(sql.statement(sql.MARK_CLAIM_SQL), params)
        old_organisation_keys, old_all_keys = sql.keys_of(cursor, initiative_id)
        sql.level_one_build(cursor, params=params, scope=sql.ONE_INITIATIVE)
        new_organisation_keys, new_all_keys = sql.keys_of(cursor, initiative_id)
        sql.facts_build(
            cursor,
            now=params["now"],
            organisation_keys=old_organisation_keys | new_organisation_keys,
            all_keys=old_all_keys | new_all_keys,
        )
        involved = sql.organisations_of(cursor, initiative_id) | {
            key[0] for key in old_organisation_keys | new_organisation_keys
        }
        transaction.on_commit(partial(progress_version_bump, involved))


def progress_recompute_dirty():
    """The sweep: recompute every initiative still marked dirty (a lost message, a worker
    killed mid-task). Many at once: reconcile instead."""
    dirty = list(
        ProgressDirty.objects.order_by("marked_at").values_list("initiative_id", flat=True)[
            : SWEEP_RECONCILE_ABOVE + 1
        ]
    )
    if len(dirty) > SWEEP_RECONCILE_ABOVE:
        return progress_reconcile()
    for initiative_id in dirty:
        progress_recompute_initiative(initiative_id=initiative_id)
    return len(dirty)


_batching = ContextVar("progress_batching", default=False)


@contextmanager
def progress_batch(*, queue=True):
    """Within the block, initiatives are marked for recomputing but no recompute is queued for
    each; after it (once the caller's transaction, if any, commits), one sweep is queued for
    all of them: an import of thousands of initiatives queues one task, not thousands.
    `queue=False`: none (what the block did was rolled back)."""
    token = _batching.set(True)
    try:
        yield
    finally:
        _batching.reset(token)
    if queue:
        from initiatives.progress import tasks

        tasks.progress_recompute_dirty.delay_on_commit()


def progress_mark_dirty(initiative_ids):
    """Mark initiatives whose figures changed, in the caller's transaction, and queue one
    recompute for each after commit. An initiative still marked has a recompute queued that
    has not started, so a burst of changes causes one recompute.

    The mark is touched with an UPDATE first: if a recompute has just claimed the mark (deleted
    it, not yet committed), the UPDATE waits for it, finds nothing, and a new mark and a new
    recompute follow — the running one may not have seen this change."""
    from initiatives.progress import tasks

    for initiative_id in sorted(set(initiative_ids)):
        if ProgressDirty.objects.filter(initiative_id=initiative_id).update(
            marked_at=timezone.now()
        ):
            continue
        try:
            with transaction.atomic():
                ProgressDirty.objects.create(initiative_id=initiative_id)
        except IntegrityError:
            continue  # marked by a concurrent change, which queued the recompute
        if not _batching.get():
            tasks.progress_recompute.delay_on_commit(initiative_id=initiative_id)


def _reconcile_queue(task_id):
    from initiatives.progress import tasks

    tasks.progress_reconcile.apply_async(task_id=task_id)
    cache.set(selectors.RECONCILE_TASK_KEY, task_id, timeout=RECONCILE_TASK_TIMEOUT)


def progress_recompute_all_start(*, actor, ip_address):
    """Start a full recompute of every figure on the worker (a reconcile), recorded in the
    audit log; the dashboard follows its progress. Returns whether one started: while one is
    running, another does not."""
    require(permissions.can_recompute(actor), "Only administrators start a full recompute.")
    status = selectors.reconcile_status()
    if status is not None and not status["finished"]:
        return False
    # The task's id is chosen here so that the audit event names the task it started.
    task_id = str(uuid.uuid4())
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.RECOMPUTE_STARTED,
            actor=actor,
            ip_address=ip_address,
            detail={"task_id": task_id},
        )
        transaction.on_commit(partial(_reconcile_queue, task_id))
    return True
