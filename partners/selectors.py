"""Reads about organisations and people that pages share, shaped for the page that shows them."""

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import Prefetch, Q

from partners import history, permissions
from partners.models import Membership, Organisation, User, normalise_name


def organisations_visible_to(user):
    """The directory: every signed-in user sees every organisation."""
    if not permissions.can_view_directory(user):
        return Organisation.objects.none()
    return Organisation.objects.all()


def organisations_search(queryset, text):
    """Organisations whose name matches what was typed: on PostgreSQL by trigram similarity on
    the normalised name (so 'leeds cc' or a misspelling still finds Leeds City Council), best
    match first; elsewhere by a plain match on the normalised name."""
    words = normalise_name(text)
    if not words:
        return queryset
    if connection.vendor == "postgresql":
        return (
            queryset.filter(
                Q(search_name__contains=words) | Q(search_name__trigram_word_similar=words)
            )
            .annotate(match=TrigramWordSimilarity(words, "search_name"))
            .order_by("-match", "name")
        )
    return queryset.filter(search_name__contains=words)


def organisation_members(organisation):
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def organisation_relatives(organisation):
    """Its predecessors and successors (reorganisations), and what it was merged into."""
    return {
        "predecessors": list(organisation.predecessors.order_by("name")),
        "successors": list(organisation.successors.order_by("name")),
        "merged_duplicates": list(organisation.merged_duplicates.order_by("name")),
    }


def organisation_history(organisation):
    return history.history_of(organisation)


def users_visible_to(viewer):
    """People the /users/ page shows: everyone to admins; to a manager, the members of the
    organisations they manage. Each with their memberships, fetched in one more query."""
    if permissions.is_admin(viewer):
        people = User.objects.all()
    else:
        managed = permissions.managed_organisation_ids(viewer)
        if not managed:
            return User.objects.none()
        people = User.objects.filter(memberships__organisation_id__in=managed).distinct()
    return people.select_related("invitation").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("organisation").order_by(
                "organisation__name"
            ),
        )
    )


def memberships_shown_to(viewer, person):
    """A person's memberships, as far as the viewer may see them."""
    memberships = person.memberships.select_related("organisation").order_by("organisation__name")
    if permissions.is_admin(viewer):
        return memberships
    return memberships.filter(organisation_id__in=permissions.managed_organisation_ids(viewer))


def user_history(person):
    return history.history_of(person)


def locked_sign_ins():
    """Sign-in attempts that have reached the failure limit and are still locked out."""
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    ).order_by("-attempt_time")
