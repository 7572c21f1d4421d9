"""What the benchmark measures of the open dataset (issue 17): the register's CSV of every
published initiative streams in constant memory, whatever the number of initiatives."""

import gc
import tracemalloc

from django.conf import settings
from django.db import transaction
from django.test import RequestFactory

from initiatives.models import Initiative
from initiatives.opendata import selectors, views

# Initiatives read at a time while measuring: small, so that a tenth of the national register
# spans several chunks too, and the two runs differ only in how many chunks they read.
CHUNK = 50


def _csv_peak():
    """Peak memory (Python's allocations, traced) of streaming the CSV, with a collection after
    every chunk: what is measured is what the download keeps alive, not garbage that the
    collector (or Python's free lists) has not given back yet, whose size depends on when the
    collector happens to run."""
    host = settings.ALLOWED_HOSTS[0].lstrip(".").replace("*", "localhost")
    request = RequestFactory().get("/register/data/register.csv", HTTP_HOST=host)
    gc.collect()
    tracemalloc.start()
    try:
        response = views.data_download(request, fmt="csv")
        # Read to the end but not closed: closing signals the request's end, and Django then
        # closes the database connection, inside the transaction the tenth is measured in.
        for line, _ in enumerate(response.streaming_content):
            if line % CHUNK == 0:
                gc.collect()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def register_csv_memory_figures(*, say):
    """Peak memory (Python's allocations, traced) of the register's CSV of every published
    initiative ÷ of a tenth of them (the others unpublished in a transaction rolled back)."""
    published = Initiative.objects.filter(
        visibility=Initiative.Visibility.PUBLIC, published_at__isnull=False
    )
    rows = published.count()
    say(f"  the register's CSV of {rows:,} published initiatives, then {rows // 10:,}")
    chunk, selectors.CHUNK = selectors.CHUNK, CHUNK
    try:
        _csv_peak()  # a warm-up: what a first run loads once is not counted
        large = _csv_peak()
        with transaction.atomic():
            tenth = list(published.order_by("pk").values_list("pk", flat=True)[: rows // 10])
            published.exclude(pk__in=tenth).update(published_at=None)
            small = _csv_peak()
            transaction.set_rollback(True)
    finally:
        selectors.CHUNK = chunk
    return {
        "register_csv_rows": rows,
        "register_csv_memory_kb": {"large": large // 1024, "small": small // 1024},
        "register_csv_memory_ratio": large / small,
    }
