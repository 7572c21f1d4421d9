"""Who may see and change initiatives (DESIGN.md §3): anonymous, officer and manager of the
lead, officer of a partner, officer of an unrelated organisation, admin."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from initiatives import permissions, services
from initiatives.models import Initiative
from partners.models import HistoryEntry
from tests import factories, form_data

pytestmark = pytest.mark.django_db

SECTIONS = ["detail", "partners", "targets", "history"]
EDIT_PAGES = ["edit", "status", "publish", "partner_add"]


SEES = {
    "officer of lead": True,
    "manager of lead": True,
    "officer of partner": True,
    "outsider": False,
    "admin": True,
}
EDITS = {
    "officer of lead": True,
    "manager of lead": True,
    "officer of partner": False,
    "outsider": False,
    "admin": True,
}
# Adding or removing partners, setting their shares and publishing: the lead's managers.
MANAGES = {**EDITS, "officer of lead": False}


@pytest.mark.parametrize("who", SEES)
def test_the_list_shows_only_initiatives_the_user_may_see(client, people, initiative, who):
    client.force_login(people[who])
    page = client.get(reverse("initiatives:list")).content.decode()
    assert (initiative.reference in page) is SEES[who]
    assert (initiative in permissions.initiatives_visible_to(user=people[who])) is SEES[who]


@pytest.mark.parametrize("who", SEES)
def test_every_section_answers_200_to_those_who_may_see_it_and_404_to_others(
    client, people, initiative, who
):
    client.force_login(people[who])
    for section in SECTIONS:
        response = client.get(reverse(f"initiatives:{section}", args=[initiative.pk]))
        assert response.status_code == (200 if SEES[who] else 404), section


@pytest.mark.parametrize("who", SEES)
def test_edit_pages_for_the_lead_and_admins_only(client, people, initiative, who):
    client.force_login(people[who])
    expected = 200 if EDITS[who] else (403 if SEES[who] else 404)
    for page in EDIT_PAGES:
        assert (
            client.get(reverse(f"initiatives:{page}", args=[initiative.pk])).status_code == expected
        ), page


@pytest.mark.parametrize("who", [w for w in SEES if not EDITS[w]])
def test_posts_from_those_who_may_not_edit_change_nothing(
    client, people, initiative, council, partner_council, who
):
    client.force_login(people[who])
    history = HistoryEntry.objects.count()
    posts = {
        "edit": {"title": "Hijacked"},
        "status": {"status": "in_design", "reason": "x"},
        "publish": {},
        "partners": {f"share_{council.pk}": "50", f"share_{partner_council.pk}": "50"},
        "targets": {"target_2025": "1"},
        "partner_add": {"organisation": factories.OrganisationFactory().pk},
    }
    for page, data in posts.items():
        response = client.post(reverse(f"initiatives:{page}", args=[initiative.pk]), data)
        assert response.status_code in (403, 404), page
    initiative.refresh_from_db()
    assert (initiative.title, initiative.status, initiative.is_published) == (
        "Shared revenues and benefits service",
        "proposed",
        False,
    )
    assert HistoryEntry.objects.count() == history


@pytest.mark.parametrize("who", [w for w in SEES if not EDITS[w]])
def test_services_refuse_those_who_may_not_edit(people, initiative, council, partner_council, who):
    actor = people[who]
    calls = [
        lambda: services.initiative_update(actor=actor, initiative=initiative, title="x"),
        lambda: services.initiative_change_status(
            actor=actor, initiative=initiative, status="in_design", reason="x"
        ),
        lambda: services.partnership_add(
            actor=actor, initiative=initiative, organisation=factories.OrganisationFactory()
        ),
        lambda: services.shares_set(
            actor=actor, initiative=initiative, shares={council.pk: 50, partner_council.pk: 50}
        ),
        lambda: services.targets_set(actor=actor, initiative=initiative, targets={2025: "1"}),
        lambda: services.initiative_publish(actor=actor, initiative=initiative, publish=True),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()


def test_an_officer_creates_an_initiative_led_by_the_organisation_they_act_for(
    client, officer, council
):
    client.force_login(officer)
    # The lead posted is ignored: officers lead with the organisation they act for.
    response = client.post(
        reverse("initiatives:create"),
        form_data.initiative(lead=factories.OrganisationFactory().pk),
    )
    assert response.status_code == 302
    assert Initiative.objects.get().lead == council


def test_someone_in_no_organisation_cannot_create(client):
    loner = factories.UserFactory()
    client.force_login(loner)
    assert client.get(reverse("initiatives:create")).status_code == 403


def test_the_services_refuse_to_create_for_an_organisation_one_does_not_belong_to(
    officer, other_council
):
    from tests.factories import make_initiative

    with pytest.raises(PermissionDenied):
        make_initiative(officer, other_council)


def test_an_admin_chooses_the_lead(client, admin_user, other_council):
    client.force_login(admin_user)
    response = client.post(
        reverse("initiatives:create"),
        {
            "lead": other_council.pk,
            "title": "County-wide ICT",
            "collaboration_model": "shared_service",
            "service_area": "ict",
            "governance": "company",
            "start_date_0": "1",
            "start_date_1": "4",
            "start_date_2": "2026",
        },
    )
    assert response.status_code == 302
    assert Initiative.objects.get().lead == other_council


def test_the_register_shows_only_published_initiatives_to_anonymous_visitors(
    client, officer, manager, initiative, council
):
    from tests.factories import make_initiative

    hidden = make_initiative(officer, council, title="Not for the public")
    services.initiative_publish(actor=manager, initiative=initiative, publish=True)
    page = client.get(reverse("register:list")).content.decode()
    assert initiative.title in page and hidden.title not in page
    assert client.get(reverse("register:detail", args=[initiative.reference])).status_code == 200
    assert client.get(reverse("register:detail", args=[hidden.reference])).status_code == 404
    # The initiatives pages themselves stay behind sign-in.
    assert client.get(reverse("initiatives:detail", args=[initiative.pk])).status_code == 302


@pytest.mark.parametrize("who", SEES)
def test_the_predicates_answer_as_design_says(people, initiative, who):
    user = people[who]
    assert permissions.can_edit_initiative(user, initiative) is EDITS[who]
    assert permissions.can_manage_partners(user, initiative) is MANAGES[who]
    assert permissions.can_publish_initiative(user, initiative) is MANAGES[who]
    # Everyone here belongs to an organisation (the outsider leads their own initiatives).
    assert permissions.can_create_any_initiative(user) is True
    assert permissions.can_review_claims(user) is (who == "manager of lead")
    assert permissions.can_recompute(user) is (who == "admin")


def test_someone_in_no_organisation_may_create_no_initiative_and_reviews_nothing():
    loner = factories.UserFactory()
    assert not permissions.can_create_any_initiative(loner)
    assert not permissions.can_review_claims(loner)


def test_an_officer_of_the_lead_may_not_add_or_remove_partners_set_shares_or_publish(
    client, officer, initiative, council, partner_council
):
    client.force_login(officer)
    newcomer = factories.OrganisationFactory(name="Kirklees Council")
    partnership = initiative.partnerships.get(organisation=partner_council)
    history = HistoryEntry.objects.count()
    posts = [
        (reverse("initiatives:partner_add", args=[initiative.pk]), {"organisation": newcomer.pk}),
        (reverse("initiatives:partner_remove", args=[initiative.pk, partnership.pk]), {}),
        (
            reverse("initiatives:partners", args=[initiative.pk]),
            {
                f"share_{council.pk}": "50",
                f"share_{partner_council.pk}": "50",
                "version": initiative.version,
            },
        ),
        (reverse("initiatives:publish", args=[initiative.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert HistoryEntry.objects.count() == history
    for call in [
        lambda: services.partnership_add(
            actor=officer, initiative=initiative, organisation=newcomer
        ),
        lambda: services.partnership_remove(actor=officer, partnership=partnership),
        lambda: services.shares_set(
            actor=officer, initiative=initiative, shares={council.pk: 50, partner_council.pk: 50}
        ),
        lambda: services.initiative_publish(actor=officer, initiative=initiative, publish=True),
    ]:
        with pytest.raises(PermissionDenied, match="manager of the lead"):
            call()


def test_the_officer_is_told_that_a_manager_of_the_lead_does_it(client, officer, initiative):
    client.force_login(officer)
    partners = client.get(reverse("initiatives:partners", args=[initiative.pk])).content.decode()
    assert "A manager of Leeds City Council adds or removes partners" in partners
    assert "Save shares" not in partners and "Add a partner" not in partners
    assert "Publish on the public register" not in partners
    assert "A manager of Leeds City Council publishes it on the public register" in partners
    publish = client.get(reverse("initiatives:publish", args=[initiative.pk])).content.decode()
    assert "A manager of Leeds City Council publishes initiatives" in publish
    assert '<button type="submit"' not in publish.split("</header>")[-1]
    found = client.get(reverse("initiatives:partner_add", args=[initiative.pk]), {"q": "Corn"})
    assert "ask a manager of Leeds City Council to add it" in found.content.decode()
    assert 'name="organisation"' not in found.content.decode()


def test_a_manager_of_the_lead_adds_and_removes_partners_and_publishes(client, manager, initiative):
    client.force_login(manager)
    newcomer = factories.OrganisationFactory(name="Kirklees Council")
    partners = client.get(reverse("initiatives:partners", args=[initiative.pk])).content.decode()
    assert "Save shares" in partners and "Add a partner" in partners
    assert "A manager of Leeds City Council adds or removes" not in partners
    response = client.post(
        reverse("initiatives:partner_add", args=[initiative.pk]), {"organisation": newcomer.pk}
    )
    assert response.status_code == 302
    added = initiative.partnerships.get(organisation=newcomer)
    response = client.post(reverse("initiatives:partner_remove", args=[initiative.pk, added.pk]))
    assert response.status_code == 302
    response = client.post(reverse("initiatives:publish", args=[initiative.pk]))
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.is_published
    added.refresh_from_db()
    assert added.removed_on is not None
