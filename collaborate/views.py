"""Site-wide pages: home, health, security.txt, the accessibility statement and the privacy
notice."""

import hmac
import sys
from datetime import timedelta

import prometheus_client
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from collaborate import health, observability
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
    """Whether this node should take traffic: to anyone, its status alone; its checks only to a
    request bearing READYZ_TOKEN (never decided by address: behind a proxy, every request
    comes from the proxy)."""
    ready, checks = health.readiness()
    body = {"status": "ok" if ready else "failing"}
    if _bears_readyz_token(request):
        body["checks"] = checks
    return JsonResponse(body, status=200 if ready else 503)


@require_GET
@login_not_required
@never_cache
def metrics(request):
    """Prometheus metrics, to a scraper sending READYZ_TOKEN as a bearer token; to anyone
    else nothing says they exist."""
    if not _bears_readyz_token(request):
        raise Http404("Not found.")
    return HttpResponse(
        prometheus_client.generate_latest(observability.registry()),
        content_type=prometheus_client.CONTENT_TYPE_LATEST,
    )


def _bears_readyz_token(request):
    token = settings.READYZ_TOKEN
    scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
    return (
        bool(token)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(offered.strip().encode(), token.encode())
    )


# RFC 9116 recommends an Expires less than a year ahead; unset, the file is always this fresh.
SECURITY_TXT_DAYS = 180


@require_GET
@login_not_required
def security_txt(request):
    """/.well-known/security.txt (RFC 9116), from settings; a 404 while no contact is set."""
    contact = settings.SECURITY_CONTACT
    if not contact:
        raise Http404("No security contact is configured (SECURITY_CONTACT).")
    if "@" in contact and not contact.startswith(("mailto:", "https://")):
        contact = f"mailto:{contact}"
    expires = settings.SECURITY_TXT_EXPIRES or (
        timezone.localdate() + timedelta(days=SECURITY_TXT_DAYS)
    )
    fields = [
        ("Contact", contact),
        ("Expires", f"{expires.isoformat()}T00:00:00Z"),
        ("Preferred-Languages", "en"),
        ("Canonical", settings.SITE_URL + reverse("security_txt")),
    ]
    if settings.SECURITY_POLICY_URL:
        fields.append(("Policy", settings.SECURITY_POLICY_URL))
    text = "".join(f"{name}: {value}\n" for name, value in fields)
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


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
            "audit_log_period": retention.audit_log_period(),
            "anonymised_domain": retention.ANONYMISED_DOMAIN,
            "reminders_sent_days": initiative_retention.REMINDERS_SENT_DAYS,
        },
    )


# Signs that the database is out of reach (stopped, restarting, refusing connections): what
# was asked for may be asked again in a moment, so the answer is 503, not a fault of ours.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


@login_not_required
def server_error(request):
    """The 500 page, rendered with the request so it keeps the site's header and CSP nonce.
    The database out of reach answers the 503 page instead, as to someone signed out: their
    session, name and messages are in the database it cannot read."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        request.user = AnonymousUser()
        context = {"messages": (), "acting_for": None, "site_navigation": []}
        response = render(request, "503.html", context, status=503)
        response["Retry-After"] = "30"
        return response
    return render(request, "500.html", status=500)
