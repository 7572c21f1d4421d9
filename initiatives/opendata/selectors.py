"""Reads for the open dataset: what the public register shows of every published initiative,
and the state of the data that dates a download (its Last-Modified and ETag)."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from itertools import batched

from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.utils import timezone

from initiatives import selectors
from initiatives.models import InitiativeYear

CHUNK = 1000  # initiatives read at a time: memory stays flat however many are published
# Moves on when the columns or their meaning change, so that a cached copy is not reused.
SCHEMA_VERSION = 1
SEEN_KEY = "collaborate:opendata:seen"  # (the dataset's last ETag, when it was first seen)
_VERIFIED = (
    Q(verified_cash__gt=0)
    | Q(verified_cash__lt=0)
    | Q(verified_non_cash__gt=0)
    | Q(verified_non_cash__lt=0)
)


@dataclass(frozen=True)
class Partner:
    name: str
    gss_code: str  # "" for an organisation with no ONS/GSS code
    region: str  # its region's label, "" if none recorded
    is_council: bool


@dataclass(frozen=True)
class YearSavings:
    financial_year: int
    cash: object  # Decimal
    non_cash: object  # Decimal

    @property
    def total(self):
        return self.cash + self.non_cash


@dataclass
class Entry:
    """One row of the dataset: a published initiative with what the register shows of it."""

    initiative: object
    partners: list[Partner] = field(default_factory=list)
    years: list[YearSavings] = field(default_factory=list)

    @property
    def progress(self):
        return getattr(self.initiative, "progress", None)

    @property
    def regions(self):
        """The regions of its partners (the lead among them), each once, in partner order."""
        return list(dict.fromkeys(p.region for p in self.partners if p.region))

    @property
    def councils(self):
        return [p for p in self.partners if p.is_council]

    def year(self, financial_year):
        return next((y for y in self.years if y.financial_year == financial_year), None)


def _partner(organisation):
    return Partner(
        name=organisation.name,
        gss_code=organisation.gss_code or "",
        region=organisation.get_region_display() if organisation.region else "",
        is_council=organisation.is_council,
    )


def _detached(initiative):
    """Its active partnerships, taken off it with the link back to it that Django gives its
    figures: each refers to the initiative, and the cycle would keep every row written until
    the next cyclic garbage collection, so that memory grew with the rows between them. Without
    it, a row is freed as soon as it is written."""
    partnerships = initiative.__dict__.pop("active_partnerships")
    progress = getattr(initiative, "progress", None)
    if progress is not None:
        progress._state.fields_cache.pop("initiative", None)
    return partnerships


def published_initiatives():
    """Every published initiative with its lead, figures and active partners, by reference."""
    return selectors.published_for_page().order_by("reference")


def entries():
    """Every published initiative as an Entry, read CHUNK at a time: one query for the
    initiatives (a server-side cursor), and per chunk one for their partners and one for their
    verified savings by financial year."""
    rows = published_initiatives().iterator(chunk_size=CHUNK)
    for chunk in batched(rows, CHUNK):
        yield from entries_of(chunk, detach=True)


def entries_of(initiatives, *, detach=False):
    """Initiatives of published_for_page() (their active partnerships prefetched) as Entries,
    with one query for their verified savings by financial year. `detach`: take the partnerships
    off each initiative (see _detached), for a download that must not keep written rows."""
    years = defaultdict(list)
    for row in (
        InitiativeYear.objects.filter(initiative_id__in=[i.pk for i in initiatives])
        .filter(_VERIFIED)
        .order_by("initiative_id", "financial_year")
    ):
        years[row.initiative_id].append(
            YearSavings(row.financial_year, row.verified_cash, row.verified_non_cash)
        )
    return [
        Entry(
            initiative=initiative,
            partners=[
                _partner(p.organisation)
                for p in (_detached(initiative) if detach else initiative.active_partnerships)
            ],
            years=years[initiative.pk],
        )
        for initiative in initiatives
    ]


def financial_years():
    """The financial years in which some published initiative has verified savings, in order:
    the CSV and the workbook have a pair of columns for each."""
    return list(
        InitiativeYear.objects.filter(initiative__in=selectors.published().values("pk"))
        .filter(_VERIFIED)
        .values_list("financial_year", flat=True)
        .distinct()
        .order_by("financial_year")
    )


@dataclass(frozen=True)
class State:
    """What dates the dataset: how many initiatives are published and when any of them, their
    organisations or their figures last changed."""

    count: int
    last_modified: datetime | None  # the latest change; None while nothing is published
    etag: str
    since: datetime  # when this state was first seen: its Last-Modified over HTTP


def _since(etag):
    """When the dataset was first seen in the state `etag`, kept in the cache beside it: each
    new state is dated later than the one before, even one that returns to an earlier state
    (a publication withdrawn), so that If-Modified-Since never keeps an old copy. Two requests
    racing over a change at worst date it twice, later each time."""
    seen = cache.get(SEEN_KEY)
    if seen and seen[0] == etag:
        return seen[1]
    now = timezone.now()
    cache.set(SEEN_KEY, (etag, now), timeout=None)
    return now


def state():
    """The dataset's state, in one query over published initiatives only (so that nothing
    about unpublished ones, not even when they change, shows through the ETag), and one read
    of the cache. An edit, a publication or a partner added, removed or re-shared moves an
    initiative's updated_at; a withdrawal lowers the count; a renamed or re-coded organisation
    moves its updated_at; a recompute of a published initiative's figures moves its
    computed_at.

    Over HTTP, Last-Modified is when the dataset was first seen in this state (`_since`): a
    withdrawal changes no date that the query sees, yet a client asking If-Modified-Since must
    get the new file."""
    row = selectors.published().aggregate(
        count=Count("pk", distinct=True),
        initiatives=Max("updated_at"),
        lead=Max("lead__updated_at"),
        partners=Max("partnerships__organisation__updated_at"),
        figures=Max("progress__computed_at"),
    )
    moments = [row[k] for k in ("initiatives", "lead", "partners", "figures")]
    words = [str(SCHEMA_VERSION), str(row["count"]), *(m.isoformat() if m else "" for m in moments)]
    etag = hashlib.sha256(":".join(words).encode()).hexdigest()[:32]
    since = _since(etag)
    return State(
        count=row["count"],
        last_modified=max((m for m in moments if m), default=None),
        etag=etag,
        since=since,
    )
