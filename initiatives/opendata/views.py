"""The open dataset's page and downloads, for anyone (no sign-in). Every download answers a
conditional request: its ETag and Last-Modified come from one cheap query over what the
dataset shows (selectors.state), and a client holding the current copy gets 304 Not Modified
without the rows being read."""

import json
from urllib.parse import quote

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_GET, require_safe

from collaborate.kit import exports
from initiatives.opendata import dataset, selectors

MAX_AGE = 300  # seconds a shared cache may serve a copy before asking again (conditionally)
CSVW_TYPE = "application/csvm+json"


def _state(request):
    """The dataset's state, read once per request (the ETag and Last-Modified both need it)."""
    if not hasattr(request, "_open_data_state"):
        request._open_data_state = selectors.state()
    return request._open_data_state


def _etag(request, fmt):
    # Weak: the same data, though not the same bytes each time (a workbook dates itself).
    return f'W/"{_state(request).etag}-{fmt}"'


def _last_modified(request, fmt):
    return _state(request).since


def _url_of(request):
    base = request.build_absolute_uri(reverse("register:list"))
    return lambda reference: f"{base}{quote(reference)}/"


def _fields(request):
    return dataset.fields(selectors.financial_years(), _url_of(request))


def _json_lines(request):
    """The JSON, streamed: the metadata, then the initiatives one by one."""
    state, url_of = _state(request), _url_of(request)
    head = dataset.metadata(
        generated_at=timezone.now(), modified=state.last_modified, count=state.count
    )
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "initiatives": ['
    separator = "\n"
    for entry in selectors.entries():
        yield separator + json.dumps(dataset.json_object(entry, url_of), ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


def _csv(request):
    fields = _fields(request)
    response = exports.csv_response(
        "register.csv",
        [f.name for f in fields],
        ([dataset.csv_value(f, entry) for f in fields] for entry in selectors.entries()),
    )
    metadata_url = reverse("register:data_csvw")
    response["Link"] = f'<{metadata_url}>; rel="describedby"; type="{CSVW_TYPE}"'
    return response


def _csvw(request):
    return JsonResponse(
        dataset.csvw(
            csv_url=request.build_absolute_uri(reverse("register:data_csv")),
            dataset_fields=_fields(request),
            modified=_state(request).last_modified,
        ),
        content_type=CSVW_TYPE,
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


def _response(request, fmt):
    if fmt == "csv":
        return _csv(request)
    if fmt == "xlsx":
        columns = dataset.xlsx_columns(_fields(request))
        return exports.download("xlsx", "register", columns, selectors.entries(), title="Register")
    if fmt == "json":
        response = StreamingHttpResponse(
            _json_lines(request), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = 'inline; filename="register.json"'
        return response
    return _csvw(request)


@require_safe  # HEAD too: a harvester may ask only for the ETag and Last-Modified
@login_not_required
@condition(etag_func=_etag, last_modified_func=_last_modified)
@cache_control(public=True, max_age=MAX_AGE)
def data_download(request, fmt):
    """The dataset as CSV, XLSX or JSON, or the CSVW metadata describing the CSV."""
    return _response(request, fmt)


@require_GET
@login_not_required
def data_page(request):
    """What the dataset is, each column with its type and meaning, the licence, how to cite it,
    and the downloads."""
    state = _state(request)
    years = selectors.financial_years()
    return render(
        request,
        "initiatives/opendata/data.html",
        {
            "dataset": dataset,
            "fields": dataset.fields(years, _url_of(request)),
            "state": state,
            "register_url": request.build_absolute_uri(reverse("register:list")),
            "page_url": request.build_absolute_uri(reverse("register:data")),
        },
    )
