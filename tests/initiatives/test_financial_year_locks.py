"""Locking and unlocking financial years (/financial-years/): a confirmation with a reason, a
warning about claims still awaiting a decision, an audit event for each, and the history of
locks kept after an unlock."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from initiatives import financial_years
from initiatives.claims import services
from initiatives.models import FinancialYearLock
from partners.models import AuditEvent
from tests import factories
from tests import services as test_services
from tests.concurrency import run_together
from tests.pages import assert_error_at_field, assert_strict_page, text_of

pytestmark = pytest.mark.django_db

YEARS = reverse("financial_years")
LOCK = reverse("financial_year_lock", args=[2025])
UNLOCK = reverse("financial_year_unlock", args=[2025])


def lock(admin, year=2025, reason="Signed off by the audit committee"):
    services.financial_year_set_locked(actor=admin, year=year, locked=True, reason=reason)


def test_locking_asks_for_confirmation_and_a_reason(as_user, admin_user):
    response = as_user(admin_user).get(LOCK)
    page = text_of(response)
    assert response.status_code == 200
    assert "Lock 2025/26?" in page and "Why are you locking 2025/26?" in page
    assert '<textarea name="reason"' in response.content.decode()
    assert f'<a class="govuk-link" href="{YEARS}">Cancel</a>' in response.content.decode()
    assert "still await" not in page
    assert not FinancialYearLock.objects.exists()
    assert_strict_page(response)


def test_the_confirmation_warns_of_claims_awaiting_a_decision_with_a_count_and_a_link(
    as_user, admin_user, initiative
):
    for fields in (
        {"submitted": True},
        {"submitted": True},
        {"submitted": True, "financial_year": 2026},
        {"verified": True},
        {},
    ):
        factories.SavingsClaimFactory(initiative=initiative, **fields)
    client = as_user(admin_user)
    response = client.get(LOCK)
    assert "Warning 2 claims of 2025/26 still await a decision." in text_of(response)
    link = f"{reverse('claims:list')}?show=all&amp;fy=2025&amp;status=submitted"
    body = response.content.decode()
    assert (
        f'<a class="govuk-link" href="{link}">See the claims of 2025/26 awaiting a decision' in body
    )
    listed = client.get(reverse("claims:list"), {"show": "all", "fy": 2025, "status": "submitted"})
    assert "2 claims" in text_of(listed)


def test_a_lock_without_a_reason_is_refused_at_the_field_and_writes_nothing(as_user, admin_user):
    response = as_user(admin_user).post(LOCK, {"reason": "   "})
    assert_error_at_field(response, "reason", "Say why you are locking 2025/26")
    assert not FinancialYearLock.objects.exists()
    assert not AuditEvent.objects.exists()


def test_locking_keeps_who_when_why_and_records_an_audit_event(as_user, admin_user):
    response = as_user(admin_user).post(
        LOCK, {"reason": "Signed off by the audit committee"}, REMOTE_ADDR="192.0.2.7"
    )
    assert response.status_code == 302 and response.url == YEARS
    stored = FinancialYearLock.objects.get()
    assert (stored.year, stored.locked_by, stored.reason) == (
        2025,
        admin_user,
        "Signed off by the audit committee",
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_id, event.actor_email, event.ip_address) == (
        AuditEvent.Action.YEAR_LOCKED,
        admin_user.pk,
        admin_user.email,
        "192.0.2.7",
    )
    assert event.detail == {"year": 2025, "reason": "Signed off by the audit committee"}
    page = text_of(as_user(admin_user).get(YEARS))
    assert "2025/26 is locked." in page
    assert "by Ada Admin: Signed off by the audit committee" in page


def test_unlocking_asks_for_a_reason_too_and_writes_nothing_without_one(as_user, admin_user):
    lock(admin_user)
    client = as_user(admin_user)
    assert "Why are you unlocking 2025/26?" in text_of(client.get(UNLOCK))
    response = client.post(UNLOCK, {"reason": ""})
    assert_error_at_field(response, "reason", "Say why you are unlocking 2025/26")
    assert FinancialYearLock.objects.filter(year=2025).exists()
    assert AuditEvent.objects.count() == 1


def test_after_an_unlock_the_page_keeps_the_record_of_the_earlier_lock(as_user, admin_user):
    lock(admin_user)
    client = as_user(admin_user)
    response = client.post(UNLOCK, {"reason": "A verified claim double-counted a post"})
    assert response.status_code == 302
    assert not FinancialYearLock.objects.exists()
    unlocked, locked = AuditEvent.objects.all()  # newest first
    assert unlocked.action == AuditEvent.Action.YEAR_UNLOCKED
    assert unlocked.detail["reason"] == "A verified claim double-counted a post"
    assert unlocked.detail["ended_lock"]["reason"] == "Signed off by the audit committee"
    assert locked.action == AuditEvent.Action.YEAR_LOCKED
    page = text_of(client.get(YEARS))
    row = page[page.index("2025/26 Open") : page.index("2024/25")]
    assert "History of 2025/26 (2)" in row
    assert f"by {admin_user.email}: A verified claim double-counted a post" in row
    assert f"by {admin_user.email}: Signed off by the audit committee" in row
    assert row.index("Unlocked") < row.index("Locked")


def test_a_year_already_locked_offers_no_second_lock(as_user, admin_user):
    lock(admin_user)
    client = as_user(admin_user)
    page = client.get(LOCK)
    assert "2025/26 is already locked." in text_of(page)
    assert '<form method="post" novalidate>' not in page.content.decode()
    assert client.post(LOCK, {"reason": "Again"}).status_code == 409
    assert (
        client.post(reverse("financial_year_unlock", args=[2024]), {"reason": "x"}).status_code
        == 409
    )
    assert AuditEvent.objects.count() == 1
    with pytest.raises(ValidationError, match="already locked"):
        lock(admin_user)
    assert FinancialYearLock.objects.get().reason == "Signed off by the audit committee"


def test_the_service_refuses_a_lock_without_a_reason(admin_user):
    with pytest.raises(ValidationError) as refused:
        services.financial_year_set_locked(actor=admin_user, year=2025, locked=True, reason=" ")
    assert refused.value.message_dict == {"reason": ["Say why you are locking 2025/26"]}
    assert not FinancialYearLock.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize("who", ["officer of lead", "manager of lead", "outsider"])
def test_only_admins_see_or_change_locks(as_user, people, who):
    lock(people.admin, year=2024)
    client = as_user(people[who])
    assert client.get(YEARS).status_code == 403
    assert client.get(LOCK).status_code == 403
    assert client.post(LOCK, {"reason": "Signed off"}).status_code == 403
    assert (
        client.post(reverse("financial_year_unlock", args=[2024]), {"reason": "x"}).status_code
        == 403
    )
    assert list(FinancialYearLock.objects.values_list("year", flat=True)) == [2024]
    assert AuditEvent.objects.count() == 1


def test_a_year_not_listed_is_not_found(as_user, admin_user):
    assert as_user(admin_user).get(reverse("financial_year_lock", args=[1990])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_admins_locking_at_once_lock_the_year_once(admin_user):
    test_services.need_postgres()
    second = factories.UserFactory(full_name="Second Admin", is_staff=True)

    def lock_as(actor):
        def run(barrier):
            barrier.wait()
            return lock(actor, reason=f"Signed off, says {actor.full_name}")

        return run

    results = run_together(lock_as(admin_user), lock_as(second))
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1 and "already locked" in refused[0].messages[0], results
    assert FinancialYearLock.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.YEAR_LOCKED).count() == 1


# The same number of queries with 3 and 30 locks and unlocks in the history.
@pytest.mark.parametrize("count", [3, 30])
def test_the_years_page_costs_the_same_queries_at_3_and_30_events(
    client, admin_user, django_assert_num_queries, count
):
    first = financial_years.current_financial_year() - 10
    for n in range(count):  # lock a year, unlock it, lock the next, …
        year = first + (n // 2) % 10
        services.financial_year_set_locked(
            actor=admin_user, year=year, locked=n % 2 == 0, reason=f"Reason {n}"
        )
    client.force_login(admin_user)
    with django_assert_num_queries(5):
        response = client.get(YEARS)
    assert response.status_code == 200 and "History of" in text_of(response)
