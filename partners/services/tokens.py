"""Every write to API tokens: made (the secret returned once, only its hash kept), used (last
used and, from a new address, an audit event) and revoked. Each in one transaction with its
audit event."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partners import permissions
from partners.models import ApiToken, ApiTokenAddress, AuditEvent
from partners.models.tokens import LONGEST_LIFETIME
from partners.services import audit

PREFIX = "clb_"
SHOWN_LENGTH = 8


def secret_hash(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor, name, writable, expires_on, ip_address=None):
    """A new token for `actor`: (token, secret). The secret is not kept and cannot be read
    again."""
    permissions.require(actor.is_authenticated and actor.is_active)
    today = timezone.localdate()
    if expires_on < today:
        raise ValidationError({"expires_on": "The expiry date must be today or later."})
    if expires_on > today + LONGEST_LIFETIME:
        raise ValidationError({"expires_on": "The expiry date must be within one year."})
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=actor,
        name=name,
        writable=bool(writable),
        expires_on=expires_on,
        secret_hash=secret_hash(secret),
        prefix=secret[:SHOWN_LENGTH],
    )
    token.full_clean()
    token.save()
    audit.audit_record(
        action=AuditEvent.Action.API_TOKEN_CREATED,
        actor=actor,
        ip_address=ip_address,
        detail={"token_id": token.pk, "name": audit.typed(name), "writable": token.writable},
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor, token, ip_address=None):
    permissions.require(permissions.can_revoke_api_token(actor, token))
    current = ApiToken.objects.select_for_update().get(pk=token.pk)
    if current.revoked_at is None:
        current.revoked_at = timezone.now()
        current.revoked_by = actor
        current.save(update_fields=["revoked_at", "revoked_by"])
        audit.audit_record(
            action=AuditEvent.Action.API_TOKEN_REVOKED,
            actor=actor,
            ip_address=ip_address,
            detail={"token_id": current.pk, **audit.person(current.user)},
        )
    return current


# How precisely "last used" is kept: a client calling many times a minute from one address
# is recorded once a minute, not written (and committed) on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def token_used(*, token, ip_address):
    """Record a use: last used in one UPDATE; the first use from an address not seen before
    for this token adds the address and an audit event. A use from the address last recorded,
    within LAST_USED_PRECISION of it, changes nothing (that address was seen then)."""
    now = timezone.now()
    if (
        ip_address
        and token.last_used_ip == ip_address
        and token.last_used_at is not None
        and now - token.last_used_at < LAST_USED_PRECISION
    ):
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip_address)
    token.last_used_at, token.last_used_ip = now, ip_address
    seen = ApiTokenAddress.objects.filter(token=token, ip_address=ip_address)
    if not ip_address or seen.exists():
        return
    try:
        with transaction.atomic():
            ApiTokenAddress.objects.create(token=token, ip_address=ip_address, first_seen_at=now)
            audit.audit_record(
                action=AuditEvent.Action.API_TOKEN_NEW_ADDRESS,
                actor=token.user,
                ip_address=ip_address,
                detail={"token_id": token.pk},
            )
    except IntegrityError:
        pass  # Another request from the same address recorded it first.
