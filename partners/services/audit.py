"""Writing the audit log: one append-only row per security-relevant event."""

from partners.models import AuditEvent


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
