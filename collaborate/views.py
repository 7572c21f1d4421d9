"""Site-wide pages: home, health, the accessibility statement and the privacy notice."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from collaborate import health


@require_GET
def home(request):
    return render(request, "home.html")


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
