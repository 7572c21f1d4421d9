"""The dashboard and the register as pages: who sees which organisation, filters, empty states,
downloads, and a cost that does not grow with the data."""

import io
from datetime import date
from decimal import Decimal

import factory
import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives import services as initiative_services
from initiatives.claims import services as claim_services
from initiatives.models import Initiative, InitiativeProgress
from initiatives.progress import reconcile, selectors, services
from partners.models import AuditEvent
from partners.services import organisations as organisation_services
from tests import factories
from tests.factories import make_claim
from tests.pages import assert_strict_page, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(initiative, officer, manager, council):
    """Targets of £20,000 (2025/26) and £10,000 (2026/27); a verified claim of £9,000 net."""
    initiative_services.targets_set(
        actor=officer, initiative=initiative, targets={2025: "20000", 2026: "10000"}
    )
    claim = make_claim(officer, initiative, council)
    claim_services.claim_submit(actor=officer, claim=claim)
    claim_services.claim_decide(actor=manager, claim=claim, decision="verify")
    reconcile.progress_reconcile()
    return initiative


def test_a_manager_sees_their_organisations_share(client, figures, manager):
    client.force_login(manager)
    response = client.get(reverse("dashboard:show"))
    page = text_of(response)
    assert "Leeds City Council" in page
    assert "Target £18,000" in page  # 60% of £30,000
    assert "Verified £5,400" in page  # the stored attribution: 60% of £9,000
    assert "Cash-releasing / not £5,400 / £0" in page
    assert_strict_page(response)


def test_filters_narrow_the_figures_and_stay_in_the_url(client, figures, manager):
    client.force_login(manager)
    page = text_of(client.get(reverse("dashboard:show"), {"fy": 2026, "model": "shared_service"}))
    assert "Target £6,000" in page and "Verified £0" in page
    fragment = client.get(reverse("dashboard:show"), {"fy": 2025}, headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "<html" not in html and '<div id="dashboard-figures">' in html
    # htmx takes the new title and heading from the fragment, with the figures.
    assert html.lstrip().startswith("<title>Leeds City Council: savings 2025/26 – Savings dashb")
    assert 'id="dashboard-heading" hx-swap-oob="true">Leeds City Council: savings 2025/26<' in html
    assert "fy=2025" in fragment.content.decode()  # the download links keep the filters


def test_a_year_with_no_data_says_so(client, figures, manager):
    client.force_login(manager)
    page = text_of(client.get(reverse("dashboard:show"), {"fy": 2030}))
    assert "There are no targets, claims or verified savings in 2030/31" in page


@pytest.mark.parametrize(
    "query", [{"fy": "twenty"}, {"model": "merger"}, {"area": "<b>"}, {"fy": "1800"}]
)
def test_malformed_filters_are_ignored_with_a_message_never_a_500(client, figures, manager, query):
    client.force_login(manager)
    response = client.get(reverse("dashboard:show"), query)
    assert response.status_code == 200
    assert "Some filters were ignored" in text_of(response)
    assert "Verified £5,400" in text_of(response)


def test_an_organisation_the_user_may_not_see_is_404(
    client, figures, manager, other_council, admin_user
):
    client.force_login(manager)
    for org in (other_council.pk, "all", "nonsense", 999999):
        assert client.get(reverse("dashboard:show"), {"org": org}).status_code == 404, org
        assert client.get(reverse("dashboard:csv"), {"org": org}).status_code == 404, org
    client.force_login(admin_user)
    assert client.get(reverse("dashboard:show"), {"org": other_council.pk}).status_code == 200
    everyone = text_of(client.get(reverse("dashboard:show"), {"org": "all"}))
    assert "All organisations" in everyone and "Verified £9,000" in everyone


def test_the_excel_download_opens_and_holds_the_figures_shown(client, figures, manager):
    client.force_login(manager)
    response = client.get(reverse("dashboard:xlsx"), {"fy": 2025})
    assert response["Content-Disposition"].startswith('attachment; filename="savings-')
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == [
        "Headline",
        "By financial year",
        "By collaboration model",
        "By service area",
    ]
    headline = [cell.value for cell in book["Headline"][2]]
    assert headline[:5] == ["All", 12000, 12000, 5400, 5400]
    years = list(book["By financial year"].iter_rows(min_row=2, values_only=True))
    assert years == [("2025/26", 12000, 12000, 5400, 5400, 5400, 0, 45)]


def test_the_csv_download_holds_the_same_figures(client, figures, manager):
    client.force_login(manager)
    response = client.get(reverse("dashboard:csv"), {"fy": 2025})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Headline,All,12000.00,12000.00,5400.00,5400.00,5400.00,0.00,45.0" in text


def test_only_admins_start_a_full_recompute(client, manager, admin_user):
    client.force_login(manager)
    assert client.post(reverse("dashboard:recompute")).status_code == 403
    assert client.get(reverse("dashboard:recompute_status")).status_code == 403
    assert not AuditEvent.objects.exists()


def test_starting_a_full_recompute_is_recorded_in_the_audit_log(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            reverse("dashboard:recompute"), REMOTE_ADDR="203.0.113.9", follow=False
        )
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:show")
    event = AuditEvent.objects.get()
    assert event.action == AuditEvent.Action.RECOMPUTE_STARTED
    assert (event.actor_id, event.actor_email) == (admin_user.pk, admin_user.email)
    assert event.ip_address == "203.0.113.9"
    assert event.detail["task_id"]
    assert len(queued) == 1  # the reconcile is queued once the event is committed


def test_a_second_start_while_a_recompute_runs_starts_and_records_nothing(client, admin_user):
    cache.set(selectors.RECONCILE_TASK_KEY, "a-task-still-waiting-for-a-worker")
    client.force_login(admin_user)
    response = client.post(reverse("dashboard:recompute"))
    assert response.status_code == 302
    assert not AuditEvent.objects.exists()


def bulk(count, lead, partner):
    """`count` live initiatives of `lead` with `partner` (70/30) in two collaboration models
    and two service areas, each with a target in one of three years; then their figures."""
    factories.InitiativeFactory.create_batch(
        count,
        lead=lead,
        title=factory.Sequence(lambda n: f"Bulk {n}"),
        # All from the one sequence number, so the areas and years keep in step whatever
        # other tests made before (an Iterator keeps its own place across tests).
        collaboration_model=factory.Sequence(lambda n: ["spin_out", "shared_service"][n % 2]),
        service_area=factory.Sequence(lambda n: ["waste", "ict", "ict"][n % 3]),
        status="live",
        start_date=date(2023, 4, 1),
        shares={lead: 70, partner: 30},
        targets=factory.Sequence(lambda n: {2024 + n % 3: Decimal(1000 + n)}),
    )
    reconcile.progress_reconcile()


# The same number of queries at 30 and at 300 initiatives: the figures come from the computed
# tables, whatever their size.
@pytest.mark.parametrize("count", [30, 300])
@pytest.mark.parametrize(
    "who, query",
    [("manager", {}), ("manager", {"fy": 2025, "area": "ict"}), ("admin_user", {"org": "all"})],
)
def test_the_dashboard_costs_the_same_queries_at_30_and_300_initiatives(
    request, client, council, partner_council, django_assert_num_queries, count, who, query
):
    bulk(count, council, partner_council)
    client.force_login(request.getfixturevalue(who))
    client.get(reverse("dashboard:show"))
    cache.clear()  # the figures computed afresh …
    # Two of them count the initiatives at risk and those without targets, for the links; two
    # more, for an organisation's dashboard, read the health checks needing attention and the
    # share of its audited verified savings (cached too, under the same versions).
    with django_assert_num_queries(15 if who == "manager" else 12):
        response = client.get(reverse("dashboard:show"), query)
    assert response.status_code == 200 and "Target" in text_of(response)
    with django_assert_num_queries(5 if who == "manager" else 4):  # … and then from the cache
        again = client.get(reverse("dashboard:show"), query)
    assert text_of(again) == text_of(response)


def test_a_recompute_shows_new_figures_at_once_despite_the_cache(
    client, figures, manager, officer, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    assert "Target £18,000" in text_of(client.get(reverse("dashboard:show")))
    initiative_services.targets_set(
        actor=officer, initiative=figures, targets={2025: "20000", 2026: "20000"}
    )
    with django_capture_on_commit_callbacks(execute=True):  # the recompute commits
        services.progress_recompute_initiative(initiative_id=figures.pk)
    assert "Target £24,000" in text_of(client.get(reverse("dashboard:show")))


def test_the_cached_filter_form_follows_the_choices_and_the_organisations(
    client, figures, manager, council
):
    """The filters' markup is cached: it must still show what was chosen, and names as they
    are now."""
    client.force_login(manager)

    def selected(response):
        html = response.content.decode()
        return [
            line.split(">")[1].split("<")[0]
            for line in html.splitlines()
            if "<option" in line and " selected" in line
        ]

    url = reverse("dashboard:show")
    assert "2025/26" in selected(client.get(url, {"fy": 2025}))
    assert "2024/25" in selected(client.get(url, {"fy": 2024}))
    assert "2025/26" in selected(client.get(url, {"fy": 2025}))  # from the cache
    council.name = "Leeds City Council (renamed)"
    council.save()
    assert "Leeds City Council (renamed)" in selected(client.get(url, {"fy": 2025}))


def test_the_registers_totals_follow_publishing_once_recomputed_despite_the_cache(
    client, figures, manager, django_capture_on_commit_callbacks
):
    """The totals are cached per filter under the progress version: publishing marks the
    initiative for a recompute, whose commit moves them on."""
    other = factories.InitiativeFactory(lead=figures.lead)
    initiative_services.initiative_publish(actor=manager, initiative=other, publish=True)
    reconcile.progress_reconcile()
    assert "Verified savings of these initiatives £0" in text_of(
        client.get(reverse("register:list"))
    )
    initiative_services.initiative_publish(actor=manager, initiative=figures, publish=True)
    with django_capture_on_commit_callbacks(execute=True):  # the recompute commits
        services.progress_recompute_initiative(initiative_id=figures.pk)
    page = text_of(client.get(reverse("register:list")))
    assert "Verified savings of these initiatives £9,000" in page


def test_what_is_kept_about_a_council_stays_through_others_recomputes_not_its_own(
    initiative, council, partner_council, other_council, django_capture_on_commit_callbacks
):
    """A council's audit share and health panel are kept under its own version: a recompute
    of an initiative it is not involved in leaves them; one of its own initiative, or a full
    recompute that repaired something, moves them on."""
    from initiatives.assurance import selectors as assurance
    from initiatives.health import selectors as health

    def kept_reads():
        with CaptureQueriesContext(connection) as reads:
            assurance.audited_share_cached(organisation=council)
            health.needing_attention_cached(council)
        return len(reads)

    elsewhere = factories.InitiativeFactory(lead=other_council)
    assert kept_reads() == 2  # each made once
    with django_capture_on_commit_callbacks(execute=True):
        services.progress_recompute_initiative(initiative_id=elsewhere.pk)
    assert kept_reads() == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.progress_recompute_initiative(initiative_id=initiative.pk)
    assert kept_reads() == 2
    # A partner is involved as much as the lead.
    kept_partner = assurance.audited_share_cached(organisation=partner_council)
    with django_capture_on_commit_callbacks(execute=True):
        services.progress_recompute_initiative(initiative_id=initiative.pk)
    with CaptureQueriesContext(connection) as reads:
        assert assurance.audited_share_cached(organisation=partner_council) == kept_partner
    assert len(reads) == 1
    InitiativeProgress.objects.filter(initiative=elsewhere).delete()  # for the reconcile to heal
    with django_capture_on_commit_callbacks(execute=True):
        reconcile.progress_reconcile()
    assert kept_reads() == 2


def test_the_register_is_kept_rendered_and_follows_what_it_shows(
    client, figures, manager, council, django_capture_on_commit_callbacks
):
    """The register's filters, totals, count and results are cached as rendered, per address:
    a second view reads no initiative; a withdrawal leaves it at once, an edit once its
    recompute commits, and an organisation's new name at once."""
    with django_capture_on_commit_callbacks(execute=True):
        initiative_services.initiative_publish(actor=manager, initiative=figures, publish=True)
    url = reverse("register:list")
    with CaptureQueriesContext(connection) as first:
        assert figures.title in text_of(client.get(url))
    with CaptureQueriesContext(connection) as again:
        page = text_of(client.get(url))
    assert figures.title in page and "1 initiative" in page and "£9,000" in page
    read = [q["sql"] for q in again if "initiatives_initiative" in q["sql"]]
    assert len(first) > 0 and read == []
    assert figures.title not in text_of(client.get(url, {"q": "nothing like it"}))

    Initiative.objects.filter(pk=figures.pk).update(title="Shared legal services, renamed")
    with django_capture_on_commit_callbacks(execute=True):  # the recompute commits
        services.progress_recompute_initiative(initiative_id=figures.pk)
    assert "Shared legal services, renamed" in text_of(client.get(url))

    admin = factories.UserFactory(is_staff=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        organisation_services.organisation_update(
            actor=admin, organisation=council, name="Leeds City Council (renamed)"
        )
    assert "Leeds City Council (renamed)" in text_of(client.get(url))

    with django_capture_on_commit_callbacks(execute=True):  # no recompute runs
        initiative_services.initiative_publish(actor=manager, initiative=figures, publish=False)
    page = text_of(client.get(url))
    assert "Shared legal services, renamed" not in page and "0 initiatives" in page


def test_the_register_shows_verified_savings_from_the_progress_tables(client, figures, manager):
    initiative_services.initiative_publish(actor=manager, initiative=figures, publish=True)
    page = text_of(client.get(reverse("register:list")))
    assert "Verified savings of these initiatives £9,000" in page
    detail = text_of(client.get(reverse("register:detail", args=[figures.reference])))
    assert "2025/26 £9,000.00 £0.00 £9,000.00" in detail
    assert "Leeds City Council" in detail
