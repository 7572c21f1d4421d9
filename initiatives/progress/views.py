"""The savings dashboard (the signed-in home page), its downloads, and the full recompute an
admin starts from it."""

import io

from celery.result import AsyncResult
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from openpyxl import Workbook
from openpyxl.styles import Font

from collaborate.kit import exports
from collaborate.kit.web import is_fragment_request
from initiatives import financial_years
from initiatives.models import Initiative
from initiatives.progress import charts, selectors, services, tasks
from initiatives.progress.forms import ALL, DashboardForm
from partners import permissions as partner_permissions
from partners.models import Organisation

RECONCILE_TASK_KEY = "collaborate:progress:reconcile-task"
MODELS = dict(Initiative.CollaborationModel.choices)
AREAS = dict(Initiative.ServiceArea.choices)


def _scope(request):
    """The organisation and filters this request asks for, checked against what the user may
    see: an organisation they may not see is a 404, a malformed filter is ignored."""
    user = request.user
    admin = partner_permissions.is_admin(user)
    memberships = partner_permissions.memberships_for_acting(request)
    organisations = [m.organisation for m in memberships]
    asked = request.GET.get("org", "")
    if asked == ALL:
        if not partner_permissions.can_view_all_organisations_dashboard(user):
            raise Http404
        organisation = None
    elif asked:
        # One of the user's own organisations is already loaded (the usual case).
        organisation = next((o for o in organisations if str(o.pk) == asked), None)
        organisation = organisation or (
            Organisation.objects.filter(pk=asked if asked.isdigit() else None).first()
        )
        if organisation is None or not partner_permissions.can_view_organisation_dashboard(
            user, organisation
        ):
            raise Http404
    else:
        acting = partner_permissions.acting_membership(request)
        organisation = acting.organisation if acting else None
        if organisation is None and not admin:
            return None, None
    if organisation is not None and organisation not in organisations:
        organisations.append(organisation)
    form = DashboardForm(
        {**request.GET.dict(), "org": asked or (str(organisation.pk) if organisation else ALL)},
        organisations=organisations,
        can_see_all=admin,
    )
    scope = selectors.Scope(
        organisation=organisation,
        year=form.value("fy"),
        model=form.value("model") or "",
        area=form.value("area") or "",
    )
    scope.query = {
        k: v
        for k, v in {
            "org": ALL if organisation is None else organisation.pk,
            "fy": scope.year,
            "model": scope.model,
            "area": scope.area,
        }.items()
        if v not in (None, "")
    }
    return scope, form


def _tables(scope):
    years = selectors.breakdown(scope, "financial_year")
    models = selectors.breakdown(scope, "collaboration_model")
    areas = selectors.breakdown(scope, "service_area")
    for row in years:
        row["label"] = financial_years.label(row["financial_year"])
    for row in models:
        row["label"] = MODELS.get(row["collaboration_model"], row["collaboration_model"])
    for row in areas:
        row["label"] = AREAS.get(row["service_area"], row["service_area"])
    return {"years": years, "models": models, "areas": areas}


def _charts(tables):
    series = [("target", "Target"), ("verified", "Verified")]

    def rows(table):
        return [
            (row["label"], {"target": row["target"], "verified": row["verified"]}) for row in table
        ]

    return {
        "years": charts.horizontal_bars(
            "Target and verified savings by financial year", rows(tables["years"]), series
        ),
        "models": charts.horizontal_bars(
            "Target and verified savings by collaboration model", rows(tables["models"]), series
        ),
        "areas": charts.horizontal_bars(
            "Target and verified savings by service area", rows(tables["areas"]), series
        ),
    }


def _reconcile_status():
    task_id = cache.get(RECONCILE_TASK_KEY)
    if not task_id:
        return None
    result = AsyncResult(task_id)
    info = result.info if isinstance(result.info, dict) else {}
    state = result.state
    done, total = info.get("done", 0), info.get("total", 0)
    if state == "SUCCESS":
        done = total = result.result or 0
    return {
        "state": state,
        "done": done,
        "total": total,
        "finished": state in ("SUCCESS", "FAILURE"),
    }


def figures_html(scope):
    """The figures of one dashboard, rendered once per version of the progress tables (and
    per day: target to date moves on) and cached, since they change only when a recompute
    commits."""
    filters = urlencode(sorted(scope.query.items()))
    key = f"collaborate:dashboard:{services.version()}:{timezone.localdate().isoformat()}:{filters}"
    html = cache.get(key)
    if html is None:
        tables = _tables(scope)
        html = render_to_string(
            "progress/dashboard.html#dashboard-figures-body",
            {
                "scope": scope,
                "headline": selectors.headline(scope),
                "tables": tables,
                "charts": _charts(tables),
                "at_risk": selectors.at_risk(scope),
                "gaps": selectors.gaps(scope),
                "query": urlencode(scope.query),
            },
        )
        cache.set(key, html, timeout=60 * 60)
    return mark_safe(html)


@require_GET
@vary_on_headers("HX-Request")
def dashboard(request):
    scope, form = _scope(request)
    if scope is None:
        return render(request, "progress/no_organisation.html")
    pending = selectors.pending(scope)
    if request.GET.get("poll") and is_fragment_request(request) and pending:
        return HttpResponse(status=204)  # still recalculating: nothing to swap yet
    context = {
        "scope": scope,
        "form": form,
        "form_state": form.markup_state(),
        "figures_html": figures_html(scope),
        "pending": pending,
        "query": urlencode(scope.query),
        "is_admin": partner_permissions.is_admin(request.user),
        "reconcile": _reconcile_status() if partner_permissions.is_admin(request.user) else None,
    }
    template = "progress/dashboard.html"
    if is_fragment_request(request):
        template += "#dashboard-figures"
    return render(request, template, context)


def _download_rows(scope):
    headline = selectors.headline(scope)
    tables = _tables(scope)
    columns = [
        "Target",
        "Target to date",
        "Claimed",
        "Verified",
        "Verified cash-releasing",
        "Verified non-cash-releasing",
        "Verified as % of target to date",
    ]

    def measures(row):
        return [
            row["target"],
            row["to_date"],
            row["claimed"],
            row["verified"],
            row["verified_cash"],
            row["verified_non_cash"],
            row["percent"],
        ]

    sheets = [("Headline", "All", [["All", *measures(headline)]])]
    for title, key in (
        ("By financial year", "years"),
        ("By collaboration model", "models"),
        ("By service area", "areas"),
    ):
        sheets.append(
            (
                title,
                title.removeprefix("By ").capitalize(),
                [[r["label"], *measures(r)] for r in tables[key]],
            )
        )
    return columns, sheets


def _download_name(scope, suffix):
    who = "all-organisations" if scope.organisation is None else scope.organisation.slug
    year = f"-{scope.year}" if scope.year else ""
    return f"savings-{who}{year}.{suffix}"


@require_GET
def dashboard_csv(request):
    scope, _ = _scope(request)
    if scope is None:
        raise Http404
    columns, sheets = _download_rows(scope)
    rows = ([title, *row] for title, _, table in sheets for row in table)
    return exports.csv_response(_download_name(scope, "csv"), ["Table", "Row", *columns], rows)


@require_GET
def dashboard_xlsx(request):
    scope, _ = _scope(request)
    if scope is None:
        raise Http404
    columns, sheets = _download_rows(scope)
    book = Workbook()
    book.remove(book.active)
    for title, first_column, table in sheets:
        sheet = book.create_sheet(title)
        sheet.append([first_column, *columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table:
            sheet.append([exports.spreadsheet_safe(value) for value in row])
        for row in sheet.iter_rows(min_row=2, min_col=2, max_col=len(columns)):
            for cell in row:
                cell.number_format = "£#,##0.00"
        sheet.column_dimensions["A"].width = 48
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_download_name(scope, "xlsx")}"'
    return response


@require_POST
def recompute(request):
    """An admin starts a full recompute; the dashboard shows its progress."""
    if not partner_permissions.is_admin(request.user):
        raise PermissionDenied
    status = _reconcile_status()
    if status is None or status["finished"]:
        result = tasks.progress_reconcile.delay()
        cache.set(RECONCILE_TASK_KEY, result.id, timeout=60 * 60 * 6)
        messages.success(request, "A full recompute of every figure has started.")
    return redirect(request.POST.get("next") or "dashboard:show")


@require_GET
def recompute_status(request):
    if not partner_permissions.is_admin(request.user):
        raise PermissionDenied
    return render(
        request,
        "progress/dashboard.html#reconcile",
        {"reconcile": _reconcile_status(), "is_admin": True},
    )
