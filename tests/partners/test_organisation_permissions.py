"""Who may do what with organisations (DESIGN.md §3), through the views and the services:
anonymous, officer, manager, admin; each allowed and refused; and the queryset filters, for
each kind of user."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from partners import permissions
from partners.models import HistoryEntry, Organisation
from partners.services import organisations as organisation_services
from tests import factories, form_data
from tests.people import People

pytestmark = pytest.mark.django_db

VALID = form_data.organisation(website="https://aire.example.org")


@pytest.mark.parametrize("who", ["officer of lead", "manager of lead", "admin"])
def test_every_signed_in_user_reads_the_directory_and_an_organisation(client, people, council, who):
    client.force_login(people[who])
    assert client.get(reverse("partners:list")).status_code == 200
    assert client.get(reverse("partners:detail", args=[council.pk])).status_code == 200
    assert client.get(reverse("partners:csv")).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, council):
    for url in [
        reverse("partners:list"),
        reverse("partners:detail", args=[council.pk]),
        reverse("partners:create"),
        reverse("partners:csv"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    response = client.post(reverse("partners:create"), VALID)
    assert response.status_code == 302
    assert not Organisation.objects.filter(name=VALID["name"]).exists()


def admin_pages(council, other):
    """(url, answers POST) for every admin page."""
    return [
        (reverse("partners:create"), True),
        (reverse("partners:edit", args=[council.pk]), True),
        (reverse("partners:set_active", args=[council.pk]), True),
        (reverse("partners:merge", args=[council.pk]), False),
        (reverse("partners:merge_confirm", args=[council.pk, other.pk]), True),
        (reverse("partners:history", args=[council.pk]), False),
    ]


@pytest.mark.parametrize("who", ["officer of lead", "manager of lead"])
def test_officers_and_managers_get_403_from_admin_pages_and_nothing_is_written(
    client, people, council, other_council, who
):
    client.force_login(people[who])
    history_before = HistoryEntry.objects.count()
    for url, writes in admin_pages(council, other_council):
        assert client.get(url).status_code == 403, url
        if writes:
            assert client.post(url, {**VALID, "version": council.version}).status_code == 403, url
    council.refresh_from_db()
    other_council.refresh_from_db()
    assert council.name == "Leeds City Council" and council.active
    assert other_council.active and other_council.merged_into is None
    assert not Organisation.objects.filter(name=VALID["name"]).exists()
    assert HistoryEntry.objects.count() == history_before


def test_admins_open_every_admin_page(client, admin_user, council, other_council):
    client.force_login(admin_user)
    for url, _ in admin_pages(council, other_council):
        assert client.get(url).status_code == 200, url


def test_members_are_shown_to_admins_and_the_organisations_managers_only(client, people):
    url = reverse("partners:detail", args=[people.lead.pk])
    for who, sees in [
        ("admin", True),
        ("manager of lead", True),
        ("officer of lead", False),
        ("manager of partner", False),
        ("outsider", False),
    ]:
        client.force_login(people[who])
        assert (people.lead_officer.email in client.get(url).content.decode()) is sees, who


@pytest.mark.parametrize("who", ["officer of lead", "manager of lead"])
def test_services_refuse_non_admins(people, council, other_council, who):
    user = people[who]
    with pytest.raises(PermissionDenied):
        organisation_services.organisation_create(actor=user, **VALID)
    with pytest.raises(PermissionDenied):
        organisation_services.organisation_update(actor=user, organisation=council, name="Renamed")
    with pytest.raises(PermissionDenied):
        organisation_services.organisation_set_active(
            actor=user, organisation=council, active=False
        )
    with pytest.raises(PermissionDenied):
        organisation_services.organisation_merge(
            actor=user, duplicate=other_council, survivor=council
        )
    assert set(Organisation.objects.filter(active=True)) == {
        people.lead,
        people.partner,
        people.other,
    }


def test_services_allow_admins(admin_user, council, other_council):
    created = organisation_services.organisation_create(actor=admin_user, **VALID)
    organisation_services.organisation_update(
        actor=admin_user, organisation=created, short_name="Aire Trust"
    )
    organisation_services.organisation_set_active(
        actor=admin_user, organisation=created, active=False
    )
    organisation_services.organisation_merge(
        actor=admin_user, duplicate=other_council, survivor=council
    )
    created.refresh_from_db()
    assert created.short_name == "Aire Trust" and not created.active


# --- the queryset filters: what each kind of user gets ------------------------------------------


@pytest.fixture
def organisations(people):
    """The lead, the partner and the outsider's council (other) of the shared people, one closed
    organisation and one duplicate merged into the lead."""
    return {
        "lead": people.lead,
        "partner": people.partner,
        "other": people.other,
        "closed": factories.OrganisationFactory(name="Closed Council", active=False),
        "merged": factories.OrganisationFactory(
            name="Leeds (duplicate)", active=False, merged_into=people.lead
        ),
    }


def names(queryset):
    return sorted(o.name for o in queryset)


def named(organisations, *keys):
    return sorted(organisations[key].name for key in keys)


@pytest.mark.parametrize("who", People.LABELS)
def test_every_signed_in_user_sees_every_organisation_in_the_directory(people, organisations, who):
    assert names(permissions.organisations_visible_to(user=people[who])) == named(
        organisations, *organisations
    )


def test_an_anonymous_visitor_sees_no_organisation(organisations):
    assert not permissions.organisations_visible_to(user=AnonymousUser()).exists()


def test_only_active_organisations_never_merged_are_selectable(organisations):
    assert names(permissions.organisations_selectable()) == named(
        organisations, "lead", "partner", "other"
    )


def test_a_manager_of_a_closed_organisation_manages_nothing(organisations):
    manager = factories.UserFactory(member_of=[(organisations["closed"], "manager")])
    assert not permissions.organisations_managed_by(user=manager).exists()
    assert not permissions.organisations_invitable_by(user=manager).exists()
    assert not permissions.can_view_users(manager)


# Managers invite into what they manage; admins manage no organisation but invite into any.
@pytest.mark.parametrize(
    "who, managed, invitable",
    [
        ("officer of lead", [], []),
        ("manager of lead", ["lead"], ["lead"]),
        ("manager of partner", ["partner"], ["partner"]),
        ("outsider", [], []),
        ("admin", [], ["lead", "partner", "other"]),
    ],
)
def test_organisations_each_kind_of_user_manages_and_may_invite_into(
    people, organisations, who, managed, invitable
):
    user = people[who]
    assert names(permissions.organisations_managed_by(user=user)) == named(organisations, *managed)
    assert names(permissions.organisations_invitable_by(user=user)) == named(
        organisations, *invitable
    )
