"""The audit log's record of second factors, from django-allauth's mfa signals (connected in
`PartnersConfig.ready`): one added or removed (by its type), recovery codes made and used, a
wrong code. Never a code, a secret or a key's public data in the detail.

allauth sends some of these once its own transaction has committed (a new authenticator app,
new recovery codes), so each event is written in a transaction of its own. An admin's reset is
recorded by the service that does it (partners.mfa.services), not here."""

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa import signals
from allauth.mfa.models import Authenticator
from django.contrib.auth import signals as auth_signals
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from collaborate.kit import web
from partners import permissions
from partners.mfa import enrolment
from partners.models import AuditEvent, Membership
from partners.services import audit
from partners.sso.adapter import MULTI_FACTOR_ATTRIBUTE

RECOVERY_CODES = Authenticator.Type.RECOVERY_CODES


def _record(action, request, user, detail=None):
    with transaction.atomic():
        audit.audit_record(
            action=action,
            actor=user,
            ip_address=web.client_ip(request) if request is not None else None,
            detail=detail,
        )


@receiver(signals.authenticator_added, dispatch_uid="partners_mfa_added")
def added(sender, request, user, authenticator, **kwargs):
    if authenticator.type == RECOVERY_CODES:
        codes = len(authenticator.wrap().get_unused_codes())
        _record(AuditEvent.Action.RECOVERY_CODES_GENERATED, request, user, {"codes": codes})
        return
    _record(AuditEvent.Action.SECOND_FACTOR_ADDED, request, user, {"type": authenticator.type})
    enrolment.changed(user.pk)


@receiver(signals.authenticator_removed, dispatch_uid="partners_mfa_removed")
def removed(sender, request, user, authenticator, **kwargs):
    """Recovery codes go with a person's last factor: the factor's removal is the event."""
    enrolment.changed(user.pk)
    if authenticator.type != RECOVERY_CODES:
        _record(
            AuditEvent.Action.SECOND_FACTOR_REMOVED, request, user, {"type": authenticator.type}
        )


@receiver(signals.authenticator_reset, dispatch_uid="partners_mfa_reset")
def codes_regenerated(sender, request, user, authenticator, **kwargs):
    codes = len(authenticator.wrap().get_unused_codes())
    _record(
        AuditEvent.Action.RECOVERY_CODES_GENERATED,
        request,
        user,
        {"codes": codes, "replaced": True},
    )


@receiver(signals.authenticator_used, dispatch_uid="partners_mfa_used")
def used(sender, request, user, authenticator, reauthenticated=False, **kwargs):
    if authenticator.type == RECOVERY_CODES:
        # The code was marked used on another copy of the row: read it again.
        left = len(Authenticator.objects.get(pk=authenticator.pk).wrap().get_unused_codes())
        detail = {"codes_left": left, "reauthentication": bool(reauthenticated)}
        _record(AuditEvent.Action.RECOVERY_CODE_USED, request, user, detail)


@receiver(signals.authentication_failed, dispatch_uid="partners_mfa_failed")
def failed(sender, request, user, authenticator, reauthentication=False, **kwargs):
    detail = {"type": authenticator.type, "reauthentication": bool(reauthentication)}
    _record(AuditEvent.Action.SECOND_FACTOR_FAILED, request, user, detail)


# The pages whose sign-in has just checked the password (and the code, where there is one).
FRESH_SIGN_INS = frozenset({"login", "mfa_authenticate", "accounts:invitation"})


@receiver(auth_signals.user_logged_in, dispatch_uid="partners_mfa_state_at_sign_in")
def state_at_sign_in(sender, request, user, **kwargs):
    """What decides enrolment, kept in the new session (saved by the sign-in anyway). A sign-in
    that has just checked the password counts as a recent one for ACCOUNT_REAUTHENTICATION_
    TIMEOUT: allauth counts only re-authentications, and would ask someone sent to set up a
    second factor right after signing in for the password again."""
    if request is None or not hasattr(request, "session"):
        return
    if not getattr(request, MULTI_FACTOR_ATTRIBUTE, False):
        # Only the sign-on that vouched for a second factor, in this very request, may say so:
        # not one refused earlier in the same anonymous session.
        request.session.pop(permissions.SSO_MFA_SESSION_KEY, None)
    enrolment.refresh(request, user)
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name in FRESH_SIGN_INS:
        record_authentication(request, user, method="password", reauthenticated=True)


@receiver(post_save, sender=Membership, dispatch_uid="partners_mfa_membership_saved")
def membership_saved(sender, instance, **kwargs):
    """A person made a manager needs a second factor from their next request. (Not on delete:
    a receiver there would cost every deletion of memberships a query; one who is no longer a
    manager is asked less, within REFRESH_SECONDS.)"""
    enrolment.changed(instance.user_id)
