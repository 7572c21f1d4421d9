"""The claims list (/claims/): every claim a user may see, in every status, opening on their own
open claims; its filters, search, sort, CSV download and query counts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories
from tests.initiatives.test_claim_views import bulk_claims
from tests.pages import assert_strict_page, csv_rows, text_of

pytestmark = pytest.mark.django_db

LIST = reverse("claims:list")
CSV = reverse("claims:csv")


@pytest.fixture
def claims(people, initiative):
    """Claims of the lead (Leeds) and of the partner (Bradford) on their shared initiative, in
    several statuses, and one on an initiative of an unrelated council (Cornwall)."""

    def claim(claimant, by, **fields):
        return factories.SavingsClaimFactory(
            initiative=fields.pop("on", initiative), claimant=claimant, created_by=by, **fields
        )

    cornwall = factories.InitiativeFactory(lead=people.other, title="Cornish coastal paths")
    return {
        "lead draft": claim(people.lead, people.lead_officer, financial_year=2026),
        "lead submitted": claim(
            people.lead, people.lead_officer, submitted=True, kind="non_cash_releasing"
        ),
        "lead verified": claim(
            people.lead, people.lead_officer, verified=True, gross_amount=Decimal("50000")
        ),
        "lead returned": claim(people.lead, people.lead_manager, returned=True),
        "partner draft": claim(people.partner, people.partner_officer),
        "partner submitted": claim(people.partner, people.partner_officer, submitted=True),
        "other submitted": claim(people.other, people.outsider, submitted=True, on=cornwall),
    }


def shown(response, claims):
    """The names of the fixture's claims that the page lists."""
    page = text_of(response)
    return {name for name, claim in claims.items() if claim.reference in page}


LEAD_SEES = {
    "lead draft",
    "lead submitted",
    "lead verified",
    "lead returned",
    "partner submitted",
}


@pytest.mark.parametrize(
    "who, sees",
    [
        ("officer of lead", LEAD_SEES),
        ("manager of lead", LEAD_SEES),
        (
            "officer of partner",
            {
                "partner draft",
                "partner submitted",
                "lead submitted",
                "lead verified",
                "lead returned",
            },
        ),
        ("outsider", {"other submitted"}),
        ("admin", {"lead draft", "partner draft", "other submitted"} | LEAD_SEES),
    ],
)
def test_all_claims_lists_what_each_role_may_see_and_hides_other_partners_drafts(
    as_user, people, claims, who, sees
):
    response = as_user(people[who]).get(LIST, {"show": "all"})
    assert response.status_code == 200
    assert shown(response, claims) == sees
    assert_strict_page(response)


def test_a_partners_draft_is_hidden_from_the_lead_and_the_leads_from_the_partner(
    as_user, people, claims
):
    assert "partner draft" not in shown(
        as_user(people.lead_manager).get(LIST, {"show": "all"}), claims
    )
    assert "lead draft" not in shown(
        as_user(people.partner_manager).get(LIST, {"show": "all"}), claims
    )


def test_the_list_opens_on_my_open_claims_and_says_so_in_the_form(as_user, people, claims):
    colleague_draft = factories.SavingsClaimFactory(
        initiative=claims["lead draft"].initiative, created_by=people.lead_manager
    )
    edited = factories.SavingsClaimFactory(
        initiative=claims["lead draft"].initiative, created_by=people.lead_manager
    )
    edited.participants.add(people.lead_officer)
    response = as_user(people.lead_officer).get(LIST)
    page = response.content.decode()
    assert 'value="mine" class="govuk-radios__input" id="id_show_0" checked>' in page
    assert shown(response, claims) == {"lead draft", "lead submitted"}
    assert edited.reference in page and colleague_draft.reference not in page
    assert "3 open claims of yours" in text_of(response)
    assert 'href="?show=all">Show all the claims you can see</a>' in page


def test_the_switch_to_all_claims_is_kept_in_the_form_and_the_url(as_user, people, claims):
    response = as_user(people.lead_officer).get(LIST, {"show": "all"})
    page = response.content.decode()
    assert 'value="all" class="govuk-radios__input" id="id_show_1" checked>' in page
    assert "5 claims" in text_of(response)
    assert 'href="?show=mine">Show only your open claims</a>' in page
    assert f'href="{CSV}?show=all" download' in page


def test_my_open_claims_leave_out_decided_ones_even_when_i_made_them(as_user, people, claims):
    response = as_user(people.lead_officer).get(LIST, {"show": "mine", "status": "verified"})
    assert shown(response, claims) == set()
    assert "No claim matches these filters." in text_of(response)


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"status": "verified"}, {"lead verified"}),
        ({"status": "submitted"}, {"lead submitted", "partner submitted", "other submitted"}),
        ({"kind": "non_cash_releasing"}, {"lead submitted"}),
        ({"fy": "2026"}, {"lead draft"}),
        ({"org": "partner"}, {"partner draft", "partner submitted"}),
        ({"org": "Cornwall"}, {"other submitted"}),
        ({"initiative": "other initiative"}, {"other submitted"}),
        ({"q": "other initiative"}, {"other submitted"}),
        ({"q": "lead verified"}, {"lead verified"}),
        ({"q": "coastal"}, {"other submitted"}),
    ],
)
def test_each_filter_and_the_search_narrow_all_claims(as_user, people, claims, query, expected):
    """References are matched whole, in any case; `org` takes an organisation's number or
    (for admins) part of its name."""
    references = {
        "partner": str(people.partner.pk),
        "other initiative": claims["other submitted"].initiative.reference.lower(),
        "lead verified": claims["lead verified"].reference.lower(),
    }
    query = {key: references.get(value, value) for key, value in query.items()}
    response = as_user(people.admin).get(LIST, {"show": "all", **query})
    assert shown(response, claims) == expected


def test_officers_filter_by_their_own_organisations(as_user, people, claims):
    response = as_user(people.partner_officer).get(LIST, {"show": "all", "org": people.partner.pk})
    page = response.content.decode()
    assert shown(response, claims) == {"partner draft", "partner submitted"}
    assert f'<option value="{people.partner.pk}" selected>Bradford Council</option>' in page
    assert "Leeds City Council</option>" not in page


def test_sorting_by_the_largest_saving_puts_it_first(as_user, people, claims):
    response = as_user(people.lead_manager).get(LIST, {"show": "all", "sort": "-net"})
    page = text_of(response)
    first = page.index(claims["lead verified"].reference)
    assert all(first < page.index(claims[name].reference) for name in LEAD_SEES - {"lead verified"})


def test_an_htmx_filter_answers_the_results_and_their_count(as_user, people, claims):
    response = as_user(people.admin).get(
        LIST, {"show": "all", "status": "submitted"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">') and "<html" not in body
    assert '<div hx-swap-oob="innerHTML:#results-count">3 claims</div>' in body
    assert "HX-Request" in response["Vary"]


def test_the_csv_holds_every_row_of_the_filter_with_numbers_as_numbers(as_user, people, initiative):
    bulk_claims(30, initiative, people.lead_officer, "verified")
    formula = factories.InitiativeFactory(
        lead=people.lead,
        title='=HYPERLINK("http://evil")',
        shares={people.lead: 50, people.partner: 50},
    )
    factories.SavingsClaimFactory(
        initiative=formula, claimant=people.partner, created_by=people.partner_officer
    )
    response = as_user(people.lead_officer).get(CSV, {"show": "all", "status": "verified"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, *rows = csv_rows(response)
    assert header[:6] == [
        "Reference",
        "Your reference",
        "Initiative reference",
        "Initiative",
        "Claimant organisation",
        "Financial year",
    ]
    assert len(rows) == 22  # every verified one of the 30, not a page of 25
    first = dict(zip(header, rows[0], strict=True))
    assert first["Status"] == "Verified" and first["Claimant organisation"] == "Leeds City Council"
    assert Decimal(first["Net saving (£)"]) == Decimal(first["Gross saving (£)"])
    raw = b"".join(as_user(people.partner_officer).get(CSV, {"show": "all"}).streaming_content)
    assert b"'=HYPERLINK" in raw and b',"=HYPERLINK' not in raw and b",=HYPERLINK" not in raw


def test_the_csv_of_my_open_claims_leaves_out_what_the_list_leaves_out(as_user, people, claims):
    _, *rows = csv_rows(as_user(people.partner_officer).get(CSV))
    assert {row[0] for row in rows} == {
        claims["partner draft"].reference,
        claims["partner submitted"].reference,
    }


def test_the_list_needs_a_signed_in_user(client):
    assert client.get(LIST).status_code == 302
    assert client.get(CSV).status_code == 302


# The same number of queries at 30 and at 300 claims: a page's cost must not grow with the data.
@pytest.mark.parametrize("count", [30, 300])
@pytest.mark.parametrize(
    "who, query, queries",
    [
        ("lead_officer", {}, 6),
        ("lead_officer", {"show": "all", "status": "verified", "fy": "2026", "org": "lead"}, 6),
        ("admin", {"show": "all", "q": "initiative", "kind": "cash_releasing", "sort": "-net"}, 5),
    ],
)
def test_the_list_costs_the_same_queries_at_30_and_300_claims(
    client, people, initiative, django_assert_num_queries, count, who, query, queries
):
    bulk_claims(count, initiative, people.lead_officer, "verified")
    client.force_login(getattr(people, who))
    values = {"lead": people.lead.pk, "initiative": initiative.reference}
    query = {key: values.get(value, value) for key, value in query.items()}
    client.get(LIST)
    with django_assert_num_queries(queries):
        response = client.get(LIST, {**query, "page": 2})
    assert response.status_code == 200 and "CLM-2000-" in text_of(response)


@pytest.mark.parametrize("count", [30, 300])
def test_the_csv_costs_the_same_queries_at_30_and_300_claims(
    client, people, initiative, django_assert_num_queries, count
):
    bulk_claims(count, initiative, people.lead_officer, "verified")
    client.force_login(people.lead_manager)
    # Three of them record the download in the audit log (it names people): a savepoint, the
    # event, its release.
    with django_assert_num_queries(8):
        response = client.get(CSV, {"show": "all"})
        assert len(csv_rows(response)) == count + 1
