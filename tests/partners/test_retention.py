"""Every retention promise of the privacy notice, kept by its nightly job: what is old goes,
what is fresh stays, and the people the notice lets go are anonymised, exactly those."""

from datetime import date, timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from initiatives.models import ReminderSent
from initiatives.retention import services as account_retention
from partners import history
from partners.models import AuditEvent, HistoryEntry, Invitation, Membership, User
from partners.services import retention
from tests import factories, two_factor
from tests.pages import text_of

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
YEAR = timedelta(days=366)


def ago(delta):
    return timezone.now() - delta


# --- sign-in records, sessions, the audit log -------------------------------------------------


def sign_in_records(client, email, password, address):
    """A successful and a failed sign-in by `email` from `address`, as django-axes records
    them (and as the optional failure log would)."""
    for attempt in (password, "wrong password"):
        response = client.post(
            reverse("login"), {"login": email, "password": attempt}, REMOTE_ADDR=address
        )
        two_factor.code_step(client, response, email, REMOTE_ADDR=address)
        client.logout()
    AccessFailureLog.objects.create(username=email, ip_address=address)


def date_sign_in_records(email, when):
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username=email).update(attempt_time=when)


def test_sign_in_records_are_deleted_after_30_days_and_younger_ones_kept(
    client, officer, manager, password
):
    sign_in_records(client, officer.email, password, "192.0.2.31")
    sign_in_records(client, manager.email, password, "192.0.2.29")
    # Dated afterwards: django-axes itself clears attempts past their cool-off at each sign-in.
    date_sign_in_records(officer.email, ago(31 * DAY))
    date_sign_in_records(manager.email, ago(29 * DAY))

    deleted = retention.sign_in_records_delete_old()

    assert deleted == {"accessattempt": 1, "accessfailurelog": 1, "accesslog": 1}
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        assert list(model.objects.values_list("username", flat=True)) == [manager.email]
    assert retention.sign_in_records_delete_old() == dict.fromkeys(deleted, 0)


def test_expired_sessions_are_cleared_and_live_ones_kept(client, officer, manager):
    client.force_login(officer)
    live_key = client.session.session_key
    expired = client.__class__()
    expired.force_login(manager)
    Session.objects.filter(session_key=expired.session.session_key).update(expire_date=ago(DAY))

    retention.sessions_clear_expired()

    assert list(Session.objects.values_list("session_key", flat=True)) == [live_key]
    assert client.get(reverse("accounts:account")).status_code == 200


def test_audit_events_older_than_the_retention_setting_are_deleted_and_younger_ones_kept(
    admin_user, settings
):
    assert settings.AUDIT_RETENTION_DAYS == 730  # two years unless configured
    two_years_ago = timezone.now() - timedelta(days=730)
    old = factories.AuditEventFactory(actor=admin_user, at=two_years_ago - DAY)
    kept = factories.AuditEventFactory(actor=admin_user, at=two_years_ago + DAY)

    assert retention.audit_events_delete_old() == 1

    assert list(AuditEvent.objects.all()) == [kept]
    assert not AuditEvent.objects.filter(pk=old.pk).exists()


# --- invitations never accepted ---------------------------------------------------------------


def test_people_who_never_accept_an_invitation_are_anonymised_after_90_days(council):
    stale = factories.InvitationFactory(organisation=council, last_sent_at=ago(91 * DAY))
    never_sent = factories.InvitationFactory(organisation=council)
    Invitation.objects.filter(pk=never_sent.pk).update(created_at=ago(91 * DAY))
    resent = factories.InvitationFactory(organisation=council, last_sent_at=ago(89 * DAY))
    accepted = factories.InvitationFactory(
        organisation=council, last_sent_at=ago(400 * DAY), accepted_at=ago(399 * DAY)
    )

    anonymised = retention.invitations_unaccepted_anonymise()

    assert sorted(anonymised) == sorted([stale.user_id, never_sent.user_id])
    for invitation in (resent, accepted):
        person = User.objects.get(pk=invitation.user_id)
        assert person.anonymised_at is None and person.email == invitation.user.email
    stale.refresh_from_db()  # the invitation stays, naming nobody
    assert stale.user.full_name == f"Former user {stale.user_id}"
    assert not stale.user.is_active
    assert not Membership.objects.filter(user_id=stale.user_id).exists()
    assert retention.invitations_unaccepted_anonymise() == []


# --- accounts ---------------------------------------------------------------------------------


@pytest.fixture
def long_gone(council, admin_user):
    """Lena Leaver: joined ten years ago, invited by an admin, last signed in eight years ago
    and deactivated then; she made, submitted and decided claims of 2015/16, a year locked
    eight years ago, and changed an initiative back then."""
    lena = factories.UserFactory(
        full_name="Lena Leaver",
        email="lena.leaver@leeds.gov.uk",
        is_active=False,
        date_joined=ago(10 * YEAR),
        last_login=ago(8 * YEAR),
        member_of=[(council, "manager")],
    )
    history.history_record(
        actor=admin_user,
        owner=lena,
        action="Invited",
        subject=council.name,
        changes=[
            {"field": "Email address", "before": "", "after": lena.email},
            {"field": "Name", "before": "", "after": lena.full_name},
        ],
    )
    HistoryEntry.objects.filter(owner_id=lena.pk).update(at=ago(10 * YEAR))
    initiative = factories.InitiativeFactory(lead=council)
    made = factories.SavingsClaimFactory(
        initiative=initiative, financial_year=2015, created_by=lena, submitted=True
    )
    made.participants.add(lena)
    decided = factories.SavingsClaimFactory(
        initiative=initiative, financial_year=2015, verified=True, reviewed_by=lena
    )
    factories.HistoryEntryFactory(
        owner=initiative, actor=lena, action="Targets set", at=ago(8 * YEAR)
    )
    factories.FinancialYearLockFactory(year=2015, locked_at=ago(8 * YEAR))
    return {"person": lena, "initiative": initiative, "made": made, "decided": decided}


def gone_since(years, **fields):
    """A deactivated person whose account has been quiet for `years`."""
    return factories.UserFactory(
        is_active=False,
        date_joined=ago((years + 2) * YEAR),
        last_login=ago(years * YEAR),
        **fields,
    )


def test_a_deactivated_person_is_anonymised_7_years_after_their_records_closed(
    long_gone, council, client, password
):
    lena = long_gone["person"]

    assert account_retention.accounts_anonymise_due() == [lena.pk]

    lena.refresh_from_db()
    assert lena.full_name == f"Former user {lena.pk}"
    assert lena.email == f"former-user-{lena.pk}@anonymised.invalid"
    assert not lena.has_usable_password() and not lena.is_active and not lena.is_staff
    assert lena.anonymised_at is not None
    assert not any(
        (lena.email_claims_submitted, lena.email_awaiting_decision, lena.email_quiet_initiatives)
    )
    assert not Membership.objects.filter(user=lena).exists()
    # Her claims and her history entries are still there, naming her by her new name.
    for claim in (long_gone["made"], long_gone["decided"]):
        claim.refresh_from_db()
    assert long_gone["made"].created_by == lena and long_gone["decided"].reviewed_by == lena
    entry = history.history_of(long_gone["initiative"]).get(action="Targets set")
    assert str(entry.actor) == f"Former user {lena.pk}"
    # Her own history no longer holds her name or address, and says what happened.
    own = list(history.history_of(lena))
    assert "Lena" not in str([e.changes for e in own]) and "leeds.gov.uk" not in str(own)
    invited = next(e for e in own if e.action == "Invited")
    assert invited.changes[0]["after"] == lena.email
    anonymised = next(e for e in own if e.action == "Anonymised")
    assert anonymised.actor is None
    assert anonymised.changes == [
        {"field": f"Member of {council.name}", "before": "Manager", "after": ""}
    ]
    # The audit log records it by id only.
    event = AuditEvent.objects.get(action=AuditEvent.Action.PERSON_ANONYMISED)
    assert event.detail == {"user_id": lena.pk, "rule": "deactivated_account"}
    assert (event.actor_id, event.actor_email, event.ip_address) == (None, "", None)
    # Nobody can sign in as her, by either address.
    assert not lena.check_password(password)
    for email in ("lena.leaver@leeds.gov.uk", lena.email):
        response = client.post(reverse("login"), {"login": email, "password": password})
        assert response.status_code == 400 and "_auth_user_id" not in client.session
    # A second night changes nothing.
    assert account_retention.accounts_anonymise_due() == []
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PERSON_ANONYMISED).count() == 1


def test_the_history_pages_show_the_anonymised_name(long_gone, client, admin_user):
    lena = long_gone["person"]
    account_retention.accounts_anonymise_due()
    client.force_login(admin_user)
    page = text_of(client.get(reverse("initiatives:history", args=[long_gone["initiative"].pk])))
    assert f"Former user {lena.pk}" in page and "Lena Leaver" not in page
    person_page = text_of(client.get(reverse("users:detail", args=[lena.pk])))
    assert "Lena Leaver" not in person_page and "lena.leaver@" not in person_page


def test_only_the_people_the_notice_lets_go_are_anonymised(long_gone, council, admin_user):
    lena = long_gone["person"]
    initiative = long_gone["initiative"]
    factories.FinancialYearLockFactory(year=2020, locked_at=ago(3 * YEAR))
    kept = {
        "still active": factories.UserFactory(date_joined=ago(10 * YEAR), last_login=ago(8 * YEAR)),
        "signed in 6 years ago": gone_since(6),
        "changed something last year": gone_since(8),
        "deactivated last year": gone_since(8),
        "made a claim in a year never locked": gone_since(8),
        "made a claim in a year locked 3 years ago": gone_since(8),
        "decided a claim in a year never locked": gone_since(8),
        "edited a claim in a year never locked": gone_since(8),
        "attached evidence to a claim in a year never locked": gone_since(8),
        "locked a year 3 years ago": gone_since(8),
        "already anonymised": gone_since(8, anonymised_at=ago(YEAR)),
    }
    factories.HistoryEntryFactory(
        owner=initiative, actor=kept["changed something last year"], at=ago(YEAR)
    )
    factories.HistoryEntryFactory(
        owner=kept["deactivated last year"], actor=admin_user, action="Deactivated", at=ago(YEAR)
    )
    factories.SavingsClaimFactory(
        initiative=initiative,
        financial_year=2024,
        created_by=kept["made a claim in a year never locked"],
    )
    factories.SavingsClaimFactory(
        initiative=initiative,
        financial_year=2020,
        created_by=kept["made a claim in a year locked 3 years ago"],
    )
    factories.SavingsClaimFactory(
        initiative=initiative,
        financial_year=2024,
        rejected=True,
        reviewed_by=kept["decided a claim in a year never locked"],
    )
    factories.SavingsClaimFactory(initiative=initiative, financial_year=2024).participants.add(
        kept["edited a claim in a year never locked"]
    )
    factories.ClaimEvidenceFactory(
        claim=factories.SavingsClaimFactory(initiative=initiative, financial_year=2024),
        uploaded_by=kept["attached evidence to a claim in a year never locked"],
    )
    factories.FinancialYearLockFactory(
        year=2021, locked_at=ago(3 * YEAR), locked_by=kept["locked a year 3 years ago"]
    )

    assert account_retention.accounts_anonymise_due() == [lena.pk]

    for reason, person in kept.items():
        person.refresh_from_db()
        assert not person.full_name.startswith("Former user"), reason
    assert User.objects.filter(anonymised_at__isnull=False).count() == 2  # Lena and the one before


@pytest.mark.parametrize("kept", [3, 30])
def test_a_night_costs_the_same_queries_however_many_people_and_claims_there_are(
    long_gone, council, django_assert_num_queries, kept
):
    initiative = long_gone["initiative"]
    for _ in range(kept):
        person = gone_since(8, member_of=[(council, "officer")])
        factories.SavingsClaimFactory(initiative=initiative, financial_year=2024, created_by=person)
        factories.HistoryEntryFactory(owner=person, actor=None, at=ago(9 * YEAR))
    with django_assert_num_queries(17):
        assert account_retention.accounts_anonymise_due() == [long_gone["person"].pk]


# --- on request -------------------------------------------------------------------------------


def test_an_admin_anonymises_a_deactivated_person_who_asks(client, admin_user, council):
    leaver = factories.UserFactory(
        full_name="Rita Request", is_active=False, member_of=[(council, "officer")]
    )
    client.force_login(admin_user)
    detail = client.get(reverse("users:detail", args=[leaver.pk]))
    assert "Anonymise account" in text_of(detail)
    confirm = client.get(reverse("users:anonymise", args=[leaver.pk]))
    assert "Anonymise Rita Request&#x27;s account?" in text_of(confirm)
    assert "This cannot be undone" in text_of(confirm)

    response = client.post(reverse("users:anonymise", args=[leaver.pk]), REMOTE_ADDR="192.0.2.9")

    assert response.status_code == 302
    leaver.refresh_from_db()
    assert leaver.full_name == f"Former user {leaver.pk}" and leaver.anonymised_at
    event = AuditEvent.objects.get(action=AuditEvent.Action.PERSON_ANONYMISED)
    assert event.detail == {"user_id": leaver.pk, "rule": "on_request"}
    assert (event.actor_id, event.ip_address) == (admin_user.pk, "192.0.2.9")
    after = text_of(client.get(reverse("users:detail", args=[leaver.pk])))
    assert "Reactivate account" not in after and "Anonymise account" not in after
    # Once is enough: the page and the action are gone.
    assert client.get(reverse("users:anonymise", args=[leaver.pk])).status_code == 403


@pytest.mark.parametrize("who", ["manager", "admin_user"])
def test_only_an_admin_anonymises_and_only_a_deactivated_account(request, client, who, council):
    active = factories.UserFactory(member_of=[(council, "officer")])
    inactive = factories.UserFactory(is_active=False, member_of=[(council, "officer")])
    client.force_login(request.getfixturevalue(who))
    refused = [active] if who == "admin_user" else [active, inactive]
    for person in refused:
        response = client.post(reverse("users:anonymise", args=[person.pk]))
        assert response.status_code in (403, 404)
        person.refresh_from_db()
        assert person.anonymised_at is None
    assert not AuditEvent.objects.exists()


def test_records_of_reminders_sent_are_deleted_after_a_year(officer):
    old = ReminderSent.objects.create(
        user=officer, kind="awaiting_decision", period=date(2025, 1, 6), items=2
    )
    ReminderSent.objects.filter(pk=old.pk).update(sent_at=ago(366 * DAY))
    kept = ReminderSent.objects.create(
        user=officer, kind="awaiting_decision", period=date(2026, 1, 5), items=1
    )
    ReminderSent.objects.filter(pk=kept.pk).update(sent_at=ago(364 * DAY))

    assert account_retention.reminders_sent_delete_old() == 1

    assert list(ReminderSent.objects.all()) == [kept]
