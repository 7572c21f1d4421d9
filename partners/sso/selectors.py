"""Reads for single sign-on: identity providers, and the organisations vouching for a domain."""

from partners.models import IdentityProvider, OrganisationSignOn


def domain_of(email):
    """The domain of an email address, lower case: the part after the last "@" ("" if none)."""
    email = (email or "").strip()
    return email.rpartition("@")[2].lower() if "@" in email else ""


def identity_providers():
    return IdentityProvider.objects.all()


def identity_provider_by_slug(slug):
    return IdentityProvider.objects.filter(slug=slug).first()


def sign_on_of(organisation):
    """The organisation's single sign-on with its provider and domains, or None."""
    return (
        OrganisationSignOn.objects.select_related("identity_provider")
        .prefetch_related("domains")
        .filter(organisation=organisation)
        .first()
    )


def sign_ons_vouching_for(domain, *, identity_provider=None):
    """The single sign-ons of active organisations (not merged away) that vouch for `domain`,
    on `identity_provider` if given, with their organisations, by organisation name."""
    sign_ons = OrganisationSignOn.objects.filter(
        domains__domain=domain.lower(),
        organisation__active=True,
        organisation__merged_into__isnull=True,
    )
    if identity_provider is not None:
        sign_ons = sign_ons.filter(identity_provider=identity_provider)
    return sign_ons.select_related("organisation", "identity_provider").order_by(
        "organisation__name"
    )


def provider_for_domain(domain):
    """The identity provider whose organisations vouch for `domain`, or None. The services
    never let two providers claim one domain, so there is at most one."""
    if not domain:
        return None
    sign_on = sign_ons_vouching_for(domain).first()
    return sign_on.identity_provider if sign_on else None
