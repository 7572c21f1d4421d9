"""Who may see and do what with initiatives and savings claims (DESIGN.md §3), built on
partners.permissions' roles and memberships: predicates (`can_*`) for one object and queryset
filters (`*_visible_to`, `claims_to_review_by`) for many. Views, services, selectors, filters
and templates ask these; nothing else spells a rule."""

from django.db.models import Exists, OuterRef, Q

from initiatives.models import (
    AuditSample,
    HealthCheck,
    Initiative,
    Partnership,
    PracticeDocument,
    SavingsClaim,
    SpreadsheetImport,
)
from partners import permissions as partner_permissions
from partners.models import Membership, User
from partners.permissions import is_admin


def _member_organisation_ids(user):
    """Every organisation the user belongs to, auditors' too: what they may read."""
    return set(partner_permissions.roles_of(user))


def _working_organisation_ids(user):
    """The organisations the user is an officer or a manager of: where they may do things."""
    return partner_permissions.working_organisation_ids(user)


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
    return is_admin(user) or bool(_working_organisation_ids(user))


def can_create_initiative(user, lead):
    """Admins create for any lead; officers and managers for the organisation they act for."""
    if is_admin(user):
        return lead is not None and lead.active
    return lead is not None and lead.active and partner_permissions.works_for(user, lead)


def can_edit_initiative(user, initiative):
    """Edit the initiative's details, targets and status: admins, and officers and managers of
    the lead organisation."""
    return is_admin(user) or partner_permissions.works_for(user, initiative.lead_id)


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
    which only the claimant organisation's officers and managers see. An auditor also sees the
    claims their audit covers (`claims_audited_by`), drafts never."""
    if is_admin(user):
        # Every claim, without a condition naming every initiative (which costs PostgreSQL
        # more to plan than the page costs to read).
        return SavingsClaim.objects.all()
    visible = SavingsClaim.objects.filter(initiative__in=initiatives_visible_to(user=user))
    if partner_permissions.is_auditor(user):
        visible = SavingsClaim.objects.filter(
            Q(initiative__in=initiatives_visible_to(user=user))
            | Q(pk__in=claims_audited_by(user=user).values("pk"))
        )
    return visible.filter(
        ~Q(status=SavingsClaim.Status.DRAFT) | Q(claimant_id__in=_working_organisation_ids(user))
    )


def can_claim_for(user, initiative, claimant):
    """Create a claim: an officer or manager of the claimant organisation, which must be an
    active partner of the initiative. (Admins do not make claims.)"""
    return (
        claimant is not None
        and partner_permissions.works_for(user, claimant)
        and claimant.pk in active_partner_ids(initiative)
    )


def can_edit_claim(user, claim):
    """Edit a draft or a returned claim: officers and managers of the claimant organisation."""
    return claim.editable and partner_permissions.works_for(user, claim.claimant_id)


def can_submit_claim(user, claim):
    """Submit a draft or returned claim: its claimant's officers and managers; an auditor also
    submits the correction they made to a claim they audit, for the lead's managers to decide."""
    return can_edit_claim(user, claim) or (
        claim.editable
        and claim.is_adjustment
        and claim.created_by_id == user.pk
        and can_audit_claim(user, claim.corrects)
    )


def can_withdraw_claim(user, claim):
    """Take a submitted claim back to draft, before a decision."""
    return claim.status == claim.Status.SUBMITTED and partner_permissions.works_for(
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


def can_correct_claim(user, claim, *, audit=False):
    """Propose an adjustment to a verified claim: like making a claim, for its claimant; or,
    with `audit`, as the outcome of an audit, by an auditor whose scope covers the claim."""
    if audit:
        return claim.status == claim.Status.VERIFIED and can_audit_claim(user, claim)
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


# --- collaboration health checks --------------------------------------------------------------


def can_view_health_checks(user, initiative, *, known_visible=False):
    """See an initiative's health-check answers: admins, and officers and managers of its active
    partners. The answers are the partners' own: no register, no other page shows them.
    `known_visible`: the initiative came through `initiatives_visible_to`, which for anyone but
    an admin already means a member of an active partner (the section links ask on every
    section page, without a query)."""
    if is_admin(user):
        return True
    organisations = _working_organisation_ids(user)
    if known_visible and not partner_permissions.audited_organisation_ids(user):
        return bool(organisations)
    return bool(organisations & active_partner_ids(initiative))


def health_checks_visible_to(*, user):
    """Health-check answers a user may read: all for admins; otherwise those of initiatives
    in which one of the user's organisations (as an officer or a manager) is an active partner."""
    if is_admin(user):
        return HealthCheck.objects.all()
    working = _working_organisation_ids(user)
    return HealthCheck.objects.filter(
        initiative__in=Initiative.objects.filter(has_active_partner(working))
    )


def can_answer_health_check(user, initiative, organisation):
    """Answer the check-in for `organisation`: its officers and managers, while it is an active
    partner and the initiative is live. (Admins read the answers; they do not give them.)"""
    return (
        organisation is not None
        and initiative.status == Initiative.Status.LIVE
        and partner_permissions.works_for(user, organisation)
        and organisation.pk in active_partner_ids(initiative)
    )


def can_follow_up_health_checks(user, initiative):
    """See which partners have not answered yet: the lead's officers and managers, and admins."""
    return is_admin(user) or partner_permissions.works_for(user, initiative.lead_id)


# --- insights: collaboration compared with outsourcing -----------------------------------------

# A figure resting on fewer initiatives than this could identify a council: only admins see it.
INSIGHTS_SMALLEST_SHOWN = 10


def can_view_insights_of(user, organisation):
    """The insights of the initiatives an organisation is a partner of: its own people; admins
    any organisation's. (National figures name no organisation: every signed-in user.)"""
    return organisation is not None and (
        is_admin(user) or partner_permissions.is_member_of(user, organisation)
    )


def sees_small_insights(user):
    """Whether the user sees figures resting on fewer than INSIGHTS_SMALLEST_SHOWN initiatives:
    admins, on the signed-in pages (the public version suppresses them for everyone)."""
    return is_admin(user)


# --- spreadsheet imports ----------------------------------------------------------------------


def can_import_any(user):
    """Whether the user may import spreadsheets at all (the "Import a spreadsheet" link):
    officers and managers of some organisation. An import acts for one of them, as the pages
    do; each row is then held to the rules of the page that would make it."""
    return bool(_working_organisation_ids(user))


def can_import(user, organisation):
    """Upload a file to import for `organisation`: its officers and managers."""
    return organisation is not None and partner_permissions.works_for(user, organisation)


def imports_visible_to(*, user):
    """Imports whose report a user may open: their own; admins see everyone's."""
    imports = SpreadsheetImport.objects.all()
    return imports if is_admin(user) else imports.filter(uploaded_by=user)


def can_start_import(user, spreadsheet_import):
    """Import the rows of a checked file: only the person who uploaded it (the rows are
    checked against their permissions)."""
    return spreadsheet_import.uploaded_by_id == user.pk


# --- finding partners -------------------------------------------------------------------------


def initiatives_findable_by(*, user):
    """Initiatives finding partners shows a signed-in user: those they may open, and those
    published on the register."""
    published = Q(visibility=Initiative.Visibility.PUBLIC, published_at__isnull=False)
    if is_admin(user):
        return Initiative.objects.all()
    # As initiatives_visible_to, with the partnership condition on the initiative itself:
    # PostgreSQL then reads the user's partnerships once, into a hash, and the initiatives of
    # an area from their index alone (a busy area at ten times national scale: 9 ms to 4 ms).
    organisations = _member_organisation_ids(user)  # none for anyone signed out
    if not organisations:
        return Initiative.objects.filter(published)
    return Initiative.objects.filter(Q(has_active_partner(organisations)) | published)


def can_write_to_leads_for(user, organisation):
    """Send other organisations' managers a message for `organisation`: its officers and
    managers (the message carries its name)."""
    role = partner_permissions.roles_of(user).get(getattr(organisation, "pk", None))
    return role in (Membership.Role.OFFICER, Membership.Role.MANAGER)


def can_express_interest(user, organisation, initiative):
    """Write to the lead's managers about `initiative`, for `organisation`: an officer or a
    manager acting for an organisation that is not already one of its partners, about an
    initiative they may find whose lead takes such messages."""
    return (
        can_write_to_leads_for(user, organisation)
        and initiative.accepts_interest
        and organisation.pk not in active_partner_ids(initiative)
        and initiatives_findable_by(user=user).filter(pk=initiative.pk).exists()
    )


# --- the practice library ---------------------------------------------------------------------

DOCUMENT_EDITORS = (Membership.Role.OFFICER, Membership.Role.MANAGER)


def can_manage_documents(user, initiative, acting_for=None):
    """Add or remove an initiative's library documents: admins, and officers and managers of
    the lead organisation acting for it (`acting_for`, an organisation or its id)."""
    if is_admin(user):
        return True
    lead = initiative.lead_id
    return (
        getattr(acting_for, "pk", acting_for) == lead
        and partner_permissions.role_in(user, lead) in DOCUMENT_EDITORS
    )


def documents_visible_to(*, user):
    """Library documents a user may read and download (removed ones never): admins all; anyone
    the public documents of initiatives on the public register; everyone signed in the shared
    ones too; and the people of an active partner every document of its initiatives."""
    current = PracticeDocument.objects.filter(removed_at__isnull=True)
    if is_admin(user):
        return current
    Visibility = PracticeDocument.Visibility
    rule = Q(
        visibility=Visibility.PUBLIC,
        initiative__visibility=Initiative.Visibility.PUBLIC,
        initiative__published_at__isnull=False,
    )
    if user and user.is_authenticated and user.is_active:
        rule |= Q(visibility=Visibility.SHARED)
        if organisations := _member_organisation_ids(user):
            rule |= Q(has_active_partner(organisations, initiative="initiative"))
    return current.filter(rule)


# --- audit sampling (/assurance/) -------------------------------------------------------------


def can_view_assurance(user):
    """The /assurance/ pages: auditors (their scope's samples) and admins (every sample, to
    read: admins do not audit unless given an auditor's scope themselves)."""
    return is_admin(user) or partner_permissions.is_auditor(user)


def can_audit(user, organisation):
    """Draw samples and record outcomes for `organisation` (None: every organisation): its
    auditors, and auditors an admin gave every organisation."""
    if partner_permissions.audits_every_organisation(user):
        return True
    organisation_id = getattr(organisation, "pk", organisation)
    return organisation_id is not None and organisation_id in (
        partner_permissions.audited_organisation_ids(user)
    )


def audit_scope(organisations):
    """The condition on claims that an audit of `organisations` (ids) covers: claims made by
    them and claims on initiatives they lead."""
    return Q(claimant_id__in=organisations) | Q(initiative__lead_id__in=organisations)


def claims_audited_by(*, user):
    """Claims (never drafts) the user's audit covers: every claim for an auditor of every
    organisation; claims made by, or on initiatives led by, the organisations they audit."""
    claims = SavingsClaim.objects.exclude(status=SavingsClaim.Status.DRAFT)
    if partner_permissions.audits_every_organisation(user):
        return claims
    audited = partner_permissions.audited_organisation_ids(user)
    return claims.filter(audit_scope(audited)) if audited else claims.none()


def can_audit_claim(user, claim):
    """Whether the user's audit covers this claim."""
    if partner_permissions.audits_every_organisation(user):
        return True
    audited = partner_permissions.audited_organisation_ids(user)
    return claim.claimant_id in audited or claim.initiative.lead_id in audited


def audit_samples_visible_to(*, user):
    """Samples a user may open: all to admins and to auditors of every organisation; to an
    auditor, the samples of the organisations they audit."""
    if is_admin(user) or partner_permissions.audits_every_organisation(user):
        return AuditSample.objects.all()
    audited = partner_permissions.audited_organisation_ids(user)
    return AuditSample.objects.filter(organisation_id__in=audited)


def can_record_audit_outcome(user, sample):
    return can_audit(user, sample.organisation_id)
