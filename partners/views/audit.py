"""/audit/: the audit log, for admins: who did what, when, from where, for which organisation,
filtered and a page at a time, and downloaded as CSV (a download the log itself records)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from collaborate.kit import exports, web
from partners import columns, filters, permissions, selectors
from partners.models import AuditEvent
from partners.services import audit, retention

TEMPLATE = "partners/audit_log.html"


def _filterset(request):
    permissions.require(permissions.can_read_audit_log(request.user))
    return filters.AuditEventFilterSet(
        request.GET, queryset=selectors.audit_events(user=request.user)
    )


def _page(request, filterset):
    """The list page, or its results for htmx; 422 when a filter was not understood (htmx
    swaps it; the error summary says which, and the list shows the other filters' results)."""
    page = web.page_of(request, filterset.qs)
    page.object_list = [(event, detail_lines(event.detail)) for event in page.object_list]
    return render(
        request,
        web.partial(request, TEMPLATE, "results"),
        {
            "filterset": filterset,
            "form": filterset.form,
            "page": page,
            "retention_period": f"after {retention.audit_log_period()}",
        },
        status=422 if filterset.errors else 200,
    )


def detail_lines(detail):
    """An event's detail as a person reads it, a line a key, in alphabetical order (the
    database keeps no order): ["email: a@b.gov.uk", "role: officer"]."""
    lines = []
    for key, value in sorted(detail.items()):
        if isinstance(value, dict):
            value = ", ".join(f"{k} = {v}" for k, v in value.items()) or "none"
        lines.append(f"{key.replace('_', ' ')}: {value}")
    return lines


@require_GET
@vary_on_headers("HX-Request")
def event_list(request):
    return _page(request, _filterset(request))


@require_GET
def event_download(request, fmt):
    """Every event the filters select, streamed; the download is itself an event."""
    filterset = _filterset(request)
    if filterset.errors:
        return _page(request, filterset)
    audit.export_record(
        actor=request.user,
        export=f"audit-events.{fmt}",
        query=request.GET,
        ip_address=web.client_ip(request),
        action=AuditEvent.Action.AUDIT_LOG_EXPORTED,
    )
    rows = filterset.qs.iterator(chunk_size=2000)
    return exports.download(fmt, "audit-events", columns.AUDIT_EVENTS, rows, title="Audit log")
