"""Signing in through the pages in tests that are not about second factors: the code step for a
person who has an authenticator app (tests.factories.TOTP_SECRET)."""

from allauth.mfa.models import Authenticator
from django.core.cache import cache

from tests import factories

CODE_STEP = "/accounts/2fa/authenticate/"


def code_step(client, response, email, secret=factories.TOTP_SECRET, **extra):
    """After the password step's `response`: when it asks for a second factor, give the app's
    code (with the same request `extra`, such as REMOTE_ADDR) and answer with that response."""
    if response.status_code != 302 or response["Location"] != CODE_STEP:
        return response
    totp = Authenticator.objects.get(user__email=email, type=Authenticator.Type.TOTP)
    code = factories.totp_code(secret)
    # A code works once; a person would wait for the app's next one. Tests do not wait 30
    # seconds: the earlier use is forgotten instead.
    cache.delete(f"allauth.mfa.totp.used?user={totp.user_id}&code={code}")
    return client.post(CODE_STEP, {"code": code}, **extra)
