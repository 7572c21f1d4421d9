"""The API's throttles: per token (or per person, for a browser session) and per client
address. Apart from collaborate.kit.api because Django REST framework imports the classes its
settings name while rest_framework.views is still loading."""

from rest_framework import exceptions, throttling
from rest_framework.settings import api_settings

from collaborate.kit import web


class _Throttle(throttling.SimpleRateThrottle):
    def get_rate(self):
        # Read at each request, not once at import, so that settings can change it.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class AddressRateThrottle(_Throttle):
    """Requests per client address (the address as the site reads it behind its proxy), for
    everyone, signed in or not: `DEFAULT_THROTTLE_RATES["address"]`."""

    scope = "address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": web.client_ip(request)}


def count_address(request):
    """Count the request against its address's rate, before anything else is done with it, and
    refuse it (429) past the rate. Called by the first of the authentication classes: Django
    REST framework checks throttles after authentication and permissions, so a request with a
    guessed token, or with none to an endpoint that needs one, would be answered 401 without
    being counted, and guessing tokens would be free."""
    throttle = AddressRateThrottle()
    if not throttle.allow_request(request, None):
        raise exceptions.Throttled(throttle.wait())


class TokenRateThrottle(_Throttle):
    """Requests per API token (`request.auth` is the token for a token-authenticated request),
    or per person for a browser session: `DEFAULT_THROTTLE_RATES["token"]`."""

    scope = "token"

    def get_cache_key(self, request, view):
        token_pk = getattr(request.auth, "pk", None)
        if token_pk is not None:
            return self.cache_format % {"scope": self.scope, "ident": f"token-{token_pk}"}
        if request.user and request.user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": f"user-{request.user.pk}"}
        return None
