"""The audit log's record of signing in and out, from Django's authentication signals and
django-axes' lockout signal (connected in `PartnersConfig.ready`): a lockout of the pair (email
address typed, client address) and the pause of an email address from every address.

Only a page signs people in, out or fails to: a signal sent outside any request (the test
client's `force_login`, a shell) records nothing, having no address and no page to tell of.
Django sends each signal where no transaction is open, so each event is its own write."""

from allauth.account.internal.flows.login import get_authentication_records
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from collaborate.kit import web
from partners import permissions
from partners.forms import axes_username
from partners.models import AuditEvent
from partners.services import audit

# How each page that signs people in does it, as the event says: the sign-in form checks a
# password; the second-factor page follows it for people who have one; single sign-on returns
# from the organisation's identity provider; an invitation link signs in the person who has
# just set their password.
SIGN_IN_METHODS = {
    "login": "password",
    "mfa_authenticate": "password and second factor",
    # partners.sso's callback (under allauth's name), and its choice of organisation at a
    # first sign-on.
    "openid_connect_callback": "single sign-on",
    "partners:sso_choose": "single sign-on",
    "accounts:invitation": "invitation",
}


def _page(request):
    """The page the signal came from (its resolved URL), or None outside any page."""
    return getattr(request, "resolver_match", None) if request is not None else None


@receiver(auth_signals.user_logged_in, dispatch_uid="partners_audit_signed_in")
def signed_in(sender, request, user, **kwargs):
    if (page := _page(request)) is None:
        return
    audit.audit_record(
        action=AuditEvent.Action.SIGNED_IN,
        actor=user,
        ip_address=web.client_ip(request),
        detail={"method": _method(request, page, user)},
    )


def _method(request, page, user):
    """How the person signed in; a code after single sign-on is still single sign-on."""
    method = SIGN_IN_METHODS.get(page.view_name, page.view_name)
    if page.view_name == "mfa_authenticate" and any(
        record.get("method") == "socialaccount"
        for record in get_authentication_records(request, user)
    ):
        return "single sign-on and second factor"
    return method


@receiver(auth_signals.user_login_failed, dispatch_uid="partners_audit_sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    """A failed sign-in keeps the address entered, as entered: it may be someone else's (the
    privacy notice says so), and it is what an admin looks for. Django has already replaced the
    password in `credentials`; nothing else of them is kept."""
    if _page(request) is None:
        return
    ip_address = web.client_ip(request)
    audit.audit_record(
        action=AuditEvent.Action.SIGN_IN_FAILED,
        ip_address=ip_address,
        detail={"email": audit.typed(_typed_email(credentials)), "method": "password"},
    )
    # django-axes has counted this failure (its receiver was connected first): the pause of the
    # email address from every address begins with the failure that reaches its limit.
    username = axes_username(request, credentials)
    failures = permissions.account_sign_in_failures(username)
    if failures == settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT:
        audit.audit_record(
            action=AuditEvent.Action.SIGN_IN_LOCKED,
            ip_address=ip_address,
            detail={"email": audit.typed(username), "failures": failures, "every_address": True},
        )


def _typed_email(credentials):
    """The address as typed: allauth authenticates with `email`, Django's forms `username`."""
    return credentials.get("email") or credentials.get("username")


@receiver(auth_signals.user_logged_out, dispatch_uid="partners_audit_signed_out")
def signed_out(sender, request, user, **kwargs):
    if user is None or _page(request) is None:
        return
    audit.audit_record(
        action=AuditEvent.Action.SIGNED_OUT, actor=user, ip_address=web.client_ip(request)
    )


@receiver(user_locked_out, dispatch_uid="partners_audit_sign_in_locked")
def sign_in_locked(sender, request, username, ip_address, **kwargs):
    """django-axes sends this for the failure that reaches the limit and again for every
    attempt refused while the lock lasts; the log records the lock once, when it begins (the
    refused attempts are each a failed sign-in)."""
    failures = getattr(request, "axes_failures_since_start", None)
    if _page(request) is None or failures != settings.AXES_FAILURE_LIMIT:
        return
    audit.audit_record(
        action=AuditEvent.Action.SIGN_IN_LOCKED,
        ip_address=web.client_ip(request),
        detail={"email": audit.typed(username), "failures": failures},
    )
