"""The permission matrix's rows for the API's progress endpoints (see tests/security/matrix.py: a
row is the scene's objects that fill the pattern, and the six people's answers to a GET)."""

from tests.security.matrix import NOT_FOUND, OK, PUBLIC, UNAUTHORIZED, r

SIGNED_IN = (UNAUTHORIZED, OK, OK, OK, OK, OK)
PARTNERS = (UNAUTHORIZED, NOT_FOUND, OK, OK, OK, OK)

ROWS = {
    # As the dashboard: one's own organisation; another's is a 404 unless one may see it.
    "api:progress-detail": SIGNED_IN,
    "api:progress-detail (the lead's)": r(
        (UNAUTHORIZED, NOT_FOUND, NOT_FOUND, OK, OK, OK), query=(("org", "lead"),)
    ),
    "api:initiative-progress": r(PARTNERS, "initiative"),
    # The public register: anyone, published initiatives only.
    "api:register-list": PUBLIC,
    "api:register-detail": r(PUBLIC, "initiative.reference"),
    "api:register-detail (unpublished)": r((NOT_FOUND,) * 6, "gap.reference"),
}
