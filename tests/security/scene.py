"""One shared scene for the sweeps: an initiative led by council A with partner B, a claim in
each status with evidence, a membership, an open invitation, a locked year, someone else's
account, an unrelated council; and the six people of the permission matrix, who look at it.

Built once per module (see conftest.py) through the factories and the services. Built
`marked`, every free-text value is an XSS payload (see `Marks`), so that the XSS sweep can
look for it on every page."""

import datetime
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from axes.models import AccessAttempt
from django.contrib.auth.tokens import default_token_generator
from django.db import models
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from initiatives import services as initiative_services
from initiatives.assurance import services as assurance_services
from initiatives.health import services as health_services
from initiatives.models import (
    AuditOutcome,
    ClaimEvidence,
    Dimension,
    FinancialYearLock,
    HealthCheck,
    ImportProblem,
    ImportRow,
    Initiative,
    PracticeDocument,
    SavingsClaim,
    SpreadsheetImport,
)
from initiatives.progress import services as progress_services
from partners import tokens
from partners.models import (
    ApiToken,
    AuditEvent,
    HistoryEntry,
    IdentityProvider,
    Membership,
    Organisation,
    OrganisationName,
    OrganisationSignOn,
    SignOnDomain,
    User,
)
from partners.services import tokens as token_services
from tests import factories

# The people of the matrix, in the order of its columns.
ANONYMOUS = "anonymous"
OUTSIDER = "outsider"  # an officer of an organisation with no part in the initiative
PARTNER_OFFICER = "partner officer"
LEAD_OFFICER = "lead officer"
LEAD_MANAGER = "lead manager"
ADMIN = "admin"
ROLES = (ANONYMOUS, OUTSIDER, PARTNER_OFFICER, LEAD_OFFICER, LEAD_MANAGER, ADMIN)
# The lead's internal audit (issue 19): a seventh person, whose answers the matrix gives where
# they differ from the outsider's (matrix.AUDITOR_ANSWERS).
AUDITOR = "auditor"

# What the XSS sweep plants: markup that runs if a page forgets to escape it, numbered so that
# each planted value can be told apart; a short form for fields too short for the long one.
PAYLOAD = '"><script>alert({n})</script><img src=x onerror=alert({n})>'
SHORT_PAYLOAD = '"<x{n}>'
URL_PAYLOAD = "javascript:alert({n})//" + PAYLOAD


class Marks:
    """Hands out text for the scene's fields: the plain value given, or (marked) a numbered
    payload that fits the field, remembering which field each number went to."""

    def __init__(self, marked):
        self.marked = marked
        self.planted = {}  # number → "Model.field"

    def __call__(self, model, **values):
        if not self.marked:
            return values
        return {name: self.payload(model, name, value) for name, value in values.items()}

    def payload(self, model, name, value):
        model_field = model._meta.get_field(name)
        if not is_free_text(model_field):
            return value
        n = len(self.planted) + 1
        self.planted[n] = f"{model.__name__}.{name}"
        if isinstance(model_field, models.EmailField):
            return f"x{PAYLOAD.format(n=n)}@example.gov.uk"
        if isinstance(model_field, models.URLField):
            return URL_PAYLOAD.format(n=n)
        text = PAYLOAD.format(n=n)
        if model_field.max_length and len(text) > model_field.max_length:
            text = SHORT_PAYLOAD.format(n=n)
        return text

    def json(self, value):
        """A payload inside a JSON field (history changes, audit detail) too."""
        if not self.marked:
            return value
        n = len(self.planted) + 1
        self.planted[n] = "JSON value"
        return PAYLOAD.format(n=n)


def is_free_text(model_field):
    """A field a person types into: text, not a choice, not computed."""
    return (
        isinstance(model_field, (models.CharField, models.TextField))
        and not model_field.choices
        and model_field.editable
    )


@dataclass
class Scene:
    marks: Marks
    people: dict = field(default_factory=dict)  # role → user (None for anonymous)
    clients: dict = field(default_factory=dict)  # role → a client signed in with the scene

    def client_for(self, role, **options):
        """A client signed in as `role` (a new session)."""
        client = Client(**options)
        user = self.people[role]
        if user is not None:
            client.force_login(user)
        return client


def build(marked=False):
    """The scene; `marked`: every free-text field holds a payload."""
    t = Marks(marked)
    s = Scene(marks=t)

    def organisation(name, short_name, gss_code, **extra):
        return factories.OrganisationFactory(
            **t(
                Organisation,
                name=name,
                short_name=short_name,
                gss_code=gss_code,
                website=f"https://www.{short_name.lower()}.gov.uk/",
                source_ref=gss_code,
            ),
            **extra,
        )

    def person(full_name, email, *memberships, **extra):
        return factories.UserFactory(
            **t(User, full_name=full_name, email=email), member_of=memberships, **extra
        )

    s.lead = organisation("Leeds City Council", "Leeds", "E08000035")
    s.partner = organisation("Bradford Council", "Bradford", "E08000032")
    s.other = organisation("Cornwall Council", "Cornwall", "E06000052")
    s.duplicate = organisation("Leeds Council", "Leedsdup", "")  # to merge into the lead
    factories.OrganisationNameFactory(
        organisation=s.lead, **t(OrganisationName, name="Leeds Metropolitan District Council")
    )

    s.lead_officer = person("Olive Officer", "olive@leeds.example", (s.lead, "officer"))
    s.lead_manager = person("Mona Manager", "mona@leeds.example", (s.lead, "manager"))
    s.partner_officer = person("Pat Partner", "pat@bradford.example", (s.partner, "officer"))
    s.partner_manager = person("Pam Partner", "pam@bradford.example", (s.partner, "manager"))
    s.outsider = person("Oscar Outsider", "oscar@cornwall.example", (s.other, "officer"))
    s.admin = person("Ada Admin", "ada@collaborate.example", is_staff=True)
    s.auditor = person("Aude Auditor", "aude@leeds.example", (s.lead, "auditor"))
    # Someone else: a former officer of the lead, deactivated (the one admins may anonymise).
    s.former = person("Fred Former", "fred@leeds.example", (s.lead, "officer"), is_active=False)
    s.people = {
        ANONYMOUS: None,
        OUTSIDER: s.outsider,
        PARTNER_OFFICER: s.partner_officer,
        LEAD_OFFICER: s.lead_officer,
        LEAD_MANAGER: s.lead_manager,
        ADMIN: s.admin,
        AUDITOR: s.auditor,
    }
    s.membership = Membership.objects.get(user=s.lead_officer, organisation=s.lead)

    s.invitation = factories.InvitationFactory(
        organisation=s.lead,
        invited_by=s.lead_manager,
        user__full_name=t(User, full_name="Ivy Invited")["full_name"],
        user__email=t(User, email="ivy@leeds.example")["email"],
    )
    s.invitation_reference = tokens.user_reference(s.invitation.user)
    s.invitation_token = tokens.invitation_tokens.make_token(s.invitation.user)
    # A password-reset link of someone none of the six is (signing in spends a link).
    s.reset_uid = urlsafe_base64_encode(force_bytes(s.partner_manager.pk))
    s.reset_token = default_token_generator.make_token(s.partner_manager)
    # The lead officer's API token for their finance system (its secret is not kept).
    s.api_token, _ = token_services.token_create(
        actor=s.lead_officer,
        writable=True,
        expires_on=timezone.localdate() + datetime.timedelta(days=90),
        **t(ApiToken, name="Finance reporting"),
    )

    # The initiative, through the services (so its history is the product's own), then live,
    # on the public register, with a target for 2025/26 that nothing verified meets yet.
    s.initiative = factories.make_partnered_initiative(
        s.lead_officer,
        s.lead,
        s.partner,
        manager=s.lead_manager,
        **t(
            Initiative,
            title="Shared revenues service",
            summary="One service for two councils.",
            external_reference="PRJ-0042",
            contract_break_points="After 3 and 5 years",
        ),
    )
    for status in ("in_design", "implementing", "live"):
        initiative_services.initiative_change_status(
            actor=s.lead_officer,
            initiative=s.initiative,
            status=status,
            reason=_reason(t),
        )
    initiative_services.initiative_publish(
        actor=s.lead_manager, initiative=s.initiative, publish=True
    )
    factories.SavingsTargetFactory(
        initiative=s.initiative, financial_year=2025, amount=Decimal("500000.00")
    )
    s.partnership = s.initiative.partnerships.get(organisation=s.partner)
    # The partner's answer to this period's health check, with a comment on every dimension.
    health_services.health_check_answer(
        actor=s.partner_officer,
        initiative=s.initiative,
        organisation=s.partner,
        scores=dict.fromkeys(Dimension.values, 3),
        comments={
            name.removesuffix("_comment"): text
            for name, text in t(
                HealthCheck, **{f"{d}_comment": "We meet monthly." for d in Dimension.values}
            ).items()
        },
    )
    # A live initiative with no targets and no reason (a gap), and one not meant to save money.
    s.gap = factories.InitiativeFactory(
        lead=s.lead,
        status=Initiative.Status.LIVE,
        shares={s.lead: 50, s.partner: 50},
        **t(Initiative, title="Joint highways depot", summary="A depot for both councils."),
    )
    s.not_for_savings = factories.InitiativeFactory(
        lead=s.lead,
        status=Initiative.Status.LIVE,
        not_for_savings=True,
        shares={s.lead: 50, s.partner: 50},
        **t(
            Initiative,
            title="Resilience forum",
            summary="Emergency planning together.",
            not_for_savings_reason="Resilience, not savings.",
        ),
    )
    # The outsider's own initiative, which nobody else in the scene may see.
    s.elsewhere = factories.InitiativeFactory(
        lead=s.other, **t(Initiative, title="Cornish ferry", summary="Across the Fal.")
    )

    claim_references = (f"FIN-{n}" for n in itertools.count(1))

    def claim(claimant, created_by, **traits):
        return factories.SavingsClaimFactory(
            initiative=s.initiative,
            claimant=claimant,
            created_by=created_by,
            **t(
                SavingsClaim,
                description="One team now does the work of two.",
                baseline_method="Last year's outturn.",
                budget_reference="RB-2025",
                evidence_text="Ledger extract attached.",
                service_quality_statement="Processing times unchanged.",
                external_reference=next(claim_references),
            ),
            **traits,
        )

    def decided(status):
        return claim(
            s.lead,
            s.lead_officer,
            **{status: True},
            reviewed_by=s.lead_manager,
            **t(SavingsClaim, review_note="Checked against the ledger."),
        )

    s.draft = claim(s.lead, s.lead_officer)
    s.partner_draft = claim(s.partner, s.partner_officer)
    s.submitted = claim(s.lead, s.lead_officer, submitted=True)
    s.returned = decided("returned")
    s.verified = decided("verified")
    s.rejected = decided("rejected")
    s.evidence = factories.ClaimEvidenceFactory(
        claim=s.submitted,
        uploaded_by=s.lead_officer,
        **t(
            ClaimEvidence,
            original_name="ledger.pdf",
            content_type="application/pdf",
        ),
    )
    s.draft_evidence = factories.ClaimEvidenceFactory(claim=s.draft, uploaded_by=s.lead_officer)
    # The published initiative's library: one document of each visibility (issue 19).
    s.documents = {
        visibility: factories.PracticeDocumentFactory(
            initiative=s.initiative,
            uploaded_by=s.lead_officer,
            visibility=visibility,
            **t(
                PracticeDocument,
                title=f"Business case ({visibility})",
                description="Approved by both cabinets.",
                original_name="business-case.pdf",
                content_type="application/pdf",
            ),
        )
        for visibility in PracticeDocument.Visibility.values
    }
    s.public_document = s.documents[PracticeDocument.Visibility.PUBLIC]
    s.shared_document = s.documents[PracticeDocument.Visibility.SHARED]
    s.private_document = s.documents[PracticeDocument.Visibility.PRIVATE]

    # The lead's auditor's sample of 2025/26, which holds the verified claim.
    s.sample = assurance_services.audit_sample_draw(
        actor=s.auditor, organisation=s.lead, year=2025, sample_size=1, stratum_size=1, seed=19
    )
    s.sample_row = s.sample.frame.get(claim=s.verified)
    assurance_services.audit_outcome_record(
        actor=s.auditor,
        row=s.sample_row,
        result=AuditOutcome.Result.CONFIRMED,
        note=t(AuditOutcome, note="Agreed to the ledger.")["note"],
    )

    s.locked_year = 2020
    s.open_year = 2024
    factories.FinancialYearLockFactory(
        year=s.locked_year,
        locked_by=s.admin,
        **t(FinancialYearLock, reason="Signed off by the auditors."),
    )

    # Free text that reaches pages without a form of ours: history entries, the audit log,
    # and what someone typed as their email address when signing in failed.
    for owner in (s.lead, s.lead_officer, s.initiative, s.submitted):
        factories.HistoryEntryFactory(
            owner=owner,
            **t(
                HistoryEntry,
                action="Updated",
                subject="the record",
                reason="Asked for by the owner.",
            ),
            changes=[{"field": t.json("Name"), "before": t.json("a"), "after": t.json("b")}],
        )
    factories.AuditEventFactory(
        actor=s.admin,
        organisation_id=s.lead.pk,
        **t(
            AuditEvent,
            actor_email=s.admin.email,
            organisation_name=s.lead.name,
        ),
        detail={"note": t.json("A note.")},
    )
    AccessAttempt.objects.create(
        **t(
            AccessAttempt,
            username="someone@example.gov.uk",
            user_agent="Mozilla/5.0",
            path_info="/accounts/login/",
            get_data="",
            post_data="username=someone",
            http_accept="text/html",
        ),
        ip_address="192.0.2.99",
        failures_since_start=5,
        attempt_time=timezone.now(),
    )

    # A file the lead officer imported: checked, with an error; and one refused.
    s.spreadsheet_import = SpreadsheetImport.objects.create(
        uploaded_by=s.lead_officer,
        organisation=s.lead,
        size=2048,
        status=SpreadsheetImport.Status.CHECKED,
        checked_at=timezone.now(),
        counts={
            "Initiatives": {"new": 1, "changed": 0, "unchanged": 0, "invalid": 1},
            "total": {"new": 1, "changed": 0, "unchanged": 0, "invalid": 1},
        },
        **t(SpreadsheetImport, original_name="savings.xlsx"),
    )
    ImportRow.objects.create(
        spreadsheet_import=s.spreadsheet_import,
        sheet="Initiatives",
        number=7,
        key="row:7",
        action=ImportRow.Action.INVALID,
        cells={"Title": t.json("Shared legal"), "Start date": "31/31/2025"},
        **t(ImportRow, reference="INI-2026-0099", your_reference="LEG-7"),
    )
    ImportProblem.objects.create(
        spreadsheet_import=s.spreadsheet_import,
        row=7,
        **t(ImportProblem, sheet="Initiatives", column="Start date", message="must be a date"),
    )
    s.refused_import = SpreadsheetImport.objects.create(
        uploaded_by=s.lead_officer,
        organisation=s.lead,
        size=10,
        status=SpreadsheetImport.Status.REFUSED,
        **t(SpreadsheetImport, original_name="notes.csv", refusal="This is not a spreadsheet."),
    )

    # The lead signs its people in with its identity provider (single sign-on, issue 14).
    s.identity_provider = IdentityProvider.objects.create(
        slug="leeds-entra-id",
        **t(
            IdentityProvider,
            name="Leeds Entra ID",
            # Nothing answers there: the scene runs no identity provider.
            issuer="http://127.0.0.1:9/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
            client_id="collaborate-leeds",
            client_secret_env="LEEDS_SSO_CLIENT_SECRET",
        ),
    )
    s.sign_on = OrganisationSignOn.objects.create(
        organisation=s.lead, identity_provider=s.identity_provider
    )
    SignOnDomain.objects.create(sign_on=s.sign_on, **t(SignOnDomain, domain="sso.leeds.example"))

    for initiative in (s.initiative, s.gap, s.not_for_savings, s.elsewhere):
        progress_services.progress_recompute_initiative(initiative_id=initiative.pk)
    # Signed in once, with the scene: the sessions outlive each test's savepoint.
    s.clients = {role: s.client_for(role) for role in (*ROLES, AUDITOR)}
    return s


def _reason(t):
    return t(HistoryEntry, reason="Agreed by the joint committee.")["reason"]
