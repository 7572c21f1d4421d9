"""factory_boy factories: one per model, with sensible real-looking defaults."""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth.hashers import make_password
from django.utils.text import slugify

from partners.models import Membership, Organisation, User

PASSWORD = "correct horse battery staple"
# Hashing once keeps the suite fast; every factory user signs in with PASSWORD.
PASSWORD_HASH = make_password(PASSWORD)


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


class UserFactory(factory.django.DjangoModelFactory):
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


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.OFFICER


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


def make_partnered_initiative(actor, lead, partner, lead_share="60", **fields):
    """An initiative of `lead` with `partner` too, sharing the savings lead_share / the rest."""
    from initiatives import services

    initiative = make_initiative(actor, lead, **fields)
    services.partnership_add(actor=actor, initiative=initiative, organisation=partner)
    services.shares_set(
        actor=actor,
        initiative=initiative,
        shares={lead.pk: Decimal(lead_share), partner.pk: Decimal("100") - Decimal(lead_share)},
    )
    initiative.refresh_from_db()
    return initiative


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


def make_claim(actor, initiative, claimant, **fields):
    """A draft claim made through the service, as an officer of the claimant would."""
    from initiatives.claims import services

    return services.claim_create(
        actor=actor, initiative=initiative, claimant=claimant, **{**CLAIM_DEFAULTS, **fields}
    )
