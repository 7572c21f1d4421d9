"""Site-wide pages: home, health, the accessibility statement and the privacy notice."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from collaborate import health
from initiatives import views as initiative_views
from initiatives.progress import views as progress_views


@require_GET
@login_not_required
def home(request):
    """Signed in: the dashboard of the organisation the user acts for. Otherwise: the public
    register."""
    if request.user.is_authenticated:
        return progress_views.dashboard(request)
    return initiative_views.register_list(request)


@require_GET
@login_not_required
@never_cache
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@require_GET
@login_not_required
@never_cache
def readyz(request):
    ready, checks = health.readiness()
    return JsonResponse(
        {"status": "ok" if ready else "failing", "checks": checks}, status=200 if ready else 503
    )


@require_GET
@login_not_required
def accessibility(request):
    return render(request, "pages/accessibility.html")


@require_GET
@login_not_required
def privacy(request):
    return render(request, "pages/privacy.html")


@login_not_required
def server_error(request):
    """The 500 page, rendered with the request so it keeps the site's header and CSP nonce."""
    return render(request, "500.html", status=500)
