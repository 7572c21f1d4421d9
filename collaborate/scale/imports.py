"""What the benchmark measures of spreadsheet imports (issue 16): an import against the same
services called directly for the same rows, the memory of checking a large file against a
small one, a round trip of the initiatives download, and the memory of a large download.

Each import is made inside a transaction that is rolled back, so the benchmark's database is
left as it was; the services called directly are too, so both sides pay the same."""

import gc
import io
import statistics
import time
import tracemalloc
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import RequestFactory
from openpyxl import Workbook

from collaborate.kit import exports
from initiatives import services as initiative_services
from initiatives.imports import services
from initiatives.models import ImportRow, Initiative, SpreadsheetImport

INITIATIVE_HEADERS = ["Your reference", "Title", "Collaboration model", "Service area"]
INITIATIVE_HEADERS += ["Start date", "Planned end date"]
TARGET_HEADERS = ["Reference", "Financial year", "Target (£)"]
TARGET_YEARS = (2025, 2026, 2027)


class _RolledBack(Exception):
    pass


@contextmanager
def rolled_back():
    try:
        with transaction.atomic():
            yield
            raise _RolledBack
    except _RolledBack:
        pass


def _file(initiatives, targets_each):
    """An import of `initiatives` new initiatives with `targets_each` targets each."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Initiatives")
    sheet.append(INITIATIVE_HEADERS)
    for n in range(initiatives):
        sheet.append(
            [f"BENCH-{n}", f"Benchmark initiative {n}", "Shared service", "Legal",
             date(2025, 4, 1), date(2028, 3, 31)]
        )  # fmt: skip
    sheet = book.create_sheet("Targets")
    sheet.append(TARGET_HEADERS)
    for n in range(initiatives):
        for index in range(targets_each):
            year = 2025 + index
            sheet.append([f"BENCH-{n}", f"{year}/{(year + 1) % 100:02d}", 1000 + n])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(user, organisation, content, name="bench.xlsx"):
    """An uploaded file, as import_upload keeps it, without queueing its check (the benchmark
    runs the jobs' bodies itself: with no broker, Celery would run them at once)."""
    spreadsheet_import = SpreadsheetImport(
        uploaded_by=user, organisation=organisation, original_name=name, size=len(content)
    )
    spreadsheet_import.file.save(name, SimpleUploadedFile(name, content), save=False)
    spreadsheet_import.save()
    return spreadsheet_import


def _discard(spreadsheet_import):
    spreadsheet_import.file.delete(save=False)
    SpreadsheetImport.objects.filter(pk=spreadsheet_import.pk).delete()


def _direct(user, organisation, initiatives):
    """What the import does, by calling the services directly: one transaction per initiative
    creating it and setting its targets."""
    for n in range(initiatives):
        with transaction.atomic():
            initiative = initiative_services.initiative_create(
                actor=user,
                lead=organisation,
                external_reference=f"BENCH-{n}",
                title=f"Benchmark initiative {n}",
                collaboration_model="shared_service",
                service_area="legal",
                start_date=date(2025, 4, 1),
                planned_end_date=date(2028, 3, 31),
            )
            initiative_services.targets_set(
                actor=user,
                initiative=initiative,
                targets={year: Decimal(1000 + n) for year in TARGET_YEARS},
            )


def _timed(function):
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def import_figures(user, organisation, *, initiatives, repeat, say):
    """Import ÷ services, and check ÷ services, as medians of `repeat` pairs."""
    content = _file(initiatives, len(TARGET_YEARS))
    writes, checks, directs = [], [], []
    for _ in range(repeat):
        say(f"  importing {initiatives:,} initiatives with {len(TARGET_YEARS)} targets each")
        spreadsheet_import = _upload(user, organisation, content)
        try:
            checks.append(
                _timed(lambda imp=spreadsheet_import: services.import_check(import_id=imp.pk))
            )
            spreadsheet_import.refresh_from_db()
            assert spreadsheet_import.count("new") == initiatives * 4, spreadsheet_import.counts
            SpreadsheetImport.objects.filter(pk=spreadsheet_import.pk).update(
                status=SpreadsheetImport.Status.IMPORTING, mode=SpreadsheetImport.Mode.ALL
            )  # what import_start does, without queueing the job
            with rolled_back():
                writes.append(
                    _timed(lambda imp=spreadsheet_import: services.import_write(import_id=imp.pk))
                )
                assert Initiative.objects.filter(external_reference="BENCH-0").exists()
        finally:
            _discard(spreadsheet_import)
        with rolled_back():
            directs.append(_timed(lambda: _direct(user, organisation, initiatives)))
    write, check, direct = (statistics.median(s) for s in (writes, checks, directs))
    return {
        "import_initiatives": initiatives,
        "import_seconds": write,
        "import_check_seconds": check,
        "import_direct_seconds": direct,
        "import_ratio": write / direct,
        "import_check_ratio": check / direct,
    }


def _peak_of(function):
    gc.collect()  # what earlier measurements left for the collector is not this one's
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _checked_peak(user, organisation, initiatives, targets_each):
    spreadsheet_import = _upload(user, organisation, _file(initiatives, targets_each))
    try:
        return _peak_of(lambda: services.import_check(import_id=spreadsheet_import.pk))
    finally:
        _discard(spreadsheet_import)


def check_memory_figures(user, organisation, *, rows, say):
    """Peak memory (Python's allocations, traced) of checking `rows` rows ÷ a tenth of them:
    a tenth of the rows are initiatives, the rest their targets (nine each)."""
    say(f"  checking {rows:,} rows, then {rows // 10:,}")
    _checked_peak(user, organisation, rows // 100, 9)  # a warm-up: modules, caches
    large = _checked_peak(user, organisation, rows // 10, 9)
    small = _checked_peak(user, organisation, rows // 100, 9)
    return {
        "check_memory_rows": rows,
        "check_memory_kb": {"large": large // 1024, "small": small // 1024},
        "check_memory_ratio": large / small,
    }


def round_trip_figures(user, organisation, say):
    """The initiatives download of everything `user` may see, uploaded again: what checking
    it reports (every row unchanged, none new, changed or invalid)."""
    from initiatives import views

    say("  downloading every initiative, then checking the download as an import")
    request = RequestFactory().get("/initiatives/initiatives.xlsx", secure=True)
    request.user = user
    request.session = {}
    response = views.initiative_download(request, fmt="xlsx")
    content = b"".join(response.streaming_content)
    spreadsheet_import = _upload(user, organisation, content, name="initiatives.xlsx")
    try:
        services.import_check(import_id=spreadsheet_import.pk)
        spreadsheet_import.refresh_from_db()
        total = spreadsheet_import.counts.get("total", {})
        invalid = list(
            spreadsheet_import.problems.values_list("sheet", "row", "column", "message")[:5]
        )
        return {
            "round_trip_rows": ImportRow.objects.filter(
                spreadsheet_import=spreadsheet_import
            ).count(),
            "round_trip_counts": total,
            "round_trip_changes": total.get("new", 0)
            + total.get("changed", 0)
            + total.get("invalid", 0),
            "round_trip_problems": invalid,
        }
    finally:
        _discard(spreadsheet_import)


def _download_peak(rows):
    columns = [exports.Column(f"Column {n}", lambda row, n=n: row[n]) for n in range(6)]
    row = ["INI-2026-0001", "A title of some length", Decimal("1234.56"), date(2025, 4, 1)]
    row += ["Leeds City Council", "Live"]

    def write():
        response = exports.download("xlsx", "bench", columns, (row for _ in range(rows)))
        for _ in response.streaming_content:
            pass
        response.close()

    return _peak_of(write)


def download_memory_figures(*, rows, say):
    """Peak memory of writing a workbook of `rows` rows ÷ a tenth of them."""
    say(f"  writing a workbook of {rows:,} rows, then {rows // 10:,}")
    large, small = _download_peak(rows), _download_peak(rows // 10)
    return {
        "download_memory_rows": rows,
        "download_memory_kb": {"large": large // 1024, "small": small // 1024},
        "download_memory_ratio": large / small,
    }
