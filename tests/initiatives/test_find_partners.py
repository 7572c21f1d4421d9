"""Finding partners: who runs an initiative in a service area, ranked from the organisation the
user acts for by shared geography and distance (checked against the council register's own
coordinates), or by council type and population; only initiatives the user may see or that are
published; a page's queries the same however many organisations are found."""

import math

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from initiatives.models import Initiative
from initiatives.partnering import notifications, selectors
from initiatives.progress import services as progress_services
from partners import councils
from partners.models import AuditEvent, Membership, Organisation
from partners.services import organisations as organisation_services
from tests import factories

pytestmark = pytest.mark.django_db

LEGAL = Initiative.ServiceArea.LEGAL
URL = reverse("partnering:find")


@pytest.fixture
def register(db):
    councils.public_bodies_load()


def council(code):
    return Organisation.objects.select_related("place").get(source_ref=f"la:{code}")


def running(organisation, area=LEGAL, published=True, model="shared_service"):
    """An initiative `organisation` leads in `area`, published on the register unless not."""
    return factories.InitiativeFactory(
        lead=organisation,
        service_area=area,
        collaboration_model=model,
        visibility="public" if published else "partners",
        published_at=timezone.now() if published else None,
    )


def officer_of(organisation):
    return factories.UserFactory(member_of=[(organisation, Membership.Role.OFFICER)])


def kilometres(a, b):
    """Haversine in Python, independent of the database's."""
    p1, p2 = math.radians(a.latitude), math.radians(b.latitude)
    dp, dl = p2 - p1, math.radians(b.longitude - a.longitude)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * selectors.EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def found(origin, view=selectors.NEAREST, area=LEGAL, user=None):
    user = user or factories.UserFactory(is_staff=True, is_superuser=True)
    initiatives = selectors.initiatives_to_search(user=user, area=area)
    running = selectors.running_in(selectors.initiative_ids(initiatives))
    return list(selectors.organisations_found(origin=origin, running=running, view=view))


def test_distances_are_those_between_the_councils_centres(register):
    leeds = council("LDS")
    for code in ("BRD", "MAN", "KEN", "CRF"):
        running(council(code))
    results = {o.source_ref: o.distance_km for o in found(leeds)}
    for code in ("BRD", "MAN", "KEN", "CRF"):
        expected = kilometres(leeds.place, council(code).place)
        assert results[f"la:{code}"] == pytest.approx(expected, abs=0.01)
    # Known pairs (between the centres of the council areas): Bradford is Leeds's neighbour,
    # Manchester across the Pennines, Kent at the other end of England.
    assert 10 < results["la:BRD"] < 30
    assert 50 < results["la:MAN"] < 70
    assert results["la:KEN"] > 250


def test_shared_geography_comes_first_then_distance_and_councils_before_others(register):
    ashford = council("ASF")
    kent, maidstone, medway = council("KEN"), council("MAI"), council("MDW")
    brighton, leeds = council("BNH"), council("LDS")
    near_charity = factories.OrganisationFactory(
        name="Kent Legal Advice", sector="social", kind="charity", region="south_east"
    )
    far_charity = factories.OrganisationFactory(
        name="Aire Legal Trust", sector="social", kind="charity", region="yorkshire"
    )
    for organisation in (leeds, far_charity, brighton, near_charity, medway, maidstone, kent):
        running(organisation)
    running(ashford)  # the user's own organisation is never a result

    results = found(ashford)

    county = sorted([kent, maidstone], key=lambda o: kilometres(ashford.place, o.place))
    expected = [*county, medway, brighton, leeds, near_charity, far_charity]
    assert [o.pk for o in results] == [o.pk for o in expected]
    shared = [selectors.Shared(o.shared).label for o in results]
    assert shared == [
        "Same county",
        "Same county",
        "Same local resilience forum",
        "Same region",
        "Elsewhere",
        "Same region",
        "Elsewhere",
    ]
    assert results[-1].distance_km is None


def test_a_county_council_shares_its_county_with_its_districts(register):
    kent = council("KEN")
    running(council("ASF"))
    running(council("SUR"))  # Surrey: another county in the same region
    results = found(kent)
    assert [(o.source_ref, o.shared) for o in results] == [
        ("la:ASF", selectors.Shared.COUNTY),
        ("la:SUR", selectors.Shared.REGION),
    ]


def test_councils_like_mine_are_of_the_same_type_and_nearest_in_population(register):
    ashford = council("ASF")  # a district council
    others = [council(code) for code in ("KEN", "LDS", "CAB", "NWP", "MAI")]
    for organisation in others:
        running(organisation)
    results = found(ashford, view=selectors.ALIKE)
    districts = [o for o in others if o.kind == ashford.kind]

    def gap(o):
        return abs(math.log(o.place.population) - math.log(ashford.place.population))

    expected = sorted(districts, key=gap) + sorted(
        [o for o in others if o.kind != ashford.kind], key=gap
    )
    assert [o.pk for o in results] == [o.pk for o in expected]


def test_an_initiative_neither_visible_nor_published_is_not_found(register, client):
    ashford, maidstone, medway = council("ASF"), council("MAI"), council("MDW")
    running(maidstone, published=False)  # private to its partners
    running(medway)
    shared = running(council("CAB"), published=False)
    factories.PartnershipFactory(initiative=shared, organisation=ashford)
    client.force_login(officer_of(ashford))

    response = client.get(URL, {"area": LEGAL})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Medway Council" in page
    assert "Same local resilience forum" in page
    assert "Maidstone Borough Council" not in page
    assert shared.title in page  # Ashford is a partner of Canterbury's: visible to its officer


def test_a_result_shows_the_initiative_model_partners_and_published_verified_savings(
    register, client
):
    ashford, medway = council("ASF"), council("MDW")
    initiative = running(medway, model="capacity_exchange")
    factories.PartnershipFactory(initiative=initiative, organisation=council("GRA"))
    client.force_login(officer_of(ashford))
    page = client.get(URL, {"area": LEGAL}).content.decode()
    assert initiative.title in page
    assert "Capacity or expertise exchange between authorities" in page
    assert "Gravesham Borough Council" in page
    assert reverse("register:detail", args=[initiative.reference]) in page


def test_the_model_narrows_the_search(register, client):
    ashford = council("ASF")
    running(council("MDW"), model="capacity_exchange")
    running(council("MAI"), model="shared_service")
    client.force_login(officer_of(ashford))
    page = client.get(URL, {"area": LEGAL, "model": "shared_service"}).content.decode()
    assert "Maidstone Borough Council" in page
    assert "Medway Council" not in page


def test_the_page_asks_for_an_area_and_refuses_a_wrong_one_with_an_error(register, client):
    client.force_login(officer_of(council("ASF")))
    first = client.get(URL)
    assert first.status_code == 200
    assert "Choose a service area to see" in first.content.decode()
    wrong = client.get(URL, {"area": "spaceflight"})
    assert wrong.status_code == 422
    page = wrong.content.decode()
    assert "There is a problem" in page
    assert "Error: Find partners" in page


def test_a_page_costs_the_same_queries_however_many_organisations_are_found(
    register, client, django_assert_num_queries
):
    ashford = council("ASF")
    client.force_login(officer_of(ashford))
    codes = ["MAI", "MDW", "BNH", "LDS", "KEN", "SUR", "BRD", "MAN", "CAB", "GRA"]
    for code in codes[:2]:
        running(council(code))
    client.get(URL)  # the session and caches, as for any page
    with CaptureQueriesContext(connection) as small:
        client.get(URL, {"area": LEGAL})
    with CaptureQueriesContext(connection) as again:
        client.get(URL, {"area": LEGAL})  # the same findings: the ranked results are cached
    assert len(again) < len(small)
    for code in codes[2:]:
        initiative = running(council(code))
        factories.PartnershipFactory(initiative=initiative, organisation=council("DAR"))
    with django_assert_num_queries(len(small)):
        response = client.get(URL, {"area": LEGAL})
    assert "Bradford" in response.content.decode()
    with django_assert_num_queries(len(again)):
        assert "Bradford" in client.get(URL, {"area": LEGAL}).content.decode()


def test_cached_results_follow_what_the_user_may_find_and_what_changed(
    register, client, django_capture_on_commit_callbacks
):
    """The ranked results are cached, but never past a change: what the user may find is read
    on every request, and a change to an initiative or an organisation moves a version on."""
    ashford, medway = council("ASF"), council("MDW")
    initiative = running(medway)
    client.force_login(officer_of(ashford))
    assert initiative.title in client.get(URL, {"area": LEGAL}).content.decode()
    Initiative.objects.filter(pk=initiative.pk).update(visibility="partners")  # unpublished
    assert initiative.title not in client.get(URL, {"area": LEGAL}).content.decode()
    Initiative.objects.filter(pk=initiative.pk).update(visibility="public")
    admin = factories.UserFactory(is_staff=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        organisation_services.organisation_update(
            actor=admin, organisation=medway, name="Medway Unitary Council"
        )
    assert "Medway Unitary Council" in client.get(URL, {"area": LEGAL}).content.decode()
    Initiative.objects.filter(pk=initiative.pk).update(title="Renamed legal service")
    with django_capture_on_commit_callbacks(execute=True):
        progress_services.progress_recompute_initiative(initiative_id=initiative.pk)
    assert "Renamed legal service" in client.get(URL, {"area": LEGAL}).content.decode()


def test_the_results_are_a_fragment_for_htmx(register, client):
    client.force_login(officer_of(council("ASF")))
    running(council("MDW"))
    response = client.get(URL, {"area": LEGAL}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="results">')
    assert "Medway Council" in page


# --- expressing interest --------------------------------------------------------------------


def contact_url(initiative):
    return reverse("partnering:interest", args=[initiative.pk])


@pytest.fixture
def medway_initiative(register):
    medway = council("MDW")
    initiative = running(medway)
    managers = [
        factories.UserFactory(
            full_name=f"Manager {n}", member_of=[(medway, Membership.Role.MANAGER)]
        )
        for n in (1, 2)
    ]
    factories.UserFactory(member_of=[(medway, Membership.Role.OFFICER)])  # not told
    initiative.managers = managers
    return initiative


def test_a_message_reaches_each_lead_manager_with_the_senders_address_to_reply_to(
    medway_initiative, client, django_capture_on_commit_callbacks
):
    ashford = council("ASF")
    sender = factories.UserFactory(
        full_name="Sam Patel", member_of=[(ashford, Membership.Role.OFFICER)]
    )
    client.force_login(sender)
    page = client.get(URL, {"area": LEGAL}).content.decode()
    assert contact_url(medway_initiative) in page

    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            contact_url(medway_initiative),
            {"message": "How did you set up the joint committee?", "next": f"{URL}?area=legal"},
        )

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?area=legal"
    assert len(queued) == 2  # one email task a manager
    event = AuditEvent.objects.get(action=AuditEvent.Action.INTEREST_EXPRESSED)
    assert (event.actor_id, event.organisation_name) == (sender.pk, ashford.name)
    assert event.detail["initiative"] == medway_initiative.reference
    assert event.detail["recipients"] == 2
    for manager in medway_initiative.managers:
        assert notifications.interest_notify(event_id=event.pk, user_id=manager.pk) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        m.email for m in medway_initiative.managers
    )
    for message in mail.outbox:
        assert message.reply_to == [sender.email]
        assert "Sam Patel of Ashford Borough Council" in message.body
        assert "How did you set up the joint committee?" in message.body
        assert (
            message.subject == f"Ashford Borough Council is interested in {medway_initiative.title}"
        )
    # The sender never sees where it went.
    followed = client.get(response["Location"]).content.decode()
    assert "Your message was sent to the managers of Medway Council" in followed
    assert all(m.email not in followed for m in medway_initiative.managers)


def test_messages_are_limited_per_person_and_an_empty_one_is_refused(
    medway_initiative, client, settings
):
    settings.INTEREST_MESSAGES_PER_HOUR = 2
    client.force_login(officer_of(council("ASF")))
    empty = client.post(contact_url(medway_initiative), {"message": "  "})
    assert empty.status_code == 422
    assert "Write your message to the lead" in empty.content.decode()
    for _ in range(2):
        assert client.post(contact_url(medway_initiative), {"message": "Hello"}).status_code == 302
    third = client.post(contact_url(medway_initiative), {"message": "Hello again"})
    assert third.status_code == 422
    assert "as many messages as you may in an hour" in third.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.INTEREST_EXPRESSED).count() == 2


def test_a_lead_can_stop_messages_and_partners_and_the_unfindable_cannot_write(
    medway_initiative, client
):
    ashford = council("ASF")
    client.force_login(officer_of(ashford))
    private = running(council("MAI"), published=False)
    assert client.get(contact_url(private)).status_code == 404  # not findable: not there
    Initiative.objects.filter(pk=medway_initiative.pk).update(accepts_interest=False)
    refused = client.post(contact_url(medway_initiative), {"message": "Hello"})
    assert refused.status_code == 403
    assert "does not take messages about this initiative" in refused.content.decode()
    assert "Contact the lead" not in client.get(URL, {"area": LEGAL}).content.decode()
    Initiative.objects.filter(pk=medway_initiative.pk).update(accepts_interest=True)
    factories.PartnershipFactory(initiative=medway_initiative, organisation=ashford)
    already = client.get(contact_url(medway_initiative))
    assert already.status_code == 403
    assert "is already a partner of this initiative" in already.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.INTEREST_EXPRESSED).exists()


def test_a_manager_who_left_the_lead_is_not_told(medway_initiative, client):
    client.force_login(officer_of(council("ASF")))
    client.post(contact_url(medway_initiative), {"message": "Hello"})
    event = AuditEvent.objects.get(action=AuditEvent.Action.INTEREST_EXPRESSED)
    gone = medway_initiative.managers[0]
    Membership.objects.filter(user=gone).delete()
    assert notifications.interest_notify(event_id=event.pk, user_id=gone.pk) == 0
    assert mail.outbox == []


def test_the_lead_switches_messages_off_on_the_edit_page_and_history_says_so(
    medway_initiative, client
):
    from initiatives.forms import InitiativeForm
    from partners.history import history_of

    manager = medway_initiative.managers[0]
    form = InitiativeForm(instance=medway_initiative)
    data = {
        **{name: form[name].value() for name in form.fields if form[name].value() is not None},
        "start_date_0": "1",
        "start_date_1": "4",
        "start_date_2": "2025",
        "planned_end_date_0": "31",
        "planned_end_date_1": "3",
        "planned_end_date_2": "2028",
        "accepts_interest": "False",
        "version": medway_initiative.version,
    }
    client.force_login(manager)
    response = client.post(reverse("initiatives:edit", args=[medway_initiative.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    medway_initiative.refresh_from_db()
    assert medway_initiative.accepts_interest is False
    change = history_of(medway_initiative)[0].changes
    assert {
        "field": "Other councils may contact us about it",
        "before": "Yes",
        "after": "No",
    } in change
