"""Collaboration compared with outsourcing: the signed-in page (/insights/: national figures,
or an organisation's own) and its public version built from published initiatives only
(/register/insights/), each with CSV and Excel downloads of the same figures."""

import hashlib

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from collaborate.kit import exports, web
from collaborate.kit.filters import record_id
from initiatives import permissions
from initiatives.insights import selectors
from initiatives.insights.forms import InsightsForm
from initiatives.models import InsightFigure
from initiatives.progress import selectors as progress_selectors
from partners import permissions as partner_permissions
from partners.models import Organisation

TEMPLATE = "insights/index.html"
FIGURES_TEMPLATE = "insights/figures.html"
URLS = {
    False: {"page": "insights:index", "csv": "insights:csv", "xlsx": "insights:xlsx"},
    True: {
        "page": "register:insights",
        "csv": "register:insights_csv",
        "xlsx": "register:insights_xlsx",
    },
}


def _organisation(request, own):
    """The organisation whose own figures `org` asks for (None: national figures); one the
    user may not see is a 404."""
    asked = request.GET.get("org", "")
    if not asked:
        return None
    organisation = next((o for o in own if str(o.pk) == asked), None)
    organisation = organisation or Organisation.objects.filter(pk=record_id(asked)).first()
    if not permissions.can_view_insights_of(request.user, organisation):
        raise Http404
    return organisation


def _choices(request, *, public):
    """What the person asked to see and may see: the filters, whose figures, whether figures
    resting on few initiatives are shown. Reads no figures."""
    own, organisation = [], None
    if not public:
        own = [m.organisation for m in partner_permissions.memberships_for_acting(request)]
        organisation = _organisation(request, own)
        if organisation is not None and organisation not in own:
            own = [*own, organisation]
    form = InsightsForm(request.GET, organisations=own, public=public)
    if organisation is not None:
        whose = organisation.name
    else:
        whose = "Published initiatives" if public else "All organisations"
    query = {k: v for k, v in request.GET.items() if k in form.fields and v}
    return {
        "form": form,
        "filters": form.filters(),
        "whose": whose,
        "organisation": organisation,
        "public": public,
        "reveal_small": not public and permissions.sees_small_insights(request.user),
        "query": urlencode(query),
        "urls": {name: reverse(url) for name, url in URLS[public].items()},
        "suppressed_words": selectors.SUPPRESSED,
    }


def _figures(choices):
    """The figures of `choices`, as the page's tables and the downloads' rows come from."""
    filters, organisation = choices["filters"], choices["organisation"]
    if organisation is not None:
        result = selectors.organisation_figures(organisation=organisation, filters=filters)
    else:
        scope = InsightFigure.Scope.PUBLIC if choices["public"] else InsightFigure.Scope.NATIONAL
        result = selectors.figures(scope=scope, filters=filters)
    tables = selectors.tables(
        result, reveal_small=choices["reveal_small"], public=choices["public"]
    )
    return {"tables": tables, "computed_at": result.computed_at, "nightly": result.nightly}


def _markup(choices):
    """{figures_markup, fields_markup}: the figures' markup (freshness, downloads, charts and
    tables) and the filters' fields as filled in, made once per version of the computed tables
    (the recompute and the nightly figures move it on) and per day, and cached: the figures
    change only when those commit. Only a valid choice is cached, so the cache holds no more
    entries than there are choices (with the organisations the person may choose among, which
    the fields offer); the heading, which names the organisation, is rendered beside it on
    every request."""
    filters, organisation, form = choices["filters"], choices["organisation"], choices["form"]
    key = (
        "collaborate:insights:"
        + hashlib.sha256(
            repr(
                (
                    progress_selectors.version(),
                    timezone.localdate().isoformat(),
                    choices["public"],
                    organisation.pk if organisation else "",
                    choices["reveal_small"],
                    filters,
                    form.fields["org"].choices if "org" in form.fields else (),
                )
            ).encode()
        ).hexdigest()
    )
    cacheable = form.is_valid()
    made = cache.get(key) if cacheable else None
    if made is None:
        made = {
            "figures_markup": render_to_string(FIGURES_TEMPLATE, {**choices, **_figures(choices)}),
            "fields_markup": format_html_join("", "{}", ((f.as_field_group(),) for f in form))
            if cacheable
            else None,
        }
        if cacheable:
            cache.set(key, made, timeout=progress_selectors.FIGURES_TIMEOUT)
    return made


def _page(request, *, public):
    context = _choices(request, public=public)
    context.update(_markup(context))
    if not public and permissions.sees_small_insights(request.user):
        org_q = request.GET.get("org_q", "").strip()[:200]
        context["org_q"] = org_q
        context["organisation_matches"] = progress_selectors.dashboard_organisations_matching(
            user=request.user, text=org_q
        )
    return render(request, web.partial(request, TEMPLATE, "insight-figures"), context)


def _download(request, fmt, *, public):
    context = _choices(request, public=public)
    context.update(_figures(context))
    rows = selectors.download_rows(
        context["tables"], whose=context["whose"], filters=context["filters"]
    )
    stem = "insights-public" if public else "insights"
    if context["organisation"] is not None:
        stem += f"-{context['organisation'].slug}"
    if fmt == "xlsx":
        return exports.xlsx_response(
            f"{stem}.xlsx",
            [("Insights", selectors.DOWNLOAD_COLUMNS, rows)],
            widths={"B": 40, "C": 48, "D": 40},
        )
    return exports.csv_response(f"{stem}.csv", selectors.DOWNLOAD_COLUMNS, rows)


@require_GET
@vary_on_headers("HX-Request")
def index(request):
    return _page(request, public=False)


@require_GET
def download(request, fmt):
    return _download(request, fmt, public=False)


@login_not_required
@require_GET
@vary_on_headers("HX-Request")
def register_insights(request):
    return _page(request, public=True)


@login_not_required
@require_GET
def register_download(request, fmt):
    return _download(request, fmt, public=True)
