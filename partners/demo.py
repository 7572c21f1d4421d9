"""Demo people and organisations for `manage.py seed_demo`: idempotent, for trying the product."""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.text import slugify

from partners.models import Membership, Organisation, User, normalise_name

DEMO_PASSWORD = "collaborate-demo-2026"  # noqa: S105 - printed for the local demo on purpose
# The demo admin and manager must have a second factor (partners.mfa): an authenticator app with
# this setup key, printed by seed_demo so that whoever runs `make run` can add it to theirs.
DEMO_TOTP_SECRET = "COLLABORATEDEMOSECRETKEY234567AB"  # noqa: S105 - printed on purpose
DEMO_DOMAIN = "demo.collaborate.local"
DEMO_ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
LEAD_COUNCIL = "la:LDS"  # Leeds City Council
PARTNER_COUNCIL = "la:BRD"  # Bradford

# Fictional organisations from the social and business sectors that councils work with.
DEMO_PARTNERS = [
    ("Aire Valley Community Trust", Organisation.Sector.SOCIAL, Organisation.Kind.CHARITY),
    (
        "Kirkgate Social Enterprise CIC",
        Organisation.Sector.SOCIAL,
        Organisation.Kind.SOCIAL_ENTERPRISE,
    ),
    ("Northern Digital Co-operative", Organisation.Sector.SOCIAL, Organisation.Kind.COOPERATIVE),
    (
        "Pennine Homes Housing Association",
        Organisation.Sector.SOCIAL,
        Organisation.Kind.HOUSING_ASSOCIATION,
    ),
    (
        "Calder Business Services Ltd",
        Organisation.Sector.BUSINESS,
        Organisation.Kind.PRIVATE_COMPANY,
    ),
]

# (email, full name, organisation source ref, role, admin)
DEMO_PEOPLE = [
    (f"officer@{DEMO_DOMAIN}", "Olivia Officer", LEAD_COUNCIL, Membership.Role.OFFICER, False),
    (f"manager@{DEMO_DOMAIN}", "Marcus Manager", LEAD_COUNCIL, Membership.Role.MANAGER, False),
    (f"partner@{DEMO_DOMAIN}", "Priya Partner", PARTNER_COUNCIL, Membership.Role.OFFICER, False),
    (DEMO_ADMIN_EMAIL, "Demo Administrator", None, None, True),
]


ALLOW_KNOWN_PASSWORDS = "--allow-known-passwords"


def known_passwords_argument(parser):
    parser.add_argument(
        ALLOW_KNOWN_PASSWORDS,
        action="store_true",
        help="create the accounts even with DEBUG off (`make run`, the benchmark and the README's "
        "compose command pass it): only on a copy nobody else can reach",
    )


def known_passwords_check(*, allowed, command):
    """Accounts with a password anyone can read are made only with DEBUG on or when asked for
    by name: never by accident in production."""
    if settings.DEBUG or allowed:
        return
    raise CommandError(
        f"{command} creates accounts, an administrator among them, whose password is printed "
        "here and written in Collaborate's source code, so anyone could sign in with them. "
        "DEBUG is off, so this may be production: nothing was created. On a copy nobody else "
        f"can reach, run it again with {ALLOW_KNOWN_PASSWORDS} (or with DEBUG=true)."
    )


def councils_ensure():
    """The demo needs the real councils; load them if nobody has yet."""
    if not Organisation.objects.filter(source_ref=LEAD_COUNCIL).exists():
        call_command("load_councils", verbosity=0)


def demo_partners_ensure():
    created = []
    for name, sector, kind in DEMO_PARTNERS:
        organisation, was_created = Organisation.objects.get_or_create(
            slug=slugify(name),
            defaults={
                "name": name,
                "sector": sector,
                "kind": kind,
                "nation": Organisation.Nation.ENGLAND,
                "region": Organisation.Region.YORKSHIRE,
                "search_name": normalise_name(name),
            },
        )
        if was_created:
            created.append(organisation)
    return created


def demo_people_ensure():
    """The demo users, one per role, each with the demo password (only when first created)."""
    people = []
    for email, name, source_ref, role, is_staff in DEMO_PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name, is_staff=is_staff)
        if source_ref:
            organisation = Organisation.objects.get(source_ref=source_ref)
            Membership.objects.get_or_create(
                user=user, organisation=organisation, defaults={"role": role}
            )
        if is_staff or role == Membership.Role.MANAGER:
            demo_second_factor_ensure(user)
        people.append((user, source_ref and Organisation.objects.get(source_ref=source_ref), role))
    return people


def demo_second_factor_ensure(user):
    """The demo authenticator app (DEMO_TOTP_SECRET) for a demo person whose role needs one,
    unless they have set up a second factor of their own."""
    if not Authenticator.objects.filter(user_id=user.pk).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)


def demo_second_factor_of(user):
    """The setup key seed_demo prints for `user`, or None."""
    totp = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).first()
    if totp is not None and decrypt(totp.data["secret"]) == DEMO_TOTP_SECRET:
        return DEMO_TOTP_SECRET
    return None


@transaction.atomic
def demo_seed(*, allow_known_passwords=False):
    known_passwords_check(allowed=allow_known_passwords, command="seed_demo")
    councils_ensure()
    demo_partners_ensure()
    return demo_people_ensure()
