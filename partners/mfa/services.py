"""Second factors changed by someone else: an admin resets a person's (a lost phone)."""

from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.db import transaction

from partners import permissions
from partners.mfa import enrolment
from partners.models import AuditEvent
from partners.services import audit


@transaction.atomic
def second_factor_reset(*, actor, person, ip_address=None):
    """Remove every second factor of `person` (apps, security keys, recovery codes): if their
    role needs one they must enrol again before anything else, from their next request."""
    permissions.require(permissions.can_reset_second_factor(actor, person))
    factors = Authenticator.objects.select_for_update().filter(user_id=person.pk)
    types = sorted({factor.type for factor in factors})
    if not types:
        raise ValidationError(f"{person} has no two-factor authentication to reset.")
    factors.delete()
    audit.audit_record(
        action=AuditEvent.Action.SECOND_FACTOR_RESET,
        actor=actor,
        ip_address=ip_address,
        detail={**audit.person(person), "types": types},
    )
    transaction.on_commit(lambda: enrolment.changed(person.pk))
