"""Pages of spreadsheet imports: a user's imports, the upload, the report (polled while a job
runs), the choice to import, the rows with errors to download and fix, and the template."""

import tempfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from collaborate.kit import exports, uploads, web
from initiatives import permissions
from initiatives.imports import selectors, services, sheets, template
from initiatives.imports.forms import UploadForm
from initiatives.models import ImportProblem, SpreadsheetImport
from partners import permissions as partner_permissions
from partners.permissions import require

TEMPLATE_NAME = "collaborate-import-template.xlsx"


def _visible_import(request, pk):
    """The import if this user may open its report (their own; admins, anyone's); 404."""
    return get_object_or_404(selectors.imports_for_page(user=request.user), pk=pk)


@require_GET
@vary_on_headers("HX-Request")
def import_list(request):
    page = web.page_of(request, selectors.imports_for_page(user=request.user))
    return render(
        request,
        web.partial(request, "imports/import_list.html", "results"),
        {"page": page, "can_import": permissions.can_import_any(request.user)},
    )


@require_http_methods(["GET", "POST"])
@uploads.accepts(uploads.IMPORT)
def import_new(request):
    """Upload a file for the organisation the user acts for; the report then says what
    checking it found."""
    acting = partner_permissions.acting_membership(request)
    organisation = acting.organisation if acting else None
    require(
        permissions.can_import(request.user, organisation),
        "You need to be a member of an organisation to import a spreadsheet.",
    )
    posted = request.method == "POST"
    form = UploadForm(request.POST, request.FILES) if posted else UploadForm()
    if posted and form.is_valid():
        try:
            spreadsheet_import = services.import_upload(
                actor=request.user, organisation=organisation, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            web.apply_validation_error(form, error)
        else:
            return redirect(spreadsheet_import)
    return web.render_form(
        request,
        "imports/import_new.html",
        {
            "organisation": organisation,
            "can_switch": len(partner_permissions.memberships_for_acting(request)) > 1,
        },
        form,
    )


def _report_context(request, spreadsheet_import, start_errors=()):
    imp = spreadsheet_import
    Status = SpreadsheetImport.Status
    context = {
        "imp": imp,
        "start_errors": list(start_errors),
        "can_start": permissions.can_start_import(request.user, imp),
        "can_import": permissions.can_import_any(request.user),
        "retention_days": settings.IMPORT_FILE_RETENTION_DAYS,
        "results_shown": RESULTS_SHOWN,
    }
    if imp.status == Status.CHECKED:
        shown, more = _problems(imp, ImportProblem.When.CHECKING)
        context |= {
            "problems": shown,
            "more_problems": more,
            "sheet_counts": _sheet_counts(imp),
            "total_counts": [imp.count(kind) for kind in KINDS],
            "invalid": imp.count("invalid"),
            "valid": imp.count("new") + imp.count("changed"),
            "has_errors": bool(imp.count("invalid")),
        }
    elif imp.status == Status.IMPORTED:
        skipped, more = _problems(imp, ImportProblem.When.IMPORTING)
        results = imp.results
        created, updated = results.get("created", []), results.get("updated", [])
        context |= {
            "skipped": skipped,
            "more_skipped": more,
            # Rows, by what importing did with each; links to the initiatives it created and
            # (when the engine lists them) updated, the first RESULTS_SHOWN of each.
            "outcomes": {
                kind: results.get(f"{kind}_count", 0)
                for kind in ("created", "updated", "unchanged", "skipped")
            },
            "created": created[:RESULTS_SHOWN],
            "updated": updated[:RESULTS_SHOWN],
            "has_errors": bool(skipped),
        }
    if imp.status in (Status.CHECKED, Status.IMPORTED) and not imp.file_deleted_at:
        context["error_sheets"] = _error_sheets(imp)
    return context


RESULTS_SHOWN = 500  # records created or updated linked from the report


def _problems(spreadsheet_import, when):
    """The first PROBLEMS_SHOWN problems, and how many more there are."""
    problems = selectors.problems_of(spreadsheet_import, when=when)
    shown = list(problems[: selectors.PROBLEMS_SHOWN])
    if len(shown) < selectors.PROBLEMS_SHOWN:
        return shown, 0
    return shown, problems.count() - len(shown)


KINDS = ("new", "changed", "unchanged", "invalid")


def _sheet_counts(spreadsheet_import):
    """(sheet name, [new, changed, unchanged, invalid]) for each sheet the file had, in the
    template's order."""
    return [
        (name, [spreadsheet_import.count(kind, name) for kind in KINDS])
        for name in sheets.BY_NAME
        if name in spreadsheet_import.counts
    ]


def _error_sheets(spreadsheet_import):
    """The sheets that have rows with errors (or rows skipped), in the template's order."""
    present = set(
        selectors.error_rows(spreadsheet_import)
        .order_by()
        .values_list("sheet", flat=True)
        .distinct()
    )
    return [name for name in sheets.BY_NAME if name in present]


@require_GET
@vary_on_headers("HX-Request")
def import_detail(request, pk):
    spreadsheet_import = _visible_import(request, pk)
    return render(
        request,
        web.partial(request, "imports/import_detail.html", "import-report"),
        _report_context(request, spreadsheet_import),
    )


@require_POST
def import_start(request, pk):
    """Import all the rows, or only those without errors: the report then shows the job's
    progress; a refusal is shown on the report."""
    spreadsheet_import = _visible_import(request, pk)
    try:
        services.import_start(
            actor=request.user,
            spreadsheet_import=spreadsheet_import,
            mode=request.POST.get("mode", ""),
        )
    except ValidationError as error:
        spreadsheet_import.refresh_from_db()
        return render(
            request,
            "imports/import_detail.html",
            _report_context(request, spreadsheet_import, start_errors=error.messages),
            status=422,
        )
    return redirect(spreadsheet_import)


def _error_columns(name):
    """The sheet's columns as an import reads them, each cell as the file had it, then what
    is wrong with the row."""
    read = [
        exports.Column(column.header, lambda row, header=column.header: row.cells.get(header))
        for column in sheets.read_columns(name)
    ]
    return [*read, exports.Column(sheets.ERRORS, lambda row: row.errors, width=60)]


def _rows_with_messages(spreadsheet_import, name):
    """The sheet's rows with errors, each carrying `errors`: its problems in one cell."""
    messages = {}
    problems = spreadsheet_import.problems.filter(sheet=name).order_by("when", "pk")
    for number, column, message in problems.values_list("row", "column", "message"):
        messages.setdefault(number, []).append(f"{column}: {message}" if column else message)
    for row in selectors.error_rows(spreadsheet_import).filter(sheet=name).iterator(1000):
        row.errors = "; ".join(messages.get(row.number, ()))
        yield row


@require_GET
def import_errors(request, pk, fmt):
    """The rows with errors as the file had them, and an Errors column, to fix and upload
    again: as a workbook with a sheet per kind, or one kind (`?sheet=`) as CSV."""
    spreadsheet_import = _visible_import(request, pk)
    if spreadsheet_import.file_deleted_at:
        raise Http404("The rows of this import were deleted with its file.")
    names = _error_sheets(spreadsheet_import) or [sheets.INITIATIVES]
    if fmt == "csv":
        wanted = request.GET.get("sheet", names[0])
        if wanted not in names:
            raise Http404("This import has no rows with errors in that sheet.")
        names = [wanted]
    stem = f"import-{spreadsheet_import.pk}-rows-with-errors"
    if fmt == "csv" and wanted != sheets.INITIATIVES:
        stem += f"-{wanted.lower()}"
    first, *others = names
    return exports.download(
        fmt,
        stem,
        _error_columns(first),
        _rows_with_messages(spreadsheet_import, first),
        title=first,
        sheets=[
            (name, _error_columns(name), _rows_with_messages(spreadsheet_import, name))
            for name in others
        ],
    )


@require_GET
def import_template(request):
    """The workbook to fill in: a sheet per kind of row, with guidance and an example."""
    require(
        permissions.can_import_any(request.user),
        "You need to be a member of an organisation to import a spreadsheet.",
    )
    file = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once sent)
    template.template_write(file)
    file.seek(0)
    return FileResponse(
        file, as_attachment=True, filename=TEMPLATE_NAME, content_type=exports.XLSX_TYPE
    )
