"""Whether the signed-in person must set up a second factor before anything else, asked on every
request (partners.mfa.middleware) without a query: what decides it (whether their role needs a
factor, whether they have one) is kept in their session from sign-in and asked again every few
minutes, or at once on their next request when something about it changes (a factor added or
removed, an admin's reset, a membership), which leaves a mark in the cache."""

import time

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.core.cache import cache

from partners import permissions

STATE = "collaborate_second_factor"
# How long a session trusts what it keeps: a role given without a mark (an admin flag set in the
# Django admin) takes effect within it.
REFRESH_SECONDS = 5 * 60


def _mark_key(user_id):
    return f"collaborate:second-factor-changed:{user_id}"


def changed(user_id):
    """Something that decides it changed for this person: each session of theirs asks again."""
    cache.set(_mark_key(user_id), time.time(), timeout=settings.SESSION_COOKIE_AGE)


def refresh(request, user):
    """Ask the database (at sign-in, or when the session's answer is old or marked changed)."""
    required = permissions.second_factor_required(user)
    has_factor = is_mfa_enabled(user)
    request.session[STATE] = {"required": required, "has": has_factor, "at": time.time()}
    return required, has_factor


def state(request):
    """(whether the signed-in person's role needs a second factor, whether they have one)."""
    kept = request.session.get(STATE)
    if kept and time.time() - kept["at"] < REFRESH_SECONDS:
        mark = cache.get(_mark_key(request.user.pk))
        if mark is None or mark < kept["at"]:
            return kept["required"], kept["has"]
    return refresh(request, request.user)


def enrolment_needed(request):
    """Whether the signed-in person must enrol a second factor before anything else: their role
    needs one (permissions.second_factor_required), they have none, and they did not sign in
    through a provider that enforces its own. Answered from the session."""
    if request.session.get(permissions.SSO_MFA_SESSION_KEY):
        return False
    required, has_factor = state(request)
    return required and not has_factor
