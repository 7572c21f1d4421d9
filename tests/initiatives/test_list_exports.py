"""Every list of initiatives and claims downloads as CSV and as Excel with the filters it
shows: initiatives with their partners, codes, shares and targets by financial year (a sheet of
each in the workbook), claims, the review queue, the public register (anonymous, published
only), an initiative's history and the dashboard's at-risk and gap lists; at a cost in queries
that does not grow with the rows, streamed."""

import csv
import datetime
import io
from decimal import Decimal

import factory
import openpyxl
import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from initiatives import columns, financial_years
from initiatives.models import Initiative
from initiatives.progress import services as progress_services
from partners.history import history_of
from tests import factories
from tests.pages import text_of

pytestmark = pytest.mark.django_db
LAST_YEAR = financial_years.current_financial_year() - 1


def read_csv(response):
    assert response.status_code == 200, response.status_code
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def read_xlsx(response):
    assert response.status_code == 200, response.status_code
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def values(sheet):
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.fixture
def coded(initiative, council, partner_council):
    """The shared `initiative` (Leeds 60 %, Bradford 40 %) with ONS/GSS codes and targets for
    two financial years."""
    council.gss_code, partner_council.gss_code = "E08000035", "E08000032"
    council.save(update_fields=["gss_code"])
    partner_council.save(update_fields=["gss_code"])
    factories.SavingsTargetFactory(initiative=initiative, financial_year=2025, amount="1000")
    factories.SavingsTargetFactory(initiative=initiative, financial_year=2026, amount="2000")
    return initiative


def test_the_initiatives_csv_names_partners_with_codes_and_shares_and_targets_by_year(
    as_user, officer, coded
):
    header, row = read_csv(as_user(officer).get(reverse("initiatives:csv")))
    assert header == [column.name for column in columns.INITIATIVES]
    cells = dict(zip(header, row, strict=True))
    assert cells["Reference"] == coded.reference
    assert cells["Partners"] == (
        "Leeds City Council [E08000035] 60.00%; Bradford Council [E08000032] 40.00%"
    )
    assert cells["Targets by financial year"] == "2025/26: 1000.00; 2026/27: 2000.00"
    assert cells["Start date"] == coded.start_date.isoformat()


def test_the_initiatives_workbook_has_a_sheet_of_partners_and_one_row_per_year_of_targets(
    as_user, officer, coded
):
    factories.InitiativeFactory(lead=officer.memberships.get().organisation, title="=cmd|calc")
    book = read_xlsx(as_user(officer).get(reverse("initiatives:xlsx"), {"sort": "title"}))
    assert book.sheetnames == ["Initiatives", "Partners", "Targets"]
    main = values(book["Initiatives"])
    assert main[0] == [column.name for column in columns.INITIATIVES]
    assert [row[1] for row in main[1:]] == ["'=cmd|calc", coded.title]  # escaped, not run
    start = book["Initiatives"].cell(row=3, column=main[0].index("Start date") + 1)
    assert start.is_date and start.value == datetime.datetime.combine(
        coded.start_date, datetime.time()
    )
    partners = values(book["Partners"])
    assert partners[0] == [
        "Reference",
        "Partner",
        "ONS/GSS code",
        "Share of savings (%)",
        "Joined on",
    ]
    assert [row[:4] for row in partners[1:] if row[0] == coded.reference] == [
        [coded.reference, "Leeds City Council", "E08000035", 60],
        [coded.reference, "Bradford Council", "E08000032", 40],
    ]
    assert book["Partners"]["E2"].is_date
    targets = values(book["Targets"])
    assert targets == [
        ["Reference", "Financial year", "Target (£)"],
        [coded.reference, "2025/26", 1000],
        [coded.reference, "2026/27", 2000],
    ]
    assert book["Targets"]["C2"].data_type == "n"


def test_the_initiatives_download_follows_the_list_filters(as_user, officer, coded, council):
    factories.InitiativeFactory(lead=council, title="Proposed only", status="proposed")
    coded.status = Initiative.Status.LIVE
    coded.save(update_fields=["status"])
    book = read_xlsx(as_user(officer).get(reverse("initiatives:xlsx"), {"status": "live"}))
    assert [row[0] for row in values(book["Initiatives"])[1:]] == [coded.reference]
    assert {row[0] for row in values(book["Targets"])[1:]} == {coded.reference}


def test_an_initiatives_download_is_streamed(as_user, officer, coded):
    response = as_user(officer).get(reverse("initiatives:csv"))
    assert isinstance(response, StreamingHttpResponse) and response.streaming
    chunks = iter(response.streaming_content)
    next(chunks)  # the byte-order mark
    assert next(chunks).decode().startswith("Reference,Title")
    assert next(chunks).decode().startswith(coded.reference)
    response.close()  # the rest is never read: the query's cursor closes with the response


def test_the_list_pages_link_to_both_downloads_with_their_filters(as_user, manager, coded):
    client = as_user(manager)
    for list_name, csv_name, xlsx_name, query in [
        ("initiatives:list", "initiatives:csv", "initiatives:xlsx", "status=live"),
        ("claims:list", "claims:csv", "claims:xlsx", "show=all"),
        ("claims:review", "claims:review_csv", "claims:review_xlsx", None),
        ("dashboard:at_risk", "dashboard:at_risk_csv", "dashboard:at_risk_xlsx", None),
        ("dashboard:gaps", "dashboard:gaps_csv", "dashboard:gaps_xlsx", None),
    ]:
        factories.SavingsClaimFactory(initiative=coded, submitted=True)
        html = client.get(reverse(list_name), dict([query.split("=")]) if query else {})
        html = html.content.decode()
        assert reverse(csv_name) in html and reverse(xlsx_name) in html, list_name
        if query:
            assert f'{reverse(xlsx_name)}?{query}"' in html
    page = text_of(client.get(reverse("initiatives:list")))
    assert "Download these initiatives as CSV" in page
    assert "Download these initiatives as Excel (XLSX)" in page


def test_the_claims_workbook_holds_amounts_as_numbers_and_times_as_dates(as_user, officer, coded):
    claim = factories.SavingsClaimFactory(initiative=coded, submitted=True)
    book = read_xlsx(as_user(officer).get(reverse("claims:xlsx"), {"show": "all"}))
    sheet = book["Claims"]
    header = [cell.value for cell in sheet[1]]
    assert header == [column.name for column in columns.CLAIMS]
    row = dict(zip(header, sheet[2], strict=True))
    assert row["Reference"].value == claim.reference
    assert row["Net saving (£)"].value == 9000 and row["Net saving (£)"].data_type == "n"
    submitted = timezone.localtime(claim.submitted_at).replace(tzinfo=None, second=0)
    assert row["Submitted at"].is_date
    assert row["Submitted at"].value.replace(second=0, microsecond=0) == submitted.replace(
        microsecond=0
    )


def test_the_review_queue_downloads_the_claims_awaiting_this_manager(
    as_user, manager, officer, coded
):
    waiting = factories.SavingsClaimFactory(initiative=coded, submitted=True)
    factories.SavingsClaimFactory(initiative=coded)  # a draft: not for review
    header, *rows = read_csv(as_user(manager).get(reverse("claims:review_csv")))
    assert header == [column.name for column in columns.REVIEW]
    assert [row[0] for row in rows] == [waiting.reference]
    assert as_user(officer).get(reverse("claims:review_xlsx")).status_code == 403


def test_the_register_downloads_published_initiatives_only_to_anyone(client, council):
    published = factories.InitiativeFactory(
        lead=council,
        title="Published shared service",
        visibility=Initiative.Visibility.PUBLIC,
        published_at=timezone.now(),
        not_for_savings_reason="Private reasoning",
    )
    factories.InitiativeFactory(lead=council, title="Not published")
    header, *rows = read_csv(client.get(reverse("register:csv")))
    assert header == [column.name for column in columns.REGISTER]
    assert [row[0] for row in rows] == [published.reference]
    book = read_xlsx(client.get(reverse("register:xlsx")))
    text = repr(values(book["Register"]))
    assert "Published shared service" in text
    assert "Not published" not in text and "Private reasoning" not in text


def test_an_initiatives_history_downloads_for_those_who_may_see_it(
    as_user, partner_officer, outsider, coded
):
    factories.HistoryEntryFactory(owner=coded, action="Targets set", reason="=2+2")
    url = reverse("initiatives:history_csv", args=[coded.pk])
    header, *rows = read_csv(as_user(partner_officer).get(url))
    assert header == [column.name for column in columns.HISTORY]
    assert [rows[0][2], rows[0][5]] == ["Targets set", "'=2+2"]
    assert as_user(outsider).get(url).status_code == 404
    book = read_xlsx(
        as_user(partner_officer).get(reverse("initiatives:history_xlsx", args=[coded.pk]))
    )
    assert book.worksheets[0]["A2"].is_date


def test_the_at_risk_and_gap_lists_download_as_workbooks(as_user, admin_user, council):
    at_risk = factories.InitiativeFactory(lead=council, status="live", targets={LAST_YEAR: 10000})
    progress_services.progress_recompute_initiative(initiative_id=at_risk.pk)
    gap = factories.InitiativeFactory(lead=council, status="live")
    client = as_user(admin_user)
    risky = values(read_xlsx(client.get(reverse("dashboard:at_risk_xlsx"))).worksheets[0])
    assert risky[0] == [column.name for column in columns.AT_RISK]
    assert at_risk.reference in [row[0] for row in risky[1:]]
    gaps = values(read_xlsx(client.get(reverse("dashboard:gaps_xlsx"))).worksheets[0])
    assert gaps[0] == [column.name for column in columns.GAPS]
    assert gap.reference in [row[1] for row in gaps[1:]]


def bulk(count, lead, partner):
    """`count` live initiatives of `lead` with `partner`, targets for two years, a submitted
    claim and a history entry each."""
    initiatives = factories.InitiativeFactory.create_batch(
        count,
        lead=lead,
        status="live",
        visibility=Initiative.Visibility.PUBLIC,
        published_at=timezone.now(),
        title=factory.Sequence(lambda n: f"Bulk initiative {n}"),
        shares={lead: 70, partner: 30},
        targets={LAST_YEAR: 10000, LAST_YEAR + 1: 5000},
    )
    for initiative in initiatives:
        factories.SavingsClaimFactory(
            initiative=initiative,
            submitted=True,
            gross_amount=Decimal("100"),
            implementation_cost=Decimal("0"),
        )
        progress_services.progress_recompute_initiative(initiative_id=initiative.pk)
    return initiatives


# The same number of queries at 5 and at 25 rows: a download's cost must not grow with them.
@pytest.mark.parametrize("count", [5, 25])
@pytest.mark.parametrize(
    "who, name, queries",
    [
        ("officer", "initiatives:csv", 6),
        ("officer", "initiatives:xlsx", 8),
        # The claims' downloads are recorded in the audit log, in the same request.
        ("officer", "claims:csv", 8),
        ("officer", "claims:xlsx", 8),
        ("manager", "claims:review_csv", 4),
        ("manager", "claims:review_xlsx", 4),
        (None, "register:csv", 2),
        (None, "register:xlsx", 2),
        ("admin_user", "dashboard:at_risk_xlsx", 4),
        ("admin_user", "dashboard:gaps_xlsx", 4),
    ],
)
def test_a_download_costs_the_same_queries_at_5_and_25_rows(
    request, client, council, partner_council, django_assert_num_queries, count, who, name, queries
):
    bulk(count, council, partner_council)
    if who:
        client.force_login(request.getfixturevalue(who))
    client.get(reverse("initiatives:list") if who else reverse("register:list"))
    with django_assert_num_queries(queries):
        response = client.get(reverse(name), {"show": "all"} if name.startswith("claims:") else {})
        content = b"".join(response.streaming_content)
    assert response.status_code == 200 and len(content) > 100


@pytest.mark.parametrize("count", [5, 25])
def test_a_history_download_costs_the_same_queries_at_5_and_25_entries(
    client, officer, initiative, django_assert_num_queries, count
):
    before = history_of(initiative).count()  # creating it was recorded
    factories.HistoryEntryFactory.create_batch(
        count, owner=initiative, actor=officer, action="Targets set"
    )
    client.force_login(officer)
    url = reverse("initiatives:history_csv", args=[initiative.pk])
    client.get(url)
    with django_assert_num_queries(5):
        rows = read_csv(client.get(url))
    assert len(rows) == 1 + before + count
