"""factory_boy factories: one per model the tests build, each making a valid object.

No factory for `ReferenceSequence` (its counters belong to `initiatives.references`; factory
objects take references from a sequence of their own, in a year no service writes) nor for
the computed progress rows other than `ProgressFact` (`InitiativeYear`, `InitiativeShareYear`,
`InitiativeProgress`, `ProgressDirty`): tests get those from the progress services, so that the
figures they check are the ones the product computes. Nor for `ReminderSent`: the reminder runs
write those, and tests read what they wrote.

`make_initiative`, `make_partnered_initiative` and `make_claim` go through the services instead,
for tests whose subject is what the services record on the way (history, references, shares).
"""

import datetime
import time
from datetime import date
from decimal import Decimal
from operator import attrgetter

import factory
import pyotp
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.text import slugify

from initiatives.claims import attribution
from initiatives.models import (
    ClaimAttribution,
    ClaimEvidence,
    FinancialYearLock,
    Initiative,
    Partnership,
    PracticeDocument,
    ProgressFact,
    SavingsClaim,
    SavingsTarget,
)
from partners.models import (
    AuditEvent,
    HistoryEntry,
    Invitation,
    Membership,
    Organisation,
    OrganisationName,
    User,
)

PASSWORD = "correct horse battery staple"
# Hashing once keeps the suite fast; every factory user signs in with PASSWORD.
PASSWORD_HASH = make_password(PASSWORD)
# Admins, managers and auditors must have a second factor (partners.mfa): factory users in those
# roles have an authenticator app with this secret, so that tests compute their codes (`totp_code`).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def second_factor_enrol(user, secret=TOTP_SECRET):
    """Give `user` an authenticator app with `secret`, as enrolling on its page would."""
    return TOTP.activate(user, secret).instance


def totp_code(secret=TOTP_SECRET):
    """The code an authenticator app with `secret` shows now; in the last seconds of its 30, the
    next one (waiting for it), so that the code is still the app's when the page gets it."""
    left = 30 - time.time() % 30
    if left < 3:
        time.sleep(left + 0.1)
    return pyotp.TOTP(secret).now()


def _second_factor_needed(user):
    return (
        user.is_staff
        or user.audits_every_organisation
        or user.memberships.filter(
            role__in=[Membership.Role.MANAGER, Membership.Role.AUDITOR]
        ).exists()
    )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Test Borough Council {n}")
    slug = factory.LazyAttributeSequence(lambda o, n: f"{slugify(o.name)}-{n}")
    sector = Organisation.Sector.PUBLIC
    kind = Organisation.Kind.DISTRICT_COUNCIL
    nation = Organisation.Nation.ENGLAND
    region = Organisation.Region.YORKSHIRE
    active = True


class OrganisationNameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationName

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Test Borough {n}")
    source = "admin"


class UserFactory(factory.django.DjangoModelFactory):
    """A user who signs in with PASSWORD; `member_of=[(organisation, role), …]` gives them
    memberships."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.gov.uk")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = PASSWORD_HASH
    is_active = True

    @factory.post_generation
    def member_of(self, create, extracted, **kwargs):
        for organisation, role in extracted or ():
            Membership.objects.create(user=self, organisation=organisation, role=role)

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        """An authenticator app (TOTP_SECRET) for admins and managers, whose role needs one;
        `second_factor=False` leaves one out, `True` gives one to anyone."""
        if not create or extracted is False:
            return
        if extracted or _second_factor_needed(self):
            second_factor_enrol(self)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.OFFICER

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        """A manager's membership gives its person an authenticator app, as UserFactory does."""
        if not create or extracted is False or self.role != Membership.Role.MANAGER:
            return
        if not Authenticator.objects.filter(user_id=self.user_id).exists():
            second_factor_enrol(self.user)


class HistoryEntryFactory(factory.django.DjangoModelFactory):
    """A history entry on the page of `owner` (any record; an organisation by default)."""

    class Meta:
        model = HistoryEntry

    class Params:
        owner = factory.SubFactory(OrganisationFactory)

    owner_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.owner))
    owner_id = factory.SelfAttribute("owner.pk")
    action = "Updated"
    subject = ""
    changes = factory.LazyFunction(lambda: [{"field": "Name", "before": "a", "after": "b"}])


class InvitationFactory(factory.django.DjangoModelFactory):
    """An open invitation, as `user_invite` leaves it: an account with no usable password yet,
    already a member of the organisation in the invited role."""

    class Meta:
        model = Invitation
        skip_postgeneration_save = True

    user = factory.SubFactory(
        UserFactory, password=factory.LazyFunction(lambda: make_password(None))
    )
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.OFFICER
    invited_by = factory.SubFactory(UserFactory, is_staff=True)

    @factory.post_generation
    def membership(self, create, extracted, **kwargs):
        if create:
            Membership.objects.get_or_create(
                user=self.user, organisation=self.organisation, defaults={"role": self.role}
            )


class AuditEventFactory(factory.django.DjangoModelFactory):
    """An audit event by `actor` (an admin by default), kept as plain ids and names."""

    class Meta:
        model = AuditEvent

    class Params:
        actor = factory.SubFactory(UserFactory, is_staff=True)

    action = AuditEvent.Action.SIGN_IN_UNLOCKED
    actor_id = factory.SelfAttribute("actor.pk")
    actor_email = factory.SelfAttribute("actor.email")
    ip_address = "192.0.2.10"
    detail = factory.LazyFunction(dict)


class InitiativeFactory(factory.django.DjangoModelFactory):
    """An initiative whose lead is its only active partner with 100 % of the savings, unless
    `shares={organisation: share, …}` (with the lead, summing to 100) says otherwise;
    `targets={financial year: amount, …}` plans its savings."""

    class Meta:
        model = Initiative
        skip_postgeneration_save = True

    # 2000: a year no service numbers in, so factory references never meet service ones.
    reference = factory.Sequence(lambda n: f"INI-2000-{n:05d}")
    title = factory.Sequence(lambda n: f"Shared service {n}")
    summary = "Two councils run one service together."
    collaboration_model = Initiative.CollaborationModel.SHARED_SERVICE
    service_area = Initiative.ServiceArea.REVENUES_BENEFITS
    governance = Initiative.Governance.JOINT_COMMITTEE
    start_date = date(2025, 4, 1)
    planned_end_date = date(2028, 3, 31)
    lead = factory.SubFactory(OrganisationFactory)

    @factory.post_generation
    def shares(self, create, extracted, **kwargs):
        if not create:
            return
        shares = {o: Decimal(s) for o, s in (extracted or {self.lead: 100}).items()}
        if self.lead not in shares or sum(shares.values()) != 100:
            raise ValueError(f"The lead must be a partner and the shares sum to 100: {shares}")
        Partnership.objects.bulk_create(
            Partnership(initiative=self, organisation=organisation, savings_share=share)
            for organisation, share in shares.items()
        )

    @factory.post_generation
    def targets(self, create, extracted, **kwargs):
        if create and extracted:
            SavingsTarget.objects.bulk_create(
                SavingsTarget(initiative=self, financial_year=year, amount=Decimal(amount))
                for year, amount in extracted.items()
            )


class PartnershipFactory(factory.django.DjangoModelFactory):
    """A further partner with no share yet (so the shares still sum to 100)."""

    class Meta:
        model = Partnership

    initiative = factory.SubFactory(InitiativeFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    savings_share = Decimal("0.00")


class SavingsTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SavingsTarget

    initiative = factory.SubFactory(InitiativeFactory)
    financial_year = factory.SelfAttribute("initiative.first_year")
    amount = Decimal("10000.00")


CLAIM_DEFAULTS = {
    "financial_year": 2025,
    "category": "cost_reduction",
    "kind": "cash_releasing",
    "recurrence": "recurring",
    "gross_amount": Decimal("10000.00"),
    "implementation_cost": Decimal("1000.00"),
    "description": "One team now does the work of two.",
    "service_quality": "maintained",
    "service_quality_statement": "Processing times unchanged.",
}


def _member_of_claim(organisation, role):
    """`member_of` for a user the claim factory makes: a `role` of the claim's `organisation`
    (a dotted path). A post-generation value resolves one level below the user, so the claim
    is the grandparent."""
    of_claim = attrgetter(organisation)
    return factory.LazyAttribute(lambda u: [(of_claim(u.factory_parent.factory_parent), role)])


class SavingsClaimFactory(factory.django.DjangoModelFactory):
    """A draft claim by the initiative's lead; the traits `submitted`, `returned`, `verified`
    and `rejected` take it through review. A verified claim is attributed to the active
    partners by their shares, as `claim_decide` does (`attributions=False` leaves that out)."""

    class Meta:
        model = SavingsClaim
        skip_postgeneration_save = True

    class Params:
        submitted = factory.Trait(
            status=SavingsClaim.Status.SUBMITTED,
            submitted_by=factory.SelfAttribute("created_by"),
            submitted_at=factory.LazyFunction(timezone.now),
        )
        reviewed = factory.Trait(
            submitted=True,
            reviewed_by=factory.SubFactory(
                UserFactory, member_of=_member_of_claim("initiative.lead", "manager")
            ),
            reviewed_at=factory.LazyFunction(timezone.now),
            review_note="Decided.",
        )
        returned = factory.Trait(reviewed=True, status=SavingsClaim.Status.RETURNED)
        verified = factory.Trait(reviewed=True, status=SavingsClaim.Status.VERIFIED)
        rejected = factory.Trait(reviewed=True, status=SavingsClaim.Status.REJECTED)

    reference = factory.Sequence(lambda n: f"CLM-2000-{n:06d}")
    initiative = factory.SubFactory(InitiativeFactory)
    claimant = factory.SelfAttribute("initiative.lead")
    created_by = factory.SubFactory(UserFactory, member_of=_member_of_claim("claimant", "officer"))
    financial_year = CLAIM_DEFAULTS["financial_year"]
    category = CLAIM_DEFAULTS["category"]
    kind = CLAIM_DEFAULTS["kind"]
    recurrence = CLAIM_DEFAULTS["recurrence"]
    gross_amount = CLAIM_DEFAULTS["gross_amount"]
    implementation_cost = CLAIM_DEFAULTS["implementation_cost"]
    description = CLAIM_DEFAULTS["description"]
    service_quality = CLAIM_DEFAULTS["service_quality"]
    service_quality_statement = CLAIM_DEFAULTS["service_quality_statement"]

    @factory.post_generation
    def attributions(self, create, extracted, **kwargs):
        if not create or extracted is False or self.status != SavingsClaim.Status.VERIFIED:
            return
        shares = dict(
            self.initiative.partnerships.filter(removed_on__isnull=True).values_list(
                "organisation_id", "savings_share"
            )
        )
        net = self.gross_amount - self.implementation_cost
        ClaimAttribution.objects.bulk_create(
            ClaimAttribution(claim=self, organisation_id=org, share=shares[org], amount=amount)
            for org, amount in attribution.split(net, shares).items()
        )


class ClaimEvidenceFactory(factory.django.DjangoModelFactory):
    """A small PDF on a claim; set MEDIA_ROOT to a temporary directory in the test."""

    class Meta:
        model = ClaimEvidence

    claim = factory.SubFactory(SavingsClaimFactory)
    file = factory.django.FileField(filename="evidence.pdf", data=b"%PDF-1.4\n% evidence\n")
    original_name = "evidence.pdf"
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda o: o.file.size)
    uploaded_by = factory.LazyAttribute(lambda o: o.claim.created_by)


class PracticeDocumentFactory(factory.django.DjangoModelFactory):
    """A small PDF in an initiative's library, shared with everyone signed in; set MEDIA_ROOT
    to a temporary directory in the test."""

    class Meta:
        model = PracticeDocument

    initiative = factory.SubFactory(InitiativeFactory)
    kind = PracticeDocument.Kind.BUSINESS_CASE
    title = factory.Sequence(lambda n: f"Business case {n}")
    description = "Why the councils share the service."
    visibility = PracticeDocument.Visibility.SHARED
    file = factory.django.FileField(filename="business-case.pdf", data=b"%PDF-1.4\n% case\n")
    original_name = "business-case.pdf"
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda o: o.file.size)
    uploaded_by = factory.SubFactory(UserFactory)


class ClaimAttributionFactory(factory.django.DjangoModelFactory):
    """All of a verified claim's net amount to its claimant (the claim made without its own
    attributions, so this is the one)."""

    class Meta:
        model = ClaimAttribution

    claim = factory.SubFactory(SavingsClaimFactory, verified=True, attributions=False)
    organisation = factory.SelfAttribute("claim.claimant")
    share = Decimal("100.00")
    amount = factory.LazyAttribute(lambda o: o.claim.gross_amount - o.claim.implementation_cost)


class FinancialYearLockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinancialYearLock
        django_get_or_create = ["year"]

    year = 2025
    locked_by = factory.SubFactory(UserFactory, is_staff=True)


class ProgressFactFactory(factory.django.DjangoModelFactory):
    """An organisation's fact row with nothing in it yet (`organisation_id=None` for the
    all-organisations row)."""

    class Meta:
        model = ProgressFact

    class Params:
        organisation = factory.SubFactory(OrganisationFactory)

    organisation_id = factory.SelfAttribute("organisation.pk")
    financial_year = 2025
    collaboration_model = Initiative.CollaborationModel.SHARED_SERVICE
    service_area = Initiative.ServiceArea.REVENUES_BENEFITS
    target = Decimal(0)
    claimed = Decimal(0)
    verified_cash = Decimal(0)
    verified_non_cash = Decimal(0)
    claims_claimed = 0
    claims_verified = 0
    initiatives = 0
    computed_at = factory.LazyFunction(timezone.now)


def make_initiative(actor, lead, **fields):
    """An initiative created through the service, as an officer would."""
    from initiatives import services

    defaults = {
        "title": "Shared revenues and benefits service",
        "summary": "Two councils run one revenues and benefits service.",
        "collaboration_model": "shared_service",
        "service_area": "revenues_benefits",
        "governance": "joint_committee",
        "start_date": date(2025, 4, 1),
        "planned_end_date": date(2028, 3, 31),
    }
    return services.initiative_create(actor=actor, lead=lead, **{**defaults, **fields})


def make_partnered_initiative(actor, lead, partner, lead_share="60", manager=None, **fields):
    """An initiative of `lead` with `partner` too, sharing the savings lead_share / the rest.
    `actor` creates it; `manager` (of the lead; `actor` if not given) adds the partner and sets
    the shares, a decision of the lead's managers."""
    from initiatives import services

    initiative = make_initiative(actor, lead, **fields)
    decider = manager or actor
    services.partnership_add(actor=decider, initiative=initiative, organisation=partner)
    services.shares_set(
        actor=decider,
        initiative=initiative,
        shares={lead.pk: Decimal(lead_share), partner.pk: Decimal("100") - Decimal(lead_share)},
    )
    initiative.refresh_from_db()
    return initiative


def make_claim(actor, initiative, claimant, **fields):
    """A draft claim made through the service, as an officer of the claimant would."""
    from initiatives.claims import services

    return services.claim_create(
        actor=actor, initiative=initiative, claimant=claimant, **{**CLAIM_DEFAULTS, **fields}
    )


def api_secret(user, *, name="Test client", writable=True):
    """The secret of a new API token of `user`'s, made through the service, good for a day."""
    from partners.services import tokens

    _token, secret = tokens.token_create(
        actor=user,
        name=name,
        writable=writable,
        expires_on=timezone.localdate() + datetime.timedelta(days=1),
    )
    return secret
