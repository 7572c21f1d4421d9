"""Who may do what with organisations, users and memberships (DESIGN.md §3).

Every view, service and task asks these functions; nothing else re-implements the rules.
`initiatives.permissions` builds on `roles_of` and `acting_membership` for its own rules."""

from django.core.exceptions import PermissionDenied

from partners.models import Membership

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


def forget_roles(user):
    """Drop the cached roles after memberships change within one request."""
    if hasattr(user, ROLES_CACHE):
        delattr(user, ROLES_CACHE)


def role_in(user, organisation):
    organisation_id = getattr(organisation, "pk", organisation)
    return roles_of(user).get(organisation_id)


def is_member_of(user, organisation):
    return role_in(user, organisation) is not None


def is_manager_of(user, organisation):
    return role_in(user, organisation) == Membership.Role.MANAGER


def managed_organisation_ids(user):
    return {org_id for org_id, role in roles_of(user).items() if role == Membership.Role.MANAGER}


def require(allowed, message="You do not have permission to do that."):
    """Raise PermissionDenied unless `allowed`: the one way services refuse an action."""
    if not allowed:
        raise PermissionDenied(message)


# --- organisations ----------------------------------------------------------------------------


def can_view_directory(user):
    return bool(user and user.is_authenticated and user.is_active)


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


def can_manage_users(user):
    """Create users, change and end memberships, deactivate users: admins only."""
    return is_admin(user)


def can_invite(user, organisation, role):
    """Admins invite anyone into any organisation; a manager invites officers into an
    organisation they manage, and nothing else."""
    if is_admin(user):
        return True
    return role == Membership.Role.OFFICER and is_manager_of(user, organisation)


def can_act_for(user, organisation):
    return is_member_of(user, organisation)


def organisations_user_may_invite_into(user):
    """Ids of the organisations this user may invite people into (None: any, for admins)."""
    return None if is_admin(user) else managed_organisation_ids(user)


def can_view_user(viewer, person):
    """Admins see everyone; a manager sees the members of the organisations they manage."""
    if is_admin(viewer):
        return True
    managed = managed_organisation_ids(viewer)
    return bool(managed) and person.memberships.filter(organisation_id__in=managed).exists()


def can_resend_invitation(viewer, invitation):
    return can_invite(viewer, invitation.organisation_id, invitation.role)


def can_view_user_history(viewer, person):
    return is_admin(viewer)


def can_unlock_sign_ins(user):
    return is_admin(user)


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
