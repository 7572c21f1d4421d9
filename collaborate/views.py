"""Site-wide pages: home, health, the accessibility statement and the privacy notice."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from collaborate import health
from initiatives import views as initiative_views
from initiatives.progress import views as progress_views
from initiatives.retention import services as initiative_retention
from partners.services import retention


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


def _service():
    """Who runs this copy of the service and how to reach them (empty when not configured:
    the pages then say so)."""
    return {"owner": settings.SERVICE_OWNER, "contact_email": settings.SERVICE_CONTACT_EMAIL}


@require_GET
@login_not_required
def accessibility(request):
    return render(
        request,
        "pages/accessibility.html",
        {
            **_service(),
            "prepared_on": settings.ACCESSIBILITY_STATEMENT_PREPARED,
            "reviewed_on": settings.ACCESSIBILITY_STATEMENT_REVIEWED,
            "audited_on": settings.ACCESSIBILITY_AUDIT_DATE,
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
        },
    )


@require_GET
@login_not_required
def privacy(request):
    """The privacy notice, its periods read from the retention jobs that keep them."""
    return render(
        request,
        "pages/privacy.html",
        {
            **_service(),
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
            "sign_in_records_days": retention.SIGN_IN_RECORDS_DAYS,
            "unaccepted_invitation_days": retention.UNACCEPTED_INVITATION_DAYS,
            "account_years": retention.ACCOUNT_YEARS,
            "audit_log_years": retention.AUDIT_LOG_YEARS,
            "anonymised_domain": retention.ANONYMISED_DOMAIN,
            "reminders_sent_days": initiative_retention.REMINDERS_SENT_DAYS,
        },
    )


@login_not_required
def server_error(request):
    """The 500 page, rendered with the request so it keeps the site's header and CSP nonce."""
    return render(request, "500.html", status=500)
