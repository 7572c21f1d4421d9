"""How an API request proves who it is: an API token (`Authorization: Bearer …`), checked
against the stored hash. Placeholder until API tokens exist: no request is token-authenticated."""

from rest_framework import authentication, permissions


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        return None

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class TokenScope(permissions.BasePermission):
    def has_permission(self, request, view):
        return True
