"""Who may see and do what with initiatives and savings claims (DESIGN.md §3), built on
partners.permissions' roles and memberships. Every view, service and task asks these."""

from django.db.models import Exists, OuterRef

from initiatives.models import Initiative, Partnership
from partners import permissions as partner_permissions
from partners.permissions import is_admin


def _member_organisation_ids(user):
    return set(partner_permissions.roles_of(user))


def has_active_partner(organisations, *, initiative="pk"):
    """A condition on initiatives (or on rows whose `initiative` column is the initiative's id)
    that one of `organisations` (ids, or a single id) is an active partner. The one place that
    says what an active partnership is, for filters, selectors and the dashboards."""
    ids = [organisations] if isinstance(organisations, int) else organisations
    return Exists(
        Partnership.objects.filter(
            initiative=OuterRef(initiative), organisation_id__in=ids, removed_on__isnull=True
        )
    )


def initiatives_visible_to(user):
    """Initiatives a signed-in user may open: all for admins; otherwise those in which one of
    the user's organisations is an active partner."""
    if not (user and user.is_authenticated and user.is_active):
        return Initiative.objects.none()
    if is_admin(user):
        return Initiative.objects.all()
    organisations = _member_organisation_ids(user)
    if not organisations:
        return Initiative.objects.none()
    return Initiative.objects.filter(has_active_partner(organisations))


def active_partner_ids(initiative):
    """Organisation ids of the initiative's active partners (cached on the instance)."""
    cached = getattr(initiative, "_active_partner_ids", None)
    if cached is None:
        cached = set(
            initiative.partnerships.filter(removed_on__isnull=True).values_list(
                "organisation_id", flat=True
            )
        )
        initiative._active_partner_ids = cached
    return cached


def can_view_initiative(user, initiative):
    if is_admin(user):
        return True
    return bool(_member_organisation_ids(user) & active_partner_ids(initiative))


def can_create_initiative(user, lead):
    """Admins create for any lead; officers and managers for the organisation they act for."""
    if is_admin(user):
        return lead is not None and lead.active
    return lead is not None and lead.active and partner_permissions.is_member_of(user, lead)


def can_edit_initiative(user, initiative):
    """Edit the initiative, its partners, shares, targets, status and publication: admins, and
    members of the lead organisation."""
    return is_admin(user) or partner_permissions.is_member_of(user, initiative.lead_id)


# --- savings claims ---------------------------------------------------------------------------


def claims_visible_to(user):
    """Claims a user may open: those of the initiatives they may see."""
    from initiatives.models import SavingsClaim

    return SavingsClaim.objects.filter(initiative__in=initiatives_visible_to(user))


def can_view_claim(user, claim):
    return can_view_initiative(user, claim.initiative)


def can_claim_for(user, initiative, claimant):
    """Create a claim: an officer or manager of the claimant organisation, which must be an
    active partner of the initiative. (Admins do not make claims.)"""
    return (
        claimant is not None
        and partner_permissions.is_member_of(user, claimant)
        and claimant.pk in active_partner_ids(initiative)
    )


def can_edit_claim(user, claim):
    """Edit a draft or a returned claim: officers and managers of the claimant organisation."""
    return claim.editable and partner_permissions.is_member_of(user, claim.claimant_id)


def can_submit_claim(user, claim):
    return can_edit_claim(user, claim)


def can_withdraw_claim(user, claim):
    """Take a submitted claim back to draft, before a decision."""
    return claim.status == claim.Status.SUBMITTED and partner_permissions.is_member_of(
        user, claim.claimant_id
    )


def can_decide_claim(user, claim):
    """Verify, return or reject: a manager of the lead organisation, never on a claim they
    submitted themselves, and only while it awaits a decision."""
    return (
        claim.status == claim.Status.SUBMITTED
        and partner_permissions.is_manager_of(user, claim.initiative.lead_id)
        and claim.submitted_by_id != user.pk
    )


def can_correct_claim(user, claim):
    """Propose an adjustment to a verified claim: like making a claim, for its claimant."""
    return claim.status == claim.Status.VERIFIED and can_claim_for(
        user, claim.initiative, claim.claimant
    )


def claims_to_review_by(user):
    """Claims awaiting a decision by this manager: submitted, on initiatives their
    organisations lead, not submitted by themselves."""
    from initiatives.models import SavingsClaim

    managed = partner_permissions.managed_organisation_ids(user)
    return SavingsClaim.objects.filter(
        status=SavingsClaim.Status.SUBMITTED, initiative__lead_id__in=managed
    ).exclude(submitted_by=user)
