"""Context every page shares: who the user acts for and the service navigation."""

from django.conf import settings
from django.urls import reverse

from collaborate.kit import web
from initiatives import permissions as initiative_permissions
from partners import permissions as partner_permissions


def _navigation(user, view_name):
    """(label, url, current) for the pages this user may open, the open one marked."""
    items = [
        ("Home", "home", ("home", "dashboard:")),
        ("Initiatives", "initiatives:list", ("initiatives:",)),
        ("Claims", "claims:list", ("claims:", "!claims:review")),
    ]
    if initiative_permissions.can_review_claims(user):
        items.append(("Review claims", "claims:review", ("claims:review",)))
    if initiative_permissions.can_import_any(user):
        items.append(("Imports", "imports:list", ("imports:",)))
    items.append(("Insights", "insights:index", ("insights:",)))
    items.append(("Partners", "partners:list", ("partners:",)))
    items.append(("Find partners", "partnering:find", ("partnering:",)))
    items.append(("Practice library", "library:list", ("library:",)))
    if partner_permissions.can_view_users(user):
        items.append(("Users", "users:list", ("users:",)))
    if partner_permissions.can_lock_financial_years(user):
        years = ("financial_years", "financial_year_lock", "financial_year_unlock")
        items.append(("Financial years", "financial_years", years))
    if initiative_permissions.can_view_assurance(user):
        items.append(("Assurance", "assurance:list", ("assurance:",)))
    if partner_permissions.can_read_audit_log(user):
        items.append(("Audit log", "audit:list", ("audit:",)))
    items.append(("Public register", "register:list", ("register:",)))
    return [
        {"label": label, "url": reverse(name), "current": _matches(view_name, patterns)}
        for label, name, patterns in items
    ]


def _matches(view_name, patterns):
    """A view name matches 'name', or a namespace 'app:', unless a '!name' excludes it."""
    if any(p.startswith("!") and view_name == p[1:] for p in patterns):
        return False
    return any(
        view_name == p or (p.endswith(":") and view_name.startswith(p))
        for p in patterns
        if not p.startswith("!")
    )


def site(request):
    context = {
        # Pages rendered outside the middleware (some error pages) have no `request.htmx`.
        "fragment": bool(getattr(request, "htmx", None) and web.is_fragment_request(request)),
        "link_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
        "site_navigation": [],
        "acting_for": None,
    }
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    return {
        **context,
        "acting_for": partner_permissions.acting_membership(request),
        "acting_memberships": partner_permissions.memberships_for_acting(request),
        "site_navigation": _navigation(user, view_name),
    }
