"""A realistic national-scale synthetic dataset on the real public bodies, the same for a seed."""

import gc
import random
import time as clock
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial

from allauth.mfa.models import Authenticator
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from collaborate.scale.claims import adjustments_build, attributions_build, claims_build
from collaborate.scale.cleanup import Generated
from collaborate.scale.common import (
    ADJUSTMENTS_PER_CLAIM,
    NATIONAL_CLAIMS,
    NATIONAL_INITIATIVES,
    NATIONAL_ORGANISATIONS,
    PASSWORD,
    Calendar,
    own_timestamps,
)
from collaborate.scale.comparison import (
    comparison_decide,
    health_checks_store,
)
from collaborate.scale.history import (
    claim_history,
    external_references_assign,
    initiative_history,
    locks_build,
    references_assign,
    sequences_advance,
)
from collaborate.scale.initiatives import initiatives_plan, partnerships_build, targets_build
from collaborate.scale.organisations import (
    places_of,
    pools_build,
    public_bodies_ensure,
    synthetic_organisations,
)
from collaborate.scale.people import people_build, second_factors_build
from collaborate.scale.store import indexes_deferred, insert, insert_built
from initiatives import integrity
from initiatives.models import (
    ClaimAttribution,
    FinancialYearLock,
    HealthCheck,
    Initiative,
    Partnership,
    SavingsClaim,
    SavingsTarget,
)
from partners.models import HistoryEntry, Membership, Organisation, User


class InvariantsFailed(Exception):
    """The generated data breaks a rule the product relies on."""


# --- the run ----------------------------------------------------------------------------------

# The tables that take millions of rows at ten times national scale: their secondary indexes
# and foreign keys are built after loading.
BULK = [
    Initiative,
    Partnership,
    SavingsTarget,
    SavingsClaim,
    ClaimAttribution,
    HistoryEntry,
    HealthCheck,
]
# What the generator stores, whose statistics are gathered again at the end.
STORED = [Organisation, User, Membership, *BULK]

# The share of initiatives and claims that came in through a spreadsheet import, carrying their
# organisation's own reference.
IMPORTED_SHARE = 0.3


@dataclass
class Counts:
    """How much to make at a scale: 1.0 is national."""

    organisations: int
    initiatives: int
    claims: int

    @classmethod
    def at(cls, scale, existing_organisations):
        return cls(
            organisations=max(0, round((NATIONAL_ORGANISATIONS - existing_organisations) * scale)),
            initiatives=round(NATIONAL_INITIATIVES * scale),
            claims=round(NATIONAL_CLAIMS * scale),
        )


@dataclass
class Summary:
    stored: Counter = field(default_factory=Counter)
    initiative_statuses: Counter = field(default_factory=Counter)
    claim_statuses: Counter = field(default_factory=Counter)
    seconds: float = 0.0


def generate(*, scale, seed, today=None, say=print):
    """Generate and store the dataset in one transaction and check it: if a rule is broken,
    nothing is kept. Nothing is random but by `seed` and nothing dated but from `today`, so the
    same inputs give the same data."""
    started = clock.monotonic()
    rng = random.Random(seed)  # noqa: S311 - reproducible made-up data, not a secret
    calendar = Calendar(today or timezone.localdate())
    with transaction.atomic(), collector_paused():
        if loaded := public_bodies_ensure():
            say(str(loaded))
        with (
            own_timestamps(Organisation, Initiative, SavingsClaim, Membership),
            indexes_deferred(*BULK),
        ):
            summary = _generate(rng, calendar, scale, say)
        say("Built the indexes and checked the foreign keys")
        _statistics_refresh()
        say("Checking the rules the product relies on")
        if failures := invariant_failures():
            raise InvariantsFailed("; ".join(failures))
    summary.seconds = clock.monotonic() - started
    return summary


@contextmanager
def collector_paused():
    """Python's cycle collector walks the live objects each time enough new ones have been
    made: with millions of records alive that is most of the work of making them (two million
    claims' records took 18 s with it and 7 s without, here). What the generator makes holds
    no cycles, and reference counting still frees it; the forked writers also leave the
    shared pages alone."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _statistics_refresh():
    """PostgreSQL plans queries by table statistics, which know nothing yet of a million new
    rows: gathered now, the checks below (and the dashboards' recompute) get sensible plans."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in STORED:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _generate(rng, calendar, scale, say):
    """Decide everything first (all the randomness, in a fixed order), then store it."""
    existing = list(Organisation.objects.order_by("slug"))
    counts = Counts.at(scale, len(existing))
    synthetic = synthetic_organisations(
        rng,
        counts.organisations,
        calendar,
        places_of(existing),
        {o.name for o in existing},
        {o.slug for o in existing},
    )
    insert(Organisation, synthetic)
    active = [o for o in existing if o.active and o.merged_into_id is None] + synthetic
    plans = initiatives_plan(rng, calendar, pools_build(rng, active), counts.initiatives)
    comparison_decide(rng, calendar, plans)
    taking_part = sorted({o for plan in plans for o, _, _ in plan.partners}, key=lambda o: o.slug)
    people, users, memberships = people_build(rng, calendar, taking_part, make_password(PASSWORD))
    adjusting = round(counts.claims * ADJUSTMENTS_PER_CLAIM)
    claims = claims_build(rng, calendar, plans, counts.claims - adjusting, people)
    adjustments = adjustments_build(rng, calendar, claims, adjusting, people)
    targets = targets_build(rng, calendar, plans, len(claims))
    locks = locks_build(rng, calendar, users[-1])
    health_seed = rng.getrandbits(64)
    imported = random.Random(rng.getrandbits(64))  # noqa: S311 - made-up data, not a secret
    made = len(claims) + len(adjustments)
    say(f"Decided: {len(synthetic)} organisations, {len(plans)} initiatives, {made} claims")

    summary = Summary()
    summary.stored.update(
        organisations=len(synthetic),
        users=len(insert(User, users)),
        memberships=len(insert(Membership, memberships)),
    )
    insert(Authenticator, second_factors_build(users, memberships))
    summary.stored.update(_initiatives_store(plans, people, targets, imported))
    say(f"Stored {summary.stored['initiatives']} initiatives")
    summary.stored.update(_claims_store(plans, claims, adjustments, imported))
    say(f"Stored {summary.stored['claims']} claims with their attributions and history")
    summary.stored["year locks"] = len(insert(FinancialYearLock, locks))
    summary.stored["health checks"] = health_checks_store(health_seed, calendar, plans, people)
    say(f"Stored {summary.stored['health checks']} health checks")
    summary.initiative_statuses.update(plan.initiative.status for plan in plans)
    summary.claim_statuses.update(claim.status for claim in claims + adjustments)
    return summary


def _initiatives_store(plans, people, targets, imported):
    for plan in plans:
        plan.initiative.created_by = people[plan.initiative.lead.pk][0]
    initiatives = sorted((plan.initiative for plan in plans), key=lambda i: i.created_at)
    sequences_advance("INI", references_assign(initiatives, "INI"))
    external_references_assign(imported, initiatives, "PRJ", IMPORTED_SHARE)
    owner_type = ContentType.objects.get_for_model(Initiative)
    return {
        "initiatives": len(insert(Initiative, initiatives)),
        "partnerships": len(insert(Partnership, partnerships_build(plans))),
        "targets": len(insert(SavingsTarget, targets)),
        "history entries": len(insert(HistoryEntry, initiative_history(initiatives, owner_type))),
    }


def _claims_store(plans, claims, adjustments, imported):
    """The claims, then the adjustments (their keys after the claims they correct), then the
    claims' attributions and history, made from the stored claims in parallel processes."""
    claims = sorted(claims, key=lambda c: c.created_at)
    adjustments = sorted(adjustments, key=lambda c: c.created_at)
    every = sorted(claims + adjustments, key=lambda c: c.created_at)
    sequences_advance("CLM", references_assign(every, "CLM"))
    external_references_assign(imported, every, "LEDGER", IMPORTED_SHARE)
    insert(SavingsClaim, claims)
    insert(SavingsClaim, adjustments)
    shares_of = {plan.initiative.pk: plan.shares for plan in plans}
    owner_type = ContentType.objects.get_for_model(SavingsClaim)
    return {
        "claims": len(every),
        "attributions": insert_built(
            ClaimAttribution, every, partial(attributions_build, shares_of=shares_of)
        ),
        "history entries": insert_built(
            HistoryEntry, every, partial(claim_history, owner_type=owner_type)
        ),
        "adjustments among the claims": len(adjustments),
    }


# --- checks -----------------------------------------------------------------------------------


def invariant_failures():
    """The rules the product relies on, kept by the generated data: the product's own checks
    (`manage.py check_data`) on the generated initiatives and their claims."""
    return integrity.source_failures(Generated.find().initiatives)
