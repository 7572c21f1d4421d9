"""The users and account pages: lists, bad input, acting for an organisation."""

import html

import factory
import pytest
from django.urls import reverse

from partners.models import Membership, User
from partners.permissions import ACTING_FOR_SESSION_KEY
from tests import factories, form_data
from tests.pages import assert_error_at_field, text_of

pytestmark = pytest.mark.django_db


def many_people(count, organisation):
    factories.UserFactory.create_batch(
        count,
        email=factory.Sequence(lambda n: f"bulk{n}@example.gov.uk"),
        full_name=factory.Sequence(lambda n: f"Bulk Person {n:05d}"),
        member_of=[(organisation, "officer")],
    )


# The same number of queries at 30 and at 300 people: a page's cost must not grow with the data.
@pytest.mark.parametrize("count", [30, 300])
@pytest.mark.parametrize(
    "who, query",
    [("admin_user", {"organisation": "lead", "page": 2}), ("manager", {"q": "bulk"})],
)
def test_the_users_page_costs_the_same_queries_at_30_and_300_users(
    request, as_user, council, django_assert_num_queries, count, who, query
):
    many_people(count, council)
    client = as_user(request.getfixturevalue(who))
    query = {k: (council.pk if v == "lead" else v) for k, v in query.items()}
    client.get(reverse("users:list"))
    with django_assert_num_queries(8):
        response = client.get(reverse("users:list"), query)
    assert response.status_code == 200
    assert "Bulk Person" in text_of(response)


def test_the_users_list_answers_its_results_fragment_to_htmx(as_user, admin_user, officer):
    response = as_user(admin_user).get(
        reverse("users:list"), {"q": "olive"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">') and "<html" not in body
    assert "Olive Officer" in body
    assert "HX-Request" in response["Vary"]


def test_filters_by_organisation_and_role_together(as_user, admin_user, council, other_council):
    both = factories.UserFactory(
        full_name="Both Ways", member_of=[(council, "officer"), (other_council, "manager")]
    )
    page = text_of(
        as_user(admin_user).get(
            reverse("users:list"), {"organisation": council.pk, "role": "manager"}
        )
    )
    assert both.full_name not in page  # a manager elsewhere is not a manager of this council


@pytest.mark.parametrize(
    "who, changes, field, message",
    [
        (
            "admin",
            {"email": "olive@example.gov.uk"},
            "email",
            "Someone already has an account with this email address",
        ),
        ("admin", {"email": "not-an-email"}, "email", "Enter an email address in the right format"),
        ("admin", {"full_name": ""}, "full_name", "Enter the person's full name"),
        ("manager", {"role": "manager"}, "role", "Managers can invite officers only"),
        (
            "manager",
            {"organisation": "forged"},
            "organisation",
            "You can only invite people into an organisation you manage",
        ),
    ],
)
def test_bad_invitations_get_a_clear_message_and_write_nothing(
    client, admin_user, manager, council, other_council, who, changes, field, message
):
    factories.UserFactory(email="olive@example.gov.uk")
    client.force_login({"admin": admin_user, "manager": manager}[who])
    if changes.get("organisation") == "forged":
        changes = {"organisation": other_council.pk}
    users_before = User.objects.count()
    response = client.post(reverse("users:invite"), {**form_data.invitation(council), **changes})
    assert_error_at_field(response, field, message)
    assert User.objects.count() == users_before


def test_a_user_in_two_organisations_switches_between_them(client, council, other_council):
    person = factories.UserFactory(
        full_name="Dual Role", member_of=[(council, "officer"), (other_council, "manager")]
    )
    client.force_login(person)
    page = text_of(client.get("/"))
    assert "acting for" in page and "Cornwall Council" in page
    response = client.post(
        reverse("accounts:acting_for"), {"organisation": council.pk, "next": "/partners/"}
    )
    assert response.status_code == 302 and response.url == "/partners/"
    assert client.session[ACTING_FOR_SESSION_KEY] == council.pk
    home = client.get("/")
    assert f'<option value="{council.pk}" selected>' in home.content.decode()


def test_a_forged_organisation_choice_is_refused_and_changes_nothing(
    client, officer, council, other_council
):
    second = factories.OrganisationFactory(name="Second Home Council")
    Membership.objects.create(user=officer, organisation=second, role="officer")
    client.force_login(officer)
    client.post(reverse("accounts:acting_for"), {"organisation": second.pk})
    response = client.post(reverse("accounts:acting_for"), {"organisation": other_council.pk})
    assert response.status_code == 400
    assert "Choose one of the organisations you are a member of" in html.unescape(
        response.content.decode()
    )
    assert client.session[ACTING_FOR_SESSION_KEY] == second.pk


def test_a_session_naming_an_organisation_one_has_left_falls_back_to_a_real_membership(
    client, officer, council, other_council
):
    client.force_login(officer)
    session = client.session
    session[ACTING_FOR_SESSION_KEY] = other_council.pk  # tampered, or a membership since ended
    session.save()
    page = text_of(client.get("/"))
    assert "for Leeds City Council" in page and "Cornwall" not in page


def test_the_account_page_lists_ones_organisations_and_roles(as_user, manager):
    page = text_of(as_user(manager).get(reverse("accounts:account")))
    assert "Leeds City Council Manager" in page
    assert "Change password" in page


def test_a_deactivated_user_cannot_sign_in(client, officer, password):
    officer.is_active = False
    officer.save()
    response = client.post(reverse("login"), {"login": officer.email, "password": password})
    assert response.status_code == 400
    assert "Enter a correct email address and password." in text_of(response)


def test_a_manager_sees_only_the_memberships_in_organisations_they_manage(
    as_user, manager, admin_user, council, other_council
):
    both = factories.UserFactory(
        full_name="Both Ways", member_of=[(council, "officer"), (other_council, "manager")]
    )
    for url in [reverse("users:list"), reverse("users:detail", args=[both.pk])]:
        page = text_of(as_user(manager).get(url))
        assert "Leeds City Council" in page and "Cornwall Council" not in page, url
        page = text_of(as_user(admin_user).get(url))
        assert "Leeds City Council" in page and "Cornwall Council" in page, url


def test_an_admin_is_offered_to_deactivate_others_but_not_themselves(as_user, admin_user, officer):
    client = as_user(admin_user)
    assert "Deactivate account" in text_of(client.get(reverse("users:detail", args=[officer.pk])))
    own = text_of(client.get(reverse("users:detail", args=[admin_user.pk])))
    assert "Deactivate account" not in own


def test_the_account_page_says_who_is_an_administrator(as_user, admin_user, manager):
    assert "Administrator Yes" in text_of(as_user(admin_user).get(reverse("accounts:account")))
    assert "Administrator" not in text_of(as_user(manager).get(reverse("accounts:account")))
