"""The permission matrix: what a GET of every URL pattern answers to each of the six people of
DESIGN.md §3 (see scene.ROLES), in the shared scene.

A row's key is a URL name, or a URL name and, in brackets, which object it is opened on when
one pattern needs several rows (a draft against a submitted claim). Its value is the scene's
objects (attribute names) that fill the pattern's arguments, optionally a query string, and
the six answers. test_permission_matrix.py fails for a URL pattern without a row; a row whose
name is not (yet) a pattern is left out. A later role (the auditor) is a seventh column.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from tests.security.routes import all_routes

OK = 200
SIGN_IN = "sign-in"  # 302 to the sign-in page, which comes back here after
REDIRECT = 302  # 302 elsewhere
FORBIDDEN = 403  # may see that it exists, may not do this (admin-only pages, actions)
NOT_FOUND = 404  # may not see it: nothing says it exists
NOT_ALLOWED = 405  # the pattern takes POST only
GONE = 410
UNAUTHORIZED = 401  # the API, to a request with neither a token nor a session


@dataclass(frozen=True)
class Row:
    args: tuple  # scene attribute names: a model instance gives its pk
    answers: tuple  # anonymous, outsider, partner officer, lead officer, lead manager, admin
    query: tuple = ()  # (name, scene attribute name) pairs: ?org=<the lead's pk>


def r(answers, *args, query=()):
    return Row(args=args, answers=answers, query=query)


def row(value):
    """A table value as a Row: six answers alone are a pattern without arguments."""
    return value if isinstance(value, Row) else Row(args=(), answers=value)


PUBLIC = (OK, OK, OK, OK, OK, OK)
SIGNED_IN = (SIGN_IN, OK, OK, OK, OK, OK)
ADMINS = (SIGN_IN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)
POST_ONLY = (SIGN_IN, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)
# The initiative led by the lead with the partner: the outsider may not know it exists.
PARTNERS = (SIGN_IN, NOT_FOUND, OK, OK, OK, OK)
LEAD = (SIGN_IN, NOT_FOUND, FORBIDDEN, OK, OK, OK)  # the lead's people and admins change it
MANAGERS = (SIGN_IN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK)  # managers see their members
CLAIMANT = (SIGN_IN, NOT_FOUND, NOT_FOUND, OK, OK, FORBIDDEN)  # the lead's draft: its claimant

TABLE = {
    # --- site-wide -----------------------------------------------------------------------------
    "home": PUBLIC,  # the register to the public, the dashboard to the signed in
    "healthz": PUBLIC,
    "readyz": PUBLIC,
    # Prometheus metrics: only to a scraper with READYZ_TOKEN, which no one here sends.
    "metrics": (NOT_FOUND,) * 6,
    "accessibility": PUBLIC,
    "privacy": PUBLIC,
    "security_txt": PUBLIC,
    # --- sign-in and accounts ------------------------------------------------------------------
    "login": (OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "logout": POST_ONLY,  # signing out is a POST
    "password_change": SIGNED_IN,
    "password_change_done": SIGNED_IN,
    "password_reset": PUBLIC,
    "password_reset_done": PUBLIC,
    # A valid link redirects to the form at a URL that keeps the token out of the Referer.
    "password_reset_confirm": r((REDIRECT,) * 6, "reset_uid", "reset_token"),
    "password_reset_complete": PUBLIC,
    "accounts:account": SIGNED_IN,
    "accounts:acting_for": POST_ONLY,
    "accounts:emails": POST_ONLY,
    # Whoever holds the link may set the invited person's password: the token is the key.
    "accounts:invitation": r(PUBLIC, "invitation_reference", "invitation_token"),
    # django-allauth's names for the same sign-in and sign-out, which its pages link to.
    "account_login": (OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "account_logout": POST_ONLY,
    # Sign-up is closed: the page says how accounts come.
    "account_signup": (OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "account_reauthenticate": SIGNED_IN,
    "account_reset_password": (REDIRECT,) * 6,  # to Collaborate's password reset
    # --- second factors (issue 14) -------------------------------------------------------------
    "mfa_index": SIGNED_IN,
    "mfa_list_webauthn": SIGNED_IN,
    # Setting up or changing a factor asks first to confirm who one is (re-authentication).
    "mfa_activate_totp": (SIGN_IN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "mfa_generate_recovery_codes": (SIGN_IN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "mfa_add_webauthn": (SIGN_IN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "mfa_reauthenticate_webauthn": (SIGN_IN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    # Only someone with an app turns it off (the scene's manager and admin have one).
    "mfa_deactivate_totp": (SIGN_IN, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT, REDIRECT),
    # Recovery codes are shown once, when made: never again.
    "mfa_view_recovery_codes": (SIGN_IN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "mfa_download_recovery_codes": (
        SIGN_IN,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
        NOT_FOUND,
    ),
    "mfa_reauthenticate": (SIGN_IN, REDIRECT, REDIRECT, REDIRECT, OK, OK),
    "mfa_authenticate": (REDIRECT,) * 6,  # only in the middle of signing in
    # The scene has no security key: any key number goes to re-authentication first.
    "mfa_edit_webauthn": r(
        (SIGN_IN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT), "lead_officer"
    ),
    "mfa_remove_webauthn": r(
        (SIGN_IN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT), "lead_officer"
    ),
    # An admin resets someone's second factors (a lost phone): nobody else knows the page.
    "users:second_factor_reset": r(
        (SIGN_IN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK), "lead_officer"
    ),
    # --- single sign-on (issue 14) ---------------------------------------------------------------
    # The page that sends a person to the lead's identity provider (a button that POSTs).
    "openid_connect_login": r(PUBLIC, "identity_provider.slug"),
    # The provider's answer, without its code and state: refused.
    "openid_connect_callback": r((401,) * 6, "identity_provider.slug"),
    "socialaccount_login_cancelled": PUBLIC,
    "socialaccount_login_error": (401,) * 6,  # allauth's page for a failed sign-on
    # Only in the middle of a first sign-on: otherwise back to signing in.
    "socialaccount_signup": (REDIRECT,) * 6,
    "partners:sso_choose": (REDIRECT,) * 6,
    # An organisation's single sign-on: admins only, and nobody else knows the pages.
    "partners:sso": r((SIGN_IN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK), "lead"),
    "partners:sso_provider_create": r(
        (SIGN_IN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK), "lead"
    ),
    "partners:sso_provider_edit": r(
        (SIGN_IN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK), "lead"
    ),
    "partners:sso_remove": r((SIGN_IN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK), "lead"),
    # Without a sign-on there is no provider to change nor anything to turn off.
    "partners:sso_provider_edit (no sign-on)": r((SIGN_IN,) + (NOT_FOUND,) * 5, "partner"),
    "partners:sso_remove (no sign-on)": r((SIGN_IN,) + (NOT_FOUND,) * 5, "partner"),
    # --- organisations -------------------------------------------------------------------------
    "partners:list": SIGNED_IN,
    "partners:csv": SIGNED_IN,
    "partners:xlsx": SIGNED_IN,
    "partners:create": ADMINS,
    "partners:detail": r(SIGNED_IN, "lead"),
    "partners:detail (another council)": r(SIGNED_IN, "other"),
    "partners:edit": r(ADMINS, "lead"),
    "partners:history": r(ADMINS, "lead"),
    "partners:set_active": r(ADMINS, "lead"),
    "partners:merge": r(ADMINS, "lead"),
    "partners:merge_confirm": r(ADMINS, "lead", "duplicate"),
    # --- people --------------------------------------------------------------------------------
    "users:list": MANAGERS,
    "users:csv": MANAGERS,
    "users:xlsx": MANAGERS,
    "users:invite": MANAGERS,
    "users:locked": ADMINS,
    "users:detail": r(MANAGERS, "lead_officer"),
    # Someone the lead's manager does not manage: not theirs to know of.
    "users:detail (another council's officer)": r(
        (SIGN_IN, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, OK), "outsider"
    ),
    "users:set_active": r(ADMINS, "lead_officer"),
    "users:anonymise": r(ADMINS, "former"),
    "users:detail (invited)": r(MANAGERS, "invitation.user"),
    "users:resend": r(POST_ONLY, "invitation.user"),
    "users:membership_add": r(POST_ONLY, "lead_officer"),
    "users:membership_change": r(ADMINS, "membership"),
    # --- initiatives ---------------------------------------------------------------------------
    "initiatives:list": SIGNED_IN,
    "initiatives:csv": SIGNED_IN,
    "initiatives:xlsx": SIGNED_IN,
    "initiatives:create": SIGNED_IN,
    "initiatives:detail": r(PARTNERS, "initiative"),
    "initiatives:detail (the outsider's)": r(
        (SIGN_IN, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK), "elsewhere"
    ),
    "initiatives:detail (one not meant to save money)": r(PARTNERS, "not_for_savings"),
    "initiatives:edit": r(LEAD, "initiative"),
    "initiatives:partners": r(PARTNERS, "initiative"),
    "initiatives:partner_add": r(LEAD, "initiative"),  # officers search, to propose
    "initiatives:partner_remove": r(POST_ONLY, "initiative", "partnership"),
    "initiatives:targets": r(PARTNERS, "initiative"),
    "initiatives:claims": r(PARTNERS, "initiative"),
    # Partners claim for themselves; admins make no claims.
    "initiatives:claim_create": r((SIGN_IN, NOT_FOUND, OK, OK, OK, FORBIDDEN), "initiative"),
    # The partners' health-check answers: private to them (the outsider is 404), admins read.
    "initiatives:health": r(PARTNERS, "initiative"),
    "initiatives:history": r(PARTNERS, "initiative"),
    "initiatives:history_csv": r(PARTNERS, "initiative"),
    "initiatives:history_xlsx": r(PARTNERS, "initiative"),
    "initiatives:history_csv (the outsider's)": r(
        (SIGN_IN, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK), "elsewhere"
    ),
    "initiatives:status": r(LEAD, "initiative"),
    "initiatives:publish": r(LEAD, "initiative"),  # officers are told a manager does it
    # --- the public register -------------------------------------------------------------------
    "register:list": PUBLIC,
    "register:csv": PUBLIC,
    "register:xlsx": PUBLIC,
    # The register as open data (issue 17): the page and its files.
    "register:data": PUBLIC,
    "register:data_csv": PUBLIC,
    "register:data_xlsx": PUBLIC,
    "register:data_json": PUBLIC,
    "register:data_csvw": PUBLIC,
    "register:insights": PUBLIC,  # from published initiatives only
    "register:insights_csv": PUBLIC,
    "register:insights_xlsx": PUBLIC,
    "register:detail": r(PUBLIC, "initiative.reference"),
    "register:detail (unpublished)": r((NOT_FOUND,) * 6, "gap.reference"),
    # --- claims --------------------------------------------------------------------------------
    "claims:list": SIGNED_IN,
    "claims:csv": SIGNED_IN,
    "claims:xlsx": SIGNED_IN,
    "claims:review": (SIGN_IN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN),
    "claims:review_csv": (SIGN_IN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN),
    "claims:review_xlsx": (SIGN_IN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN),
    "claims:review_verify": POST_ONLY,  # "verify selected": a GET is 405 (the queue's form posts)
    # A draft is its claimant's alone (and admins'); once submitted, every partner's.
    "claims:detail": r(PARTNERS, "submitted"),
    "claims:detail (the lead's draft)": r((SIGN_IN, NOT_FOUND, NOT_FOUND, OK, OK, OK), "draft"),
    "claims:detail (the partner's draft)": r(
        (SIGN_IN, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, OK), "partner_draft"
    ),
    "claims:detail (returned)": r(PARTNERS, "returned"),
    "claims:detail (verified)": r(PARTNERS, "verified"),
    "claims:detail (rejected)": r(PARTNERS, "rejected"),
    "claims:edit": r(CLAIMANT, "draft"),
    "claims:edit (submitted)": r(
        (SIGN_IN, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN), "submitted"
    ),
    "claims:submit": r(POST_ONLY, "draft"),
    "claims:withdraw": r(POST_ONLY, "submitted"),
    "claims:decide": r(POST_ONLY, "submitted"),
    "claims:correct": r(
        (SIGN_IN, NOT_FOUND, FORBIDDEN, OK, OK, FORBIDDEN), "verified"
    ),  # the claimant's people propose an adjustment
    "claims:evidence_add": r(CLAIMANT, "draft"),
    "claims:evidence": r(PARTNERS, "submitted", "evidence"),
    "claims:evidence (of the lead's draft)": r(
        (SIGN_IN, NOT_FOUND, NOT_FOUND, OK, OK, OK), "draft", "draft_evidence"
    ),
    "claims:evidence_remove": r(POST_ONLY, "draft", "draft_evidence"),
    # --- dashboards ----------------------------------------------------------------------------
    "dashboard:show": SIGNED_IN,  # the organisation one acts for; admins, every organisation
    "dashboard:show (the lead's)": r(
        (SIGN_IN, NOT_FOUND, NOT_FOUND, OK, OK, OK), query=(("org", "lead"),)
    ),
    "dashboard:csv": SIGNED_IN,
    "dashboard:xlsx": SIGNED_IN,
    "dashboard:at_risk": SIGNED_IN,
    "dashboard:at_risk (the lead's)": r(
        (SIGN_IN, NOT_FOUND, NOT_FOUND, OK, OK, OK), query=(("org", "lead"),)
    ),
    "dashboard:at_risk_csv": SIGNED_IN,
    "dashboard:at_risk_xlsx": SIGNED_IN,
    "dashboard:gaps": SIGNED_IN,
    "dashboard:gaps (the lead's)": r(
        (SIGN_IN, NOT_FOUND, NOT_FOUND, OK, OK, OK), query=(("org", "lead"),)
    ),
    "dashboard:gaps_csv": SIGNED_IN,
    "dashboard:gaps_xlsx": SIGNED_IN,
    "dashboard:recompute": POST_ONLY,
    "dashboard:recompute_status": ADMINS,
    # --- insights: collaboration compared with outsourcing (issue 18) --------------------------
    "insights:index": SIGNED_IN,  # national figures, which name no organisation
    "insights:index (the lead's)": r(
        (SIGN_IN, NOT_FOUND, NOT_FOUND, OK, OK, OK), query=(("org", "lead"),)
    ),
    "insights:csv": SIGNED_IN,
    "insights:csv (the lead's)": r(
        (SIGN_IN, NOT_FOUND, NOT_FOUND, OK, OK, OK), query=(("org", "lead"),)
    ),
    "insights:xlsx": SIGNED_IN,
    # --- finding partners (issue 19): what anyone signed in may see, or the register shows -----
    "partnering:find": SIGNED_IN,
    "partnering:find (the initiative's area)": r(
        SIGNED_IN, query=(("area", "initiative.service_area"),)
    ),
    # Writing to a lead: the published initiative (anyone but its partners, acting for an
    # organisation), and the outsider's own, which no one else may find.
    "partnering:interest": r(
        (SIGN_IN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN), "initiative"
    ),
    "partnering:interest (the outsider's own)": r(
        (SIGN_IN, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN), "elsewhere"
    ),
    # --- the practice library (issue 19): each person sees what they may, the public too -------
    "library:list": PUBLIC,
    "library:download": r(PUBLIC, "public_document"),  # its initiative is on the register
    "library:download (shared)": r((NOT_FOUND, OK, OK, OK, OK, OK), "shared_document"),
    "library:download (private)": r((NOT_FOUND, NOT_FOUND, OK, OK, OK, OK), "private_document"),
    "initiatives:documents": r(PARTNERS, "initiative"),  # the lead's people add and remove
    "initiatives:document_remove": r(LEAD, "initiative", "shared_document"),
    # --- audit sampling (issue 19): auditors draw and record; admins read every sample ----------
    "assurance:list": ADMINS,
    "assurance:new": (SIGN_IN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "assurance:new (the lead's 2025/26 chosen)": r(
        (SIGN_IN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
        query=(("organisation", "lead"), ("financial_year", "sample.financial_year")),
    ),
    "assurance:detail": r(ADMINS, "sample"),
    "assurance:check": r(ADMINS, "sample"),
    "assurance:download": r(ADMINS, "sample"),
    "assurance:outcome": r(
        (SIGN_IN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN), "sample", "sample_row"
    ),
    "users:audit_scope": r(ADMINS, "lead_officer"),
    # --- admins' pages -------------------------------------------------------------------------
    "financial_years": ADMINS,
    "financial_year_lock": r(ADMINS, "open_year"),
    "financial_year_unlock": r(ADMINS, "locked_year"),
    "audit:list": ADMINS,
    "audit:csv": ADMINS,
    "audit:xlsx": ADMINS,
    # --- spreadsheet imports (issue 16) --------------------------------------------------------
    "imports:list": SIGNED_IN,  # one's own imports; admins, everyone's
    # Members import for the organisation they act for: an admin without one has none.
    "imports:new": (SIGN_IN, OK, OK, OK, OK, FORBIDDEN),
    "imports:template": (SIGN_IN, OK, OK, OK, OK, FORBIDDEN),
    # The lead officer's import: theirs alone (not even their manager's), and admins'.
    "imports:detail": r((SIGN_IN, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK), "spreadsheet_import"),
    "imports:detail (refused)": r(
        (SIGN_IN, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK), "refused_import"
    ),
    "imports:start": r(POST_ONLY, "spreadsheet_import"),
    "imports:errors_csv": r(
        (SIGN_IN, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK), "spreadsheet_import"
    ),
    "imports:errors_xlsx": r(
        (SIGN_IN, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK), "spreadsheet_import"
    ),
}

# Answers that are not HTML pages: downloads, probes, a redirecting link. The XSS sweep reads
# every other page that answers OK.
NOT_HTML = {
    "assurance:download",
    "healthz",
    "readyz",
    "metrics",
    "security_txt",
    "partners:csv",
    "users:csv",
    "initiatives:csv",
    "claims:csv",
    "claims:evidence",
    "library:download",
    "dashboard:csv",
    "dashboard:xlsx",
    "dashboard:at_risk_csv",
    "dashboard:gaps_csv",
    "audit:csv",
    # Spreadsheets of every list (issue 16).
    "partners:xlsx",
    "users:xlsx",
    "initiatives:xlsx",
    "initiatives:history_csv",
    "initiatives:history_xlsx",
    "register:csv",
    "register:xlsx",
    "register:data_csv",
    "register:data_xlsx",
    "register:data_json",
    "register:data_csvw",
    "mfa_download_recovery_codes",
    "claims:xlsx",
    "claims:review_csv",
    "claims:review_xlsx",
    "dashboard:at_risk_xlsx",
    "dashboard:gaps_xlsx",
    "insights:csv",
    "insights:xlsx",
    "register:insights_csv",
    "register:insights_xlsx",
    "audit:xlsx",
    "imports:template",
    "imports:errors_csv",
    "imports:errors_xlsx",
}


# The REST API's rows, one module per part of it (tests/security/matrix_api_*.py): its answers
# are JSON, never HTML pages, and an anonymous request is a 401, not a sign-in redirect.
from tests.security import matrix_api  # noqa: E402

TABLE.update(matrix_api.ROWS)
NOT_HTML |= matrix_api.NOT_HTML


# The lead's internal auditor (scene.AUDITOR), a seventh column written only where its answer is
# not the outsider's: an auditor reads what a partner's people read (DESIGN.md §3), audits,
# and does nothing an officer does.
AUDITOR_ANSWERS = {
    # Their audit: the lead's sample, drawn and recorded by them.
    "assurance:list": OK,
    "assurance:new": OK,
    "assurance:new (the lead's 2025/26 chosen)": OK,
    "assurance:detail": OK,
    "assurance:check": OK,
    "assurance:download": OK,
    "assurance:outcome": OK,
    # What the lead's people read: its initiative, its submitted and decided claims with their
    # evidence, its dashboard and insights…
    "initiatives:detail": OK,
    "initiatives:detail (one not meant to save money)": OK,
    "initiatives:partners": OK,
    "initiatives:targets": OK,
    "initiatives:claims": OK,
    "initiatives:history": OK,
    "initiatives:history_csv": OK,
    "initiatives:history_xlsx": OK,
    "initiatives:documents": OK,
    "library:download (private)": OK,
    "claims:detail": OK,
    "claims:detail (returned)": OK,
    "claims:detail (verified)": OK,
    "claims:detail (rejected)": OK,
    "claims:evidence": OK,
    "dashboard:show (the lead's)": OK,
    "dashboard:at_risk (the lead's)": OK,
    "dashboard:gaps (the lead's)": OK,
    "insights:index (the lead's)": OK,
    "insights:csv (the lead's)": OK,
    "api:initiative-detail": OK,
    "api:initiative-partnerships": OK,
    "api:initiative-shares": OK,
    "api:initiative-targets": OK,
    "api:initiative-progress": OK,
    "api:claim-detail": OK,
    "api:claim-evidence-list": OK,
    "api:claim-evidence-detail": OK,
    "api:progress-detail (the lead's)": OK,
    # …but nothing an officer or a manager does there (the outsider, an officer elsewhere, may
    # start an initiative or an import of their own; the auditor may not).
    "initiatives:create": FORBIDDEN,
    "initiatives:edit": FORBIDDEN,
    "initiatives:status": FORBIDDEN,
    "initiatives:publish": FORBIDDEN,
    "initiatives:partner_add": FORBIDDEN,
    "initiatives:claim_create": FORBIDDEN,
    "initiatives:document_remove": FORBIDDEN,
    "claims:edit (submitted)": FORBIDDEN,
    "claims:correct": FORBIDDEN,
    "imports:new": FORBIDDEN,
    "imports:template": FORBIDDEN,
    "partnering:interest": FORBIDDEN,  # writing to a lead is for officers and managers
    # Not the lead's: the outsider's own initiative.
    "initiatives:detail (the outsider's)": NOT_FOUND,
    "partnering:interest (the outsider's own)": NOT_FOUND,
    "initiatives:history_csv (the outsider's)": NOT_FOUND,
    # Auditors sign in with a second factor (the outsider has none to manage).
    "mfa_deactivate_totp": REDIRECT,
    "mfa_reauthenticate": OK,
}


def auditor_answer(key):
    """What the auditor is answered on a row: as written, or the outsider's answer."""
    return AUDITOR_ANSWERS.get(key, row(TABLE[key]).answers[1])


def is_api(name):
    """The REST API's patterns. Django REST framework exempts its views from the middleware's
    CSRF check and makes it itself, for requests authenticated by the session (a token-
    authenticated request carries no cookie a page on another site could ride on):
    tests/api/test_csrf.py sweeps them. Their bodies are JSON, not forms: schemathesis sends
    them what the schema allows and more (tests/api/test_schemathesis.py)."""
    return name.startswith("api:") or name in {"api_schema", "api_docs"}


def name_of(key):
    """The URL name of a row's key: "claims:detail (the lead's draft)" → "claims:detail"."""
    return key.split(" (", 1)[0]


def value_of(scene, path):
    """A scene attribute ("draft", "initiative.reference") as a URL argument: a record's pk."""
    value = scene
    for part in path.split("."):
        value = getattr(value, part)
    return getattr(value, "pk", value)


def url_of(scene, key):
    """The URL a row opens, in this scene."""
    row_ = row(TABLE[key])
    url = reverse(name_of(key), args=[value_of(scene, a) for a in row_.args])
    if row_.query:
        url += "?" + urlencode({name: value_of(scene, a) for name, a in row_.query})
    return url


def known_names():
    return {route.name for route in all_routes()}


def rows_of_known_patterns():
    """The table's keys whose URL names are patterns of the project now."""
    known = known_names()
    return [key for key in TABLE if name_of(key) in known]
