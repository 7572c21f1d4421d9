"""Finding partners: the organisations already running an initiative in a service area (one the
user may see, or one that is published), ranked from the organisation the user acts for.

Two views. Nearest: councils first, those sharing the most local geography with the user's
organisation first (the same county, combined authority, local resilience forum, then region),
then by distance between their centres; organisations that are not councils have no place and
come after the councils, those of the user's region first. Councils like mine: councils of the
same type first, then by how near their population is (the ratio, not the difference: 50,000
is as near 100,000 as 200,000 is). Ranking is done by the database, so a page costs the same
few queries however many organisations there are."""

import math

from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerChoices,
    Prefetch,
    Q,
    Value,
    When,
)
from django.db.models.functions import Abs, ASin, Cos, Ln, Power, Radians, Sin, Sqrt

from initiatives import permissions
from initiatives.models import Initiative, Partnership
from partners.models import Organisation, Place

EARTH_RADIUS_KM = 6371.0088
NEAREST, ALIKE = "nearest", "alike"


class Shared(IntegerChoices):
    """The most local geography two organisations share (lower is closer)."""

    COUNTY = 0, "Same county"
    COMBINED_AUTHORITY = 1, "Same combined authority"
    RESILIENCE_FORUM = 2, "Same local resilience forum"
    REGION = 3, "Same region"
    NONE = 4, "Elsewhere"


def place_of(organisation):
    """The organisation's place (councils only), or None."""
    if organisation is None:
        return None
    return Place.objects.filter(organisation=organisation).first()


def initiatives_to_search(*, user, area, model=""):
    """Initiatives in the service area (and collaboration model, if given) that the user may
    open or that are published."""
    found = permissions.initiatives_findable_by(user=user).filter(service_area=area)
    return found.filter(collaboration_model=model) if model else found


def initiative_ids(initiatives):
    """The ids of `initiatives`, in order: on PostgreSQL read from the index alone
    (initiative_findable)."""
    return list(initiatives.order_by("pk").values_list("pk", flat=True))


def running_in(initiative_ids):
    """{organisation id: [initiative id, …]}: the active partners of the initiatives and which
    of them each runs."""
    running = {}
    partnerships = Partnership.objects.filter(
        initiative_id__in=initiative_ids, removed_on__isnull=True
    ).order_by()
    for organisation_id, initiative_id in partnerships.values_list(
        "organisation_id", "initiative_id"
    ):
        running.setdefault(organisation_id, []).append(initiative_id)
    return running


def _distance_km(place):
    """Great-circle distance from `place` to each organisation's place (haversine), in km."""
    latitude, longitude = math.radians(place.latitude), math.radians(place.longitude)
    their_latitude = Radians(F("place__latitude"))
    half_lat = (their_latitude - Value(latitude)) / Value(2.0)
    half_long = (Radians(F("place__longitude")) - Value(longitude)) / Value(2.0)
    haversine = Power(Sin(half_lat), 2) + Value(math.cos(latitude)) * Cos(their_latitude) * Power(
        Sin(half_long), 2
    )
    return Value(2 * EARTH_RADIUS_KM) * ASin(Sqrt(haversine))


def _shared(origin, place):
    """The geography each organisation shares with `origin`, as a Shared value. A county council
    shares its county with its districts, and a combined authority with its members."""
    whens = [When(place__county_id=origin.pk, then=Value(Shared.COUNTY))]
    if place and place.county_id:
        whens.append(
            When(Q(place__county_id=place.county_id) | Q(pk=place.county_id), then=Shared.COUNTY)
        )
    whens.append(When(place__combined_authority_id=origin.pk, then=Shared.COMBINED_AUTHORITY))
    if place and place.combined_authority_id:
        same = Q(place__combined_authority_id=place.combined_authority_id)
        whens.append(When(same | Q(pk=place.combined_authority_id), then=Shared.COMBINED_AUTHORITY))
    if place and place.resilience_forum_id:
        whens.append(
            When(
                place__resilience_forum_id=place.resilience_forum_id,
                then=Shared.RESILIENCE_FORUM,
            )
        )
    if origin.region:
        whens.append(When(region=origin.region, then=Shared.REGION))
    return Case(*whens, default=Value(Shared.NONE))


def organisations_found(*, origin, running, view=NEAREST):
    """Active organisations (not `origin`) among those `running` (running_in), ranked for
    `view`, each annotated with `shared`, `distance_km` (None without both places) and
    `located` (has a place with coordinates: councils)."""
    place = place_of(origin)
    found = Organisation.objects.filter(pk__in=list(running), active=True).annotate(
        located=ExpressionWrapper(Q(place__latitude__isnull=False), output_field=BooleanField())
    )
    if origin is not None:
        found = found.exclude(pk=origin.pk).annotate(shared=_shared(origin, place))
    else:
        found = found.annotate(shared=Value(Shared.NONE))
    has_coordinates = place is not None and place.latitude is not None
    distance = _distance_km(place) if has_coordinates else Value(None, output_field=FloatField())
    found = found.annotate(distance_km=distance).select_related("place")
    if view == ALIKE:
        return found.order_by(*_alike_order(origin, place))
    return found.order_by(
        F("located").desc(), "shared", F("distance_km").asc(nulls_last=True), "name", "pk"
    )


def _alike_order(origin, place):
    """Councils first; those of the origin's type; then nearest in population (by ratio)."""
    order = [F("located").desc()]
    if origin is not None:
        order.append(Case(When(kind=origin.kind, then=Value(0)), default=Value(1)))
    if place is not None and place.population:
        gap = Abs(Ln(F("place__population")) - Value(math.log(place.population)))
        order.append(gap.asc(nulls_last=True))
    return [*order, "name", "pk"]


def initiatives_of(organisations, running, origin=None):
    """{organisation id: [initiative, …]}: each organisation's initiatives in `running`
    (running_in), each with its lead, its figures, its active partners
    (`active_partnerships`) and whether `origin` is one of them (`origin_is_partner`)."""
    wanted = {i for o in organisations for i in running.get(o.pk, ())}
    initiatives = (
        Initiative.objects.filter(pk__in=wanted)
        .select_related("lead", "progress")
        .prefetch_related(
            Prefetch(
                "partnerships",
                queryset=Partnership.objects.filter(removed_on__isnull=True)
                .select_related("organisation")
                .order_by("-savings_share", "organisation__name"),
                to_attr="active_partnerships",
            )
        )
        .order_by("title", "pk")
    )
    found = {}
    for initiative in initiatives:
        partners = {p.organisation_id for p in initiative.active_partnerships}
        initiative.origin_is_partner = origin is not None and origin.pk in partners
        for organisation_id in partners:
            found.setdefault(organisation_id, []).append(initiative)
    return found
