"""Who may do what with organisations, users and memberships (DESIGN.md §3).

Every view, service and task asks these functions; nothing else re-implements the rules.
`initiatives.permissions` builds on `roles_of` and `acting_membership` for its own rules."""

from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.utils import timezone

from partners.models import ApiToken, AuditEvent, Membership, Organisation, User

ROLES_CACHE = "_collaborate_roles"


def is_admin(user):
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def roles_of(user):
    """{organisation id: role} for every organisation the user is a member of (cached on the
    user object for the rest of the request)."""
    if not (user and user.is_authenticated and user.is_active):
        return {}
    roles = getattr(user, ROLES_CACHE, None)
    if roles is None:
        roles = dict(
            Membership.objects.filter(user=user, organisation__active=True).values_list(
                "organisation_id", "role"
            )
        )
        setattr(user, ROLES_CACHE, roles)
    return roles


def role_in(user, organisation):
    organisation_id = getattr(organisation, "pk", organisation)
    return roles_of(user).get(organisation_id)


def is_member_of(user, organisation):
    return role_in(user, organisation) is not None


def is_manager_of(user, organisation):
    return role_in(user, organisation) == Membership.Role.MANAGER


def managed_organisation_ids(user):
    return {org_id for org_id, role in roles_of(user).items() if role == Membership.Role.MANAGER}


# Officers and managers do the work; an auditor's membership only lets them read and audit.
WORKING_ROLES = frozenset({Membership.Role.OFFICER, Membership.Role.MANAGER})


def works_for(user, organisation):
    """Whether the user is an officer or a manager of the organisation: the rules for making
    and changing things ask this, never `is_member_of` (which counts auditors too)."""
    return role_in(user, organisation) in WORKING_ROLES


def working_organisation_ids(user):
    """The organisations in which the user is an officer or a manager."""
    return {org_id for org_id, role in roles_of(user).items() if role in WORKING_ROLES}


def audited_organisation_ids(user):
    """The organisations whose internal audit the user is (auditor memberships)."""
    return {org_id for org_id, role in roles_of(user).items() if role == Membership.Role.AUDITOR}


def audits_every_organisation(user):
    """An auditor whose scope an admin made every organisation."""
    return bool(
        user and user.is_authenticated and user.is_active and user.audits_every_organisation
    )


def is_auditor(user):
    """Whether the user audits any organisation (/assurance/, two-factor sign-in)."""
    return audits_every_organisation(user) or bool(audited_organisation_ids(user))


def organisations_audited_by(*, user):
    """The organisations whose claims the user may sample: every selectable one for an auditor
    of every organisation; otherwise those of their auditor memberships."""
    if audits_every_organisation(user):
        return organisations_selectable()
    return Organisation.objects.filter(pk__in=audited_organisation_ids(user))


def can_set_audit_scope(user, person):
    """Give someone every organisation to audit, or take it away: admins, for an active
    account that is not anonymised."""
    return can_manage_users(user) and person.is_active and person.anonymised_at is None


def require(allowed, message="You do not have permission to do that."):
    """Raise PermissionDenied unless `allowed`: the one way services and views refuse an
    action (a 403; what a user may not see is a 404, through a `*_visible_to` filter)."""
    if not allowed:
        raise PermissionDenied(message)


# --- organisations ----------------------------------------------------------------------------


def can_view_directory(user):
    return bool(user and user.is_authenticated and user.is_active)


def organisations_visible_to(*, user):
    """The directory: every signed-in user sees every organisation, merged and inactive too."""
    if not can_view_directory(user):
        return Organisation.objects.none()
    return Organisation.objects.all()


def organisations_selectable():
    """The organisations one may choose as a lead, a partner, a new membership or an invitation
    target: active ones that were not merged into another."""
    return Organisation.objects.filter(active=True, merged_into__isnull=True)


def organisations_managed_by(*, user):
    """The active organisations in which the user is a manager."""
    return Organisation.objects.filter(pk__in=managed_organisation_ids(user))


def can_manage_organisations(user):
    """Create, edit, deactivate and merge organisations: admins only."""
    return is_admin(user)


def can_view_members(user, organisation):
    return is_admin(user) or is_manager_of(user, organisation)


def can_view_organisation_history(user, organisation):
    return is_admin(user)


# --- users and memberships --------------------------------------------------------------------


def can_view_users(user):
    """The /users/ page: admins see everyone; managers see their organisations' members."""
    return is_admin(user) or bool(managed_organisation_ids(user))


def can_view_all_users(user):
    """Everyone with an account, members of no organisation included: admins only."""
    return is_admin(user)


def memberships_visible_to(*, user):
    """Memberships the user may see on the users pages: all to admins; to a manager, those of
    the organisations they manage; none to anyone else."""
    if is_admin(user):
        return Membership.objects.all()
    return Membership.objects.filter(organisation_id__in=managed_organisation_ids(user))


def users_visible_to(*, user):
    """People the users pages show: everyone to admins; to a manager, the members of the
    organisations they manage; nobody to anyone else."""
    if can_view_all_users(user):
        return User.objects.all()
    return User.objects.filter(pk__in=memberships_visible_to(user=user).values("user_id"))


def organisations_with_members_visible_to(*, user):
    """The organisations the users page lets one filter by: those with a membership the user
    may see."""
    return Organisation.objects.filter(
        pk__in=memberships_visible_to(user=user).values("organisation_id")
    )


def can_manage_users(user):
    """Create users, change and end memberships, deactivate users: admins only."""
    return is_admin(user)


def can_set_active(user, person):
    """Deactivate or reactivate an account: admins, never their own (they would lock
    themselves out), never an anonymised one (it is no one's any more)."""
    return can_manage_users(user) and person.pk != user.pk and person.anonymised_at is None


def can_anonymise(user, person):
    """Anonymise a deactivated account at its holder's request (erasure, where the law allows):
    admins, once."""
    return can_set_active(user, person) and not person.is_active


def organisations_invitable_by(*, user):
    """The organisations this user may invite people into: any selectable one for admins; for a
    manager, those they manage."""
    organisations = organisations_selectable()
    if is_admin(user):
        return organisations
    return organisations.filter(pk__in=organisations_managed_by(user=user))


def roles_invitable_by(*, user):
    """(value, label) of the roles this user may give the people they invite: any, for admins;
    managers make officers only (a manager or an auditor is made by an admin)."""
    if is_admin(user):
        return list(Membership.Role.choices)
    return [(Membership.Role.OFFICER.value, Membership.Role.OFFICER.label)]


def can_invite(user, organisation, role):
    """Admins invite anyone into any organisation; a manager invites into an organisation they
    manage, with a role they may give, and nothing else."""
    if is_admin(user):
        return True
    return is_manager_of(user, organisation) and role in dict(roles_invitable_by(user=user))


def can_defer_invitation(user):
    """Create an account now and send its invitation later: admins only."""
    return is_admin(user)


def can_act_for(user, organisation):
    """Choose the organisation in the header: any membership, an auditor's too (what they may
    do there is still decided by their role in it)."""
    return is_member_of(user, organisation)


def can_choose_emails(user, person):
    """Which optional emails someone gets is theirs alone to choose (admins' too)."""
    return bool(user and user.is_authenticated and user.is_active and user.pk == person.pk)


def can_resend_invitation(viewer, invitation):
    return can_invite(viewer, invitation.organisation_id, invitation.role)


def can_view_user_history(viewer, person):
    return is_admin(viewer)


def api_tokens_visible_to(*, user):
    """API tokens the person may see: their own; an admin everyone's (with the owner)."""
    tokens = ApiToken.objects.select_related("user")
    if is_admin(user):
        return tokens
    return tokens.filter(user_id=user.pk)


def can_revoke_api_token(user, token):
    """The owner revokes their own tokens; an admin anyone's."""
    return user.is_authenticated and (token.user_id == user.pk or is_admin(user))


def can_unlock_sign_ins(user):
    return is_admin(user)


def account_sign_in_failures(username):
    """Failed sign-ins with this email address (as typed, in one case) within the cool-off,
    from every address: django-axes keeps one count per (address, address typed) pair."""
    if not username:
        return 0
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return total or 0


def sign_in_paused_for_account(username):
    """Whether signing in with this email address is refused, whatever the address it comes
    from: SIGN_IN_ACCOUNT_FAILURE_LIMIT failures within the cool-off. It counts what was typed,
    so it answers alike for an address that has no account."""
    return account_sign_in_failures(username) >= settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT


# --- second factors and single sign-on ---------------------------------------------------------

# Set in the session by a single sign-on whose provider enforces multi-factor authentication
# (the organisation's configuration says so, or the ID token's `amr` shows it).
SSO_MFA_SESSION_KEY = "collaborate_sso_mfa"


def second_factor_required(user):
    """Admins, managers and auditors must have a second factor; everyone may add one."""
    return is_admin(user) or bool(managed_organisation_ids(user)) or is_auditor(user)


def can_reset_second_factor(user, person):
    """Admins reset someone else's second factors (a lost phone); never their own this way."""
    return is_admin(user) and person.pk != user.pk


def can_configure_single_sign_on(user):
    return is_admin(user)


# --- the audit log ----------------------------------------------------------------------------


def can_read_audit_log(user):
    """/audit/ and its download: admins only."""
    return is_admin(user)


def audit_events_visible_to(*, user):
    """Every event to those who may read the audit log; none to anyone else."""
    if can_read_audit_log(user):
        return AuditEvent.objects.all()
    return AuditEvent.objects.none()


# --- financial years, dashboards --------------------------------------------------------------


def can_lock_financial_years(user):
    return is_admin(user)


def can_view_organisation_dashboard(user, organisation):
    return is_admin(user) or is_member_of(user, organisation)


def can_view_all_organisations_dashboard(user):
    return is_admin(user)


# --- acting for an organisation ---------------------------------------------------------------

ACTING_FOR_SESSION_KEY = "acting_for"
ACTING_CACHE = "_collaborate_acting_membership"
MEMBERSHIPS_CACHE = "_collaborate_memberships"


def memberships_for_acting(request):
    """The signed-in user's memberships of active organisations, by organisation name (cached
    for the request: the header's organisation switcher shows them)."""
    if not hasattr(request, MEMBERSHIPS_CACHE):
        user = request.user
        memberships = []
        if user.is_authenticated and roles_of(user):
            memberships = list(
                Membership.objects.filter(user=user, organisation__active=True)
                .select_related("organisation")
                .order_by("organisation__name")
            )
        setattr(request, MEMBERSHIPS_CACHE, memberships)
    return getattr(request, MEMBERSHIPS_CACHE)


def acting_membership(request):
    """The membership the user acts for in this request: the organisation chosen in the session
    if the user still belongs to it, otherwise their first organisation; None for users with no
    membership. Whatever the session holds, it is checked against the memberships."""
    if hasattr(request, ACTING_CACHE):
        return getattr(request, ACTING_CACHE)
    memberships = memberships_for_acting(request)
    chosen = request.session.get(ACTING_FOR_SESSION_KEY) if memberships else None
    membership = next((m for m in memberships if m.organisation_id == chosen), None)
    membership = membership or (memberships[0] if memberships else None)
    setattr(request, ACTING_CACHE, membership)
    return membership


# --- second factors: removing one (added for partners.mfa) ------------------------------------


def can_remove_second_factor(user, authenticator):
    """A person whose role needs a second factor keeps an authenticator app or a security key:
    they remove one only while another remains (recovery codes are no factor of their own)."""
    if not second_factor_required(user):
        return True
    others = Authenticator.objects.filter(user_id=user.pk).exclude(pk=authenticator.pk)
    return others.exclude(type=Authenticator.Type.RECOVERY_CODES).exists()
