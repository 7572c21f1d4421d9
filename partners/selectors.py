"""Reads about organisations and people that pages share, shaped for the page that shows them."""

from dataclasses import dataclass

from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from collaborate.kit import cache as kit_cache
from partners import history, permissions
from partners.models import Membership, Organisation, OrganisationName, normalise_name

DIRECTORY_VERSION_KEY = "collaborate:directory:version"


def directory_version():
    """A number that changes whenever an organisation or a council's place changes: pages that
    cache what they render about organisations key it on this (services.organisations
    .directory_changed moves it on)."""
    return kit_cache.version_of(DIRECTORY_VERSION_KEY)


def organisations_visible_to(*, user):
    """The directory, as far as the user may see it (permissions.organisations_visible_to)."""
    return permissions.organisations_visible_to(user=user)


def organisations_search(queryset, text):
    """Organisations whose name or one of whose alternative names matches what was typed: on
    PostgreSQL by trigram similarity on the normalised names (so 'leeds cc' or a misspelling
    still finds Leeds City Council), best match first; elsewhere by a plain match on the
    normalised names. One query: the alternative names are subqueries of it."""
    words = normalise_name(text)
    if not words:
        return queryset
    if connection.vendor != "postgresql":
        also_known = OrganisationName.objects.filter(search_name__contains=words)
        return queryset.filter(
            Q(search_name__contains=words) | Q(pk__in=also_known.values("organisation"))
        )
    similar = Q(search_name__contains=words) | Q(search_name__trigram_word_similar=words)
    also_known = OrganisationName.objects.filter(similar)
    best_alternative = (
        also_known.filter(organisation=OuterRef("pk"))
        .annotate(match=TrigramWordSimilarity(words, "search_name"))
        .order_by("-match")
        .values("match")[:1]
    )
    return (
        queryset.filter(similar | Q(pk__in=also_known.values("organisation")))
        .annotate(
            match=Greatest(
                TrigramWordSimilarity(words, "search_name"),
                Coalesce(Subquery(best_alternative), Value(0.0)),
            )
        )
        .order_by("-match", "name")
    )


def organisation_members(organisation):
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def organisation_relatives(organisation):
    """Its predecessors and successors (reorganisations), what it was merged into, and the other
    names it is known by (apart from its short name, shown on its own, and the register's
    spellings, which only matching and search use)."""
    short = normalise_name(organisation.short_name)
    return {
        "alternative_names": [
            n.name
            for n in organisation.alternative_names.all()
            if n.search_name != short and n.source != OrganisationName.REGISTER_SOURCE
        ],
        "predecessors": list(organisation.predecessors.order_by("name")),
        "successors": list(organisation.successors.order_by("name")),
        "merged_duplicates": list(organisation.merged_duplicates.order_by("name")),
    }


def organisation_history(organisation):
    return history.history_of(organisation)


def users_visible_to(*, user):
    """People the /users/ page shows (permissions.users_visible_to), each with the memberships
    the viewer may see as `visible_memberships`, fetched in one more query."""
    return (
        permissions.users_visible_to(user=user)
        .select_related("invitation")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=permissions.memberships_visible_to(user=user)
                .select_related("organisation")
                .order_by("organisation__name"),
                to_attr="visible_memberships",
            )
        )
    )


def memberships_shown_to(*, user, person):
    """A person's memberships, as far as the viewer may see them."""
    return (
        permissions.memberships_visible_to(user=user)
        .filter(user=person)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def organisations_to_filter_users_by(*, user):
    """The organisations offered by the users page's organisation filter, by name."""
    return permissions.organisations_with_members_visible_to(user=user).order_by("name")


def organisations_to_merge_into(survivor, text):
    """Organisations matching the text that could be merged into `survivor`: not itself, and
    not already merged."""
    candidates = Organisation.objects.exclude(pk=survivor.pk).filter(merged_into__isnull=True)
    return organisations_search(candidates, text)[:20]


@dataclass(frozen=True)
class Impact:
    """How many records of one kind point at an organisation."""

    label: str
    count: int


def _references_to_organisations():
    """(model, field) for every foreign key to Organisation in every installed app, through
    tables included, found in the app registry so that apps above `partners` are counted and
    checked without `partners` importing them."""
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Organisation:
                yield model, field


def _impact_label(model, field):
    if model is Organisation.successors.through:
        return "successor links" if field.name == "from_organisation" else "predecessor links"
    if model is Organisation:
        return "organisations merged into it earlier"
    others = [
        f for f in model._meta.concrete_fields if f.is_relation and f.related_model is Organisation
    ]
    label = str(model._meta.verbose_name_plural)
    return f"{label} ({field.verbose_name})" if len(others) > 1 else label


def merge_impact(duplicate):
    """For every kind of record that points at `duplicate`, how many would move in a merge."""
    impacts = []
    for model, field in _references_to_organisations():
        count = model._default_manager.filter(**{field.name: duplicate.pk}).count()
        if count:
            impacts.append(Impact(label=_impact_label(model, field), count=count))
    return impacts


def merge_refusal(duplicate, survivor):
    """Why these two cannot be merged, or None."""
    if duplicate.pk == survivor.pk:
        return "An organisation cannot be merged into itself."
    if survivor.merged_into_id:
        return f"{survivor.name} was itself merged into another organisation: merge into that one."
    if duplicate.merged_into_id:
        return f"{duplicate.name} has already been merged into another organisation."
    return None


def user_history(person):
    return history.history_of(person)


def locked_sign_ins():
    """Sign-in attempts that have reached the failure limit and are still locked out."""
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    ).order_by("-attempt_time")


def audit_events(*, user):
    """The audit log as far as the user may read it, newest first (the model's order)."""
    return permissions.audit_events_visible_to(user=user)


def api_tokens(*, user):
    """The API tokens the person may see (permissions.api_tokens_visible_to), newest first."""
    return permissions.api_tokens_visible_to(user=user)
