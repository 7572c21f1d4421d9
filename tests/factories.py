"""factory_boy factories: one per model, with sensible real-looking defaults."""

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
