"""Headers every response carries: answers to a signed-in person and downloads are private and
never stored by a browser or a proxy; a Permissions-Policy denies the powerful browser features
no page of ours uses (settings.PERMISSIONS_POLICY). Pages for anonymous visitors keep whatever
caching their views chose. And the idle timeout: a person who has done nothing for
SESSION_IDLE_TIMEOUT seconds is signed out."""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django_htmx.http import HttpResponseClientRedirect

from collaborate.kit import web
from partners.models import AuditEvent
from partners.services import audit

PRIVATE = "private, no-store"


def is_download(response):
    return response.get("Content-Disposition", "").lower().startswith("attachment")


class ResponseHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or is_download(response):
            response["Cache-Control"] = PRIVATE
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = ", ".join(
                f"{feature}=()" for feature in settings.PERMISSIONS_POLICY
            )
        return response


LAST_ACTIVITY = "last_activity"
# The elements that poll by themselves (hx-trigger="every …", by their id, which htmx sends as
# HX-Trigger): a page left open polling is not a person doing something, so that an open tab
# still times out. tests/collaborate/test_idle_timeout.py checks that every polling element of
# every template is listed here.
POLLING_ELEMENTS = frozenset({"reconcile", "freshness", "import-report", "progress-panel"})
# The time of the last activity is written at most this often (seconds), not at every request.
ACTIVITY_GRANULARITY = 60


@receiver(user_logged_in, dispatch_uid="collaborate.middleware.activity_at_sign_in")
def activity_at_sign_in(sender, request, **kwargs):
    """Signing in is activity: recorded with the new session, which sign-in saves anyway, so
    the first pages after it write nothing more."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY] = int(time.time())


def is_poll(request):
    return request.headers.get("HX-Request") == "true" and (
        request.headers.get("HX-Trigger") in POLLING_ELEMENTS
    )


class IdleTimeoutMiddleware:
    """Sign out a person whose last request of their own (polls aside) is more than
    SESSION_IDLE_TIMEOUT seconds old, and send them to sign in again, coming back to the page
    they asked for; SESSION_COOKIE_AGE still limits a session however active it is."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
                return self.signed_out(request)
            if not is_poll(request) and (last is None or now - last >= ACTIVITY_GRANULARITY):
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)

    def signed_out(self, request):
        minutes = max(1, settings.SESSION_IDLE_TIMEOUT // 60)
        audit.audit_record(
            action=AuditEvent.Action.SIGNED_OUT_IDLE,
            actor=request.user,
            ip_address=web.client_ip(request),
            detail={"idle_minutes": minutes},
        )
        logout(request)
        messages.info(
            request,
            f"You were signed out because you did nothing for {minutes} "
            f"minute{'s' if minutes != 1 else ''}. Sign in again to carry on.",
        )
        if request.headers.get("HX-Request") == "true":
            # The page the fragment belongs to, not the fragment's own URL.
            back = _path_of(request.headers.get("HX-Current-URL", ""))
            return HttpResponseClientRedirect(redirect_to_login(back).url)
        # A form sent after the timeout is not acted on: back to the page it was sent from.
        if request.method == "GET":
            back = request.get_full_path()
        else:
            back = _path_of(request.headers.get("Referer", ""))
        return redirect_to_login(back)


def _path_of(url):
    """The path and query of a URL (sign-in checks `next` is one of ours before following it)."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
