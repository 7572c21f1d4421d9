"""Every security-relevant action leaves exactly one audit event, with who did it, from which
address, for which organisation, and a detail without any secret; an action refused leaves
none. Each is driven through its page, as a person does it."""

import json

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from partners import tokens
from partners.models import AuditEvent, Invitation, Membership
from tests import factories, form_data

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action
IP = "192.0.2.44"
NEW_PASSWORD = "a long and unusual passphrase 42"


def the_event(action):
    """The one event of this action (get() fails on none or on two)."""
    return AuditEvent.objects.get(action=action)


def actions():
    return sorted(AuditEvent.objects.values_list("action", flat=True))


def assert_no_secret(*secrets):
    for event in AuditEvent.objects.all():
        written = json.dumps(event.detail)
        for secret in secrets:
            assert secret not in written, (event.action, secret)


def who(event):
    return event.actor_id, event.actor_email, event.ip_address


def where(event):
    return event.organisation_id, event.organisation_name


# --- signing in and out -----------------------------------------------------------------------


def test_signing_in_with_a_password_is_recorded_once_without_the_password(
    client, officer, password
):
    response = client.post(
        reverse("login"), {"login": officer.email, "password": password}, REMOTE_ADDR=IP
    )
    assert response.status_code == 302
    event = the_event(Action.SIGNED_IN)
    assert who(event) == (officer.pk, officer.email, IP)
    assert event.detail == {"method": "password"}
    assert actions() == [Action.SIGNED_IN]
    assert_no_secret(password)


def test_a_wrong_password_is_a_failed_sign_in_keeping_the_address_as_typed(
    client, officer, password
):
    typed = officer.email.upper()
    client.post(reverse("login"), {"login": typed, "password": "not my password"}, REMOTE_ADDR=IP)
    event = the_event(Action.SIGN_IN_FAILED)
    assert who(event) == (None, "", IP)  # whoever typed it was not signed in
    assert event.detail == {"email": typed, "method": "password"}
    assert actions() == [Action.SIGN_IN_FAILED]
    assert_no_secret("not my password", password)


def test_a_sign_in_failure_for_an_unknown_email_is_recorded_as_entered(client):
    client.post(
        reverse("login"),
        {"login": "nobody@example.gov.uk", "password": "guess"},
        REMOTE_ADDR=IP,
    )
    event = the_event(Action.SIGN_IN_FAILED)
    assert who(event) == (None, "", IP)
    assert event.detail["email"] == "nobody@example.gov.uk"
    assert_no_secret("guess")


def test_signing_out_is_recorded_for_the_person_who_signed_out(client, officer):
    client.force_login(officer)
    client.post(reverse("logout"), REMOTE_ADDR=IP)
    assert who(the_event(Action.SIGNED_OUT)) == (officer.pk, officer.email, IP)
    assert actions() == [Action.SIGNED_OUT]


def test_a_sign_in_outside_any_page_records_nothing(client, officer):
    """The test client's force_login signs in with no request to any page: no address, no
    page, nothing a person did."""
    client.force_login(officer)
    client.logout()
    assert not AuditEvent.objects.exists()


def test_a_lockout_is_recorded_once_when_it_begins(client, officer, settings):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit + 2):  # the last two are refused while locked
        client.post(reverse("login"), {"login": officer.email, "password": "wrong"}, REMOTE_ADDR=IP)
    event = the_event(Action.SIGN_IN_LOCKED)
    assert who(event) == (None, "", IP)
    assert event.detail == {"email": officer.email, "failures": limit}
    assert AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED).count() == limit + 2
    assert_no_secret("wrong")


# --- passwords --------------------------------------------------------------------------------


def change_password(client, old):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        REMOTE_ADDR=IP,
    )


def test_changing_ones_password_is_recorded_and_keeps_one_signed_in(client, officer, password):
    client.force_login(officer)
    assert change_password(client, password).url == reverse("password_change_done")
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    assert who(the_event(Action.PASSWORD_CHANGED)) == (officer.pk, officer.email, IP)
    assert actions() == [Action.PASSWORD_CHANGED]
    assert client.get(reverse("accounts:account")).status_code == 200  # still signed in
    assert_no_secret(password, NEW_PASSWORD)


def test_a_password_change_refused_records_nothing(client, officer, password):
    client.force_login(officer)
    assert change_password(client, "not the old one").status_code == 200
    officer.refresh_from_db()
    assert officer.check_password(password)
    assert not AuditEvent.objects.exists()


def ask_for_reset(client, email):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=IP)


def test_a_reset_asked_for_a_known_account_is_recorded_and_the_page_reveals_nothing(
    client, officer
):
    known = ask_for_reset(client, officer.email)
    event = the_event(Action.PASSWORD_RESET_REQUESTED)
    assert who(event) == (None, "", IP)
    assert event.detail == {"user_id": officer.pk, "email": officer.email}

    unknown = ask_for_reset(client, "nobody@example.gov.uk")
    assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
    assert actions() == [Action.PASSWORD_RESET_REQUESTED]


def reset_link(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])


def test_setting_a_password_from_a_reset_link_is_recorded_without_the_token(
    client, officer, password
):
    link = reset_link(officer)
    form_page = client.get(link, REMOTE_ADDR=IP)  # Django moves the token into the session
    response = client.post(
        form_page.url,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        REMOTE_ADDR=IP,
    )
    assert response.url == reverse("password_reset_complete")
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    assert who(the_event(Action.PASSWORD_RESET)) == (officer.pk, officer.email, IP)
    assert actions() == [Action.PASSWORD_RESET]
    assert_no_secret(link.split("/")[-2], NEW_PASSWORD, password)
    # The link is spent.
    assert not client.get(link, follow=True).context["validlink"]


def test_a_reset_link_that_is_not_valid_records_nothing(client, officer):
    uid = urlsafe_base64_encode(force_bytes(officer.pk))
    form_page = client.get(reverse("password_reset_confirm", args=[uid, "made-up-token"]))
    assert form_page.status_code == 200 and not form_page.context["validlink"]
    assert not AuditEvent.objects.exists()


# --- invitations ------------------------------------------------------------------------------


def test_an_invitation_sent_is_recorded_with_the_membership_it_makes(client, admin_user, council):
    client.force_login(admin_user)
    client.post(reverse("users:invite"), form_data.invitation(council, send="on"), REMOTE_ADDR=IP)
    invited = Invitation.objects.get().user
    sent, added = the_event(Action.INVITATION_SENT), the_event(Action.MEMBERSHIP_ADDED)
    for event in (sent, added):
        assert who(event) == (admin_user.pk, admin_user.email, IP)
        assert where(event) == (council.pk, council.name)
    assert sent.detail == {
        "user_id": invited.pk,
        "email": "new.person@example.gov.uk",
        "role": "officer",
        "times_sent": 1,
    }
    assert added.detail == {"user_id": invited.pk, "email": invited.email, "role": "officer"}
    assert actions() == sorted([Action.INVITATION_SENT, Action.MEMBERSHIP_ADDED])


def test_an_account_made_without_sending_records_the_membership_only(client, admin_user, council):
    client.force_login(admin_user)
    client.post(reverse("users:invite"), form_data.invitation(council), REMOTE_ADDR=IP)
    assert Invitation.objects.get().times_sent == 0
    assert actions() == [Action.MEMBERSHIP_ADDED]


def test_an_invitation_sent_again_is_recorded_each_time(client, manager, council):
    invitation = factories.InvitationFactory(organisation=council, invited_by=manager)
    client.force_login(manager)
    client.post(reverse("users:resend", args=[invitation.user_id]), REMOTE_ADDR=IP)
    event = the_event(Action.INVITATION_SENT)
    assert who(event) == (manager.pk, manager.email, IP)
    assert where(event) == (council.pk, council.name)
    assert event.detail["times_sent"] == invitation.times_sent + 1


def test_an_invitation_refused_records_nothing(client, manager, officer, council):
    client.force_login(manager)
    taken = form_data.invitation(council, email=officer.email)
    assert client.post(reverse("users:invite"), taken).status_code == 422
    as_manager = form_data.invitation(council, role="manager")  # managers invite officers only
    assert client.post(reverse("users:invite"), as_manager).status_code == 422
    assert not AuditEvent.objects.exists()


def invitation_link(invitation, token=None):
    user = invitation.user
    token = token or tokens.invitation_tokens.make_token(user)
    return reverse("accounts:invitation", args=[tokens.user_reference(user), token])


def test_accepting_an_invitation_is_recorded_and_so_is_the_sign_in_it_makes(client, council):
    invitation = factories.InvitationFactory(organisation=council, role="manager")
    link = invitation_link(invitation)
    client.post(
        link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, REMOTE_ADDR=IP
    )
    person = invitation.user
    accepted, signed_in = the_event(Action.INVITATION_ACCEPTED), the_event(Action.SIGNED_IN)
    assert who(accepted) == (person.pk, person.email, IP)
    assert where(accepted) == (council.pk, council.name)
    assert accepted.detail == {"role": "manager"}
    assert signed_in.detail == {"method": "invitation"}
    assert actions() == sorted([Action.INVITATION_ACCEPTED, Action.SIGNED_IN])
    assert_no_secret(link.split("/")[-2], NEW_PASSWORD)


def test_an_invitation_link_that_does_not_work_records_nothing(client, council):
    invitation = factories.InvitationFactory(organisation=council)
    link = invitation_link(invitation, token="made-up-token")
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 410
    assert not AuditEvent.objects.exists()


# --- memberships and accounts -----------------------------------------------------------------


def test_a_membership_added_changed_and_ended_is_recorded_in_its_organisation(
    client, admin_user, officer, other_council
):
    client.force_login(admin_user)
    client.post(
        reverse("users:membership_add", args=[officer.pk]),
        {"organisation": other_council.pk, "role": "officer"},
        REMOTE_ADDR=IP,
    )
    membership = Membership.objects.get(user=officer, organisation=other_council)
    change = reverse("users:membership_change", args=[membership.pk])
    client.post(change, {"role": "manager"}, REMOTE_ADDR=IP)
    client.post(change, {"role": "manager"}, REMOTE_ADDR=IP)  # no change: nothing recorded
    client.post(change, {"end": "yes", "role": "manager"}, REMOTE_ADDR=IP)

    person = {"user_id": officer.pk, "email": officer.email}
    expected = {
        Action.MEMBERSHIP_ADDED: {**person, "role": "officer"},
        Action.MEMBERSHIP_CHANGED: {**person, "role_before": "officer", "role": "manager"},
        Action.MEMBERSHIP_ENDED: {**person, "role_before": "manager"},
    }
    for action, detail in expected.items():
        event = the_event(action)
        assert who(event) == (admin_user.pk, admin_user.email, IP)
        assert where(event) == (other_council.pk, other_council.name)
        assert event.detail == detail
    assert actions() == sorted(expected)


def test_a_manager_refused_a_membership_change_records_nothing(client, manager, officer):
    client.force_login(manager)
    membership = officer.memberships.get()
    response = client.post(
        reverse("users:membership_change", args=[membership.pk]), {"role": "manager"}
    )
    assert response.status_code == 403
    assert not AuditEvent.objects.exists()


def test_an_account_deactivated_and_reactivated_is_recorded_each_way(client, admin_user, officer):
    client.force_login(admin_user)
    url = reverse("users:set_active", args=[officer.pk])
    client.post(url, REMOTE_ADDR=IP)
    client.post(url, REMOTE_ADDR=IP)
    for action in (Action.USER_DEACTIVATED, Action.USER_REACTIVATED):
        event = the_event(action)
        assert who(event) == (admin_user.pk, admin_user.email, IP)
        assert event.detail == {"user_id": officer.pk, "email": officer.email}


def test_deactivating_oneself_is_refused_and_records_nothing(client, admin_user):
    client.force_login(admin_user)
    client.post(reverse("users:set_active", args=[admin_user.pk]))
    admin_user.refresh_from_db()
    assert admin_user.is_active
    assert not AuditEvent.objects.exists()


# --- organisations ----------------------------------------------------------------------------


def test_a_merge_is_recorded_on_the_survivor_naming_the_duplicate_and_what_moved(
    client, admin_user, council
):
    duplicate = factories.OrganisationFactory(name="Leeds City Council (duplicate)")
    factories.UserFactory(member_of=[(duplicate, "officer")])
    client.force_login(admin_user)
    client.post(reverse("partners:merge_confirm", args=[council.pk, duplicate.pk]), REMOTE_ADDR=IP)
    event = the_event(Action.ORGANISATIONS_MERGED)
    assert who(event) == (admin_user.pk, admin_user.email, IP)
    assert where(event) == (council.pk, council.name)
    assert event.detail == {
        "duplicate_id": duplicate.pk,
        "duplicate_name": duplicate.name,
        "moved": {"memberships": 1},
    }


def test_a_merge_refused_records_nothing(client, admin_user, council):
    client.force_login(admin_user)
    response = client.post(reverse("partners:merge_confirm", args=[council.pk, council.pk]))
    assert response.status_code == 422
    assert not AuditEvent.objects.exists()


# --- downloads of personal data ---------------------------------------------------------------


def test_downloading_the_users_list_is_recorded_with_its_filters(client, admin_user, officer):
    client.force_login(admin_user)
    response = client.get(
        reverse("users:csv"), {"q": "olive", "role": "", "page": "3"}, REMOTE_ADDR=IP
    )
    body = b"".join(response.streaming_content).decode()
    assert officer.email in body
    event = the_event(Action.PERSONAL_DATA_EXPORTED)
    assert who(event) == (admin_user.pk, admin_user.email, IP)
    assert event.detail == {"export": "users.csv", "filters": {"q": "olive"}}


def test_downloading_the_claims_list_which_names_people_is_recorded(client, officer, initiative):
    factories.SavingsClaimFactory(initiative=initiative, submitted=True)
    client.force_login(officer)
    response = client.get(reverse("claims:csv"), {"show": "all"}, REMOTE_ADDR=IP)
    assert b"".join(response.streaming_content)
    event = the_event(Action.PERSONAL_DATA_EXPORTED)
    assert who(event) == (officer.pk, officer.email, IP)
    assert event.detail == {"export": "claims.csv", "filters": {"show": "all"}}


def test_a_download_with_any_query_at_all_is_recorded(client, admin_user):
    """Whatever a query string holds (a NUL character, a long value) the download is recorded,
    with what PostgreSQL's JSON can hold and a bounded length."""
    client.force_login(admin_user)
    response = client.get(reverse("users:csv"), {"q": "a\x00b", "x" * 300: "y" * 300})
    assert response.status_code == 200
    filters = the_event(Action.PERSONAL_DATA_EXPORTED).detail["filters"]
    assert filters == {"q": "ab", "x" * 254: "y" * 254}


def test_a_download_refused_records_nothing(client, officer):
    client.force_login(officer)  # an officer manages nobody: the users pages are not theirs
    assert client.get(reverse("users:csv")).status_code == 403
    assert not AuditEvent.objects.exists()
