"""The permission matrix's rows for the API's partners endpoints (see tests/security/matrix.py: a
row is the scene's objects that fill the pattern, and the six people's answers to a GET), and
for the API token pages under /accounts/tokens/."""

from tests.security.matrix import OK, POST_ONLY, SIGNED_IN, UNAUTHORIZED, r

API_SIGNED_IN = (UNAUTHORIZED, OK, OK, OK, OK, OK)

ROWS = {
    # The directory: every signed-in person sees every organisation; admins write.
    "api:organisation-list": API_SIGNED_IN,
    "api:organisation-detail": r(API_SIGNED_IN, "partner"),
    # API token pages: each person their own tokens (admins everyone's).
    "accounts:tokens": SIGNED_IN,
    "accounts:token_create": SIGNED_IN,
    "accounts:token_revoke": r(POST_ONLY, "partner"),
}
