"""Who may do what with people and memberships (DESIGN.md §3): anonymous, an officer, a manager
of the lead and of a partner, admin; through the views and through the services; and the
queryset filters, for each kind of user."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from partners import permissions
from partners.models import HistoryEntry, Invitation, Membership, User
from partners.services import users as user_services
from tests import factories, form_data
from tests.people import People

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "who, status",
    [
        ("officer of lead", 403),
        ("manager of lead", 200),
        ("manager of partner", 200),
        ("admin", 200),
    ],
)
def test_the_users_page(client, people, who, status):
    client.force_login(people[who])
    assert client.get(reverse("users:list")).status_code == status
    assert client.get(reverse("users:invite")).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in_from_every_users_page(client, officer):
    for url in [
        reverse("users:list"),
        reverse("users:invite"),
        reverse("users:detail", args=[officer.pk]),
        reverse("users:locked"),
        reverse("accounts:account"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_a_manager_sees_only_their_own_organisations_members(client, people, officer, outsider):
    client.force_login(people["manager of lead"])
    page = client.get(reverse("users:list")).content.decode()
    assert officer.email in page and outsider.email not in page
    assert client.get(reverse("users:detail", args=[officer.pk])).status_code == 200
    assert client.get(reverse("users:detail", args=[outsider.pk])).status_code == 404
    client.force_login(people["manager of partner"])
    assert client.get(reverse("users:detail", args=[officer.pk])).status_code == 404


@pytest.mark.parametrize(
    "who, organisation, role, allowed",
    [
        ("officer of lead", "lead", "officer", False),
        ("manager of lead", "lead", "officer", True),
        ("manager of lead", "lead", "manager", False),
        ("manager of lead", "partner", "officer", False),
        ("manager of partner", "lead", "officer", False),
        ("admin", "lead", "manager", True),
        ("admin", "partner", "officer", True),
    ],
)
def test_who_may_invite_whom_into_which_organisation(
    client, people, who, organisation, role, allowed
):
    client.force_login(people[who])
    response = client.post(
        reverse("users:invite"), form_data.invitation(getattr(people, organisation), role=role)
    )
    created = User.objects.filter(email="new.person@example.gov.uk").exists()
    assert created is allowed
    if allowed:
        assert response.status_code == 302
        assert Membership.objects.get(user__email="new.person@example.gov.uk").role == role
    else:
        assert response.status_code in (403, 422)
        assert not Invitation.objects.exists()


@pytest.mark.parametrize("who", ["officer of lead", "manager of lead", "manager of partner"])
def test_only_admins_manage_memberships_and_accounts(client, people, officer, other_council, who):
    membership = officer.memberships.get()
    history_before = HistoryEntry.objects.count()
    client.force_login(people[who])
    forbidden = {403, 404}
    assert (
        client.post(
            reverse("users:membership_add", args=[officer.pk]),
            {"organisation": other_council.pk, "role": "officer"},
        ).status_code
        in forbidden
    )
    assert (
        client.post(
            reverse("users:membership_change", args=[membership.pk]), {"role": "manager"}
        ).status_code
        in forbidden
    )
    assert (
        client.post(
            reverse("users:membership_change", args=[membership.pk]), {"end": "1"}
        ).status_code
        in forbidden
    )
    assert client.post(reverse("users:set_active", args=[officer.pk])).status_code in forbidden
    assert client.get(reverse("users:locked")).status_code == 403
    officer.refresh_from_db()
    assert officer.is_active
    assert list(officer.memberships.values_list("organisation_id", "role")) == [
        (membership.organisation_id, "officer")
    ]
    assert HistoryEntry.objects.count() == history_before


def test_an_admin_adds_changes_and_ends_memberships_and_deactivates(
    client, admin_user, officer, other_council
):
    client.force_login(admin_user)
    membership = officer.memberships.get()
    client.post(
        reverse("users:membership_add", args=[officer.pk]),
        {"organisation": other_council.pk, "role": "officer"},
    )
    client.post(reverse("users:membership_change", args=[membership.pk]), {"role": "manager"})
    assert dict(officer.memberships.values_list("organisation_id", "role")) == {
        membership.organisation_id: "manager",
        other_council.pk: "officer",
    }
    client.post(reverse("users:membership_change", args=[membership.pk]), {"end": "1"})
    assert list(officer.memberships.values_list("organisation_id", flat=True)) == [other_council.pk]
    client.post(reverse("users:set_active", args=[officer.pk]))
    officer.refresh_from_db()
    assert not officer.is_active
    actions = list(
        HistoryEntry.objects.filter(owner_id=officer.pk).values_list("action", flat=True)
    )
    assert {"Membership added", "Role changed", "Membership ended", "Deactivated"} <= set(actions)


@pytest.mark.parametrize("who", ["officer of lead", "manager of lead", "manager of partner"])
def test_services_refuse_non_admins(people, officer, other_council, who):
    actor = people[who]
    membership = officer.memberships.get()
    with pytest.raises(PermissionDenied):
        user_services.membership_add(
            actor=actor, user=officer, organisation=other_council, role="officer"
        )
    with pytest.raises(PermissionDenied):
        user_services.membership_change_role(actor=actor, membership=membership, role="manager")
    with pytest.raises(PermissionDenied):
        user_services.membership_end(actor=actor, membership=membership)
    with pytest.raises(PermissionDenied):
        user_services.user_set_active(actor=actor, user=officer, active=False)


@pytest.mark.parametrize(
    "organisation, role, refusal",
    [
        ("lead", "manager", "Managers can invite officers only"),
        ("partner", "officer", "only invite people into an organisation you manage"),
    ],
)
def test_the_invite_service_refuses_what_the_inviter_may_not_do(
    people, organisation, role, refusal
):
    with pytest.raises(ValidationError, match=refusal):
        user_services.user_invite(
            actor=people.lead_manager,
            email="a@example.gov.uk",
            full_name="A",
            organisation=getattr(people, organisation),
            role=role,
        )
    assert not User.objects.filter(email="a@example.gov.uk").exists()


@pytest.fixture(params=["inactive", "merged"])
def unselectable(request, council):
    """An organisation nobody may join: deactivated, or merged into another."""
    if request.param == "merged":
        return factories.OrganisationFactory(
            name="Merged Council", active=False, merged_into=council
        )
    return factories.OrganisationFactory(name="Closed Council", active=False)


def test_the_invite_service_refuses_an_organisation_nobody_may_join(people, unselectable):
    with pytest.raises(ValidationError) as refusal:
        user_services.user_invite(
            actor=people["admin"],
            email="c@example.gov.uk",
            full_name="C",
            organisation=unselectable,
            role="officer",
        )
    assert "nobody can join it" in refusal.value.message_dict["organisation"][0]
    assert not User.objects.filter(email="c@example.gov.uk").exists()


def test_the_membership_service_refuses_an_organisation_nobody_may_join(
    people, officer, unselectable
):
    with pytest.raises(ValidationError) as refusal:
        user_services.membership_add(
            actor=people["admin"], user=officer, organisation=unselectable, role="officer"
        )
    assert "nobody can join it" in refusal.value.message_dict["organisation"][0]
    assert not Membership.objects.filter(user=officer, organisation=unselectable).exists()


def test_resending_an_invitation_is_for_admins_and_the_organisations_managers(people, council):
    invitation = user_services.user_invite(
        actor=people["admin"],
        email="b@example.gov.uk",
        full_name="B",
        organisation=council,
        role="officer",
    )
    user_services.invitation_resend(actor=people["manager of lead"], invitation=invitation)
    with pytest.raises(PermissionDenied):
        user_services.invitation_resend(actor=people["manager of partner"], invitation=invitation)
    with pytest.raises(PermissionDenied):
        user_services.invitation_resend(actor=people["officer of lead"], invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.times_sent == 2


# --- the queryset filters: what each kind of user gets ------------------------------------------


@pytest.fixture
def everyone(people):
    """The shared people by their labels, and someone in no organisation."""
    return {
        **{who: people[who] for who in people.LABELS},
        "nobody's member": factories.UserFactory(full_name="Norah Nomember"),
    }


EVERYONE = [*People.LABELS, "nobody's member"]


def emails(people, *who):
    return sorted(people[w].email for w in who)


@pytest.mark.parametrize(
    "who, visible",
    [
        ("officer of lead", []),
        ("officer of partner", []),
        ("outsider", []),
        ("manager of lead", ["officer of lead", "manager of lead"]),
        ("manager of partner", ["officer of partner", "manager of partner"]),
        ("admin", EVERYONE),
    ],
)
def test_users_visible_to_each_kind_of_user(everyone, who, visible):
    found = permissions.users_visible_to(user=everyone[who])
    assert sorted(found.values_list("email", flat=True)) == emails(everyone, *visible)


def test_an_anonymous_visitor_sees_nobody(everyone):
    assert not permissions.users_visible_to(user=AnonymousUser()).exists()
    assert not permissions.memberships_visible_to(user=AnonymousUser()).exists()


@pytest.mark.parametrize(
    "who, organisations",
    [
        ("officer of lead", []),
        ("outsider", []),
        ("manager of lead", ["lead"]),
        ("manager of partner", ["partner"]),
        ("admin", ["lead", "partner", "other"]),
    ],
)
def test_memberships_and_their_organisations_visible_to_each_kind_of_user(
    people, everyone, who, organisations
):
    ids = sorted(getattr(people, o).pk for o in organisations)
    user = everyone[who]
    memberships = permissions.memberships_visible_to(user=user)
    expected = Membership.objects.filter(organisation_id__in=ids)
    assert sorted(memberships.values_list("pk", flat=True)) == sorted(
        expected.values_list("pk", flat=True)
    )
    shown = permissions.organisations_with_members_visible_to(user=user)
    assert sorted(shown.values_list("pk", flat=True)) == ids


def test_the_users_filter_offers_no_organisation_without_members(admin_user, council):
    empty = factories.OrganisationFactory(name="Empty Council")
    factories.UserFactory(member_of=[(council, "officer")])
    shown = permissions.organisations_with_members_visible_to(user=admin_user)
    assert council in shown and empty not in shown


@pytest.mark.parametrize(
    "who, roles",
    [("manager of lead", ["officer"]), ("admin", ["officer", "manager", "auditor"])],
)
def test_roles_each_inviter_may_give(everyone, who, roles):
    given = permissions.roles_invitable_by(user=everyone[who])
    assert [value for value, _ in given] == roles


def test_admins_deactivate_others_but_never_themselves(everyone):
    admin = everyone["admin"]
    assert permissions.can_set_active(admin, everyone["officer of lead"])
    assert not permissions.can_set_active(admin, admin)
    assert not permissions.can_set_active(everyone["manager of lead"], everyone["officer of lead"])
