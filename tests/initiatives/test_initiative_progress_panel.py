"""The savings progress panel of an initiative's page: the figures of the last recompute, its RAG
as a tag with text and the rule in words, honest when never computed or recalculating, and a
cost that does not grow with the claims behind it."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from initiatives import financial_years, selectors
from initiatives import services as initiative_services
from initiatives.claims import services as claim_services
from initiatives.models import ProgressDirty
from initiatives.progress import services as progress_services
from tests import factories
from tests.factories import make_claim
from tests.pages import assert_strict_page, text_of

pytestmark = pytest.mark.django_db
PANEL = {"HX-Request": "true", "HX-Target": "progress-panel"}


def this_year():
    return financial_years.current_financial_year()


def verify(officer, manager, initiative, claimant, **fields):
    """A claim made, submitted and verified through the services (in last financial year unless
    said)."""
    claim = make_claim(
        officer, initiative, claimant, **{"financial_year": this_year() - 1, **fields}
    )
    claim_services.claim_submit(actor=officer, claim=claim)
    claim_services.claim_decide(actor=manager, claim=claim, decision="verify")
    return claim


def recompute(initiative):
    progress_services.progress_recompute_initiative(initiative_id=initiative.pk)


def page_of(client, initiative):
    return client.get(reverse("initiatives:detail", args=[initiative.pk]))


def expected_to_date(past, current):
    """Target to date worked out by hand: last year's target in full, and this year's in
    proportion to the days gone (today included)."""
    year = this_year()
    start, end = date(year, 4, 1), date(year + 1, 3, 31)
    fraction = Decimal((timezone.localdate() - start).days + 1) / Decimal((end - start).days + 1)
    return past + current * fraction.quantize(Decimal("0.000001"))


def money(amount):
    return f"£{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def test_the_panel_shows_the_figures_of_the_last_recompute(
    as_user, officer, manager, partner_officer, initiative, council, partner_council
):
    year = this_year()
    initiative_services.targets_set(
        actor=officer, initiative=initiative, targets={year - 1: "10000", year: "12000"}
    )
    verify(officer, manager, initiative, council)  # £9,000 net, cash-releasing
    verify(
        partner_officer,
        manager,
        initiative,
        partner_council,
        kind="non_cash_releasing",
        gross_amount=Decimal("2000.00"),
        implementation_cost=Decimal("0.00"),
    )
    submitted = make_claim(
        officer,
        initiative,
        council,
        financial_year=year - 1,
        gross_amount=Decimal("500.00"),
        implementation_cost=Decimal("0.00"),
    )
    claim_services.claim_submit(actor=officer, claim=submitted)
    recompute(initiative)

    response = page_of(as_user(officer), initiative)
    page = text_of(response)
    to_date = expected_to_date(Decimal("10000"), Decimal("12000"))
    percent = (Decimal("11000") * 100 / to_date).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert f"Target this financial year ({financial_years.label(year)}) £12,000.00" in page
    assert f"Target to date {money(to_date)}" in page
    assert "Claimed (submitted and verified) £11,500.00" in page
    assert "Verified, cash-releasing £9,000.00" in page
    assert "Verified, non-cash-releasing £2,000.00" in page
    assert "Verified in total £11,000.00" in page
    assert f"Verified as a share of target to date {percent}%" in page
    assert f"{percent}% of the target to date is verified" in page
    computed_at = timezone.localtime(initiative.progress.computed_at)
    assert f"Updated at {computed_at:%H:%M} on {computed_at.day} {computed_at:%B %Y}" in page
    assert "Recalculating" not in page
    assert_strict_page(response)


@pytest.mark.parametrize(
    "net, rag, percent",
    [("9000", "Green", "90.0"), ("6000", "Amber", "60.0"), ("5000", "Red", "50.0")],
)
def test_the_rag_status_is_a_tag_with_its_name_beside_the_rule_in_words(
    as_user, officer, manager, initiative, council, net, rag, percent
):
    initiative_services.targets_set(
        actor=officer, initiative=initiative, targets={this_year() - 1: "10000"}
    )
    verify(
        officer,
        manager,
        initiative,
        council,
        gross_amount=Decimal(net),
        implementation_cost=Decimal("0.00"),
    )
    recompute(initiative)
    response = page_of(as_user(officer), initiative)
    colour = {"Green": "green", "Amber": "orange", "Red": "red"}[rag]
    assert f'<strong class="govuk-tag govuk-tag--{colour}">{rag}</strong>' in (
        response.content.decode()
    )
    page = text_of(response)
    assert f"RAG status {rag} {percent}% of the target to date is verified" in page
    assert (
        "Green when 90% or more of the target to date is verified, amber from 60%, red below "
        "60%, and grey (no target) while there is no target to date." in page
    )


def test_an_initiative_with_no_target_is_grey_and_says_why(as_user, officer, initiative):
    recompute(initiative)
    page = text_of(page_of(as_user(officer), initiative))
    assert "RAG status No target There is no target to date yet" in page
    assert "Verified as a share of target to date No target to date" in page


def test_an_initiative_not_meant_to_save_money_says_so_beside_its_grey_tag(
    as_user, officer, initiative
):
    initiative_services.targets_set(
        actor=officer,
        initiative=initiative,
        targets={},
        not_for_savings=True,
        reason="It keeps the service resilient.",
    )
    recompute(initiative)
    page = text_of(page_of(as_user(officer), initiative))
    assert "RAG status No target Not meant to save money" in page


def test_an_initiative_never_computed_says_so_and_shows_no_zeros_as_facts(
    as_user, officer, council
):
    initiative = factories.InitiativeFactory(lead=council)  # made directly: nothing marked dirty
    response = page_of(as_user(officer), initiative)
    page = text_of(response)
    assert "Not calculated yet" in page
    assert "The savings progress of this initiative has not been calculated yet" in page
    assert "Target to date" not in page and "£0.00" not in page
    assert 'hx-trigger="every' not in response.content.decode()  # nothing to wait for


def test_a_new_initiative_waiting_for_its_first_recompute_says_it_is_being_calculated(
    as_user, officer, initiative
):
    assert ProgressDirty.objects.filter(initiative=initiative).exists()  # marked by the service
    page = text_of(page_of(as_user(officer), initiative))
    assert "Recalculating" in page
    assert "is being calculated for the first time" in page
    assert "Target to date" not in page and "£0.00" not in page


def test_while_a_recompute_is_pending_the_panel_says_so_and_polls_until_fresh(
    as_user, officer, manager, initiative, council
):
    initiative_services.targets_set(
        actor=officer, initiative=initiative, targets={this_year() - 1: "10000"}
    )
    recompute(initiative)
    verify(officer, manager, initiative, council)  # marks the initiative dirty again
    client = as_user(officer)

    response = page_of(client, initiative)
    page = text_of(response)
    computed_at = timezone.localtime(initiative.progress.computed_at)
    shown_as_of = f"they are as calculated at {computed_at:%H:%M}"
    assert f"Recent changes are not in these figures yet: {shown_as_of}" in page
    assert "Verified in total £0.00" in page  # the last figures, labelled as such
    assert "Refresh this page" in page
    body = response.content.decode()
    assert 'hx-get="{}"'.format(reverse("initiatives:detail", args=[initiative.pk])) in body
    assert 'hx-target="this"' in body

    url = reverse("initiatives:detail", args=[initiative.pk])
    waiting = client.get(url, headers=PANEL)
    assert waiting.status_code == 204  # htmx swaps nothing: the old figures stay
    assert "HX-Target" in waiting["Vary"]

    recompute(initiative)
    fresh = client.get(url, headers=PANEL)
    body = fresh.content.decode()
    assert fresh.status_code == 200
    assert body.lstrip().startswith('<div id="progress-panel">') and "<html" not in body
    assert "Verified in total £9,000.00" in text_of(fresh)
    assert "Recalculating" not in body and "hx-trigger" not in body  # it stops polling


def test_the_panel_is_404_to_someone_who_may_not_see_the_initiative(as_user, outsider, initiative):
    recompute(initiative)
    client = as_user(outsider)
    url = reverse("initiatives:detail", args=[initiative.pk])
    assert client.get(url).status_code == 404
    assert client.get(url, headers=PANEL).status_code == 404


def test_the_panel_selector_reads_the_computed_rows(officer, manager, initiative, council):
    before = selectors.progress_panel(initiative)
    assert before.progress is None and before.pending and before.target_this_year is None
    initiative_services.targets_set(
        actor=officer, initiative=initiative, targets={this_year(): "12000"}
    )
    recompute(initiative)
    after = selectors.progress_panel(initiative)
    assert after.progress.target == Decimal("12000.00") and not after.pending
    assert after.year == this_year() and after.target_this_year == Decimal("12000.00")


@pytest.mark.parametrize("count", [3, 30])
def test_the_page_costs_the_same_queries_at_3_and_30_claims(
    client, officer, council, django_assert_num_queries, count
):
    initiative = factories.InitiativeFactory(
        lead=council, targets={this_year() - 1: 10000, this_year(): 5000}
    )
    factories.SavingsClaimFactory.create_batch(
        count, initiative=initiative, verified=True, financial_year=this_year() - 1
    )
    factories.SavingsClaimFactory.create_batch(
        count, initiative=initiative, submitted=True, financial_year=this_year()
    )
    recompute(initiative)
    client.force_login(officer)
    url = reverse("initiatives:detail", args=[initiative.pk])
    client.get(url)
    with django_assert_num_queries(8):
        response = client.get(url)
    assert f"Verified in total £{9000 * count:,}.00" in text_of(response)
