"""RAG and verified-to-date on the initiatives list and its CSV: columns with text (never colour
alone), the RAG filter, sorting worst first and by percentage verified, honest cells for
initiatives never computed, and a cost that does not grow with the data."""

import csv
import io
from decimal import Decimal

import factory
import pytest
from django.urls import reverse

from initiatives import financial_years
from initiatives.models import ProgressDirty
from initiatives.progress import services as progress_services
from tests import factories
from tests.pages import assert_strict_page, text_of

pytestmark = pytest.mark.django_db
LAST_YEAR = financial_years.current_financial_year() - 1


def standing(lead, title, verified=None, target=10000, computed=True):
    """An initiative of `lead` with a target of `target` last financial year and, when
    `verified` is given, a verified claim of that net amount; computed unless said."""
    initiative = factories.InitiativeFactory(
        lead=lead, title=title, targets={LAST_YEAR: target} if target else None
    )
    if verified is not None:
        factories.SavingsClaimFactory(
            initiative=initiative,
            verified=True,
            financial_year=LAST_YEAR,
            gross_amount=Decimal(verified),
            implementation_cost=Decimal("0.00"),
        )
    if computed:
        progress_services.progress_recompute_initiative(initiative_id=initiative.pk)
    return initiative


@pytest.fixture
def ratings(council):
    """One initiative of each standing, in an order that is none of the sorts."""
    return {
        "amber": standing(council, "Amber waste partnership", verified="7000"),
        "grey": standing(council, "Grey libraries network", target=None),
        "red": standing(council, "Red highways alliance", verified="1000"),
        "never": standing(council, "Never computed ICT hub", verified="500", computed=False),
        "green": standing(council, "Green payroll service", verified="9500"),
        "red2": standing(council, "Red legal consortium", verified="3000"),
    }


def titles_in_order(response, ratings):
    page = text_of(response)
    shown = [(page.find(i.title), key) for key, i in ratings.items() if i.title in page]
    return [key for _, key in sorted(shown)]


def test_the_list_shows_rag_as_a_tag_with_text_and_verified_to_date(as_user, officer, ratings):
    response = as_user(officer).get(reverse("initiatives:list"), {"sort": "title"})
    body = response.content.decode()
    page = text_of(response)
    assert "RAG" in page and "Verified to date" in page
    assert '<strong class="govuk-tag govuk-tag--orange">Amber</strong>' in body
    assert '<strong class="govuk-tag govuk-tag--red">Red</strong>' in body
    assert '<strong class="govuk-tag govuk-tag--green">Green</strong>' in body
    assert "Amber £7,000 70.0% of £10,000 target to date" in page
    assert "Green £9,500 95.0% of £10,000 target to date" in page
    assert "No target £0 no target to date" in page
    # Never computed: said in words, with no figure dressed up as a fact.
    assert "Never computed ICT hub" in page and "Not calculated yet –" in page
    assert_strict_page(response)


def test_an_initiative_waiting_for_a_recompute_says_recalculating(as_user, officer, ratings):
    ProgressDirty.objects.create(initiative=ratings["green"])
    page = text_of(as_user(officer).get(reverse("initiatives:list"), {"rag": "green"}))
    assert "Green Recalculating £9,500" in page


@pytest.mark.parametrize(
    "rag, found",
    [
        ("red", {"red", "red2"}),
        ("amber", {"amber"}),
        ("green", {"green"}),
        ("grey", {"grey", "never"}),  # never computed: no rating yet, counted with no target
    ],
)
def test_the_rag_filter_keeps_only_that_rating(as_user, officer, ratings, rag, found):
    response = as_user(officer).get(reverse("initiatives:list"), {"rag": rag})
    assert set(titles_in_order(response, ratings)) == found
    assert f"{len(found)} initiative" in text_of(response)


def test_the_rag_filter_and_sorts_are_offered_in_words(as_user, officer, ratings):
    page = text_of(as_user(officer).get(reverse("initiatives:list")))
    assert "RAG status Any RAG status Green Amber Red No target Sort by" in page
    assert "RAG (red first)" in page
    assert "Verified % of target to date (lowest first)" in page


def test_sorting_by_rag_puts_the_worst_first(as_user, officer, ratings):
    response = as_user(officer).get(reverse("initiatives:list"), {"sort": "rag"})
    order = titles_in_order(response, ratings)
    # Red first, furthest behind first; then amber, green; grey and never computed last.
    assert order[:4] == ["red", "red2", "amber", "green"]
    assert set(order[4:]) == {"grey", "never"}


def test_sorting_by_percentage_verified_either_way_keeps_no_percentage_last(
    as_user, officer, ratings
):
    client = as_user(officer)
    lowest = titles_in_order(client.get(reverse("initiatives:list"), {"sort": "percent"}), ratings)
    highest = titles_in_order(
        client.get(reverse("initiatives:list"), {"sort": "-percent"}), ratings
    )
    assert lowest[:4] == ["red", "red2", "amber", "green"]
    assert highest[:4] == ["green", "amber", "red2", "red"]
    assert set(lowest[4:]) == set(highest[4:]) == {"grey", "never"}


def test_filtering_and_sorting_by_rag_stay_in_the_url_of_the_fragment(as_user, officer, ratings):
    response = as_user(officer).get(
        reverse("initiatives:list"),
        {"rag": "red", "sort": "rag"},
        headers={"HX-Request": "true", "HX-Target": "results"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert "rag=red" in body and "sort=rag" in body  # the CSV link keeps them


@pytest.mark.parametrize("query", [{"rag": "purple"}, {"rag": "<b>"}, {"sort": "rag; drop"}])
def test_unknown_rag_values_are_ignored_never_a_500(as_user, officer, ratings, query):
    assert as_user(officer).get(reverse("initiatives:list"), query).status_code == 200


def test_the_public_register_offers_no_rag_filter_or_sort(client, council):
    initiative = standing(council, "Published green service", verified="9500")
    initiative.visibility = initiative.Visibility.PUBLIC
    initiative.published_at = initiative.created_at
    initiative.save()
    response = client.get(reverse("register:list"), {"rag": "red", "sort": "rag"})
    page = text_of(response)
    assert "RAG" not in page and "Green" not in page
    assert "Published green service" in page  # the rag parameter filtered nothing


def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_holds_rag_and_verified_to_date_as_numbers(as_user, officer, ratings):
    response = as_user(officer).get(reverse("initiatives:csv"), {"sort": "rag"})
    # The progress columns, before the partners and the targets by year.
    rows = [row[:-2] for row in read_csv(response)]
    assert rows[0][-5:] == [
        "RAG status",
        "Target to date",
        "Verified to date",
        "Verified as % of target to date",
        "Figures updated at",
    ]
    by_title = {row[1]: row for row in rows[1:]}
    assert [row[1] for row in rows[1:5]] == [
        "Red highways alliance",
        "Red legal consortium",
        "Amber waste partnership",
        "Green payroll service",
    ]
    assert by_title["Amber waste partnership"][-5:-1] == ["Amber", "10000.00", "7000.00", "70.0"]
    assert by_title["Grey libraries network"][-5:-1] == ["No target", "0.00", "0.00", ""]
    assert by_title["Never computed ICT hub"][-5:] == ["Not calculated yet", "", "", "", ""]
    updated = by_title["Green payroll service"][-1]
    assert len(updated) == 16 and updated[4] == "-" and updated[13] == ":"  # 2026-12-01 09:30


def test_the_csv_follows_the_rag_filter(as_user, officer, ratings):
    rows = read_csv(as_user(officer).get(reverse("initiatives:csv"), {"rag": "grey"}))
    assert {row[1] for row in rows[1:]} == {"Grey libraries network", "Never computed ICT hub"}


def bulk_standings(count, lead):
    """`count` computed initiatives of `lead`, red, amber, green and grey in turn, and a few
    never computed."""
    initiatives = factories.InitiativeFactory.create_batch(
        count,
        lead=lead,
        title=factory.Sequence(lambda n: f"Bulk initiative {n}"),
        targets=factory.Iterator([{LAST_YEAR: 10000}] * 3 + [None]),
    )
    for index, initiative in enumerate(initiatives):
        if index % 4 != 3:
            factories.SavingsClaimFactory(
                initiative=initiative,
                verified=True,
                financial_year=LAST_YEAR,
                gross_amount=Decimal([2000, 7000, 9500][index % 4]),
                implementation_cost=Decimal("0.00"),
            )
    progress_services.progress_reconcile()
    factories.InitiativeFactory.create_batch(count // 10, lead=lead)  # never computed


# The same number of queries at 30 and at 300 initiatives.
@pytest.mark.parametrize("count", [30, 300])
@pytest.mark.parametrize(
    "query, queries",
    [
        ({"sort": "rag"}, 6),
        ({"rag": "amber", "sort": "-percent"}, 6),
        ({"rag": "grey", "sort": "percent", "q": "bulk"}, 6),
    ],
)
def test_the_list_costs_the_same_queries_at_30_and_300_initiatives(
    client, officer, council, django_assert_num_queries, count, query, queries
):
    bulk_standings(count, council)
    client.force_login(officer)
    client.get(reverse("initiatives:list"))
    with django_assert_num_queries(queries):
        response = client.get(reverse("initiatives:list"), {**query, "page": 1})
    assert response.status_code == 200 and "Bulk initiative" in text_of(response)


@pytest.mark.parametrize("count", [30, 300])
def test_the_csv_costs_the_same_queries_at_30_and_300_initiatives(
    client, officer, council, django_assert_num_queries, count
):
    bulk_standings(count, council)
    client.force_login(officer)
    client.get(reverse("initiatives:list"))
    # Two more than the page's rows: the partners and the targets by year, once per chunk.
    with django_assert_num_queries(6):
        rows = read_csv(client.get(reverse("initiatives:csv"), {"sort": "rag"}))
    assert len(rows) == 1 + count + count // 10
    assert rows[1][-7] == "Red"
