"""The review queue's "verify selected": a manager ticks several claims, confirms once, and
each is verified through the same service as one decision, separation of duties kept."""

import html
import re
from decimal import Decimal

import factory
import pytest
from django.urls import reverse
from django.utils import timezone

from initiatives.claims import services
from initiatives.models import SavingsClaim
from tests import factories
from tests.factories import make_claim
from tests.pages import assert_strict_page, text_of

pytestmark = pytest.mark.django_db

VERIFY = reverse("claims:review_verify")


def submitted(actor, initiative, claimant, **fields):
    claim = make_claim(actor, initiative, claimant, **fields)
    return services.claim_submit(actor=actor, claim=claim) or claim


@pytest.fixture
def second_manager(council):
    return factories.UserFactory(full_name="Sam Second", member_of=[(council, "manager")])


def statuses(*claims):
    return [SavingsClaim.objects.get(pk=c.pk).status for c in claims]


def page_text(response):
    return html.unescape(text_of(response))


def confirmed_ids(confirm):
    """The claims the confirmation page's form posts back."""
    return [int(pk) for pk in re.findall(r'name="claims" value="(\d+)"', confirm.content.decode())]


def test_the_queue_ticks_claims_in_a_form_that_posts_without_javascript(
    client, initiative, officer, manager
):
    first, second = (submitted(officer, initiative, initiative.lead) for _ in range(2))
    client.force_login(manager)
    response = client.get(reverse("claims:review"))
    page = html.unescape(response.content.decode())
    assert f'<form method="post" action="{VERIFY}" id="verify-selected"' in page
    for claim in (first, second):
        assert f'name="claims" type="checkbox" value="{claim.pk}" form="verify-selected"' in page
        # Each box is named for a screen reader by the claim's reference and initiative.
        assert f"Select {claim.reference}, {initiative.title}" in page
    assert "Verify selected claims" in page
    assert_strict_page(response)


def test_several_claims_are_verified_with_one_confirmation(client, initiative, officer, manager):
    claims = [
        submitted(officer, initiative, initiative.lead),
        submitted(officer, initiative, initiative.lead, gross_amount=Decimal("5000.50")),
        submitted(officer, initiative, initiative.lead, financial_year=2026),
    ]
    client.force_login(manager)
    ids = [c.pk for c in claims]
    confirm = client.post(VERIFY, {"claims": ids})
    assert confirm.status_code == 200
    text = page_text(confirm)
    assert "Verify these 3 claims?" in text
    for claim in claims:
        assert claim.reference in text
    assert initiative.title in text and initiative.lead.name in text
    assert "2025/26" in text and "2026/27" in text
    assert "£9,000.00" in text and "£4,000.50" in text
    assert "Total £22,000.50" in text  # 9,000 + 4,000.50 + 9,000
    assert f'href="{reverse("claims:review")}">Cancel' in confirm.content.decode()
    assert statuses(*claims) == ["submitted"] * 3  # nothing changes before the confirmation
    assert_strict_page(confirm)

    # The confirmation page posts the claims back, with `confirm`.
    assert confirmed_ids(confirm) == ids
    assert 'name="confirm" value="yes"' in confirm.content.decode()
    done = client.post(VERIFY, {"claims": confirmed_ids(confirm), "confirm": "yes"})
    assert done.status_code == 302 and done.url == reverse("claims:review")
    assert statuses(*claims) == ["verified"] * 3
    for claim in claims:
        assert SavingsClaim.objects.get(pk=claim.pk).reviewed_by == manager
        assert SavingsClaim.objects.get(pk=claim.pk).attributions.exists()
    queue = client.get(done.url)
    assert "3 claims verified" in page_text(queue)
    assert "could not be verified" not in page_text(queue)
    assert "No claim is waiting for you." in page_text(queue)
    # The banner is shown once.
    assert "3 claims verified" not in page_text(client.get(done.url))


def test_a_claim_the_manager_submitted_is_refused_and_the_page_says_why(
    client, initiative, officer, manager
):
    theirs = submitted(officer, initiative, initiative.lead)
    own = submitted(manager, initiative, initiative.lead)
    client.force_login(manager)
    confirm = client.post(VERIFY, {"claims": [theirs.pk, own.pk]})
    text = page_text(confirm)
    assert "Verify this claim?" in text
    assert (
        f"{own.reference} : You created, edited or submitted this claim, so someone else " in text
    )
    assert confirmed_ids(confirm) == [theirs.pk]

    # Sent anyway (a forged or stale form), the service refuses it and the queue says so.
    done = client.post(VERIFY, {"claims": [theirs.pk, own.pk], "confirm": "yes"})
    assert done.status_code == 302
    assert statuses(theirs, own) == ["verified", "submitted"]
    text = page_text(client.get(done.url))
    assert "1 claim verified" in text
    assert "This claim could not be verified:" in text
    assert (
        f"{own.reference} : You created, edited or submitted this claim, so someone else " in text
    )


def test_a_claim_decided_meanwhile_is_reported_and_the_rest_verified(
    client, initiative, officer, manager, second_manager
):
    first, second = (submitted(officer, initiative, initiative.lead) for _ in range(2))
    client.force_login(manager)
    confirm = client.post(VERIFY, {"claims": [first.pk, second.pk]})
    assert "Verify these 2 claims?" in page_text(confirm)
    services.claim_decide(actor=second_manager, claim=second, decision="reject", note="No")
    done = client.post(VERIFY, {"claims": [first.pk, second.pk], "confirm": "yes"})
    assert statuses(first, second) == ["verified", "rejected"]
    assert SavingsClaim.objects.get(pk=second.pk).reviewed_by == second_manager
    text = page_text(client.get(done.url))
    assert "1 claim verified" in text
    assert f"{second.reference} : This claim is no longer awaiting that: it is now rejected" in text
    assert "by Sam Second" in text


def test_claims_the_manager_may_not_see_change_nothing_and_are_not_named(
    client, initiative, officer, partner_officer, partner_council, manager
):
    mine = submitted(officer, initiative, initiative.lead)
    # Another partner's draft: the lead's manager may not see it.
    hidden = make_claim(partner_officer, initiative, partner_council)
    client.force_login(manager)
    assert client.get(reverse("claims:detail", args=[hidden.pk])).status_code == 404
    confirm = client.post(VERIFY, {"claims": [mine.pk, hidden.pk, 987654321, "x"]})
    assert confirm.status_code == 200
    assert hidden.reference not in page_text(confirm)
    assert confirmed_ids(confirm) == [mine.pk]
    done = client.post(VERIFY, {"claims": [hidden.pk, 987654321], "confirm": "yes"})
    assert done.status_code == 302
    text = page_text(client.get(done.url))
    assert "No claim was verified" in text and hidden.reference not in text
    assert statuses(mine, hidden) == ["submitted", "draft"]


def test_only_invisible_claims_leave_nothing_to_confirm(client, initiative, manager, outsider):
    client.force_login(manager)
    response = client.post(VERIFY, {"claims": [987654321]})
    assert response.status_code == 409
    text = page_text(response)
    assert "None of the claims you selected can be verified by you now" in text
    assert "Verify these" not in text


def test_no_selection_is_an_error_on_the_queue(client, initiative, officer, manager):
    claim = submitted(officer, initiative, initiative.lead)
    client.force_login(manager)
    response = client.post(VERIFY, {})
    assert response.status_code == 422
    page = html.unescape(response.content.decode())
    assert "There is a problem" in page
    assert '<a href="#claims">Select the claims to verify</a>' in page
    assert f'id="claims" name="claims" type="checkbox" value="{claim.pk}"' in page
    assert 'id="claims-error"' in page and 'aria-describedby="claims-error"' in page
    assert claim.reference in text_of(response)  # the queue is shown again
    assert_strict_page(response)
    assert statuses(claim) == ["submitted"]


def test_only_managers_of_a_lead_verify_selected(
    client, initiative, officer, partner_officer, outsider, admin_user, manager
):
    claim = submitted(officer, initiative, initiative.lead)
    for user in (officer, partner_officer, outsider, admin_user):
        client.force_login(user)
        assert client.post(VERIFY, {"claims": [claim.pk]}).status_code == 403
        assert client.post(VERIFY, {"claims": [claim.pk], "confirm": "yes"}).status_code == 403
    client.force_login(manager)
    assert client.get(VERIFY).status_code == 405
    client.logout()
    assert client.post(VERIFY, {"claims": [claim.pk], "confirm": "yes"}).status_code == 302
    assert statuses(claim) == ["submitted"]


def test_the_service_reports_each_claim(initiative, officer, manager, second_manager):
    fine = submitted(officer, initiative, initiative.lead)
    own = submitted(manager, initiative, initiative.lead)
    decided = submitted(officer, initiative, initiative.lead)
    services.claim_decide(actor=second_manager, claim=decided, decision="verify")
    outcome = services.claims_verify(actor=manager, claims=[fine, own, decided])
    assert [c.pk for c in outcome.verified] == [fine.pk]
    assert outcome.verified[0].status == "verified"
    assert [(c.pk, "someone else" in r) for c, r in outcome.refused] == [
        (own.pk, True),
        (decided.pk, False),
    ]
    assert "no longer awaiting" in outcome.refused[1][1]


# The confirmation page costs the same queries for 2 claims as for 10.
@pytest.mark.parametrize("count", [2, 10])
def test_the_confirmation_costs_the_same_queries_at_2_and_10(
    client, initiative, officer, manager, django_assert_num_queries, count
):
    claims = factories.SavingsClaimFactory.create_batch(
        count,
        initiative=initiative,
        created_by=officer,
        submitted_by=officer,
        submitted_at=factory.LazyFunction(timezone.now),
        status="submitted",
        gross_amount=Decimal("1000"),
        implementation_cost=Decimal(0),
    )
    client.force_login(manager)
    client.get(reverse("claims:review"))
    with django_assert_num_queries(5):
        response = client.post(VERIFY, {"claims": [c.pk for c in claims]})
    assert response.status_code == 200
    assert f"Verify these {count} claims?" in page_text(response)
