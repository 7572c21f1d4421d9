"""The complete lists behind the dashboard's summaries (/dashboard/at-risk/, /dashboard/gaps/):
what they hold, the dashboard's filters and permissions, pages, downloads, the counts and
links on the dashboard, and the "savings expected from" year that keeps an initiative whose
savings come later apart from the gaps."""

import csv
import html
import io
import re
from datetime import date
from decimal import Decimal

import factory
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from initiatives import financial_years
from initiatives import services as initiative_services
from initiatives.models import Initiative
from initiatives.progress import reconcile
from initiatives.progress import services as progress_services
from partners.models import HistoryEntry
from tests import factories
from tests.pages import assert_error_at_field, assert_strict_page, text_of

pytestmark = pytest.mark.django_db

AT_RISK = reverse("dashboard:at_risk")
GAPS = reverse("dashboard:gaps")
# A financial year still to come, whenever the tests run.
LATER = financial_years.current_financial_year() + 2


def make(lead, title, *, shares=None, status="live", targets=None, verified=None, **fields):
    """An initiative of `lead` started in 2024/25; `verified` (year, amount) a verified claim."""
    made = factories.InitiativeFactory(
        lead=lead,
        title=title,
        status=status,
        start_date=date(2024, 4, 1),
        shares=shares or {lead: 100},
        targets=targets,
        **fields,
    )
    if verified:
        year, amount = verified
        factories.SavingsClaimFactory(
            initiative=made,
            verified=True,
            financial_year=year,
            gross_amount=Decimal(amount),
            implementation_cost=Decimal("0"),
        )
    return made


@pytest.fixture
def board(council, partner_council, other_council):
    """Leeds's initiatives in every standing, one of Cornwall's, and their figures. Every
    target lies in a past financial year, so it is all due to date."""
    make(
        council,
        "Red waste",
        shares={council: 60, partner_council: 40},
        service_area="waste",
        targets={2025: 20000},
    )
    make(council, "Red last year", service_area="ict", targets={2024: 10000}, verified=(2024, 5000))
    make(
        council,
        "Amber ICT",
        collaboration_model="capacity_exchange",
        service_area="ict",
        targets={2025: 10000},
        verified=(2025, 7000),
    )
    make(council, "Green", targets={2025: 10000}, verified=(2025, 9500))
    make(council, "Closed behind", status="closed", targets={2025: 10000})
    make(other_council, "Cornwall behind", targets={2025: 10000})
    make(council, "Gap", service_area="waste")
    make(council, "Later", savings_expected_from=LATER)
    make(council, "Not for saving", not_for_savings=True, not_for_savings_reason="Resilience")
    make(council, "Proposed without targets", status="proposed")
    reconcile.progress_reconcile()


def rows(response):
    """The titles of the initiatives listed, in order."""
    return re.findall(
        r'<a class="govuk-link" href="/initiatives/\d+/[^"]*">([^<]+)</a>',
        html.unescape(response.content.decode()),
    )


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# --- at risk ----------------------------------------------------------------------------------


def test_the_at_risk_list_holds_every_red_and_amber_initiative_furthest_behind_first(
    client, board, manager
):
    client.force_login(manager)
    response = client.get(AT_RISK)
    assert response.status_code == 200
    assert rows(response) == ["Red waste", "Red last year", "Amber ICT"]
    page = text_of(response)
    assert "3 initiatives at risk" in page
    assert "Red waste" in page and "Red £20,000 £0 (0.0%) £20,000" in page  # behind by £20,000
    assert "Amber £10,000 £7,000 (70.0%) £3,000" in page
    assert "Leeds City Council: savings Initiatives at risk" in page
    assert_strict_page(response)


def test_the_at_risk_list_says_why_each_initiative_is_behind(client, council, manager):
    """No claims at all, claims still awaiting a decision, or decided claims that fall short:
    the manager sees which, and when anything last happened, on the page and in the download."""
    make(council, "Nothing claimed", targets={2025: 10000})
    waiting = make(council, "Waiting", targets={2025: 10000}, verified=(2025, 1000))
    for amount in ("2000", "500"):
        factories.SavingsClaimFactory(
            initiative=waiting,
            submitted=True,
            financial_year=2025,
            gross_amount=Decimal(amount),
            implementation_cost=Decimal("0"),
        )
    make(council, "Short", targets={2025: 10000}, verified=(2025, 3000))
    reconcile.progress_reconcile()
    client.force_login(manager)
    page = text_of(client.get(AT_RISK))
    assert "No claims submitted yet" in page
    assert "2 claims worth £2,500 await a decision" in page
    assert "Every claim is decided; verified savings fall short" in page
    assert "Last activity" in page

    header, *body = csv_rows(client.get(reverse("dashboard:at_risk_csv")))
    by_title = {row[1]: dict(zip(header, row, strict=True)) for row in body}
    assert by_title["Waiting"]["Claims awaiting a decision"] == "2"
    assert Decimal(by_title["Waiting"]["Awaiting a decision"]) == 2500
    assert by_title["Nothing claimed"]["Claims awaiting a decision"] == "0"
    assert by_title["Short"]["Last activity"]  # a date


def test_the_year_filter_keeps_initiatives_with_a_target_in_that_year_rag_still_to_date(
    client, board, manager
):
    client.force_login(manager)
    in_2024 = client.get(AT_RISK, {"fy": 2024})
    assert rows(in_2024) == ["Red last year"]
    assert "Red £10,000 £5,000 (50.0%)" in text_of(in_2024)
    assert "Leeds City Council: savings 2024/25" in text_of(in_2024)
    assert rows(client.get(AT_RISK, {"fy": 2025})) == ["Red waste", "Amber ICT"]
    assert rows(client.get(AT_RISK, {"fy": 2026})) == []


def test_the_model_and_area_filters_narrow_the_list(client, board, manager):
    client.force_login(manager)
    assert rows(client.get(AT_RISK, {"model": "capacity_exchange"})) == ["Amber ICT"]
    assert rows(client.get(AT_RISK, {"area": "ict"})) == ["Red last year", "Amber ICT"]
    assert rows(client.get(AT_RISK, {"area": "waste", "model": "shared_service"})) == ["Red waste"]


def test_a_partner_sees_the_initiatives_it_takes_part_in(client, board, partner_manager):
    client.force_login(partner_manager)
    assert rows(client.get(AT_RISK)) == ["Red waste"]
    assert rows(client.get(GAPS)) == []


def test_an_admin_sees_any_organisations_list_or_all_of_them(
    client, board, admin_user, other_council
):
    client.force_login(admin_user)
    everyone = rows(client.get(AT_RISK, {"org": "all"}))
    assert everyone == ["Red waste", "Cornwall behind", "Red last year", "Amber ICT"]
    assert rows(client.get(AT_RISK, {"org": other_council.pk})) == ["Cornwall behind"]
    assert "All organisations: savings" in text_of(client.get(GAPS, {"org": "all"}))


@pytest.mark.parametrize("name", ["at_risk", "at_risk_csv", "gaps", "gaps_csv"])
def test_an_organisation_the_user_may_not_see_is_404(client, board, manager, other_council, name):
    client.force_login(manager)
    for org in (other_council.pk, "all", "nonsense", 999999):
        response = client.get(reverse(f"dashboard:{name}"), {"org": org})
        assert response.status_code == 404, org
    nobody = factories.UserFactory()
    client.force_login(nobody)
    assert client.get(reverse(f"dashboard:{name}")).status_code == 404


def test_malformed_filters_are_ignored_with_a_message(client, board, manager):
    client.force_login(manager)
    response = client.get(AT_RISK, {"fy": "twenty", "area": "<b>"})
    assert response.status_code == 200
    assert "Some filters were ignored" in text_of(response)
    assert rows(response) == ["Red waste", "Red last year", "Amber ICT"]


def behind(count, lead):
    """`count` live initiatives of `lead` with a target and nothing verified: all red."""
    factories.InitiativeFactory.create_batch(
        count,
        lead=lead,
        status="live",
        title=factory.Sequence(lambda n: f"Behind {n:02d}"),
        targets={2025: 1000},
    )


def test_the_lists_go_a_page_at_a_time(client, council, manager):
    behind(30, council)
    factories.InitiativeFactory.create_batch(
        27, lead=council, status="live", title=factory.Sequence(lambda n: f"Gap {n:02d}")
    )
    factories.InitiativeFactory.create_batch(
        2,
        lead=council,
        status="live",
        title=factory.Sequence(lambda n: f"Later {n}"),
        savings_expected_from=LATER + 2,
    )
    reconcile.progress_reconcile()
    client.force_login(manager)
    first = client.get(AT_RISK)
    assert len(rows(first)) == 25 and "30 initiatives at risk" in text_of(first)
    assert 'href="?page=2"' in first.content.decode()
    assert len(rows(client.get(AT_RISK, {"page": 2}))) == 5

    gaps = client.get(GAPS)
    assert "27 gaps, and 2 initiatives expecting savings later" in text_of(gaps)
    assert len(rows(gaps)) == 25 and "Savings expected later" not in rows(gaps)
    # The first page says where the initiatives expecting savings later are.
    assert "2 initiatives expecting savings later are listed after the gaps, from page 2" in (
        text_of(gaps)
    )
    assert 'href="?page=2#savings-expected-later"' in gaps.content.decode()
    second = client.get(GAPS, {"page": 2})
    assert [title.split()[0] for title in rows(second)] == ["Gap", "Gap", "Later", "Later"]
    assert 'id="savings-expected-later">Savings expected later</h2>' in second.content.decode()


def test_a_filter_change_swaps_the_results_with_the_title_and_heading(client, board, manager):
    client.force_login(manager)
    response = client.get(
        AT_RISK, {"fy": 2025}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    fragment = response.content.decode()
    assert "<html" not in fragment and '<div id="results">' in fragment
    assert fragment.lstrip().startswith(
        "<title>Initiatives at risk – Leeds City Council: savings 2025/26 – Collaborate</title>"
    )
    assert '<div id="list-intro" hx-swap-oob="true">' in fragment
    assert '<span hx-swap-oob="innerHTML:#results-count">2 initiatives at risk</span>' in fragment
    assert "HX-Request" in response["Vary"]


def test_the_at_risk_download_holds_the_list_with_numbers_as_numbers(
    client, board, manager, council
):
    Initiative.objects.filter(title="Red waste").update(title="=HYPERLINK(1)")
    client.force_login(manager)
    response = client.get(reverse("dashboard:at_risk_csv"), {"fy": 2025})
    assert response["Content-Disposition"] == (
        f'attachment; filename="at-risk-{council.slug}-2025.csv"'
    )
    header, *body = csv_rows(response)
    assert header[:3] == ["Reference", "Title", "Lead organisation"]
    assert [row[1] for row in body] == ["'=HYPERLINK(1)", "Amber ICT"]  # escaped, not run
    amber = dict(zip(header, body[1], strict=True))
    assert amber["RAG status"] == "Amber"
    assert Decimal(amber["Target to date"]) == 10000
    assert Decimal(amber["Verified"]) == 7000
    assert Decimal(amber["Verified as % of target to date"]) == Decimal("70.0")
    assert Decimal(amber["Behind target to date by"]) == 3000
    assert amber["Behind target to date by"] == "3000.00"  # a number, not text


def test_the_gaps_download_lists_the_gaps_then_those_expecting_savings_later(
    client, board, manager
):
    client.force_login(manager)
    response = client.get(reverse("dashboard:gaps_csv"))
    header, *body = csv_rows(response)
    assert header[0] == "List" and header[-1] == "Savings expected from"
    assert [(row[0], row[2], row[-1]) for row in body] == [
        ("No targets and no reason", "Gap", ""),
        ("Savings expected later", "Later", financial_years.label(LATER)),
    ]


# --- gaps -------------------------------------------------------------------------------------


def test_the_gaps_list_holds_live_initiatives_without_targets_or_reason_and_those_later_apart(
    client, board, manager
):
    client.force_login(manager)
    response = client.get(GAPS)
    page = text_of(response)
    assert rows(response) == ["Gap", "Later"]
    assert "1 gap, and 1 initiative expecting savings later" in page
    gaps_part = page[page.index("No targets and no reason") : page.rindex("Savings expected later")]
    assert "Gap" in gaps_part and "Later" not in gaps_part
    later_part = page[page.rindex("Savings expected later") :]
    assert "Later" in later_part and financial_years.label(LATER) in later_part
    for absent in ("Not for saving", "Proposed without targets", "Red waste", "Green"):
        assert absent not in page
    assert_strict_page(response)


def test_an_initiative_whose_expected_year_has_come_without_targets_is_a_gap_again(
    client, council, manager
):
    this_year = financial_years.current_financial_year()
    make(council, "Due now", savings_expected_from=this_year)
    make(council, "Still later", savings_expected_from=this_year + 1)
    reconcile.progress_reconcile()
    client.force_login(manager)
    response = client.get(GAPS)
    page = text_of(response)
    assert rows(response) == ["Due now", "Still later"]
    assert "1 gap, and 1 initiative expecting savings later" in page
    gaps_part = page[page.index("No targets and no reason") : page.rindex("Savings expected later")]
    assert "Due now" in gaps_part and "Still later" not in gaps_part
    assert f"savings were expected from {financial_years.label(this_year)}" in gaps_part


def test_the_gaps_list_takes_the_model_and_area_filters_and_says_the_year_does_not_apply(
    client, board, manager
):
    client.force_login(manager)
    assert rows(client.get(GAPS, {"area": "waste"})) == ["Gap"]
    assert rows(client.get(GAPS, {"model": "spin_out"})) == []
    in_2025 = client.get(GAPS, {"fy": 2025})
    assert rows(in_2025) == ["Gap", "Later"]
    assert "The financial year filter does not apply here" in text_of(in_2025)


# --- the dashboard's summaries ----------------------------------------------------------------


def link(response, text):
    """The href of the link whose text starts with `text`."""
    page = html.unescape(response.content.decode())
    found = re.search(r'<a class="govuk-link" href="([^"]+)">' + re.escape(text), page)
    assert found, f"no link {text!r}"
    return found.group(1)


def test_the_dashboard_counts_the_lists_and_links_to_them(client, council, manager):
    behind(12, council)
    make(council, "Gap")
    make(council, "Later", savings_expected_from=LATER)
    reconcile.progress_reconcile()
    client.force_login(manager)
    dashboard = client.get(reverse("dashboard:show"), {"model": "shared_service"})
    page = text_of(dashboard)
    assert "12 initiatives are behind their target to date: these are the 10 furthest" in page
    assert "1 live initiative has no targets and does not say why" in page
    assert "1 more live initiative without targets expects its savings in a later year" in page

    at_risk = link(dashboard, "See all 12 initiatives at risk")
    assert at_risk == f"{AT_RISK}?org={council.pk}&model=shared_service"
    assert len(rows(client.get(at_risk))) == 12
    gaps = link(dashboard, "See all 1 gap and the 1 initiative expecting savings later")
    assert gaps == f"{GAPS}?org={council.pk}&model=shared_service"
    assert rows(client.get(gaps)) == ["Gap", "Later"]
    # And back again, with the same filters.
    assert link(client.get(gaps), "Back to the savings dashboard") == (
        f"{reverse('dashboard:show')}?org={council.pk}&model=shared_service"
    )


def test_a_dashboard_with_nothing_behind_says_so_and_links_nowhere(client, council, manager):
    make(council, "Green", targets={2025: 100}, verified=(2025, 100))
    reconcile.progress_reconcile()
    client.force_login(manager)
    page = text_of(client.get(reverse("dashboard:show")))
    assert "No initiative is behind its target." in page
    assert "Every live initiative has targets, or says why it has none." in page
    assert "See all" not in page


# --- savings expected from --------------------------------------------------------------------


def targets_url(initiative):
    return reverse("initiatives:targets", args=[initiative.pk])


def test_an_initiative_whose_savings_come_later_says_from_which_year(
    client, officer, partner_officer, initiative
):
    client.force_login(officer)
    assert (
        '<option value="2027">2027/28</option>'
        in client.get(targets_url(initiative)).content.decode()
    )
    response = client.post(
        targets_url(initiative), {"version": initiative.version, "savings_expected_from": "2027"}
    )
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.savings_expected_from == 2027
    entry = HistoryEntry.objects.filter(action="Targets set").latest("pk")
    assert entry.changes == [{"field": "Savings expected from", "before": "", "after": "2027/28"}]
    assert '<option value="2027" selected>2027/28</option>' in (
        client.get(targets_url(initiative)).content.decode()
    )
    overview = text_of(client.get(initiative.get_absolute_url()))
    assert "Savings targets None set yet Savings expected from 2027/28" in overview
    client.force_login(partner_officer)  # who may read but not edit
    shown = text_of(client.get(targets_url(initiative)))
    assert "No targets have been set. Savings are expected from 2027/28." in shown


def test_savings_expected_from_cannot_go_with_not_meant_to_save_money(client, officer, initiative):
    client.force_login(officer)
    response = client.post(
        targets_url(initiative),
        {
            "version": initiative.version,
            "savings_expected_from": "2027",
            "not_for_savings": "on",
            "not_for_savings_reason": "Resilience",
        },
    )
    assert_error_at_field(
        response,
        "savings_expected_from",
        "An initiative not meant to save money expects no savings: clear the year, or untick",
    )
    initiative.refresh_from_db()
    assert initiative.savings_expected_from is None and not initiative.not_for_savings


def test_a_year_outside_the_financial_year_choices_is_refused_at_the_field(
    client, officer, initiative
):
    client.force_login(officer)
    for year in ("2024", "2038", "next year"):  # the initiative saves from 2025/26 to 2037/38
        response = client.post(
            targets_url(initiative), {"version": initiative.version, "savings_expected_from": year}
        )
        assert_error_at_field(
            response, "savings_expected_from", "Choose a financial year from the list"
        )
    initiative.refresh_from_db()
    assert initiative.savings_expected_from is None
    with pytest.raises(ValidationError) as refused:
        initiative_services.targets_set(
            actor=officer, initiative=initiative, targets={}, savings_expected_from=2024
        )
    assert refused.value.message_dict["savings_expected_from"] == [
        "Choose a financial year from 2025/26 to 2037/38"
    ]


def test_setting_targets_without_mentioning_the_year_keeps_it(officer, initiative):
    initiative_services.targets_set(
        actor=officer, initiative=initiative, targets={}, savings_expected_from=2027
    )
    initiative.refresh_from_db()
    initiative_services.targets_set(actor=officer, initiative=initiative, targets={2027: "500"})
    initiative.refresh_from_db()
    assert initiative.savings_expected_from == 2027
    initiative_services.targets_set(
        actor=officer, initiative=initiative, targets={2027: "500"}, savings_expected_from=None
    )
    initiative.refresh_from_db()
    assert initiative.savings_expected_from is None


def test_saying_when_savings_are_expected_moves_a_gap_apart(
    client, officer, manager, initiative, django_capture_on_commit_callbacks
):
    Initiative.objects.filter(pk=initiative.pk).update(status="live")
    reconcile.progress_reconcile()
    client.force_login(manager)
    assert "1 live initiative has no targets" in text_of(client.get(reverse("dashboard:show")))
    initiative.refresh_from_db()
    initiative_services.targets_set(
        actor=officer, initiative=initiative, targets={}, savings_expected_from=2027
    )
    with django_capture_on_commit_callbacks(execute=True):  # the recompute the change queued
        assert progress_services.progress_recompute_dirty() == 1
    dashboard = text_of(client.get(reverse("dashboard:show")))
    assert "Every live initiative has targets, or says why it has none." in dashboard
    assert "1 more live initiative without targets expects its savings in a later year" in (
        dashboard
    )
    gaps = text_of(client.get(GAPS))
    assert "0 gaps, and 1 initiative expecting savings later" in gaps
    assert initiative.title in gaps[gaps.rindex("Savings expected later") :]


# --- cost -------------------------------------------------------------------------------------


def bulk(count, lead):
    """`count` live initiatives of `lead`: a third behind their target, a third without
    targets, a third expecting savings later; then their figures."""
    factories.InitiativeFactory.create_batch(
        count,
        lead=lead,
        status="live",
        title=factory.Sequence(lambda n: f"Bulk {n}"),
        start_date=date(2024, 4, 1),
        targets=factory.Iterator([{2025: 1000}, None, None]),
        savings_expected_from=factory.Iterator([None, None, LATER]),
    )
    reconcile.progress_reconcile()


# The same number of queries at 30 and at 300 initiatives, on the second page.
@pytest.mark.parametrize("count", [30, 300])
@pytest.mark.parametrize(
    "who, url, query, queries",
    [
        ("manager", AT_RISK, {}, 6),
        ("manager", AT_RISK, {"fy": 2025, "model": "shared_service"}, 6),
        ("admin_user", AT_RISK, {"org": "all"}, 5),
        ("manager", GAPS, {"area": "revenues_benefits"}, 7),
        ("admin_user", GAPS, {"org": "all"}, 6),
    ],
)
def test_the_lists_cost_the_same_queries_at_30_and_300_initiatives(
    request, client, council, django_assert_num_queries, count, who, url, query, queries
):
    bulk(count, council)
    client.force_login(request.getfixturevalue(who))
    client.get(url)
    with django_assert_num_queries(queries):
        response = client.get(url, {**query, "page": 2})
    assert response.status_code == 200 and "Bulk" in text_of(response)
