"""The savings dashboard (the signed-in home page), the complete lists behind its summaries
(initiatives at risk, gaps), their downloads, and the full recompute an admin starts from it."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from collaborate.kit import exports, web
from initiatives import columns, permissions
from initiatives.assurance import selectors as assurance_selectors
from initiatives.health import selectors as health_selectors
from initiatives.progress import selectors, services
from initiatives.progress.forms import DashboardForm
from partners import permissions as partner_permissions
from partners.models import Organisation

MONEY_FORMAT = "£#,##0.00"


def _scope(request):
    """The organisation and filters this request asks for: an organisation the user may not
    see is a 404, a malformed filter is ignored (the form says so). (None, None) for a user
    with no organisation to show."""
    user = request.user
    organisations = [m.organisation for m in partner_permissions.memberships_for_acting(request)]
    asked = request.GET.get("org", "")
    try:
        organisation = selectors.dashboard_organisation(
            user=user,
            asked=asked,
            organisations=organisations,
            acting=None if asked else partner_permissions.acting_membership(request),
        )
    except Organisation.DoesNotExist:
        raise Http404 from None
    can_see_all = partner_permissions.can_view_all_organisations_dashboard(user)
    if organisation is None and not can_see_all:
        return None, None
    form = DashboardForm.for_dashboard(
        request.GET, organisation=organisation, organisations=organisations, can_see_all=can_see_all
    )
    scope = selectors.Scope(
        organisation=organisation,
        year=form.value("fy"),
        model=form.value("model") or "",
        area=form.value("area") or "",
    )
    return scope, form


def _figures_html(scope):
    return mark_safe(
        selectors.figures_cached(
            scope,
            lambda figures: render_to_string(
                "progress/dashboard.html#dashboard-figures-body", figures
            ),
        )
    )


PICKER = "organisation-matches"  # the id of the results of an admin's organisation picker


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def dashboard(request):
    scope, form = _scope(request)
    if scope is None:
        return render(request, "progress/no_organisation.html")
    can_see_all = partner_permissions.can_view_all_organisations_dashboard(request.user)
    org_q = request.GET.get("org_q", "").strip()[:200] if can_see_all else ""
    picker = {
        "org_q": org_q,
        "organisation_matches": selectors.dashboard_organisations_matching(
            user=request.user, text=org_q
        ),
        "picker_limit": selectors.PICKER_LIMIT,
        "picker_query": scope.query,  # a match's link keeps the filters shown
    }
    if web.is_fragment_request(request) and request.htmx.target == PICKER:
        return render(request, f"progress/dashboard.html#{PICKER}", picker)
    pending = selectors.pending(scope)
    if request.GET.get("poll") and web.is_fragment_request(request) and pending:
        return HttpResponse(status=204)  # still recalculating: nothing to swap yet
    can_recompute = permissions.can_recompute(request.user)
    context = {
        "scope": scope,
        "form": form,
        "form_state": form.markup_state(),
        "figures_html": _figures_html(scope),
        # The share of the verified savings its audit covers that samples audited and confirmed
        # (one query when not cached; an organisation's dashboard only).
        "assurance": assurance_selectors.audited_share_cached(
            organisation=scope.organisation, year=scope.year
        )
        if scope.organisation is not None
        else None,
        "pending": pending,
        "query": urlencode(scope.query),
        "can_see_all": can_see_all,
        **picker,
        "can_recompute": can_recompute,
        "reconcile": selectors.reconcile_status() if can_recompute else None,
        # The organisation's initiatives whose health check needs attention (one query when not
        # cached; not under the filters, and not in the figures' fragment, which leaves the
        # panel be).
        "health": health_selectors.needing_attention_cached(scope.organisation)
        if scope.organisation is not None and not web.is_fragment_request(request)
        else None,
        "health_list": health_selectors.DASHBOARD_LIST,
    }
    template = web.partial(request, "progress/dashboard.html", "dashboard-figures")
    return render(request, template, context)


def _scope_or_404(request):
    """The scope of a page that has nothing to show without one (a list, a download)."""
    scope, form = _scope(request)
    if scope is None:
        raise Http404
    return scope, form


def _list(request, scope, form, page, *, title, name, **context):
    """One of the complete lists behind the dashboard's summaries, a page at a time, under the
    dashboard's filters. Its parts are the partials of progress/lists/<name>.html; an htmx
    request gets the results, with the title and the heading that go with them."""
    return render(
        request,
        web.partial(request, "progress/dashboard_list.html", "results"),
        {
            "scope": scope,
            "form": form,
            "form_state": form.markup_state(),
            "query": urlencode(scope.query),
            "page": page,
            "list_title": title,
            "parts": f"progress/lists/{name}.html",
            "action": reverse(f"dashboard:{name}"),
            "csv_url": reverse(f"dashboard:{name}_csv"),
            "xlsx_url": reverse(f"dashboard:{name}_xlsx"),
            **context,
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def at_risk(request):
    scope, form = _scope_or_404(request)
    page = web.page_of(request, selectors.at_risk(scope))
    return _list(request, scope, form, page, title="Initiatives at risk", name="at_risk")


@require_GET
@vary_on_headers("HX-Request")
def gaps(request):
    scope, form = _scope_or_404(request)
    page = web.page_of(request, selectors.without_targets(scope))
    counts = selectors.without_targets_counts(scope)
    return _list(
        request,
        scope,
        form,
        page,
        title="Gaps: live initiatives without targets",
        name="gaps",
        counts=counts,
        gap_rows=[i for i in page if not i.expects_later],
        later_rows=[i for i in page if i.expects_later],
        # The page on which the initiatives expecting savings later begin.
        later_page=counts["gaps"] // web.PAGE_SIZE + 1,
    )


def _download_stem(scope, what="savings"):
    who = "all-organisations" if scope.organisation is None else scope.organisation.slug
    year = f"-{scope.year}" if scope.year else ""
    return f"{what}-{who}{year}"


def _download_name(scope, suffix):
    return f"{_download_stem(scope)}.{suffix}"


@require_GET
def dashboard_csv(request):
    scope, _ = _scope_or_404(request)
    tables = selectors.download_tables(scope)
    rows = ([title, *row] for title, _, table in tables for row in table)
    header = ["Table", "Row", *selectors.DOWNLOAD_COLUMNS]
    return exports.csv_response(_download_name(scope, "csv"), header, rows)


@require_GET
def dashboard_xlsx(request):
    scope, _ = _scope_or_404(request)
    sheets = [
        (title, [first_column, *selectors.DOWNLOAD_COLUMNS], table)
        for title, first_column, table in selectors.download_tables(scope)
    ]
    # Money in every column but the first (labels) and the last (a percentage).
    money = dict.fromkeys(range(1, len(selectors.DOWNLOAD_COLUMNS)), MONEY_FORMAT)
    return exports.xlsx_response(
        _download_name(scope, "xlsx"), sheets, number_formats=money, widths={"A": 48}
    )


@require_GET
def at_risk_download(request, fmt):
    scope, _ = _scope_or_404(request)
    rows = selectors.at_risk(scope).iterator(chunk_size=2000)
    return exports.download(
        fmt, _download_stem(scope, "at-risk"), columns.AT_RISK, rows, title="At risk"
    )


@require_GET
def gaps_download(request, fmt):
    scope, _ = _scope_or_404(request)
    rows = selectors.without_targets(scope).iterator(chunk_size=2000)
    return exports.download(fmt, _download_stem(scope, "gaps"), columns.GAPS, rows, title="Gaps")


@require_POST
def recompute(request):
    """An admin starts a full recompute; the dashboard shows its progress."""
    if services.progress_recompute_all_start(actor=request.user, ip_address=web.client_ip(request)):
        messages.success(request, "A full recompute of every figure has started.")
    return redirect(web.safe_next(request, "dashboard:show"))


@require_GET
def recompute_status(request):
    partner_permissions.require(permissions.can_recompute(request.user))
    return render(
        request,
        "progress/dashboard.html#reconcile",
        {"reconcile": selectors.reconcile_status(), "can_recompute": True},
    )
