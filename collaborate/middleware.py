"""Headers every response carries: answers to a signed-in person and downloads are private and
never stored by a browser or a proxy; a Permissions-Policy denies the powerful browser features
no page of ours uses (settings.PERMISSIONS_POLICY). Pages for anonymous visitors keep whatever
caching their views chose."""

from django.conf import settings

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
