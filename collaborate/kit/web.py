"""What every page does the same way: fragments for htmx, forms answering 422, a service's
refusal shown on its form or in a message, lists a page at a time."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render

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


def client_ip(request):
    """The address a request came from, as the audit log records it."""
    return request.META.get("REMOTE_ADDR") or None
