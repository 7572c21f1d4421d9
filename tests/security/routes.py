"""Every URL pattern of the project, read from the URL resolver, so that the sweeps cannot miss
a page that a later change adds: its name, its route and the view that answers it."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Not ours to guard: the Django admin (staff only, read-only for domain data, tested in
# tests/collaborate/test_admin.py) and the files served beside the app in development.
OUTSIDE = ("admin/", "static/", "media/")


@dataclass(frozen=True)
class Route:
    name: str  # namespaced: "initiatives:detail"
    route: str  # "initiatives/<int:pk>/"
    view: object

    @property
    def methods(self):
        """The HTTP methods the view says it accepts (require_http_methods and its kin), or
        None when it does not say (a class-based view, which answers what it defines)."""
        allowed = getattr(self.view, "allowed_methods", None)
        return set(allowed) if allowed else None


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(OUTSIDE):
            continue
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            yield from _walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {route}>"
            yield Route(name=name, route=route, view=pattern.callback)


def all_routes():
    """Every pattern of the project, the admin and static files aside, in resolver order."""
    return list(_walk(get_resolver().url_patterns))
