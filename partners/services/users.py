"""Every write to people and their memberships: invitations, roles, deactivation, the emails
they choose."""

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from collaborate.kit import mail
from partners import history, permissions, tasks, tokens
from partners.models import AuditEvent, Invitation, Membership, Organisation, User
from partners.services import audit, email_limits


def _email_free(email):
    if User.objects.filter(email__iexact=email.strip()).exists():
        raise ValidationError(
            {"email": "Someone already has an account with this email address"}, code="email_taken"
        )


def _organisation_selectable(organisation):
    """Refuse an organisation nobody may join: inactive, or merged into another."""
    if permissions.organisations_selectable().filter(pk=organisation.pk).exists():
        return
    state = "was merged into another organisation" if organisation.merged_into_id else "is inactive"
    raise ValidationError(
        {"organisation": f"{organisation.name} {state}: nobody can join it."}, code="inactive"
    )


# What a membership's history says, for each audit action about it.
MEMBERSHIP_HISTORY = {
    AuditEvent.Action.MEMBERSHIP_ADDED: "Membership added",
    AuditEvent.Action.MEMBERSHIP_CHANGED: "Role changed",
    AuditEvent.Action.MEMBERSHIP_ENDED: "Membership ended",
}


def _membership_record(*, action, actor, membership, ip_address, before_role="", after_role=""):
    """A membership added (no role before), changed, or ended (no role after): the member's
    history shows the roles' labels; the audit event names the member and the roles, in the
    membership's organisation."""
    labels = dict(Membership.Role.choices)
    history.history_record(
        actor=actor,
        owner=membership.user,
        action=MEMBERSHIP_HISTORY[action],
        subject=membership.organisation.name,
        changes=[
            {
                "field": "Role",
                "before": labels.get(before_role, ""),
                "after": labels.get(after_role, ""),
            }
        ],
    )
    roles = {"role_before": before_role, "role": after_role}
    audit.audit_record(
        action=action,
        actor=actor,
        ip_address=ip_address,
        organisation=membership.organisation,
        detail={**audit.person(membership.user), **{k: v for k, v in roles.items() if v}},
    )


def _invitation_audit(*, actor, invitation, ip_address):
    audit.audit_record(
        action=AuditEvent.Action.INVITATION_SENT,
        actor=actor,
        ip_address=ip_address,
        organisation=invitation.organisation,
        detail={
            **audit.person(invitation.user),
            "role": invitation.role,
            "times_sent": invitation.times_sent,
        },
    )


@transaction.atomic
def user_invite(*, actor, email, full_name, organisation, role, send=True, ip_address=None):
    """Create an account for someone, a member of `organisation` with `role`, who sets their own
    password from an emailed link. Admins invite anyone anywhere; managers invite officers into
    the organisations they manage."""
    if not permissions.can_invite(actor, organisation, role):
        if permissions.is_manager_of(actor, organisation):
            message = "Managers can invite officers only. Ask an administrator to add a manager."
        else:
            message = "You can only invite people into an organisation you manage."
        raise ValidationError(message, code="not_allowed")
    _organisation_selectable(organisation)
    _email_free(email)
    user = User.objects.create_user(email.strip().lower(), None, full_name=full_name.strip())
    membership = Membership.objects.create(
        user=user, organisation=organisation, role=role, created_by=actor
    )
    invitation = Invitation.objects.create(
        user=user, organisation=organisation, role=role, invited_by=actor
    )
    history.history_record(
        actor=actor,
        owner=user,
        action="Invited",
        subject=organisation.name,
        changes=[
            {"field": "Email address", "before": "", "after": user.email},
            {"field": "Name", "before": "", "after": user.full_name},
        ],
    )
    _membership_record(
        action=AuditEvent.Action.MEMBERSHIP_ADDED,
        actor=actor,
        membership=membership,
        ip_address=ip_address,
        after_role=membership.role,
    )
    if send:
        _invitation_queue(invitation, ip_address=ip_address)
        _invitation_audit(actor=actor, invitation=invitation, ip_address=ip_address)
    return invitation


INVITATIONS_PAUSED = (
    "Too many invitation emails have been sent to this person or from your address in the last "
    "hour. Try again later."
)


def _invitation_queue(invitation, *, ip_address):
    if not email_limits.email_allowed(
        "invitation", ip_address=ip_address, recipient=invitation.user.email
    ):
        raise ValidationError(INVITATIONS_PAUSED, code="rate_limited")
    invitation.last_sent_at = timezone.now()
    invitation.times_sent += 1
    invitation.save(update_fields=["last_sent_at", "times_sent"])
    tasks.invitation_send.delay_on_commit(invitation_id=invitation.pk)


@transaction.atomic
def invitation_resend(*, actor, invitation, ip_address=None):
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("user", "organisation")
        .get(pk=invitation.pk)
    )
    permissions.require(permissions.can_resend_invitation(actor, invitation))
    if invitation.accepted:
        raise ValidationError(
            f"{invitation.user} has already accepted the invitation and can sign in.",
            code="accepted",
        )
    if not invitation.user.is_active:
        raise ValidationError("This account is deactivated: reactivate it first.")
    _invitation_queue(invitation, ip_address=ip_address)
    history.history_record(actor=actor, owner=invitation.user, action="Invitation sent again")
    _invitation_audit(actor=actor, invitation=invitation, ip_address=ip_address)
    return invitation


def invitation_link(invitation):
    """The address of the page where the invited person sets their password."""
    path = reverse(
        "accounts:invitation",
        args=[
            tokens.user_reference(invitation.user),
            tokens.invitation_tokens.make_token(invitation.user),
        ],
    )
    return settings.SITE_URL + path


def invitation_email_send(*, invitation_id):
    """Build the invitation email (with a fresh link) and send it. Run by the worker."""
    invitation = (
        Invitation.objects.select_related("user", "organisation", "invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True, user__is_active=True)
        .first()
    )
    if invitation is None:
        return  # accepted, or deactivated, since it was queued: nothing to send
    context = {
        "invitation": invitation,
        "link": invitation_link(invitation),
        "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    mail.email_deliver(
        to=invitation.user.email,
        subject=f"You are invited to Collaborate for {invitation.organisation.name}",
        body=render_to_string("emails/invitation.txt", context),
    )


def password_reset_email_send(*, user_id):
    """Build a password-reset email (with a fresh link) and send it. Run by the worker, so that
    the token never waits in the broker."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return  # deactivated, or never set a password (an open invitation), since it was queued
    context = {
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "site_url": settings.SITE_URL,
        "link_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    mail.email_deliver(
        to=user.email,
        subject="".join(
            render_to_string("registration/password_reset_subject.txt", context).splitlines()
        ),
        body=render_to_string("registration/password_reset_email.html", context),
    )


@transaction.atomic
def password_reset_request(*, user, ip_address=None):
    """Someone asked for a password-reset email for `user`, an account that may reset its
    password (the page answers the same whether one exists, so nothing else shows it). Only
    the id goes through the broker: the worker makes the link."""
    tasks.password_reset_send.delay_on_commit(user_id=user.pk)
    audit.audit_record(
        action=AuditEvent.Action.PASSWORD_RESET_REQUESTED,
        ip_address=ip_address,
        detail=audit.person(user),
    )


def _password_set(*, user, password, action, ip_address):
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.audit_record(action=action, actor=user, ip_address=ip_address)
    return user


@transaction.atomic
def password_change(*, user, password, ip_address=None):
    """The signed-in person sets a new password (their form has checked the old one)."""
    return _password_set(
        user=user,
        password=password,
        action=AuditEvent.Action.PASSWORD_CHANGED,
        ip_address=ip_address,
    )


@transaction.atomic
def password_reset_complete(*, user, password, ip_address=None):
    """The person a reset link was sent to sets a new password (the link's token was checked)."""
    return _password_set(
        user=user, password=password, action=AuditEvent.Action.PASSWORD_RESET, ip_address=ip_address
    )


INVITATION_LINK_INVALID = (
    "This invitation link cannot be used. It may have been used already, have expired, or not "
    "have been copied in full from the email. If you have set your password, sign in; "
    "otherwise ask the person who invited you, or an administrator, to send it again."
)


def invitation_for_link(reference, token):
    """The open invitation a link stands for, or the one message for every link that cannot be
    used (unknown person, wrong token, used, expired): the token is checked before anything is
    said about the invitation, so a guessed link learns nothing."""
    user = User.objects.filter(pk=tokens.user_pk_from(reference), is_active=True).first()
    if user is None or not tokens.invitation_tokens.check_token(user, token):
        return None, INVITATION_LINK_INVALID
    invitation = (
        Invitation.objects.filter(user=user, accepted_at__isnull=True)
        .select_related("organisation")
        .first()
    )
    if invitation is None:
        return None, INVITATION_LINK_INVALID
    return invitation, None


@transaction.atomic
def invitation_accept(*, invitation, token, password, ip_address=None):
    """Set the invited person's password; the link is spent from then on."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("user", "organisation")
        .get(pk=invitation.pk)
    )
    user = invitation.user
    if invitation.accepted or not tokens.invitation_tokens.check_token(user, token):
        raise ValidationError(INVITATION_LINK_INVALID, code="spent")
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    history.history_record(
        actor=user, owner=user, action="Accepted the invitation and set a password"
    )
    audit.audit_record(
        action=AuditEvent.Action.INVITATION_ACCEPTED,
        actor=user,
        ip_address=ip_address,
        organisation=invitation.organisation,
        detail={"role": invitation.role},
    )
    return user


@transaction.atomic
def membership_add(*, actor, user, organisation, role, ip_address=None):
    permissions.require(permissions.can_manage_users(actor))
    _organisation_selectable(organisation)
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError(
            {"organisation": f"{user} is already a member of {organisation.name}"}, code="duplicate"
        )
    membership = Membership.objects.create(
        user=user, organisation=organisation, role=role, created_by=actor
    )
    _membership_record(
        action=AuditEvent.Action.MEMBERSHIP_ADDED,
        actor=actor,
        membership=membership,
        ip_address=ip_address,
        after_role=membership.role,
    )
    return membership


@transaction.atomic
def membership_change_role(*, actor, membership, role, ip_address=None):
    permissions.require(permissions.can_manage_users(actor))
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "organisation")
        .get(pk=membership.pk)
    )
    if membership.role == role:
        return membership
    before_role = membership.role
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    _membership_record(
        action=AuditEvent.Action.MEMBERSHIP_CHANGED,
        actor=actor,
        membership=membership,
        ip_address=ip_address,
        before_role=before_role,
        after_role=role,
    )
    return membership


@transaction.atomic
def membership_end(*, actor, membership, ip_address=None):
    """End a membership: the person no longer acts for the organisation. Their history stays."""
    permissions.require(permissions.can_manage_users(actor))
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "organisation")
        .get(pk=membership.pk)
    )
    _membership_record(
        action=AuditEvent.Action.MEMBERSHIP_ENDED,
        actor=actor,
        membership=membership,
        ip_address=ip_address,
        before_role=membership.role,
    )
    membership.delete()


@transaction.atomic
def user_set_active(*, actor, user, active, ip_address=None):
    """Deactivate (never delete) or reactivate an account."""
    permissions.require(permissions.can_manage_users(actor))
    if user.pk == actor.pk and not active:
        raise ValidationError("You cannot deactivate your own account.", code="self")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.anonymised_at is not None:
        raise ValidationError("This account was anonymised: it belongs to no one.", code="gone")
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    history.history_record(
        actor=actor,
        owner=user,
        action="Reactivated" if active else "Deactivated",
        changes=[
            {
                "field": "Active",
                "before": "No" if active else "Yes",
                "after": "Yes" if active else "No",
            }
        ],
    )
    audit.audit_record(
        action=AuditEvent.Action.USER_REACTIVATED if active else AuditEvent.Action.USER_DEACTIVATED,
        actor=actor,
        ip_address=ip_address,
        detail=audit.person(user),
    )
    return user


@transaction.atomic
def user_set_audit_scope(*, actor, user, every_organisation, ip_address=None):
    """Make someone the auditor of every organisation, or take that scope away (their auditor
    memberships stay). Admins only; recorded in the person's history and the audit log."""
    permissions.require(permissions.can_set_audit_scope(actor, user))
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.audits_every_organisation == every_organisation:
        return user
    user.audits_every_organisation = every_organisation
    user.save(update_fields=["audits_every_organisation"])
    before, after = ("No", "Yes") if every_organisation else ("Yes", "No")
    history.history_record(
        actor=actor,
        owner=user,
        action="Audit scope changed",
        changes=[{"field": "Auditor of every organisation", "before": before, "after": after}],
    )
    audit.audit_record(
        action=AuditEvent.Action.AUDIT_SCOPE_CHANGED,
        actor=actor,
        ip_address=ip_address,
        detail={**audit.person(user), "every_organisation": every_organisation},
    )
    return user


def acting_for_choose(*, user, organisation_id):
    """The organisation `user` may act for under this id, or a refusal: whatever a request
    says, the choice is checked against the person's memberships. (The view keeps it.)"""
    organisation = Organisation.objects.filter(pk=organisation_id, active=True).first()
    if organisation is None or not permissions.can_act_for(user, organisation):
        raise ValidationError(
            {"organisation": "Choose one of the organisations you are a member of"}, code="forged"
        )
    return organisation


EMAIL_PREFERENCES = (
    "email_claims_submitted",
    "email_awaiting_decision",
    "email_quiet_initiatives",
    "email_health_checks",
)


def email_preferences_link():
    """The address of the email settings on /accounts/, which every optional email links to."""
    return settings.SITE_URL + reverse("accounts:account") + "#emails"


@transaction.atomic
def user_email_preferences_set(*, actor, user, chosen):
    """Set which optional emails `user` gets: those of EMAIL_PREFERENCES named in `chosen`, no
    others. People choose their own; emails about the decisions on their claims always go."""
    permissions.require(
        permissions.can_choose_emails(actor, user), "People choose their own emails."
    )
    unknown = set(chosen) - set(EMAIL_PREFERENCES)
    if unknown:
        raise ValidationError({"emails": "Choose from the emails listed"}, code="unknown")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = history.snapshot(user, EMAIL_PREFERENCES)
    for name in EMAIL_PREFERENCES:
        setattr(user, name, name in chosen)
    changes = history.changes_between(before, history.snapshot(user, EMAIL_PREFERENCES))
    if changes:
        user.save(update_fields=EMAIL_PREFERENCES)
        history.history_record(
            actor=actor, owner=user, action="Email choices changed", changes=changes
        )
    return user


@transaction.atomic
def sign_in_unlock(*, actor, attempt, ip_address=None):
    """Clear a locked-out sign-in (a django-axes attempt) and record who unlocked it."""
    permissions.require(permissions.can_unlock_sign_ins(actor))
    axes_reset(ip=attempt.ip_address, username=attempt.username)
    audit.audit_record(
        action=AuditEvent.Action.SIGN_IN_UNLOCKED,
        actor=actor,
        ip_address=ip_address,
        detail={"username": attempt.username, "locked_ip_address": attempt.ip_address},
    )
