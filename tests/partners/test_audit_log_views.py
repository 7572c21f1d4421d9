"""/audit/: admins read the audit log, newest first, filter it by who, what, when and
organisation, page through it and download it (a download the log records); nobody else may;
and nothing changes or deletes an event but the retention job, after AUDIT_RETENTION_DAYS."""

import datetime

import factory
import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from partners.models import AuditEvent
from partners.services import retention
from tests import factories
from tests.pages import assert_error_at_field, assert_strict_page, csv_rows, text_of

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action
LONDON = datetime.timezone(datetime.timedelta(hours=1))  # British Summer Time


def at(day, hour=12, minute=0):
    """A moment on a day of June 2026, London time."""
    return datetime.datetime(2026, 6, day, hour, minute, tzinfo=LONDON)


def event(**fields):
    return factories.AuditEventFactory(**fields)


def shown(response):
    """The actions listed on a page of the log, top to bottom."""
    return [e.get_action_display() for e, _ in response.context["page"].object_list]


# --- who may read it --------------------------------------------------------------------------


def test_the_audit_log_is_for_admins_and_its_menu_link_shows_only_to_them(client, people):
    event(actor=people.admin, action=Action.YEAR_LOCKED)
    for url in (reverse("audit:list"), reverse("audit:csv")):
        client.logout()
        assert client.get(url).url.startswith(reverse("login"))  # not signed in: sign in first
        for label in ("officer of lead", "manager of lead", "manager of partner"):
            client.force_login(people[label])
            assert client.get(url).status_code == 403  # as /financial-years/ answers them
            menu = text_of(client.get(reverse("accounts:account")))
            assert "Audit log" not in menu
    assert AuditEvent.objects.count() == 1  # a refused download records nothing

    client.force_login(people.admin)
    response = client.get(reverse("audit:list"))
    assert response.status_code == 200
    assert_strict_page(response)
    assert shown(response) == ["Financial year locked"]
    assert 'href="/audit/"' in response.content.decode()  # in the admin's menu
    assert f"deleted after {retention.audit_log_period()}" in text_of(response)


# --- what it shows ----------------------------------------------------------------------------


def test_events_are_listed_newest_first_with_who_where_from_and_their_detail(
    as_user, admin_user, council
):
    event(actor=admin_user, action=Action.YEAR_LOCKED, at=at(1), detail={"year": 2025})
    event(
        actor=admin_user,
        action=Action.MEMBERSHIP_ADDED,
        at=at(2),
        organisation_id=council.pk,
        organisation_name=council.name,
        ip_address="192.0.2.99",
        detail={"user_id": 7, "email": "new@example.gov.uk", "role": "officer"},
    )
    factories.AuditEventFactory(
        actor=None, actor_id=None, actor_email="", action=Action.SIGN_IN_FAILED, at=at(3)
    )
    response = as_user(admin_user).get(reverse("audit:list"))
    assert shown(response) == ["Sign-in failed", "Membership added", "Financial year locked"]
    page = text_of(response)
    assert "3 events" in page
    assert "Not signed in" in page
    assert f"{council.name} (number {council.pk})" in page
    assert "from 192.0.2.99" in page
    assert "email: new@example.gov.uk role: officer user id: 7" in page  # a line each
    assert "2 Jun 2026 12:00:00" in page  # London time


def test_the_list_answers_its_results_fragment_to_htmx(as_user, admin_user):
    event(actor=admin_user, action=Action.YEAR_LOCKED)
    response = as_user(admin_user).get(
        reverse("audit:list"), {"action": "year_locked"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">') and "<html" not in body
    assert "Financial year locked" in body
    assert "HX-Request" in response["Vary"]


# --- filters ----------------------------------------------------------------------------------


@pytest.fixture
def log(council, other_council):
    """Five events over three days, by two people, in two organisations."""
    ada = factories.UserFactory(email="ada.admin@example.gov.uk", is_staff=True)
    olive = factories.UserFactory(email="olive.officer@example.gov.uk")
    event(actor=ada, action=Action.YEAR_LOCKED, at=at(1, 0, 5))
    event(
        actor=ada,
        action=Action.MEMBERSHIP_ADDED,
        at=at(2, 9),
        organisation_id=council.pk,
        organisation_name=council.name,
    )
    event(
        actor=olive,
        action=Action.PERSONAL_DATA_EXPORTED,
        at=at(2, 23, 59),
        organisation_id=other_council.pk,
        organisation_name=other_council.name,
    )
    factories.AuditEventFactory(
        actor=None,
        actor_id=None,
        actor_email="",
        action=Action.SIGN_IN_FAILED,
        at=at(3, 0, 1),
        detail={"email": "Olive.Officer@EXAMPLE.gov.uk", "method": "password"},
    )
    event(actor=olive, action=Action.SIGNED_IN, at=at(3, 8))


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"action": "membership_added"}, ["Membership added"]),
        # Who: the actor's address, or the address an event is about (a failed sign-in).
        ({"who": "ADA"}, ["Membership added", "Financial year locked"]),
        ({"who": "olive.officer"}, ["Signed in", "Sign-in failed", "Personal data exported"]),
        # When: whole days, London time, both ends included.
        ({"since": "2026-06-02"}, ["Signed in", "Sign-in failed", "Personal data exported",
                                   "Membership added"]),
        ({"until": "2026-06-02"}, ["Personal data exported", "Membership added",
                                   "Financial year locked"]),
        ({"since": "2/6/2026", "until": "2/6/2026"}, ["Personal data exported",
                                                      "Membership added"]),
        # Organisation: part of its name, or its number.
        ({"organisation": "leeds"}, ["Membership added"]),
        ({"organisation": "cornwall"}, ["Personal data exported"]),
        ({"organisation": "cornwall", "action": "signed_in"}, []),
    ],
)  # fmt: skip
def test_filters_narrow_the_log_and_stay_in_the_url(as_user, admin_user, log, query, expected):
    response = as_user(admin_user).get(reverse("audit:list"), query)
    assert response.status_code == 200
    assert shown(response) == expected
    page = response.content.decode()
    for value in query.values():
        assert f'value="{value}"' in page or f'value="{value}" selected' in page


def test_an_organisation_is_found_by_its_number(as_user, admin_user, log, other_council):
    response = as_user(admin_user).get(reverse("audit:list"), {"organisation": other_council.pk})
    assert shown(response) == ["Personal data exported"]


@pytest.mark.parametrize(
    "query, field, message",
    [
        ({"since": "31/02/2026"}, "since", "Enter a real date, like 2026-04-01"),
        ({"until": "yesterday"}, "until", "Enter a real date, like 2026-04-01"),
        (
            {"since": "2026-06-03", "until": "2026-06-01"},
            "until",
            "The date to must be the same as or after the date from",
        ),
    ],
)
def test_a_date_not_understood_is_a_clear_error(as_user, admin_user, log, query, field, message):
    response = as_user(admin_user).get(reverse("audit:list"), query)
    assert_error_at_field(response, field, message)
    assert text_of(response).startswith("Error: Audit log")
    # The download refuses the same filters rather than ignoring them.
    client = as_user(admin_user)
    assert client.get(reverse("audit:csv"), query).status_code == 422
    assert not AuditEvent.objects.filter(action=Action.AUDIT_LOG_EXPORTED).exists()


def test_an_htmx_request_with_a_bad_date_shows_the_error_in_the_results(as_user, admin_user, log):
    response = as_user(admin_user).get(
        reverse("audit:list"), {"since": "soon"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422  # htmx is configured to swap 422
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert "There is a problem" in body and 'href="#id_since"' in body


# --- pages ------------------------------------------------------------------------------------


def many_events(count, actor, organisation):
    """`count` events a second apart, oldest first, a third of them sign-ins."""
    start = timezone.now() - datetime.timedelta(days=1)
    return factories.AuditEventFactory.create_batch(
        count,
        actor=actor,
        action=factory.Iterator([Action.SIGNED_IN, Action.SIGN_IN_FAILED, Action.SIGNED_OUT]),
        at=factory.Iterator(start + datetime.timedelta(seconds=n) for n in range(count)),
        organisation_id=organisation.pk,
        organisation_name=organisation.name,
        detail=factory.Iterator({"n": n} for n in range(count)),
    )


def test_the_log_pages_25_at_a_time_keeping_the_filters(as_user, admin_user, council):
    many_events(60, admin_user, council)  # 20 of each action
    client = as_user(admin_user)
    first = client.get(reverse("audit:list"), {"action": "signed_in"})
    assert len(first.context["page"].object_list) == 20
    assert text_of(first).count("Signed in") >= 20

    everything = client.get(reverse("audit:list"), {"page": 3})
    assert [d for _, d in everything.context["page"].object_list] == [
        [f"n: {n}"] for n in range(9, -1, -1)
    ]  # the oldest ten, newest first
    second = client.get(reverse("audit:list"), {"who": "", "page": 2})
    assert "page=3" in second.content.decode() and "page=1" in second.content.decode()


# The same number of queries at 30 and at 300 events: a page's cost must not grow with the log.
@pytest.mark.parametrize("count", [30, 300])
@pytest.mark.parametrize(
    "query",
    [
        {"page": 2},
        {"action": "signed_in", "who": "example", "since": "2020-01-01", "organisation": "leeds"},
    ],
)
def test_the_log_costs_the_same_queries_at_30_and_300_events(
    as_user, admin_user, council, django_assert_num_queries, count, query
):
    many_events(count, admin_user, council)
    client = as_user(admin_user)
    client.get(reverse("audit:list"))
    # The session, the admin, their memberships (the header), the count, the page of events.
    with django_assert_num_queries(5):
        response = client.get(reverse("audit:list"), query)
    assert response.status_code == 200
    assert response.context["page"].object_list  # events were found and shown


# --- the download -----------------------------------------------------------------------------


def test_the_download_holds_the_filtered_events_safely_and_is_itself_recorded(
    client, admin_user, log, council
):
    event(
        actor=admin_user,
        action=Action.MEMBERSHIP_ENDED,
        at=at(4),
        organisation_id=council.pk,
        organisation_name="=HYPERLINK(1)",  # as it was called then
        detail={"email": "x@example.gov.uk"},
    )
    client.force_login(admin_user)
    response = client.get(
        reverse("audit:csv"), {"action": "membership_ended", "page": "2"}, REMOTE_ADDR="192.0.2.8"
    )
    assert response["Content-Disposition"] == 'attachment; filename="audit-events.csv"'
    header, *rows = csv_rows(response)
    assert header[:4] == ["When", "Action", "Action code", "Who (email)"]
    assert rows == [
        [
            "2026-06-04 12:00:00",
            "Membership ended",
            "membership_ended",
            admin_user.email,
            str(admin_user.pk),
            "192.0.2.10",
            "'=HYPERLINK(1)",
            str(council.pk),
            '{"email": "x@example.gov.uk"}',
        ]
    ]
    exported = AuditEvent.objects.get(action=Action.AUDIT_LOG_EXPORTED)
    assert (exported.actor_id, exported.ip_address) == (admin_user.pk, "192.0.2.8")
    assert exported.detail == {
        "export": "audit-events.csv",
        "filters": {"action": "membership_ended"},
    }
    # The page links to the download under the same filters.
    page = client.get(reverse("audit:list"), {"action": "membership_ended"}).content.decode()
    assert 'href="/audit/events.csv?action=membership_ended"' in page


# --- append-only, and the retention job -------------------------------------------------------


def test_events_cannot_be_changed_or_deleted_through_the_model(admin_user):
    kept = event(actor=admin_user, action=Action.YEAR_LOCKED)
    kept.actor_email = "someone-else@example.gov.uk"
    with pytest.raises(ValueError, match="append-only"):
        kept.save()
    with pytest.raises(ValueError, match="append-only"):
        kept.delete()
    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.filter(pk=kept.pk).update(actor_email="someone-else@example.gov.uk")
    with pytest.raises(ValueError, match="append-only"), transaction.atomic():
        AuditEvent.objects.bulk_update([kept], ["actor_email"])
    with pytest.raises(ValueError, match="only by age"):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().actor_email == admin_user.email


@pytest.mark.parametrize("days, period", [(730, "2 years"), (365, "1 year"), (45, "45 days")])
def test_the_retention_job_and_the_privacy_notice_follow_the_setting(
    client, admin_user, settings, days, period
):
    settings.AUDIT_RETENTION_DAYS = days
    cutoff = timezone.now() - datetime.timedelta(days=days)
    event(actor=admin_user, at=cutoff - datetime.timedelta(hours=1))
    kept = event(actor=admin_user, at=cutoff + datetime.timedelta(hours=1))

    assert retention.audit_events_delete_old() == 1
    assert list(AuditEvent.objects.all()) == [kept]
    notice = text_of(client.get(reverse("privacy")))
    assert f"Each event in the audit log is kept for {period}, then deleted" in notice
