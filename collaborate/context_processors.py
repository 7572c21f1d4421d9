"""Context every page shares: who the user acts for and the service navigation."""

from django.conf import settings
from django.urls import reverse

from partners import permissions as partner_permissions


def site(request):
    fragment = bool(
        getattr(request, "htmx", False)
        and not request.htmx.boosted
        and not request.htmx.history_restore_request
    )
    link_days = settings.PASSWORD_RESET_TIMEOUT // 86400
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "site_navigation": [],
            "acting_for": None,
            "fragment": fragment,
            "link_days": link_days,
        }
    match = getattr(request, "resolver_match", None)
    section = (match.app_name or match.url_name) if match else ""
    items = [
        ("home", "Home", reverse("home")),
        ("initiatives", "Initiatives", reverse("initiatives:list")),
        ("partners", "Partners", reverse("partners:list")),
    ]
    if partner_permissions.can_view_users(user):
        items.append(("users", "Users", reverse("users:list")))
    items.append(("register", "Public register", reverse("register:list")))
    return {
        "fragment": fragment,
        "link_days": link_days,
        "acting_for": partner_permissions.acting_membership(request),
        "acting_memberships": partner_permissions.memberships_for_acting(request),
        "site_navigation": [
            {"label": label, "url": url, "current": key == section} for key, label, url in items
        ],
    }
