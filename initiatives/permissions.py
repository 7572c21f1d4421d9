"""Who may see and do what with initiatives and savings claims (DESIGN.md §3), built on
partners.permissions' roles and memberships: predicates (`can_*`) for one object and queryset
filters (`*_visible_to`, `claims_to_review_by`) for many. Views, services, selectors, filters
and templates ask these; nothing else spells a rule."""

from django.db.models import Exists, OuterRef, Q

from initiatives.models import Initiative, Partnership, SavingsClaim, SpreadsheetImport
from partners import permissions as partner_permissions
from partners.models import Membership, User
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


# --- initiatives ------------------------------------------------------------------------------


def initiatives_visible_to(*, user):
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


def can_create_any_initiative(user):
    """Whether this user may create an initiative at all (the "New initiative" button): admins,
    and officers and managers of some organisation."""
    return is_admin(user) or bool(partner_permissions.roles_of(user))


def can_create_initiative(user, lead):
    """Admins create for any lead; officers and managers for the organisation they act for."""
    if is_admin(user):
        return lead is not None and lead.active
    return lead is not None and lead.active and partner_permissions.is_member_of(user, lead)


def can_edit_initiative(user, initiative):
    """Edit the initiative's details, targets and status: admins, and officers and managers of
    the lead organisation."""
    return is_admin(user) or partner_permissions.is_member_of(user, initiative.lead_id)


def can_manage_partners(user, initiative):
    """Add or remove partners and set their shares of the savings: admins, and managers of the
    lead organisation. (Shares decide what each partner is credited with, so they are the
    partners' terms, not details of the initiative.) Officers of the lead propose only."""
    return is_admin(user) or partner_permissions.is_manager_of(user, initiative.lead_id)


def can_publish_initiative(user, initiative):
    """Publish to the public register or withdraw from it: admins, and managers of the lead."""
    return is_admin(user) or partner_permissions.is_manager_of(user, initiative.lead_id)


def can_recompute(user):
    """Start a full recompute of the progress figures: admins."""
    return is_admin(user)


# --- savings claims ---------------------------------------------------------------------------


def claims_visible_to(*, user):
    """Claims a user may open, with their evidence: all for admins; otherwise the claims of
    initiatives the user may see, except drafts (never submitted, or withdrawn back to draft),
    which only the claimant organisation sees."""
    visible = SavingsClaim.objects.filter(initiative__in=initiatives_visible_to(user=user))
    if is_admin(user):
        return visible
    return visible.filter(
        ~Q(status=SavingsClaim.Status.DRAFT) | Q(claimant_id__in=_member_organisation_ids(user))
    )


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


def took_part_in_claim(user, claim):
    """Whether the user created, edited or submitted the claim (any submission, not only the
    last): separation of duties keeps them from deciding it."""
    return user.pk in (claim.created_by_id, claim.submitted_by_id) or user.pk in _participant_ids(
        claim
    )


def _participant_ids(claim):
    """Ids of the people who edited or submitted the claim (cached on the instance)."""
    cached = getattr(claim, "_participant_ids", None)
    if cached is None:
        cached = claim._participant_ids = set(claim.participants.values_list("pk", flat=True))
    return cached


def _could_decide(user, claim):
    return claim.status == claim.Status.SUBMITTED and partner_permissions.is_manager_of(
        user, claim.initiative.lead_id
    )


def can_decide_claim(user, claim):
    """Verify, return or reject: a manager of the lead organisation who did not create, edit
    or submit the claim, and only while it awaits a decision."""
    return _could_decide(user, claim) and not took_part_in_claim(user, claim)


def must_leave_decision_to_another(user, claim):
    """A manager of the lead who would decide the claim but took part in it: the page tells
    them another manager must."""
    return _could_decide(user, claim) and took_part_in_claim(user, claim)


def can_correct_claim(user, claim):
    """Propose an adjustment to a verified claim: like making a claim, for its claimant."""
    return claim.status == claim.Status.VERIFIED and can_claim_for(
        user, claim.initiative, claim.claimant
    )


def can_review_claims(user):
    """Whether the user has a review queue: a manager of some organisation."""
    return bool(partner_permissions.managed_organisation_ids(user))


def claims_to_review_by(*, user):
    """Claims awaiting a decision by this manager: submitted, on initiatives their
    organisations lead, and not created, edited or submitted by themselves."""
    managed = partner_permissions.managed_organisation_ids(user)
    return (
        SavingsClaim.objects.filter(
            status=SavingsClaim.Status.SUBMITTED, initiative__lead_id__in=managed
        )
        .exclude(submitted_by=user)
        .exclude(created_by=user)
        .exclude(participants=user)
    )


def deciders_of(claim):
    """The people who may decide this claim: managers of the lead organisation who did not
    create, edit or submit it (the "awaits your decision" email goes to them)."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=claim.initiative.lead_id,
            memberships__organisation__active=True,
            memberships__role=Membership.Role.MANAGER,
        )
        .exclude(pk__in=[pk for pk in (claim.created_by_id, claim.submitted_by_id) if pk])
        .exclude(pk__in=claim.participants.values("pk"))
    )


# --- spreadsheet imports ----------------------------------------------------------------------


def can_import_any(user):
    """Whether the user may import spreadsheets at all (the "Import a spreadsheet" link):
    officers and managers of some organisation. An import acts for one of them, as the pages
    do; each row is then held to the rules of the page that would make it."""
    return bool(partner_permissions.roles_of(user))


def can_import(user, organisation):
    """Upload a file to import for `organisation`: its officers and managers."""
    return organisation is not None and partner_permissions.is_member_of(user, organisation)


def imports_visible_to(*, user):
    """Imports whose report a user may open: their own; admins see everyone's."""
    imports = SpreadsheetImport.objects.all()
    return imports if is_admin(user) else imports.filter(uploaded_by=user)


def can_start_import(user, spreadsheet_import):
    """Import the rows of a checked file: only the person who uploaded it (the rows are
    checked against their permissions)."""
    return spreadsheet_import.uploaded_by_id == user.pk
