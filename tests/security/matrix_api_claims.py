"""The permission matrix's rows for the API's claims endpoints (see tests/security/matrix.py: a
row is the scene's objects that fill the pattern, and the six people's answers to a GET)."""

from tests.security.matrix import NOT_ALLOWED, NOT_FOUND, OK, UNAUTHORIZED, r

SIGNED_IN = (UNAUTHORIZED, OK, OK, OK, OK, OK)
# A claim past draft: the initiative's partners see it, the outsider may not know it exists.
PARTNERS = (UNAUTHORIZED, NOT_FOUND, OK, OK, OK, OK)
# The lead's draft: its claimant's people and admins; the partner does not see it.
LEAD_DRAFT = (UNAUTHORIZED, NOT_FOUND, NOT_FOUND, OK, OK, OK)
# A pattern that takes no GET: DRF authenticates first (401), then refuses the method (405).
NO_GET = (UNAUTHORIZED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)

ROWS = {
    "api:claim-list": SIGNED_IN,
    "api:claim-detail": r(PARTNERS, "submitted"),
    "api:claim-detail (the lead's draft)": r(LEAD_DRAFT, "draft"),
    "api:claim-detail (the partner's draft)": r(
        (UNAUTHORIZED, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, OK), "partner_draft"
    ),
    "api:claim-submit": r(NO_GET, "draft"),
    "api:claim-withdraw": r(NO_GET, "submitted"),
    "api:claim-verify": r(NO_GET, "submitted"),
    "api:claim-return": r(NO_GET, "submitted"),
    "api:claim-reject": r(NO_GET, "submitted"),
    "api:claim-corrections": r(NO_GET, "verified"),
    "api:claim-evidence-list": r(PARTNERS, "submitted"),
    "api:claim-evidence-list (of the lead's draft)": r(LEAD_DRAFT, "draft"),
    "api:claim-evidence-detail": r(PARTNERS, "submitted", "evidence"),
    "api:claim-evidence-detail (of the lead's draft)": r(LEAD_DRAFT, "draft", "draft_evidence"),
}
