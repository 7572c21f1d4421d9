"""Deployment checks of our own, reported by `manage.py check --deploy` beside Django's."""

from django.conf import settings
from django.core import checks

# Domains reserved for examples, tests and local networks (RFC 2606, RFC 6761, RFC 6762):
# an address there reaches nobody.
RESERVED_DOMAINS = ("example.com", "example.org", "example.net")
RESERVED_SUFFIXES = (".local", ".invalid", ".test", ".example", ".localhost", ".internal")


def reaches_nobody(address):
    domain = address.rpartition("@")[2].lower()
    return (
        not domain
        or domain == "localhost"
        or domain in RESERVED_DOMAINS
        or domain.endswith(RESERVED_SUFFIXES)
    )


@checks.register(checks.Tags.security, deploy=True)
def statements_check(app_configs=None, **kwargs):
    """The accessibility statement and privacy notice must say who runs the service and how to
    reach them: both pages read SERVICE_OWNER and SERVICE_CONTACT_EMAIL."""
    problems = []
    contact = settings.SERVICE_CONTACT_EMAIL
    if not contact or "@" not in contact or reaches_nobody(contact):
        problems.append(
            checks.Warning(
                f"SERVICE_CONTACT_EMAIL is {contact!r}: the accessibility statement and the "
                "privacy notice give no address that reaches anyone.",
                hint="Set SERVICE_CONTACT_EMAIL to a monitored mailbox of the organisation "
                "that runs the service.",
                id="collaborate.W001",
            )
        )
    if not settings.SERVICE_OWNER:
        problems.append(
            checks.Warning(
                "SERVICE_OWNER is not set: the privacy notice names no data controller.",
                hint="Set SERVICE_OWNER to the name of the organisation that runs the service.",
                id="collaborate.W002",
            )
        )
    return problems
