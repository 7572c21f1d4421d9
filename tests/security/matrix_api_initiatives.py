"""The permission matrix's rows for the API's initiatives endpoints (see tests/security/matrix.py: a
row is the scene's objects that fill the pattern, and the six people's answers to a GET)."""

from tests.security.matrix import NOT_ALLOWED, NOT_FOUND, OK, UNAUTHORIZED, r

SIGNED_IN = (UNAUTHORIZED, OK, OK, OK, OK, OK)
# The lead's initiative with its partner: the outsider may not know it exists.
PARTNERS = (UNAUTHORIZED, NOT_FOUND, OK, OK, OK, OK)
# A pattern that takes no GET: DRF authenticates first (401), then refuses the method (405).
NO_GET = (UNAUTHORIZED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)

ROWS = {
    "api:initiative-list": SIGNED_IN,
    "api:initiative-detail": r(PARTNERS, "initiative"),
    "api:initiative-status": r(NO_GET, "initiative"),
    "api:initiative-publication": r(NO_GET, "initiative"),
    "api:initiative-partnerships": r(PARTNERS, "initiative"),
    "api:initiative-partnership-detail": r(NO_GET, "initiative", "partnership"),
    "api:initiative-shares": r(PARTNERS, "initiative"),
    "api:initiative-targets": r(PARTNERS, "initiative"),
}
