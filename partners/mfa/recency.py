"""Whether the signed-in person proved who they are recently enough for a sensitive step
(making an API token): with their second factor where they have one (or a single sign-on whose
provider vouched for one), otherwise any sign-in or re-authentication, within RECENT."""

import time
from urllib.parse import urlencode

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.urls import reverse

from partners import permissions

RECENT = 15 * 60  # seconds


def _latest(records, methods):
    times = [r.get("at") or 0 for r in records if methods is None or r.get("method") in methods]
    return max(times, default=0)


def recently_verified(request, *, within=RECENT):
    """True when the person's last proof of the kind their account needs is within `within`
    seconds."""
    records = get_authentication_records(request, request.user)
    since = time.time() - within
    if is_mfa_enabled(request.user):
        latest = _latest(records, {"mfa"})
        if request.session.get(permissions.SSO_MFA_SESSION_KEY):
            latest = max(latest, _latest(records, {"socialaccount"}))
        return latest >= since
    return _latest(records, None) >= since


def reauthentication_url(request, next_url):
    """Where to prove it again, coming back to `next_url`."""
    name = "mfa_reauthenticate" if is_mfa_enabled(request.user) else "account_reauthenticate"
    return f"{reverse(name)}?{urlencode({'next': next_url})}"
