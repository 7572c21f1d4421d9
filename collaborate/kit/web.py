"""What every page does the same way: fragments for htmx, forms answering 422, a service's
refusal shown on its form or in a message, lists a page at a time."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from ipware import get_client_ip

PAGE_SIZE = 25  # rows on every list page


def is_fragment_request(request):
    """An htmx request for part of a page: not a boosted navigation, not a history restore
    (both need the whole page)."""
    return bool(
        request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request
    )


def partial(request, template, name):
    """The named partial of a page template for an htmx request, otherwise the whole page."""
    return f"{template}#{name}" if is_fragment_request(request) else template


def render_form(request, template, context, form, status=None):
    """A form page; 422 when the form has errors, so that htmx swaps it and it counts as a 4xx."""
    if status is None:
        status = 422 if form.errors else 200
    return render(request, template, {**context, "form": form}, status=status)


def render_conflict(request, template, context, form):
    """A form showing the values stored now after a lost update: 409 (htmx swaps it)."""
    return render(request, template, {**context, "form": form}, status=409)


def apply_validation_error(form, error):
    """Show a service's refusal on the form: at its field when it names one, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def perform(request, service, done, **arguments):
    """A button's action: call `service` as the signed-in user and tell them `done`, or the
    service's refusal when it refuses. The caller redirects either way."""
    try:
        service(actor=request.user, **arguments)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)


def page_of(request, items, size=PAGE_SIZE):
    """The page of `items` that the `page` query parameter asks for (the last for one too big,
    the first for nonsense)."""
    return Paginator(items, size).get_page(request.GET.get("page"))


def safe_next(request, fallback):
    """Where the POSTed `next` asks to go, when it is a page of this site (checked as sign-in
    checks it); `fallback` (a URL or a URL name) otherwise."""
    wanted = request.POST.get("next", "")
    # A path of this site only: redirect() would take anything else ("0") for a URL name.
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, {request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return fallback


def client_ip(request):
    """The address a request came from, as throttling and the audit log see it (django-ipware):
    behind PROXY_COUNT trusted proxies, the one the nearest of them appended to X-Forwarded-For
    (counted from the right, so a client cannot choose it); otherwise REMOTE_ADDR. ipware counts
    only the proxies listed in the header, which the nearest one is not."""
    if settings.PROXY_COUNT:
        address, _routable = get_client_ip(
            request,
            proxy_order="left-most",
            proxy_count=settings.PROXY_COUNT - 1,
            strict=False,
            request_header_order=["HTTP_X_FORWARDED_FOR"],
        )
        if address is not None:
            return str(address)
    return request.META.get("REMOTE_ADDR") or None


def attachment(file, filename, content_type):
    """A stored upload (evidence, a library document) as a download, never shown inline: the
    browser saves it under `filename` and does not guess another type from its bytes."""
    response = FileResponse(file, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
