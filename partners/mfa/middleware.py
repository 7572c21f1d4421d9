"""Enrolment before anything else: a signed-in person whose role needs a second factor and who
has none (partners.mfa.enrolment.enrolment_needed) is sent to set one up from every
page but the second-factor pages themselves, re-authentication, signing out, the health checks
and the pages that need no sign-in. An htmx request is told to go there with HX-Redirect.

It also refuses, before allauth's view, to remove the last security key of a person who must
keep a factor (allauth's own check covers only the authenticator app)."""

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from partners import permissions
from partners.mfa import adapter, enrolment

# The pages a person who must enrol may still open (by URL name), beside every `mfa_` page.
ALLOWED = frozenset({"logout", "account_logout", "account_reauthenticate", "healthz", "readyz"})
ENROLMENT = "mfa_activate_totp"
# Set on the request for the second-factor pages, whose layout then says why they are there.
NEEDED = "second_factor_enrolment_needed"


def _is_second_factor_page(match):
    return match is not None and match.view_name.startswith("mfa_")


def _allowed(match, view_func):
    """The pages above, and those anyone may open signed out, but home: signed in, that is the
    dashboard."""
    if match is None:
        return False
    if match.view_name in ALLOWED:
        return True
    return match.view_name != "home" and not getattr(view_func, "login_required", True)


class SecondFactorEnrolmentMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if _is_second_factor_page(match):
            setattr(request, NEEDED, enrolment.enrolment_needed(request))
            if match.view_name == "mfa_remove_webauthn":
                return _refuse_last_key(request, view_kwargs.get("pk"))
            return None
        if _allowed(match, view_func) or not enrolment.enrolment_needed(request):
            return None
        url = reverse(ENROLMENT)
        if request.headers.get("HX-Request") == "true":
            return HttpResponseClientRedirect(url)
        return redirect(url)


def _refuse_last_key(request, pk):
    key = Authenticator.objects.filter(
        user_id=request.user.pk, type=Authenticator.Type.WEBAUTHN, pk=pk
    ).first()
    if key is None or permissions.can_remove_second_factor(request.user, key):
        return None
    messages.error(request, adapter.LAST_FACTOR)
    return redirect("mfa_list_webauthn")
