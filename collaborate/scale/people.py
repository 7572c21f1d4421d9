"""The generator's people: an officer and a manager for each organisation taking part, and an
administrator."""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt

from collaborate.scale.common import (
    EMAIL_DOMAIN,
    FIRST_NAMES,
    MANAGER,
    OFFICER,
    SURNAMES,
    TOTP_SECRET,
)
from partners.models import Membership, User


def people_build(rng, calendar, organisations, password_hash):
    """An officer and a manager for each organisation, and an administrator, all with the
    one password: ({organisation pk: (officer, manager)}, users, memberships)."""
    people, users, memberships = {}, [], []
    for organisation in organisations:
        joined = calendar.before_start(rng)
        pair = []
        for role in (OFFICER, MANAGER):
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            user = User(
                email=f"{first}.{last}.{len(users) + 1}@{EMAIL_DOMAIN}".lower(),
                full_name=f"{first} {last}",
                password=password_hash,
                date_joined=joined,
            )
            users.append(user)
            memberships.append(
                Membership(user=user, organisation=organisation, role=role, created_at=joined)
            )
            pair.append(user)
        people[organisation.pk] = tuple(pair)
    admin = User(
        email=f"admin@{EMAIL_DOMAIN}",
        full_name="Generated Administrator",
        password=password_hash,
        is_staff=True,
        date_joined=calendar.before_start(rng),
    )
    return people, [*users, admin], memberships


def second_factors_build(users, memberships):
    """An authenticator app with TOTP_SECRET for each manager and the administrator (stored
    users, with their ids), as if each had set one up."""
    needing = {m.user.pk for m in memberships if m.role == MANAGER}
    needing |= {user.pk for user in users if user.is_staff}
    secret = encrypt(TOTP_SECRET)
    return [
        Authenticator(user_id=pk, type=Authenticator.Type.TOTP, data={"secret": secret})
        for pk in sorted(needing)
    ]
