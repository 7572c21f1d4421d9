"""What every endpoint of the REST API (/api/v1/) does the same way, so the API says no as the
pages do: a service's ValidationError is a 400 with the message at its field, a lost update
(collaborate.kit.edits.EditConflict) a 409 with what is stored now, a refusal (PermissionDenied)
a 403, and what the person may not see a 404, because every view reads through the same
permission querysets as the pages.

Endpoints are Django REST framework views; the rules stay in the permission modules and the
writes in the services. Nothing here knows a model of either app."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import URLPattern, URLResolver
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from collaborate.kit import edits, web

CONFLICT = 409


def messages_of(error):
    """A Django ValidationError as the API's error body: {"field": ["message"], ...}, with a
    message about no one field under "non_field_errors" (DRF's own name for it)."""
    if hasattr(error, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): [
                str(message) for message in messages
            ]
            for field, messages in error.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: list(error.messages)}


def exception_handler(error, context):
    """DRF's handler, plus the services' ValidationError as a 400 (DRF knows only its own)."""
    if isinstance(error, edits.EditConflict):
        # A view that can show the stored record answers with conflict_response instead.
        return Response({"detail": error.messages[0]}, status=CONFLICT)
    if isinstance(error, DjangoValidationError):
        return Response(messages_of(error), status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(error, context)


def conflict_response(conflict, current):
    """409: the record changed since the client read it (its `version` is older). The body is
    the record as stored now, beside the message, so the client can merge and try again."""
    return Response({"detail": conflict.messages[0], "current": current}, status=CONFLICT)


class VersionField(serializers.IntegerField):
    """The `version` a client read: required on every change, so a write based on an older
    read is refused with 409 instead of silently undoing someone else's change."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault(
            "help_text",
            "The version read with the record. A change made on an older version is refused "
            "with 409 and the record as stored now.",
        )
        super().__init__(**kwargs)


class CursorPagination(pagination.CursorPagination):
    """Large lists a page at a time by a cursor: constant cost at any depth, stable while rows
    are added. Each list sets `ordering` to a unique, indexed order."""

    page_size = web.PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-pk"
    invalid_cursor_message = (
        "This cursor is not one a page of this list gave: start again without it."
    )

    def decode_cursor(self, request):
        # A cursor nobody gave is bad input (400, at the parameter), not a missing page.
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as error:
            detail = {self.cursor_query_param: [str(error.detail)]}
            raise exceptions.ValidationError(detail) from error


def public(patterns):
    """The API's URL patterns with the site's sign-in redirect turned off: DRF authenticates
    each request itself (a token or the session) and answers 401/403, never a redirect to the
    sign-in page. Nested includes are marked too."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            public(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            pattern.callback = login_not_required(pattern.callback)
    return patterns
