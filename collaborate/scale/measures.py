"""What the benchmark measures: its people and subjects, the pages and their baselines, the
recompute, freshness through a real worker, and the figures compared between scales."""

import statistics
import threading
import time
from contextlib import contextmanager

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collaborate.scale.common import TOTP_SECRET
from collaborate.scale.floors import floor_recompute, totals_check
from collaborate.scale.timing import median_seconds, paired, peak_memory_kb
from initiatives import permissions
from initiatives.claims import selectors as claim_selectors
from initiatives.claims import services as claim_services
from initiatives.models import (
    Initiative,
    ProgressDirty,
    ProgressFact,
    SavingsClaim,
)
from initiatives.progress import reconcile, sql
from initiatives.progress import services as progress
from partners.models import Membership, Organisation, User

BENCH_EMAIL = "bench-{role}@bench.collaborate.local"


# --- people and subjects ------------------------------------------------------------------------


def bench_user(role, organisation=None):
    user, _ = User.objects.get_or_create(
        email=BENCH_EMAIL.format(role=role),
        defaults={
            "full_name": f"Benchmark {role}",
            "is_staff": role == "admin",
            "is_superuser": role == "admin",
        },
    )
    if organisation is not None:
        Membership.objects.update_or_create(
            user=user, organisation=organisation, defaults={"role": "manager"}
        )
    # Managers and admins must have a second factor (partners.mfa), or every page sends them to
    # set one up: the generator's authenticator app.
    if not Authenticator.objects.filter(user_id=user.pk).exists():
        Authenticator.objects.create(
            user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(TOTP_SECRET)}
        )
    return user


def large_council():
    """The council in the most initiatives."""
    return (
        Organisation.objects.filter(sector="public", active=True)
        .annotate(n=Count("partnerships", filter=Q(partnerships__removed_on__isnull=True)))
        .order_by("-n", "pk")
        .first()
    )


def typical_initiative():
    """An initiative with a middling number of partners, targets and claims."""
    return (
        Initiative.objects.annotate(
            partners=Count("partnerships", distinct=True), n=Count("claims", distinct=True)
        )
        .filter(partners__gte=2, n__gte=5)
        .order_by("pk")
        .first()
        or Initiative.objects.order_by("pk").first()
    )


def requests_in_process():
    """Pages are requested in this process through Django's test client, over HTTPS as behind
    the production proxy, from the client's host name."""
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Decisions made while measuring freshness send emails: keep them in memory.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def client_for(user):

    client = Client()
    client.force_login(user)
    return client


def get(client, path):
    response = client.get(path, secure=True)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}")
    return response


def queries_of(client, path):
    with CaptureQueriesContext(connection) as captured:
        get(client, path)
    return len(captured)


def reconcile_from_empty():
    """A full recompute with nothing computed yet (a new database, or after a restore): every
    row is written. Emptying the tables first is not measured."""
    tables = [sql.TABLES[name] for name in ("year", "share", "progress", "fact")]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)}")
    started = time.perf_counter()
    reconcile.progress_reconcile()
    return time.perf_counter() - started


# --- the worker, for freshness ------------------------------------------------------------------


@contextmanager
def worker():
    from celery.contrib.testing.worker import start_worker

    from collaborate.celery import app

    app.control.purge()
    with start_worker(
        app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=60
    ):
        yield


def claim_to_verify(organisation, manager):
    """A submitted claim on an initiative the organisation leads, which the manager may decide.
    Each measurement verifies one: when the generated ones run out (a small database reused run
    after run), another is drafted and submitted through the services with the figures of an
    earlier claim in a year still open."""
    waiting = (
        permissions.claims_to_review_by(user=manager)
        .filter(initiative__lead=organisation, corrects__isnull=True)
        .exclude(service_quality=SavingsClaim.ServiceQuality.FELL)
        .order_by("pk")
        .first()
    )
    if waiting is not None:
        return waiting
    model = (
        SavingsClaim.objects.filter(
            initiative__lead=organisation, claimant=organisation, corrects__isnull=True
        )
        .exclude(service_quality="fell")
        .exclude(financial_year__in=claim_selectors.locked_years())
        .order_by("-pk")
        .first()
    )
    if model is None:
        return None
    claimant = bench_user("claimant", organisation)
    # The earlier claim's figures, not its own reference (unique to it among its organisation's).
    copied = [field for field in claim_services.CLAIM_FIELDS if field != "external_reference"]
    claim = claim_services.claim_create(
        actor=claimant,
        initiative=model.initiative,
        claimant=organisation,
        **{field: getattr(model, field) for field in copied},
    )
    claim_services.claim_submit(actor=claimant, claim=claim)
    return claim


def freshness_once(manager_client, manager, organisation):
    """Seconds from verifying a claim to the dashboard showing it."""
    claim = claim_to_verify(organisation, manager)
    if claim is None:
        return None
    path = reverse("dashboard:show") + f"?org={organisation.pk}"
    before = ProgressFact.objects.filter(organisation_id=organisation.pk).values_list(
        "computed_at", flat=True
    )
    before = max(before, default=None)
    started = time.perf_counter()
    claim_services.claim_decide(actor=manager, claim=claim, decision="verify")
    pause = threading.Event()
    while time.perf_counter() - started < 120:
        page = get(manager_client, path).content.decode()
        if (
            "Recalculating" not in page
            and not ProgressDirty.objects.filter(initiative_id=claim.initiative_id).exists()
        ):
            latest = max(
                ProgressFact.objects.filter(organisation_id=organisation.pk).values_list(
                    "computed_at", flat=True
                ),
                default=None,
            )
            if latest != before:
                return time.perf_counter() - started
        pause.wait(0.02)
    return None


# --- the measurements ---------------------------------------------------------------------------


def busiest_area():
    """The service area with the most live initiatives."""
    return (
        Initiative.objects.filter(status="live")
        .values("service_area")
        .annotate(n=Count("pk"))
        .order_by("-n", "service_area")[0]["service_area"]
    )


def busiest_reviewer_organisation():
    """The organisation leading the initiatives with the most claims awaiting a decision."""
    return (
        Organisation.objects.annotate(
            waiting=Count(
                "led_initiatives__claims", filter=Q(led_initiatives__claims__status="submitted")
            )
        )
        .order_by("-waiting", "pk")
        .first()
    )


def scale_figures(repeat, warmup):
    """What is compared between the two scales: one initiative's incremental recompute, and
    queries per page (each page showing results at both scales, so that the counts compare
    the same work)."""
    council = large_council()
    manager = bench_user("manager", council)
    reviewer = bench_user("reviewer", busiest_reviewer_organisation())
    admin = bench_user("admin")
    subject = typical_initiative()
    incremental = median_seconds(
        lambda: progress.progress_recompute_initiative(initiative_id=subject.pk), repeat, warmup
    )
    manager_client, admin_client = client_for(manager), client_for(admin)
    published = (
        Initiative.objects.filter(visibility="public", published_at__isnull=False)
        .order_by("pk")
        .first()
    )
    pages = {
        "dashboard": (manager_client, reverse("dashboard:show") + f"?org={council.pk}"),
        "dashboard_all": (admin_client, reverse("dashboard:show") + "?org=all"),
        "initiatives_list": (
            admin_client,
            reverse("initiatives:list") + f"?status=live&area={busiest_area()}",
        ),
        "partners_list": (manager_client, reverse("partners:list") + "?q=council"),
        "claims_review": (client_for(reviewer), reverse("claims:review")),
        "register": (Client(), reverse("register:list")),
    }
    if published:
        pages["register_detail"] = (
            Client(),
            reverse("register:detail", args=[published.reference]),
        )
    for client, path in pages.values():
        get(client, path)  # warm the session and caches
    return {
        "incremental_seconds": incremental,
        "queries": {name: queries_of(client, path) for name, (client, path) in pages.items()},
        "initiatives": Initiative.objects.count(),
        "claims": SavingsClaim.objects.count(),
        "organisations": Organisation.objects.count(),
    }


def memory_of_reconcile():
    reconcile.progress_reconcile()
    return peak_memory_kb()


def page_figures(repeat, warmup, say):
    """The dashboards against a trivial page, and the initiatives list against Django admin's
    changelist."""
    council = large_council()
    manager = bench_user("manager", council)
    admin = bench_user("admin")
    manager_client, admin_client = client_for(manager), client_for(admin)
    trivial = reverse("accessibility")
    area = busiest_area()
    figures = {"subjects": {"council": council.name, "area": area}}

    say("Dashboard against a trivial page")
    dashboard = reverse("dashboard:show") + f"?org={council.pk}"
    (
        figures["dashboard_seconds"],
        figures["trivial_seconds"],
        figures["dashboard_ratio"],
    ) = paired(
        lambda: get(manager_client, dashboard),
        lambda: get(manager_client, trivial),
        repeat,
        warmup,
    )
    everything = reverse("dashboard:show") + "?org=all"
    (
        figures["all_organisations_dashboard_seconds"],
        figures["admin_trivial_seconds"],
        figures["all_organisations_dashboard_ratio"],
    ) = paired(
        lambda: get(admin_client, everything), lambda: get(admin_client, trivial), repeat, warmup
    )

    say("Initiatives list against Django admin's changelist")
    ours = reverse("initiatives:list") + f"?status=live&area={area}"
    theirs = (
        reverse("admin:initiatives_initiative_changelist")
        + f"?status__exact=live&service_area__exact={area}"
    )
    (
        figures["list_seconds"],
        figures["admin_changelist_seconds"],
        figures["list_ratio"],
    ) = paired(lambda: get(admin_client, ours), lambda: get(admin_client, theirs), repeat, warmup)
    return figures


def recompute_figures(repeat, warmup, say):
    """A full recompute against the hand-written SQL floor, from empty tables too, each with
    its totals check; and freshness through a real worker."""
    council = large_council()
    manager = bench_user("manager", council)
    manager_client = client_for(manager)
    figures = {}
    say("Full recompute against hand-written INSERT ... SELECT")
    recompute_repeat = max(3, repeat // 6)
    (
        figures["recompute_seconds"],
        figures["floor_seconds"],
        figures["recompute_ratio"],
    ) = paired(reconcile.progress_reconcile, floor_recompute, recompute_repeat, 1)
    figures["totals_check"] = totals_check()
    say("Full recompute from empty tables")
    figures["recompute_from_empty_seconds"] = statistics.median(
        reconcile_from_empty() for _ in range(recompute_repeat)
    )
    figures["recompute_from_empty_ratio"] = (
        figures["recompute_from_empty_seconds"] / figures["floor_seconds"]
    )
    floor_recompute()
    figures["totals_check_from_empty"] = totals_check()

    if settings.REDIS_URL:
        say("Freshness through a real worker and Redis")
        with worker():
            samples = [freshness_once(manager_client, manager, council) for _ in range(3)]
        samples = [s for s in samples if s is not None]
        figures["freshness_seconds"] = statistics.median(samples) if samples else None
    else:
        figures["freshness_seconds"] = None
        figures["freshness_note"] = "not measured: no REDIS_URL, Celery runs tasks in-process"
    reconcile.progress_reconcile()  # leave the figures whole after the freshness claims
    return figures
