"""Writing the audit log: one append-only row per security-relevant event.

Every event is written through `audit_record`, inside the transaction of what it records, with
who did it, from which address, for which organisation (where there is one) and a small detail
that never holds a secret (no password, token or link). Sign-ins, failures, lockouts and
sign-outs come from `partners.receivers`; everything else from the service that does it."""

from django.db import transaction

from partners.models import AuditEvent

# The longest value a detail keeps of anything a person typed (an email address at most).
TYPED_LENGTH = 254


def audit_record(*, action, actor=None, ip_address=None, organisation=None, detail=None):
    """Record that `actor` did `action` (an `AuditEvent.Action`), from `ip_address`, for
    `organisation` (kept by id and name), with `detail` (JSON-serialisable). Runs inside the
    caller's transaction, so an event is kept exactly when the action it records is."""
    signed_in = actor is not None and actor.is_authenticated
    return AuditEvent.objects.create(
        action=action,
        actor_id=actor.pk if signed_in else None,
        actor_email=actor.email if signed_in else "",
        ip_address=ip_address or None,
        organisation_id=getattr(organisation, "pk", None),
        organisation_name=getattr(organisation, "name", "") or "",
        detail=detail or {},
    )


def person(user):
    """How an event's detail names the person it is about (not the actor): id and address."""
    return {"user_id": user.pk, "email": user.email}


def typed(value):
    """Something a person typed, as they typed it, cut to a bounded length, without NUL
    characters (PostgreSQL's JSON cannot hold one; no browser sends one)."""
    return str(value or "").replace("\x00", "")[:TYPED_LENGTH]


def filters_of(query):
    """The filters a download was made under, from its query string (a mapping), without the
    page number: what an admin needs to know which people were in it."""
    return {typed(key): typed(value) for key, value in query.items() if value and key != "page"}


@transaction.atomic
def export_record(*, actor, export, query, ip_address=None, action=None):
    """Record that `actor` downloaded `export` (its file name) listing people, with the filters
    of `query`. `action` is PERSONAL_DATA_EXPORTED unless the download is the audit log's."""
    return audit_record(
        action=action or AuditEvent.Action.PERSONAL_DATA_EXPORTED,
        actor=actor,
        ip_address=ip_address,
        detail={"export": export, "filters": filters_of(query)},
    )
