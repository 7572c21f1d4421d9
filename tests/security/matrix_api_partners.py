"""The permission matrix's rows for the API's partners endpoints (see tests/security/matrix.py: a
row is the scene's objects that fill the pattern, and the six people's answers to a GET), and
for the API token pages under /accounts/tokens/."""

from tests.security.matrix import (
    OK,
    POST_ONLY,
    REDIRECT,
    SIGN_IN,
    SIGNED_IN,
    UNAUTHORIZED,
    r,
)

API_SIGNED_IN = (UNAUTHORIZED, OK, OK, OK, OK, OK)

ROWS = {
    # The directory: every signed-in person sees every organisation; admins write.
    "api:organisation-list": API_SIGNED_IN,
    "api:organisation-detail": r(API_SIGNED_IN, "partner"),
    # API token pages: each person their own tokens (admins everyone's).
    "accounts:tokens": SIGNED_IN,
    # Making one needs a proof of identity in the last 15 minutes, which the scene's sessions
    # (made by force_login) do not have: each is sent to re-authenticate first.
    "accounts:token_create": (SIGN_IN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "accounts:token_revoke": r(POST_ONLY, "api_token"),
}
