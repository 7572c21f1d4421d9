"""Finding partners for the benchmark: /find-partners/ in the busiest service area against the
framework floor (a trivial page, the same person, alternating pairs), and its queries, added to
the page query counts compared between the two scales."""

from django.urls import reverse

from collaborate.scale.measures import (
    bench_user,
    busiest_area,
    client_for,
    get,
    large_council,
    queries_of,
)
from collaborate.scale.timing import paired


def _path():
    return reverse("partnering:find") + f"?area={busiest_area()}"


def partnering_figures(repeat, warmup, say):
    """Finding partners ÷ a trivial page, as a manager of the council in the most initiatives
    (which has a place, so results are ranked by distance)."""
    say("Finding partners against a trivial page")
    client = client_for(bench_user("manager", large_council()))
    page, trivial = _path(), reverse("accessibility")
    seconds, trivial_seconds, ratio = paired(
        lambda: get(client, page), lambda: get(client, trivial), repeat, warmup
    )
    return {
        "find_partners_seconds": seconds,
        "find_partners_trivial_seconds": trivial_seconds,
        "find_partners_ratio": ratio,
    }


def with_partnering_queries(figures):
    """`figures` (measures.scale_figures) with the queries of finding partners."""
    client = client_for(bench_user("manager", large_council()))
    get(client, _path())  # warm the session and caches, as the other pages are
    figures["queries"]["find_partners"] = queries_of(client, _path())
    return figures
