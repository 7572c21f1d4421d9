"""The API's figures for the benchmark: the initiatives list through the API (a read-only token
in the Authorization header, as a client sends it) against the same list as a page (the same
person's session, the same filters), timed in alternating pairs; and the API list's queries,
added to the page query counts compared between the two scales."""

import datetime
from contextlib import contextmanager

from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from collaborate.scale.measures import bench_user, busiest_area, client_for, get, queries_of
from collaborate.scale.timing import paired
from partners.services import tokens

QUERIES_NAME = "api_initiatives_list"


@contextmanager
def api_client(user):
    """A client that sends `user`'s new read-only token, revoked afterwards. The throttles still
    run on every request (they are part of what an API request costs) but with a rate the
    benchmark's repeats cannot reach, so that none is answered 429."""
    token, secret = tokens.token_create(
        actor=user,
        name="benchmark",
        writable=False,
        expires_on=timezone.localdate() + datetime.timedelta(days=1),
    )
    unlimited = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "1000000/minute", "address": "1000000/minute"},
    }
    try:
        with override_settings(REST_FRAMEWORK=unlimited):
            yield Client(headers={"Authorization": f"Bearer {secret}"})
    finally:
        tokens.token_revoke(actor=user, token=token)


def paths(area):
    """The API list and the page, with the same filters (those of the benchmark's list ratio)."""
    query = f"?status=live&area={area}"
    return reverse("api:initiative-list") + query, reverse("initiatives:list") + query


def api_figures(repeat, warmup, say):
    """API initiatives list ÷ HTML initiatives list, same person (the benchmark's admin), same
    filters, alternating pairs, median of the pairs' ratios."""
    say("API initiatives list against the initiatives page")
    admin = bench_user("admin")
    ours, page = paths(busiest_area())
    page_client = client_for(admin)
    with api_client(admin) as client:
        seconds, page_seconds, ratio = paired(
            lambda: get(client, ours), lambda: get(page_client, page), repeat, warmup
        )
    return {
        "api_list_seconds": seconds,
        "api_page_list_seconds": page_seconds,
        "api_list_ratio": ratio,
    }


def with_api_queries(figures):
    """`figures` (measures.scale_figures) with the API list's query count among the pages'."""
    admin = bench_user("admin")
    ours, _ = paths(busiest_area())
    with api_client(admin) as client:
        get(client, ours)  # warm the caches, as the pages are
        figures["queries"][QUERIES_NAME] = queries_of(client, ours)
    return figures
