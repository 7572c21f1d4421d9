"""The pages and API lists the benchmark holds to the framework floor: each against a trivial
page requested by the same client (the same person, the same session or token), timed in
alternating pairs, the median of the pairs' ratios. The dashboards, the initiatives list,
insights and finding partners have their own modules; these are the rest a user lists."""

from django.test import Client
from django.urls import reverse

from collaborate.scale.api import api_client
from collaborate.scale.measures import (
    bench_user,
    busiest_area,
    busiest_reviewer_organisation,
    client_for,
    get,
    large_council,
    queries_of,
)
from collaborate.scale.timing import paired
from initiatives.models import Initiative


def _published():
    return (
        Initiative.objects.filter(visibility="public", published_at__isnull=False)
        .order_by("pk")
        .first()
    )


def _pages():
    """{name: (the client, the path)}: the claims a manager's council made, the claims awaiting
    a reviewer, the public register and an entry of it."""
    council = large_council()
    pages = {
        "claims_list": (client_for(bench_user("manager", council)), reverse("claims:list")),
        "claims_review": (
            client_for(bench_user("reviewer", busiest_reviewer_organisation())),
            reverse("claims:review"),
        ),
        "register": (Client(), reverse("register:list")),
    }
    if published := _published():
        pages["register_detail"] = (
            Client(),
            reverse("register:detail", args=[published.reference]),
        )
    return pages


def _api_lists():
    """The API's list endpoints, as the benchmark's admin sees them (every organisation's)."""
    query = f"?status=live&area={busiest_area()}"
    return {
        "api_initiatives": reverse("api:initiative-list") + query,
        "api_claims": reverse("api:claim-list"),
        "api_organisations": reverse("api:organisation-list"),
        "api_register": reverse("api:register-list"),
    }


def floor_figures(repeat, warmup, say):
    """{name}_seconds, {name}_floor_seconds and {name}_ratio for each page and API list."""
    trivial = reverse("accessibility")
    figures = {}

    def measure(name, client, path):
        say(f"{name} against a trivial page")
        seconds, floor, ratio = paired(
            lambda: get(client, path), lambda: get(client, trivial), repeat, warmup
        )
        figures.update(
            {f"{name}_seconds": seconds, f"{name}_floor_seconds": floor, f"{name}_ratio": ratio}
        )

    for name, (client, path) in _pages().items():
        measure(name, client, path)
    with api_client(bench_user("admin")) as client:
        for name, path in _api_lists().items():
            measure(name, client, path)
    return figures


FLOOR_RATIOS = [
    "claims_list_ratio",
    "claims_review_ratio",
    "register_ratio",
    "register_detail_ratio",
    "api_initiatives_ratio",
    "api_claims_ratio",
    "api_organisations_ratio",
    "api_register_ratio",
]


def with_page_queries(figures):
    """`figures` (measures.scale_figures) with the queries of the claims list and the API
    lists among the pages' counts compared between the scales."""
    client, path = _pages()["claims_list"]
    pages = {"claims_list": (client, path)}
    with api_client(bench_user("admin")) as api:
        pages.update({name: (api, path) for name, path in _api_lists().items()})
        for name, (client, path) in pages.items():
            get(client, path)  # warm the session and caches, as the other pages are
            figures["queries"][name] = queries_of(client, path)
    return figures
