"""Context every page shares: who the user acts for and the service navigation."""

from django.urls import reverse

from partners import permissions as partner_permissions


def site(request):
    fragment = bool(
        getattr(request, "htmx", False)
        and not request.htmx.boosted
        and not request.htmx.history_restore_request
    )
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"site_navigation": [], "acting_for": None, "fragment": fragment}
    match = getattr(request, "resolver_match", None)
    section = (match.app_name or match.url_name) if match else ""
    items = [
        ("home", "Home", reverse("home")),
        ("partners", "Partners", reverse("partners:list")),
    ]
    return {
        "fragment": fragment,
        "acting_for": partner_permissions.acting_membership(request),
        "site_navigation": [
            {"label": label, "url": url, "current": key == section} for key, label, url in items
        ],
    }
