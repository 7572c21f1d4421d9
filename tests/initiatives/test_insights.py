"""Collaboration compared with outsourcing: each initiative's outcome row, the nightly
figures against hand-built initiatives, suppression of small figures, the public version, an
organisation's own figures, the downloads, and a page cost that does not grow with the data."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from initiatives import financial_years
from initiatives.claims import services as claim_services
from initiatives.insights import selectors, services, tasks
from initiatives.models import HealthCheck, InitiativeOutcome, InsightFigure
from initiatives.progress import reconcile
from initiatives.progress import services as progress_services
from tests import factories
from tests.pages import assert_strict_page, text_of

pytestmark = pytest.mark.django_db
THIS_YEAR = financial_years.current_financial_year()
LIVE = date(THIS_YEAR - 3, 5, 1)  # three whole financial years ago, so years 1–3 are over


def at(day):
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def build(
    lead,
    *,
    model="shared_service",
    area="ict",
    live=LIVE,
    first_saving_after=None,
    saving=Decimal("1000"),
    published=False,
    setup_cost=None,
    targets=None,
    stopped_after=None,
    procurement_days=None,
    contract_months=None,
    partners=None,
    people=None,
):
    """One initiative as the services leave it, written straight to the tables."""
    fields = {}
    if stopped_after is not None:
        fields.update(status="stopped", ended_on=live + timedelta(days=stopped_after))
    if procurement_days is not None:
        fields.update(
            procurement_started_on=date(2020, 1, 1),
            contract_awarded_on=date(2020, 1, 1) + timedelta(days=procurement_days),
        )
    if published:
        fields.update(visibility="public", published_at=timezone.now())
    initiative = factories.InitiativeFactory(
        lead=lead,
        collaboration_model=model,
        service_area=area,
        start_date=date(THIS_YEAR - 4, 4, 1),
        planned_end_date=None,
        went_live_on=live,
        setup_cost=setup_cost,
        contract_months=contract_months,
        shares=partners,
        targets=targets,
        **{"status": "live", **fields},
    )
    if first_saving_after is not None:
        user = people or factories.UserFactory()
        factories.SavingsClaimFactory(
            initiative=initiative,
            verified=True,
            reviewed_by=user,
            created_by=user,
            reviewed_at=at(live + timedelta(days=first_saving_after)),
            financial_year=financial_years.financial_year_of(live),
            gross_amount=saving,
            implementation_cost=0,
        )
    return initiative


def compute():
    reconcile.progress_reconcile()
    services.insights_recompute()


def national(model, **filters):
    return InsightFigure.objects.get(
        scope="national",
        collaboration_model=model,
        cohort=filters.get("cohort"),
        service_area=filters.get("area"),
        lead_region=filters.get("region"),
        lead_kind=filters.get("kind"),
    )


def test_an_outcome_row_holds_what_the_initiative_achieved(council, partner_council, admin_user):
    initiative = build(
        council,
        model="outsourcing",
        first_saving_after=40,
        saving=Decimal("3000"),
        setup_cost=Decimal("2000"),
        targets={LIVE.year: Decimal("6000"), LIVE.year + 1: Decimal("4000")},
        stopped_after=400,
        procurement_days=200,
        contract_months=84,
        partners={council: 60, partner_council: 40},
        people=admin_user,
    )
    period = date(THIS_YEAR, 4, 1)
    for organisation, score in ((council, 2), (partner_council, 5)):
        HealthCheck.objects.create(
            initiative=initiative,
            organisation=organisation,
            period_start=period,
            answered_at=timezone.now(),
            **dict.fromkeys(
                [
                    "shared_vision",
                    "leadership",
                    "relationships",
                    "governance",
                    "structural_fit",
                    "service_improvement",
                    "resilience",
                ],
                score,
            ),
        )
    HealthCheck.objects.create(  # an older period does not count
        initiative=initiative,
        organisation=council,
        period_start=date(THIS_YEAR - 1, 4, 1),
        answered_at=timezone.now(),
        **dict.fromkeys(
            [
                "shared_vision",
                "leadership",
                "relationships",
                "governance",
                "structural_fit",
                "service_improvement",
                "resilience",
            ],
            1,
        ),
    )
    reconcile.progress_reconcile()
    row = InitiativeOutcome.objects.get(initiative=initiative)
    assert (row.collaboration_model, row.service_area, row.lead_id) == (
        "outsourcing",
        "ict",
        council.pk,
    )
    assert (row.lead_region, row.lead_kind, row.published) == (council.region, council.kind, False)
    assert (row.live_from, row.cohort) == (LIVE, LIVE.year)
    assert row.first_verified_on == LIVE + timedelta(days=40)
    assert row.days_to_first_saving == 40
    assert (row.setup_cost, row.verified_total) == (Decimal("2000"), Decimal("3000"))
    assert (row.target_y1, row.verified_y1) == (Decimal("6000"), Decimal("3000"))
    assert (row.target_y2, row.verified_y2) == (Decimal("4000"), Decimal("0"))
    assert (row.target_y3, row.verified_y3) == (Decimal("0"), Decimal("0"))
    assert (row.stopped, row.days_to_end) == (True, 400)
    assert (row.procurement_days, row.contract_months) == (200, 84)
    assert row.health_period == period and row.health_leadership == 3.5


def test_figures_per_model_are_medians_and_quartiles_of_the_initiatives(council, admin_user):
    for days in range(0, 100, 10):  # ten shared services: 0, 10, … 90 days
        build(council, first_saving_after=days, setup_cost=Decimal("500"), people=admin_user)
    for days in (200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200):
        build(
            council,
            model="outsourcing",
            first_saving_after=days,
            procurement_days=days,
            contract_months=days // 10,
            stopped_after=days if days > 900 else None,
            people=admin_user,
        )
    compute()
    shared, outsourcing = national("shared_service"), national("outsourcing")
    assert shared.initiatives == 10 and shared.first_saving_days_n == 10
    assert shared.first_saving_days_median == 45
    assert (shared.first_saving_days_lower, shared.first_saving_days_upper) == (22.5, 67.5)
    assert shared.savings_per_pound_n == 10 and shared.savings_per_pound_median == 2.0
    assert outsourcing.first_saving_days_median == 700
    assert (outsourcing.procurement_days_n, outsourcing.procurement_days_median) == (11, 700)
    assert outsourcing.contract_months_median == 70
    assert outsourcing.stopped_n == 11 and outsourcing.stopped_median == pytest.approx(3 / 11)
    assert (outsourcing.stop_days_n, outsourcing.stop_days_median) == (3, 1100)
    # Year 1's target: none set, so no initiative counts in it.
    assert shared.realised_y1_n == 0 and shared.realised_y1_median is None
    # The filters: the lead's kind and region, the service area, the cohort, and all of them.
    assert national("shared_service", cohort=LIVE.year).first_saving_days_n == 10
    assert national("shared_service", kind=council.kind, region=council.region).initiatives == 10
    assert not InsightFigure.objects.filter(service_area="waste").exists()
    # An organisation's own figures, computed in Python at request time, agree with the SQL.
    own = selectors.organisation_figures(organisation=council, filters=selectors.Filters())
    for model, row in (("shared_service", shared), ("outsourcing", outsourcing)):
        assert own.by_model[model]["initiatives"] == row.initiatives
        for key, (n, median, lower, upper) in own.by_model[model]["figures"].items():
            assert n == getattr(row, f"{key}_n")
            assert median == pytest.approx(getattr(row, f"{key}_median"))
            assert lower == pytest.approx(getattr(row, f"{key}_lower", None))
            assert upper == pytest.approx(getattr(row, f"{key}_upper", None))


def test_share_of_target_realised_counts_only_years_that_are_over(council, admin_user):
    for n in range(10):
        build(
            council,
            first_saving_after=5,
            saving=Decimal(1000 * (n + 1)),
            targets={LIVE.year: Decimal("10000"), THIS_YEAR: Decimal("1")},
            people=admin_user,
        )
    compute()
    figure = national("shared_service")
    assert figure.realised_y1_n == 10 and figure.realised_y1_median == pytest.approx(0.55)
    assert figure.realised_y2_n == 0  # no target in year 2


def test_small_figures_are_suppressed_except_for_admins(
    client, council, officer, manager, admin_user
):
    for days in range(9):
        build(council, model="outsourcing", first_saving_after=days * 10, people=admin_user)
    for days in range(10):
        build(council, first_saving_after=days * 10, people=admin_user)
    compute()
    for user in (officer, manager):
        client.force_login(user)
        response = client.get(reverse("insights:index"))
        html = response.content.decode()
        assert "Not shown: fewer than 10 initiatives" in html
        assert "45 days" in html  # the shared services' median: ten initiatives
        assert "40 days" not in html  # the outsourcing median rests on nine
        assert_strict_page(response)
    client.force_login(admin_user)
    html = client.get(reverse("insights:index")).content.decode()
    assert "40 days" in html and "Not shown" not in html
    client.logout()
    public = client.get(reverse("register:insights")).content.decode()
    assert "45 days" not in public  # nothing is published


def test_the_public_version_counts_published_initiatives_and_shows_no_private_measures(
    client, council, admin_user
):
    for days in range(10):
        build(
            council,
            first_saving_after=days,
            published=True,
            setup_cost=Decimal("10"),
            people=admin_user,
        )
    for days in range(10):
        build(council, first_saving_after=500 + days, people=admin_user)
    compute()
    public = InsightFigure.objects.get(
        scope="public",
        collaboration_model="shared_service",
        cohort=None,
        service_area=None,
        lead_region=None,
        lead_kind=None,
    )
    assert public.initiatives == 10 and public.first_saving_days_median == 4.5
    assert public.savings_per_pound_n == 0 and public.health_governance_n == 0
    assert national("shared_service").initiatives == 20
    response = client.get(reverse("register:insights"))
    page = text_of(response)
    assert "4.5 days" not in page and "4 days" in page  # shown to the day
    assert "per pound of set-up cost" not in page and "Contract length" not in page
    assert "Governance" not in page
    assert_strict_page(response)


def test_officers_see_their_organisations_own_figures_and_no_one_elses(
    client, council, other_council, officer, outsider, admin_user
):
    for days in range(10):
        build(council, first_saving_after=days * 2, people=admin_user)
    build(other_council, first_saving_after=999, people=admin_user)
    compute()
    client.force_login(officer)
    response = client.get(reverse("insights:index"), {"org": council.pk})
    page = text_of(response)
    assert "Leeds City Council: all years" in page and "9 days" in page
    assert "Cornwall" not in page
    assert client.get(reverse("insights:index"), {"org": other_council.pk}).status_code == 404
    national_page = text_of(client.get(reverse("insights:index")))
    assert "All organisations:" in national_page and "Cornwall" not in national_page
    client.force_login(admin_user)
    assert client.get(reverse("insights:index"), {"org": other_council.pk}).status_code == 200


def test_the_outcome_row_follows_a_verified_claim_through_the_dirty_marks(
    initiative, officer, manager
):
    initiative.went_live_on = date(2025, 4, 10)
    initiative.status = "live"
    initiative.save()
    progress_services.progress_recompute_initiative(initiative_id=initiative.pk)
    assert InitiativeOutcome.objects.get(initiative=initiative).first_verified_on is None
    claim = factories.make_claim(officer, initiative, initiative.lead)
    claim_services.claim_submit(actor=officer, claim=claim)
    claim_services.claim_decide(actor=manager, claim=claim, decision="verify")
    progress_services.progress_recompute_dirty()  # what the worker does with the marks
    row = InitiativeOutcome.objects.get(initiative=initiative)
    assert row.first_verified_on == timezone.localdate()
    assert row.verified_total == claim.gross_amount - claim.implementation_cost


def test_the_nightly_task_rebuilds_the_figures(council, admin_user):
    for days in range(3):
        build(council, first_saving_after=days, people=admin_user)
    reconcile.progress_reconcile()
    assert not InsightFigure.objects.exists()
    tasks.insights_recompute.apply()
    assert national("shared_service").first_saving_days_median == 1
    build(council, first_saving_after=9, people=admin_user)
    reconcile.progress_reconcile()
    tasks.insights_recompute.apply()
    assert national("shared_service").first_saving_days_median == 1.5


def test_the_downloads_hold_the_figures_of_the_page(client, council, manager, admin_user):
    for days in range(10):
        build(council, first_saving_after=days * 10, people=admin_user)
    for days in range(3):
        build(council, model="outsourcing", first_saving_after=days, people=admin_user)
    compute()
    client.force_login(manager)
    response = client.get(reverse("insights:csv"), {"area": "ict"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:5] == [
        "Figures for",
        "Filters",
        "Measure",
        "Collaboration model",
        "Initiatives",
    ]
    first = [r for r in rows if r[2] == "Time from going live to the first verified saving"]
    shared = next(r for r in first if r[3] == "Shared service")
    assert shared[4:8] == ["10", "45.0", "22.5", "67.5"] and shared[0] == "All organisations"
    outsourcing = next(r for r in first if r[3] == "Traditional outsourcing")
    assert outsourcing[4:8] == ["", "", "", ""] and outsourcing[9] == "fewer than 10 initiatives"
    book = openpyxl.load_workbook(
        io.BytesIO(
            b"".join(client.get(reverse("insights:xlsx"), {"area": "ict"}).streaming_content)
        )
    )
    sheet = list(book["Insights"].values)
    assert len(sheet) == len(rows) and list(sheet[0]) == rows[0]
    cells = {(r[2], r[3]): r for r in sheet[1:]}
    assert cells[(first[0][2], "Shared service")][4:8] == (10, 45.0, 22.5, 67.5)
    assert cells[(first[0][2], "Traditional outsourcing")][4:8] == (None, None, None, None)
    public = client.get(reverse("register:insights_csv"))
    assert public.status_code == 200


def test_a_filter_answers_htmx_with_the_figures_only_and_ignores_nonsense(
    client, council, officer, admin_user
):
    for days in range(10):
        build(council, first_saving_after=days, people=admin_user)
    compute()
    client.force_login(officer)
    response = client.get(
        reverse("insights:index"), {"area": "ict"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html and '<div id="insight-figures">' in html
    assert "HX-Request" in response["Vary"] and "area=ict" in html  # the downloads keep it
    wrong = client.get(reverse("insights:index"), {"fy": "soon", "kind": "dragon"})
    assert wrong.status_code == 200 and "Some filters were ignored" in text_of(wrong)
    assert "All organisations: all years" in text_of(wrong)
    assert client.get(reverse("insights:index"), {"org": "x"}).status_code == 404


def test_the_page_says_when_the_nightly_figures_were_never_computed(client, officer):
    client.force_login(officer)
    assert "No figures have been computed yet" in text_of(client.get(reverse("insights:index")))


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("who", ["manager", "admin_user", None])
def test_the_pages_cost_the_same_queries_at_3_and_30_initiatives(
    request, client, council, admin_user, django_assert_num_queries, count, who
):
    for n in range(count):
        build(council, first_saving_after=n, people=admin_user)
    compute()
    url, query = reverse("register:insights"), {}
    if who:
        client.force_login(request.getfixturevalue(who))
        url, query = reverse("insights:index"), {"org": council.pk} if who == "manager" else {}
        client.get(url, query)
    expected = {"manager": 5, "admin_user": 4, None: 1}[who]
    with django_assert_num_queries(expected):
        response = client.get(url, {**query, "area": "ict"})
    assert response.status_code == 200


def test_the_page_shows_new_figures_once_they_are_recomputed_and_not_before(
    client, council, admin_user, django_capture_on_commit_callbacks
):
    """The figures' markup is cached per version of the computed tables: a recompute that
    changes them shows on the next request, and a filter never gets another's markup."""
    for days in range(10):
        build(council, first_saving_after=days * 10, people=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        compute()
    client.force_login(admin_user)
    assert "45 days" in text_of(client.get(reverse("insights:index")))
    assert "45 days" not in text_of(client.get(reverse("insights:index"), {"area": "waste"}))
    build(council, first_saving_after=1000, people=admin_user)
    reconcile.progress_reconcile()
    assert "45 days" in text_of(client.get(reverse("insights:index")))  # nothing recomputed yet
    with django_capture_on_commit_callbacks(execute=True):
        services.insights_recompute()
    page = text_of(client.get(reverse("insights:index")))
    assert "50 days" in page and "45 days" not in page
