"""How an API request proves who it is: an API token (`Authorization: Bearer <secret>`),
checked against the stored hash (partners.models.ApiToken). Anything else is left to the next
authentication (the session). A token-authenticated request needs no CSRF token: the secret is
not something a browser sends by itself."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from collaborate.kit import throttles, web
from partners.models import ApiToken
from partners.services import tokens

KEYWORD = "bearer"


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        # The first authentication class: every API request is counted for its address here,
        # with a token, a session or neither.
        throttles.count_address(request)
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid Authorization header: send 'Bearer <token>'.")
            )
        try:
            secret = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = (
            ApiToken.objects.select_related("user")
            .filter(secret_hash=tokens.secret_hash(secret))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.is_revoked:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."))
        if token.is_expired:
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This token's account is deactivated."))
        tokens.token_used(token=token, ip_address=web.client_ip(request))
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class TokenScope(permissions.BasePermission):
    """A read-only token may only read (GET, HEAD, OPTIONS)."""

    message = "This token is read-only."

    def has_permission(self, request, view):
        token = request.auth
        if isinstance(token, ApiToken) and not token.writable:
            return request.method in permissions.SAFE_METHODS
        return True


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """The schema's description of API tokens (drf-spectacular finds it by the class)."""

    target_class = "partners.api.authentication.TokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token made at /accounts/tokens/: `Authorization: Bearer <token>`.",
        }
