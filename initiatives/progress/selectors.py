"""Reads for dashboards and the public register: which organisation and filters a dashboard
shows, sums over bounded slices of the computed tables (never over claims), the figures'
cache, the cache version, and how a full recompute is getting on."""

import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from celery.result import AsyncResult
from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.http import urlencode

from collaborate.kit import cache as kit_cache
from collaborate.kit.filters import record_id
from initiatives import financial_years
from initiatives.models import (
    Initiative,
    InitiativeProgress,
    InitiativeYear,
    ProgressDirty,
    ProgressFact,
)
from initiatives.permissions import has_active_partner
from initiatives.progress import charts, sql
from partners import permissions as partner_permissions
from partners import selectors as partner_selectors
from partners.models import Organisation

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2))
LIST_LIMIT = 10
ALL = "all"  # the `org` parameter of a dashboard of all organisations
VERSION_KEY = "collaborate:progress:version"
# What is cached about one organisation (its dashboard's audit share and health panel) is kept
# under its own version, which a recompute moves on only for the organisations its initiative
# involves, and under one that a full recompute moves on for everyone: under VERSION_KEY,
# which every recompute anywhere moves on, a large council's next view rebuilt them (1.3 s at
# ten times national scale) whenever any claim in the country was verified.
ORGANISATION_VERSION_KEY = "collaborate:progress:organisation:{}:version"
RECONCILED_VERSION_KEY = "collaborate:progress:reconciled:version"
RECONCILE_TASK_KEY = "collaborate:progress:reconcile-task"
FIGURES_TIMEOUT = 60 * 60
MODELS = dict(Initiative.CollaborationModel.choices)
AREAS = dict(Initiative.ServiceArea.choices)


@dataclass
class Scope:
    """What a dashboard shows: one organisation (or all of them), and the filters."""

    organisation: object = None  # None: all organisations
    year: int | None = None
    model: str = ""
    area: str = ""

    @property
    def organisation_id(self):
        return self.organisation.pk if self.organisation else None

    @property
    def query(self):
        """The query parameters that show this scope again (links, downloads, cache keys)."""
        values = {
            "org": ALL if self.organisation is None else self.organisation.pk,
            "fy": self.year,
            "model": self.model,
            "area": self.area,
        }
        return {k: v for k, v in values.items() if v not in (None, "")}

    @property
    def heading(self):
        """What is shown, in words, for headings and titles: "Leeds City Council: savings
        2026/27, shared service, ICT"."""
        who = "All organisations" if self.organisation is None else self.organisation.name
        words = f"{who}: savings"
        if self.year is not None:
            words += f" {financial_years.label(self.year)}"
        for label in (MODELS.get(self.model), AREAS.get(self.area)):
            if label:
                words += f", {_in_sentence(label)}"
        return words


def _in_sentence(label):
    """A choice's label inside a sentence: a capital first letter lowered unless it starts an
    abbreviation ("Shared service" → "shared service", "ICT" stays)."""
    return label[0].lower() + label[1:] if label[1:2].islower() else label


PICKER_LIMIT = 20


def dashboard_organisations_matching(*, user, text):
    """The organisations whose dashboards an admin's picker offers for what was typed, best
    match first, at most PICKER_LIMIT: every organisation but those merged into another (their
    records moved there). Nothing for a user who may not open every dashboard."""
    if not text.strip() or not partner_permissions.can_view_all_organisations_dashboard(user):
        return Organisation.objects.none()
    visible = partner_permissions.organisations_visible_to(user=user).filter(
        merged_into__isnull=True
    )
    return partner_selectors.organisations_search(visible, text)[:PICKER_LIMIT]


def dashboard_organisation(*, user, asked, organisations, acting):
    """The organisation whose dashboard the `org` parameter `asked` for, checked against what
    the user may see; None for all organisations. Nothing asked: the one the user acts for
    (`acting`, a membership or None), or None. Raises Organisation.DoesNotExist for one that
    does not exist or that the user may not see (a 404). `organisations` are the user's own,
    already loaded."""
    if asked == ALL:
        if not partner_permissions.can_view_all_organisations_dashboard(user):
            raise Organisation.DoesNotExist
        return None
    if not asked:
        return acting.organisation if acting else None
    # One of the user's own organisations is already loaded (the usual case).
    organisation = next((o for o in organisations if str(o.pk) == asked), None)
    organisation = organisation or (Organisation.objects.filter(pk=record_id(asked)).first())
    if organisation is None or not partner_permissions.can_view_organisation_dashboard(
        user, organisation
    ):
        raise Organisation.DoesNotExist
    return organisation


def _facts(scope):
    facts = ProgressFact.objects.filter(organisation_id=scope.organisation_id)
    if scope.year is not None:
        facts = facts.filter(financial_year=scope.year)
    if scope.model:
        facts = facts.filter(collaboration_model=scope.model)
    if scope.area:
        facts = facts.filter(service_area=scope.area)
    return facts


def _measures():
    """Sums of the measures, named apart from the fields they sum (an annotation named like a
    field would hide the field from the expressions that use it)."""
    # Our own constant SQL (the one definition of target to date); its values are parameters.
    to_date, params = sql.positional(
        sql.TARGET_TO_DATE, sql.target_to_date_params(timezone.localdate())
    )
    return {
        "sum_target": Coalesce(Sum("target"), ZERO),
        "sum_to_date": Coalesce(
            Sum(RawSQL(to_date, params, DecimalField(max_digits=20, decimal_places=6))),  # noqa: S611
            ZERO,
        ),
        "sum_claimed": Coalesce(Sum("claimed"), ZERO),
        "sum_verified_cash": Coalesce(Sum("verified_cash"), ZERO),
        "sum_verified_non_cash": Coalesce(Sum("verified_non_cash"), ZERO),
    }


def _with_derived(row):
    for key in [k for k in row if k.startswith("sum_")]:
        row[key.removeprefix("sum_")] = row.pop(key)
    row["verified"] = row["verified_cash"] + row["verified_non_cash"]
    # Rounded as PostgreSQL rounds the stored target_to_date (half away from zero).
    row["to_date"] = Decimal(row["to_date"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    row["percent"] = (
        (row["verified"] * 100 / row["to_date"]).quantize(Decimal("0.1"))
        if row["to_date"] > 0
        else None
    )
    return row


def headline(scope):
    row = _facts(scope).aggregate(**_measures(), computed_at=Max("computed_at"))
    return _with_derived(row)


def breakdown(scope, dimension):
    """The slice summed by one dimension: financial_year, collaboration_model or service_area."""
    rows = _facts(scope).values(dimension).annotate(**_measures()).order_by(dimension)
    return [_with_derived(dict(row)) for row in rows]


def _initiatives_of(scope):
    initiatives = Initiative.objects.all()
    if scope.organisation is not None:
        initiatives = initiatives.filter(has_active_partner(scope.organisation_id))
    if scope.model:
        initiatives = initiatives.filter(collaboration_model=scope.model)
    if scope.area:
        initiatives = initiatives.filter(service_area=scope.area)
    return initiatives


def at_risk(scope):
    """Red and amber initiatives that are not closed or stopped, furthest behind first, each with
    `shortfall` (its target to date less what is verified). RAG is always to date; a year in the
    scope keeps those with a target in that year. The dashboard shows the first LIST_LIMIT,
    /dashboard/at-risk/ every one."""
    initiatives = _initiatives_of(scope).exclude(status__in=Initiative.FINAL)
    if scope.year is not None:
        initiatives = initiatives.filter(
            Exists(
                InitiativeYear.objects.filter(
                    initiative_id=OuterRef("pk"), financial_year=scope.year, target__gt=0
                )
            )
        )
    return (
        InitiativeProgress.objects.filter(
            rag__in=[InitiativeProgress.Rag.RED, InitiativeProgress.Rag.AMBER],
            initiative__in=initiatives,
        )
        .annotate(shortfall=F("target_to_date") - F("verified_cash") - F("verified_non_cash"))
        .select_related("initiative__lead")
        .order_by("percent_verified", "-shortfall", "initiative_id")
    )


def _expects_later():
    """Savings expected from a financial year still to come. Once that year arrives with no
    target set, the initiative is a gap again."""
    return Q(savings_expected_from__gt=financial_years.current_financial_year())


def without_targets(scope):
    """Live initiatives with no target that do not say they are not meant to save money: the
    gaps first (by reference), then those whose savings are expected in a later year (by that
    year), each marked `expects_later`. Whatever the scope's year: they have no target in any."""
    return (
        _initiatives_of(scope)
        .filter(status=Initiative.Status.LIVE, not_for_savings=False)
        .filter(Q(progress__target=0) | Q(progress__isnull=True))
        .annotate(
            expects_later=Case(
                When(_expects_later(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .select_related("lead")
        .order_by("expects_later", "savings_expected_from", "reference")
    )


def gaps(scope):
    """Live initiatives with neither a target nor a reason for having none, nor a year still
    to come that their savings are expected from."""
    return without_targets(scope).exclude(_expects_later())


def without_targets_counts(scope):
    """How many gaps there are, and how many more expect their savings later."""
    return without_targets(scope).aggregate(
        gaps=Count("pk", filter=~_expects_later()),
        later=Count("pk", filter=_expects_later()),
    )


def pending(scope):
    """Whether a recompute of the figures this dashboard shows is waiting."""
    dirty = ProgressDirty.objects.all()
    if scope.organisation is not None:
        dirty = dirty.filter(has_active_partner(scope.organisation_id, initiative="initiative_id"))
    return dirty.exists()


def published_with_savings(queryset):
    """Published initiatives with their verified savings from the progress table."""
    return queryset.select_related("lead", "progress")


def register_totals(queryset):
    """The verified savings of the initiatives of `queryset` (the register's, as filtered),
    summed from the progress table: kept per query (its SQL) until the progress tables move
    on. Publishing, withdrawing or changing an initiative marks it for a recompute, whose
    commit moves them on; at ten times national scale the sum reads 40,000 rows a view."""
    key = "collaborate:register:totals:" + hashlib.sha256(str(queryset.query).encode()).hexdigest()
    return kit_cache.versioned(
        key,
        (VERSION_KEY,),
        FIGURES_TIMEOUT,
        lambda: InitiativeProgress.objects.filter(initiative__in=queryset).aggregate(
            verified_cash=Coalesce(Sum("verified_cash"), ZERO),
            verified_non_cash=Coalesce(Sum("verified_non_cash"), ZERO),
        ),
    )


# Moves on when an initiative is published or withdrawn (services), so that the register's
# pages follow at once, not after the initiative's recompute.
REGISTER_VERSION_KEY = "collaborate:register:version"


def register_versions():
    """What the register's list shows depends on, in one round trip to the cache: the progress
    tables (figures, and every change to an initiative or its partners, recomputed), the
    directory (organisations' names) and publication."""
    return kit_cache.versions_of(
        (VERSION_KEY, partner_selectors.DIRECTORY_VERSION_KEY, REGISTER_VERSION_KEY)
    )


def register_years(initiative):
    return list(
        InitiativeYear.objects.filter(initiative=initiative)
        .filter(
            Q(verified_cash__gt=0)
            | Q(verified_non_cash__gt=0)
            | Q(verified_cash__lt=0)
            | Q(verified_non_cash__lt=0)
        )
        .order_by("financial_year")
    )


def breakdowns(scope):
    """The three breakdowns a dashboard shows, each row labelled for people."""
    years = breakdown(scope, "financial_year")
    models = breakdown(scope, "collaboration_model")
    areas = breakdown(scope, "service_area")
    for row in years:
        row["label"] = financial_years.label(row["financial_year"])
    for row in models:
        row["label"] = MODELS.get(row["collaboration_model"], row["collaboration_model"])
    for row in areas:
        row["label"] = AREAS.get(row["service_area"], row["service_area"])
    return {"years": years, "models": models, "areas": areas}


def _charts(tables):
    series = [("target", "Target"), ("verified", "Verified")]

    def rows(table):
        return [
            (row["label"], {"target": row["target"], "verified": row["verified"]}) for row in table
        ]

    return {
        "years": charts.horizontal_bars(
            "Target and verified savings by financial year", rows(tables["years"]), series
        ),
        "models": charts.horizontal_bars(
            "Target and verified savings by collaboration model", rows(tables["models"]), series
        ),
        "areas": charts.horizontal_bars(
            "Target and verified savings by service area", rows(tables["areas"]), series
        ),
    }


def figures(scope):
    """Everything the figures of one dashboard show."""
    tables = breakdowns(scope)
    return {
        "scope": scope,
        "headline": headline(scope),
        "tables": tables,
        "charts": _charts(tables),
        "at_risk": list(at_risk(scope)[:LIST_LIMIT]),
        "at_risk_count": at_risk(scope).count(),
        "gaps": list(gaps(scope)[:LIST_LIMIT]),
        "without_targets": without_targets_counts(scope),
        "query": urlencode(scope.query),
    }


def organisation_version_keys(organisation_id):
    """The version keys of what is cached about one organisation's initiatives."""
    return (ORGANISATION_VERSION_KEY.format(organisation_id), RECONCILED_VERSION_KEY)


def version():
    """A number that changes whenever any progress figure may have changed: pages that show
    figures cache what they render under it (services.progress_version_bump moves it on)."""
    return kit_cache.version_of(VERSION_KEY)


def figures_cached(scope, render):
    """The figures of one dashboard as `render(figures(scope))` makes them (markup), made once
    per version of the progress tables (and per day: target to date moves on) and cached,
    since they change only when a recompute commits. The key holds every filter the markup
    depends on; the heading, which names the organisation, is rendered beside the cached markup
    on every request (so a renamed organisation shows at once) and is not part of it."""
    filters = urlencode(sorted(scope.query.items()))
    key = f"collaborate:dashboard:{version()}:{timezone.localdate().isoformat()}:{filters}"
    made = cache.get(key)
    if made is None:
        made = render(figures(scope))
        cache.set(key, made, timeout=FIGURES_TIMEOUT)
    return made


DOWNLOAD_COLUMNS = [
    "Target",
    "Target to date",
    "Claimed",
    "Verified",
    "Verified cash-releasing",
    "Verified non-cash-releasing",
    "Verified as % of target to date",
]


def download_tables(scope):
    """The figures of one dashboard as tables for a download: (title, name of the first
    column, rows), each row a label and the DOWNLOAD_COLUMNS."""

    def measures(row):
        return [
            row["target"],
            row["to_date"],
            row["claimed"],
            row["verified"],
            row["verified_cash"],
            row["verified_non_cash"],
            row["percent"],
        ]

    tables = [("Headline", "All", [["All", *measures(headline(scope))]])]
    rows = breakdowns(scope)
    for title, key in (
        ("By financial year", "years"),
        ("By collaboration model", "models"),
        ("By service area", "areas"),
    ):
        first_column = title.removeprefix("By ").capitalize()
        tables.append((title, first_column, [[r["label"], *measures(r)] for r in rows[key]]))
    return tables


def reconcile_status():
    """How the full recompute an admin started last is getting on (None if none is known):
    its state, done and total initiatives, and whether it has finished."""
    task_id = cache.get(RECONCILE_TASK_KEY)
    if not task_id:
        return None
    result = AsyncResult(task_id)
    info = result.info if isinstance(result.info, dict) else {}
    state = result.state
    done, total = info.get("done", 0), info.get("total", 0)
    if state == "SUCCESS":
        done = total = result.result or 0
    return {
        "state": state,
        "done": done,
        "total": total,
        "finished": state in ("SUCCESS", "FAILURE"),
    }
