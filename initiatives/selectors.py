"""Reads about initiatives that pages share, shaped for the page that shows them."""

from django.db.models import Prefetch, Q

from initiatives import permissions
from initiatives.models import Initiative, Partnership
from partners import history
from partners import permissions as partner_permissions
from partners import selectors as partner_selectors


def initiatives_for_page(*, user):
    """The initiatives whose pages this user may open, with what every such page shows. Views
    fetch one with get_object_or_404, so one the user may not see is a 404 that reveals
    nothing."""
    return permissions.initiatives_visible_to(user=user).select_related("lead")


def partnerships_of(initiative):
    """Active partners first (largest share first), then those who left."""
    return list(
        Partnership.objects.filter(initiative=initiative)
        .select_related("organisation")
        .order_by("removed_on", "-savings_share", "organisation__name")
    )


def targets_of(initiative):
    return list(initiative.targets.order_by("financial_year"))


def initiative_history(initiative):
    return history.history_of(initiative)


def organisations_to_add(initiative, text):
    """Active organisations matching the text that are not yet active partners."""
    candidates = partner_permissions.organisations_selectable().exclude(
        pk__in=initiative.partnerships.filter(removed_on__isnull=True).values("organisation_id")
    )
    return partner_selectors.organisations_search(candidates, text)[:20]


def published():
    """What the public register shows: initiatives their lead chose to publish."""
    return Initiative.objects.filter(
        visibility=Initiative.Visibility.PUBLIC, published_at__isnull=False
    ).select_related("lead")


def published_for_page():
    """Published initiatives with what a register page shows: figures and active partners."""
    return (
        published()
        .select_related("progress")
        .prefetch_related(
            Prefetch(
                "partnerships",
                queryset=Partnership.objects.filter(removed_on__isnull=True)
                .select_related("organisation")
                .order_by("-savings_share", "organisation__name"),
                to_attr="active_partnerships",
            )
        )
    )


def search(queryset, text):
    text = " ".join(text.split())
    if not text:
        return queryset
    return queryset.filter(
        Q(reference__iexact=text) | Q(title__icontains=text) | Q(summary__icontains=text)
    )
