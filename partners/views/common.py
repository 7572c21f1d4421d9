"""What every page of the app does the same way: fragments for htmx, forms answering 422."""

from django.shortcuts import render


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
