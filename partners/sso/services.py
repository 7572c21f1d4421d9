"""Writes for single sign-on: admins configuring identity providers and organisations' single
sign-on, and the links and accounts a sign-on makes. Each in one transaction, audited."""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from partners import history, permissions
from partners.models import (
    AuditEvent,
    IdentityProvider,
    Membership,
    OrganisationSignOn,
    SignOnDomain,
    User,
)
from partners.services import audit
from partners.sso import secrets

# Labels of letters, digits and hyphens (not at either end), at least two of them, the last a
# top-level domain of letters (or an internationalised one, "xn--…").
DOMAIN = re.compile(
    r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,63}|xn--[a-z0-9-]{1,59})$"
)
PROVIDER_FIELDS = [
    "name",
    "issuer",
    "client_id",
    "client_secret_env",
    "subject_claim",
    "token_auth_method",
    "enforces_mfa",
]


def domains_clean(domains):
    """The domains as a sorted list without repeats, lower case, or a ValidationError naming
    each one that is not a domain (with an "@", a space, a single label…)."""
    if isinstance(domains, str):
        domains = re.split(r"[\s,;]+", domains)
    cleaned, wrong = set(), []
    for domain in domains:
        domain = domain.strip().lower().rstrip(".")
        if not domain:
            continue
        if "@" in domain:
            wrong.append(f"{domain} is an email address: enter only the part after the @")
        elif not DOMAIN.match(domain):
            wrong.append(f"{domain} is not a domain: enter a domain like example.gov.uk")
        else:
            cleaned.add(domain)
    if wrong:
        raise ValidationError({"domains": wrong}, code="domain")
    if not cleaned:
        raise ValidationError(
            {"domains": "Enter the email domains this organisation vouches for"}, code="required"
        )
    return sorted(cleaned)


def _slug_for(name):
    base = slugify(name)[:50] or "provider"
    slug, number = base, 1
    while IdentityProvider.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _lock_providers():
    """Configurations wait for each other, so that two admins cannot give one domain to two
    providers at the same moment."""
    list(IdentityProvider.objects.select_for_update().order_by("pk").values_list("pk"))


def _provider_values(identity_provider):
    return {name: getattr(identity_provider, name) for name in PROVIDER_FIELDS}


def _configured(*, actor, organisation, ip_address, detail):
    audit.audit_record(
        action=AuditEvent.Action.SSO_CONFIGURED,
        actor=actor,
        ip_address=ip_address,
        organisation=organisation,
        detail=detail,
    )


def _secret_set(identity_provider, client_secret, client_secret_env):
    """Keep the secret typed (encrypted), or the environment variable named: one or the other."""
    if client_secret:
        identity_provider.client_secret_encrypted = secrets.encrypt(client_secret)
        identity_provider.client_secret_env = ""
    elif client_secret_env:
        identity_provider.client_secret_encrypted = ""
    if not identity_provider.has_secret:
        raise ValidationError(
            {
                "client_secret": "Enter the client secret, or the name of the environment "
                "variable that holds it"
            },
            code="required",
        )


@transaction.atomic
def identity_provider_create(*, actor, organisation, client_secret="", ip_address=None, **fields):
    """A new identity provider, made from `organisation`'s page (the audit event says so)."""
    permissions.require(permissions.can_configure_single_sign_on(actor))
    _lock_providers()
    identity_provider = IdentityProvider(
        **{k: v for k, v in fields.items() if k in PROVIDER_FIELDS}
    )
    identity_provider.issuer = identity_provider.issuer.strip()
    _secret_set(identity_provider, client_secret, identity_provider.client_secret_env)
    identity_provider.slug = _slug_for(identity_provider.name)
    identity_provider.full_clean()
    identity_provider.save()
    changed = [name for name in PROVIDER_FIELDS if fields.get(name) not in (None, "", False)]
    _configured(
        actor=actor,
        organisation=organisation,
        ip_address=ip_address,
        detail={
            "identity_provider": identity_provider.name,
            "created": True,
            "changed": changed + (["client_secret"] if client_secret else []),
        },
    )
    return identity_provider


@transaction.atomic
def identity_provider_update(
    *, actor, identity_provider, organisation, client_secret="", ip_address=None, **fields
):
    """Change a provider (for every organisation using it). An empty `client_secret` keeps the
    one saved."""
    permissions.require(permissions.can_configure_single_sign_on(actor))
    _lock_providers()
    current = IdentityProvider.objects.get(pk=identity_provider.pk)
    before = _provider_values(current)
    for name in PROVIDER_FIELDS:
        if name in fields:
            setattr(current, name, fields[name])
    current.issuer = current.issuer.strip()
    _secret_set(current, client_secret, current.client_secret_env)
    current.full_clean()
    changed = [name for name, value in _provider_values(current).items() if before[name] != value]
    if client_secret:
        changed.append("client_secret")
    if changed:
        current.save()
        _configured(
            actor=actor,
            organisation=organisation,
            ip_address=ip_address,
            detail={"identity_provider": current.name, "changed": changed},
        )
    return current


@transaction.atomic
def sign_on_set(
    *, actor, organisation, identity_provider, domains, creates_accounts, ip_address=None
):
    """Set `organisation`'s single sign-on: its provider, the domains it vouches for, and whether
    unknown people of those domains get an account. A domain another organisation has on a
    different provider is refused, naming it."""
    permissions.require(permissions.can_configure_single_sign_on(actor))
    _lock_providers()
    domains = domains_clean(domains)
    clashes = [
        f"{row.domain} is vouched for by {row.sign_on.organisation.name} with another identity "
        f"provider, {row.sign_on.identity_provider.name}: a domain can belong to one identity "
        "provider only"
        for row in SignOnDomain.objects.filter(domain__in=domains)
        .exclude(sign_on__organisation=organisation)
        .exclude(sign_on__identity_provider=identity_provider)
        .select_related("sign_on__organisation", "sign_on__identity_provider")
        .order_by("domain", "sign_on__organisation__name")
    ]
    if clashes:
        raise ValidationError({"domains": clashes}, code="domain_taken")
    sign_on = (
        OrganisationSignOn.objects.select_for_update().filter(organisation=organisation).first()
    )
    before = {}
    if sign_on is None:
        sign_on = OrganisationSignOn(organisation=organisation)
    else:
        before = {
            "identity_provider": sign_on.identity_provider.name,
            "domains": sorted(sign_on.domains.values_list("domain", flat=True)),
            "creates_accounts": sign_on.creates_accounts,
        }
    sign_on.identity_provider = identity_provider
    sign_on.creates_accounts = creates_accounts
    sign_on.save()
    sign_on.domains.exclude(domain__in=domains).delete()
    known = set(sign_on.domains.values_list("domain", flat=True))
    SignOnDomain.objects.bulk_create(
        SignOnDomain(sign_on=sign_on, domain=domain) for domain in domains if domain not in known
    )
    after = {
        "identity_provider": identity_provider.name,
        "domains": domains,
        "creates_accounts": creates_accounts,
    }
    changed = [name for name, value in after.items() if before.get(name) != value]
    if changed:
        _configured(
            actor=actor,
            organisation=organisation,
            ip_address=ip_address,
            detail={**after, "changed": changed},
        )
    return sign_on


@transaction.atomic
def sign_on_remove(*, actor, organisation, ip_address=None):
    """Turn single sign-on off for `organisation`: its people sign in with a password again
    (the links already made stay, unused, so that turning it back on finds the same people)."""
    permissions.require(permissions.can_configure_single_sign_on(actor))
    sign_on = (
        OrganisationSignOn.objects.select_for_update()
        .select_related("identity_provider")
        .filter(organisation=organisation)
        .first()
    )
    if sign_on is None:
        return
    detail = {
        "identity_provider": sign_on.identity_provider.name,
        "domains": sorted(sign_on.domains.values_list("domain", flat=True)),
    }
    sign_on.delete()
    audit.audit_record(
        action=AuditEvent.Action.SSO_REMOVED,
        actor=actor,
        ip_address=ip_address,
        organisation=organisation,
        detail=detail,
    )


# --- signing in -------------------------------------------------------------------------------


@transaction.atomic
def sign_in_refusal_record(*, identity_provider, reason, email="", ip_address=None, user=None):
    """A refused single sign-on: which provider, why, and the address it claimed (never a
    token)."""
    detail = {
        "identity_provider": identity_provider.name if identity_provider else "",
        "reason": reason,
    }
    if email:
        detail["email"] = audit.typed(email)
    if user is not None:
        detail.update(audit.person(user))
    audit.audit_record(
        action=AuditEvent.Action.SSO_SIGN_IN_REFUSED, ip_address=ip_address, detail=detail
    )


@transaction.atomic
def account_link(*, request, sociallogin, user, identity_provider, organisation, ip_address=None):
    """Link the person's identity at the provider to `user` (found by an email address of a
    domain `organisation` vouches for): from now on the provider's subject signs them in."""
    sociallogin.connect(request, user)
    audit.audit_record(
        action=AuditEvent.Action.SSO_LINKED,
        actor=user,
        ip_address=ip_address,
        organisation=organisation,
        detail={
            **audit.person(user),
            "identity_provider": identity_provider.name,
            "subject": sociallogin.account.uid,
        },
    )


@transaction.atomic
def account_create(
    *,
    request,
    sociallogin,
    email,
    full_name,
    identity_provider,
    organisation,
    chosen,
    ip_address=None,
):
    """An account for someone the provider vouches for and nobody invited: an officer of
    `organisation` (which lets unknown people in), linked to their identity at the provider.
    `chosen`: they chose `organisation` among several sharing their domain."""
    if not OrganisationSignOn.objects.filter(
        organisation=organisation,
        identity_provider=identity_provider,
        creates_accounts=True,
        organisation__active=True,
        organisation__merged_into__isnull=True,
    ).exists():
        raise ValidationError("This organisation does not give accounts by single sign-on.")
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, full_name=full_name[:150])
    except IntegrityError:
        # The same person finishing two first sign-ons at once: the other one made it.
        raise ValidationError("An account with this email address was made meanwhile.") from None
    Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.OFFICER)
    sociallogin.connect(request, user)
    history.history_record(
        actor=user,
        owner=user,
        action="Account created by single sign-on",
        subject=organisation.name,
        changes=[{"field": "Role", "before": "", "after": Membership.Role.OFFICER.label}],
    )
    detail = {
        **audit.person(user),
        "identity_provider": identity_provider.name,
        "subject": sociallogin.account.uid,
        "role": Membership.Role.OFFICER,
    }
    audit.audit_record(
        action=AuditEvent.Action.SSO_ACCOUNT_CREATED,
        actor=user,
        ip_address=ip_address,
        organisation=organisation,
        detail=detail,
    )
    if chosen:
        audit.audit_record(
            action=AuditEvent.Action.SSO_ORGANISATION_CHOSEN,
            actor=user,
            ip_address=ip_address,
            organisation=organisation,
            detail={**audit.person(user), "identity_provider": identity_provider.name},
        )
    return user
