"""The insights' figures for the benchmark: /insights/ against the framework floor (a trivial
page, the same person, alternating pairs), and the queries of /insights/ and of an initiative's
health section, added to the page query counts compared between the two scales."""

from django.urls import reverse

from collaborate.scale.measures import (
    bench_user,
    client_for,
    get,
    large_council,
    queries_of,
    typical_initiative,
)
from collaborate.scale.timing import paired
from initiatives.insights import services as insights


def insights_figures(repeat, warmup, say):
    """/insights/ ÷ a trivial page, as a manager of the council in the most initiatives (so the
    page shows national figures and the council's own)."""
    say("Insights against a trivial page")
    insights.insights_recompute()  # what the nightly job leaves
    client = client_for(bench_user("manager", large_council()))
    page, trivial = reverse("insights:index"), reverse("accessibility")
    seconds, trivial_seconds, ratio = paired(
        lambda: get(client, page), lambda: get(client, trivial), repeat, warmup
    )
    return {
        "insights_seconds": seconds,
        "insights_trivial_seconds": trivial_seconds,
        "insights_ratio": ratio,
    }


def with_insights_queries(figures):
    """`figures` (measures.scale_figures) with the queries of /insights/ (the manager) and of a
    typical initiative's health section (the admin, who may read every initiative's)."""
    insights.insights_recompute()
    manager = client_for(bench_user("manager", large_council()))
    admin = client_for(bench_user("admin"))
    health = reverse("initiatives:health", args=[typical_initiative().pk])
    for name, client, path in (
        ("insights", manager, reverse("insights:index")),
        ("health_section", admin, health),
    ):
        get(client, path)  # warm the session and caches, as the other pages are
        figures["queries"][name] = queries_of(client, path)
    return figures
