"""Initiative pages as a browser sees them: fragments for htmx, bad input, query counts."""

import csv
import html
import io
from datetime import date
from html.parser import HTMLParser

import factory
import pytest
from django.urls import reverse

from initiatives import services
from initiatives.models import Initiative, Partnership, SavingsTarget
from tests import factories, form_data
from tests.pages import assert_error_at_field, assert_strict_page, text_of

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def test_the_list_answers_its_results_fragment_to_htmx_and_the_page_otherwise(
    as_user, officer, initiative
):
    client = as_user(officer)
    full = client.get(reverse("initiatives:list"), {"q": "revenues"})
    fragment = client.get(
        reverse("initiatives:list"), {"q": "revenues"}, headers={**HTMX, "HX-Target": "results"}
    )
    restore = client.get(
        reverse("initiatives:list"), headers={**HTMX, "HX-History-Restore-Request": "true"}
    )
    assert "<html" in full.content.decode() and "<html" in restore.content.decode()
    body = fragment.content.decode()
    assert body.lstrip().startswith('<div id="results">') and "<html" not in body
    assert initiative.reference in body and "hx-swap-oob" in body
    assert "HX-Request" in fragment["Vary"]
    assert_strict_page(full)


@pytest.mark.parametrize("section", ["detail", "partners", "targets", "history"])
def test_each_section_answers_its_panel_to_htmx_and_a_full_page_otherwise(
    as_user, officer, initiative, section
):
    client = as_user(officer)
    url = reverse(f"initiatives:{section}", args=[initiative.pk])
    full = client.get(url)
    fragment = client.get(url, headers=HTMX)
    assert "<html" in full.content.decode()
    body = fragment.content.decode()
    assert body.lstrip().startswith('<div id="initiative-sections">') and "<html" not in body
    assert 'aria-current="page"' in body
    assert "HX-Request" in fragment["Vary"]
    assert_strict_page(full)


def test_the_organisation_page_loads_its_initiatives_from_the_list(
    as_user, officer, initiative, partner_council
):
    client = as_user(officer)
    page = client.get(reverse("partners:detail", args=[partner_council.pk])).content.decode()
    assert f'hx-get="/initiatives/?partner={partner_council.pk}"' in page
    assert f'href="/initiatives/?partner={partner_council.pk}"' in page  # the plain link fallback
    embedded = client.get(
        reverse("initiatives:list"),
        {"partner": partner_council.pk},
        headers={**HTMX, "HX-Target": "partner-initiatives"},
    ).content.decode()
    assert initiative.title in embedded
    assert "hx-swap-oob" not in embedded  # the organisation page has no counter to update


def test_the_organisation_page_shows_only_initiatives_the_viewer_may_see(
    as_user, outsider, initiative, partner_council
):
    embedded = as_user(outsider).get(
        reverse("initiatives:list"),
        {"partner": partner_council.pk},
        headers={**HTMX, "HX-Target": "partner-initiatives"},
    )
    assert initiative.title not in embedded.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"status": "bogus"},
        {"fy": "nineteen"},
        {"partner": "x"},
        {"sort": "1; drop"},
        {"area": "<script>"},
        {"page": "-1"},
    ],
)
def test_unknown_filter_values_are_ignored_never_a_500(as_user, officer, initiative, query):
    response = as_user(officer).get(reverse("initiatives:list"), query)
    assert response.status_code == 200


def test_filters_by_partner_year_status_and_area(
    as_user, officer, initiative, partner_council, other_council
):
    services.targets_set(actor=officer, initiative=initiative, targets={2026: "100"})
    client = as_user(officer)
    for query, found in [
        ({"partner": partner_council.pk}, True),
        ({"partner": other_council.pk}, False),
        ({"fy": 2026}, True),
        ({"fy": 2027}, False),
        ({"status": "proposed", "area": "revenues_benefits"}, True),
        ({"status": "live"}, False),
        ({"model": "outsourcing"}, False),
        ({"region": "yorkshire"}, True),
    ]:
        assert (
            initiative.reference in text_of(client.get(reverse("initiatives:list"), query))
        ) is found, query


def test_the_csv_holds_the_filtered_list_with_formulas_escaped(as_user, officer, initiative):
    services.initiative_update(actor=officer, initiative=initiative, title="=SUM(A1:A9)")
    response = as_user(officer).get(reverse("initiatives:csv"), {"status": "proposed"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "Reference"
    assert rows[1][:2] == [initiative.reference, "'=SUM(A1:A9)"]


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"title": ""}, "title", "Enter a title"),
        ({"title": "x" * 201}, "title", "Enter a title of 200 characters or fewer"),
        (
            {"start_date_0": "31", "start_date_1": "2"},
            "start_date",
            "The start date must be a real date",
        ),
        (
            {"start_date_2": "99999999999999999999"},
            "start_date",
            "The start date must be a real date",
        ),
        ({"start_date_1": ""}, "start_date", "The start date must include a month"),
        (
            {"planned_end_date_0": "1", "planned_end_date_1": "1", "planned_end_date_2": "2026"},
            "planned_end_date",
            "The planned end date must be on or after the start date",
        ),
        ({"collaboration_model": "merger"}, "collaboration_model", "Select a valid choice"),
    ],
)
def test_bad_input_when_creating_gets_a_message_at_the_field_and_writes_nothing(
    as_user, officer, changes, field, message
):
    response = as_user(officer).post(reverse("initiatives:create"), form_data.initiative(**changes))
    assert_error_at_field(response, field, message)
    assert not Initiative.objects.exists()


def test_shares_that_do_not_add_up_are_shown_next_to_the_form(
    as_user, manager, initiative, council, partner_council
):
    response = as_user(manager).post(
        reverse("initiatives:partners", args=[initiative.pk]),
        {
            f"share_{council.pk}": "60",
            f"share_{partner_council.pk}": "30",
            "version": initiative.version,
        },
    )
    assert response.status_code == 422
    assert "The shares must add up to exactly 100%" in html.unescape(response.content.decode())
    assert (
        Partnership.objects.get(initiative=initiative, organisation=partner_council).savings_share
        == 40
    )


def test_a_bad_target_is_shown_at_its_year(as_user, officer, initiative):
    response = as_user(officer).post(
        reverse("initiatives:targets", args=[initiative.pk]),
        {"target_2025": "12.345", "target_2026": "100", "version": initiative.version},
    )
    assert response.status_code == 422
    page = html.unescape(response.content.decode())
    assert 'id="id_target_2025_error"' in page and "no more than 2 decimal places" in page
    assert not SavingsTarget.objects.exists()


def test_a_status_change_outside_the_table_is_refused_at_the_field(as_user, officer, initiative):
    response = as_user(officer).post(
        reverse("initiatives:status", args=[initiative.pk]), {"status": "live", "reason": "x"}
    )
    assert response.status_code == 422
    assert "cannot move to that status" in html.unescape(response.content.decode())


def test_an_edit_over_someone_elses_change_shows_the_current_values(
    as_user, officer, manager, initiative
):
    loaded_version = initiative.version
    services.initiative_update(actor=manager, initiative=initiative, title="Renamed by the manager")
    response = as_user(officer).post(
        reverse("initiatives:edit", args=[initiative.pk]),
        form_data.initiative(title="Renamed by the officer", version=loaded_version),
    )
    assert response.status_code == 409
    page = html.unescape(response.content.decode())
    assert "changed by someone else" in page and 'value="Renamed by the manager"' in page


class _FormValues(HTMLParser):
    """What a browser would send from the page: each input's value (a checkbox only when ticked)
    and each textarea's text."""

    def __init__(self):
        super().__init__()
        self.values, self._textarea = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.values[attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.values[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data.lstrip("\n")


def form_values(response):
    parser = _FormValues()
    parser.feed(response.content.decode())
    return parser.values


def assert_conflict_shown(response, stored):
    """A form sent over someone else's save: 409, the conflict in the error summary, the inputs
    holding the values stored now and the hidden version the one stored now."""
    assert response.status_code == 409
    page = html.unescape(response.content.decode())
    summary = page[page.index('class="govuk-error-summary"') :]
    assert 'href="#form-errors">This initiative was changed by someone else' in summary
    shown = form_values(response)
    assert {name: shown.get(name) for name in stored} == stored
    assert_strict_page(response)


def test_shares_sent_over_someone_elses_change_show_the_stored_shares_and_save_when_resent(
    as_user, manager, initiative, council, partner_council
):
    client = as_user(manager)
    url = reverse("initiatives:partners", args=[initiative.pk])
    loaded = form_values(client.get(url))
    assert loaded["version"] == str(initiative.version)
    services.shares_set(
        actor=manager, initiative=initiative, shares={council.pk: "70", partner_council.pk: "30"}
    )
    initiative.refresh_from_db()
    response = client.post(
        url,
        {**loaded, f"share_{council.pk}": "50", f"share_{partner_council.pk}": "50"},
    )
    assert_conflict_shown(
        response,
        {
            f"share_{council.pk}": "70.00",
            f"share_{partner_council.pk}": "30.00",
            "version": str(initiative.version),
        },
    )
    assert client.post(url, form_values(response)).status_code == 302
    shares = dict(
        Partnership.objects.filter(initiative=initiative).values_list(
            "organisation", "savings_share"
        )
    )
    assert shares == {council.pk: 70, partner_council.pk: 30}


def test_targets_sent_over_someone_elses_change_show_the_stored_targets_and_save_when_resent(
    as_user, officer, manager, initiative
):
    client = as_user(officer)
    url = reverse("initiatives:targets", args=[initiative.pk])
    loaded = form_values(client.get(url))
    assert loaded["version"] == str(initiative.version)
    services.targets_set(actor=manager, initiative=initiative, targets={2026: "5000"})
    initiative.refresh_from_db()
    response = client.post(url, {**loaded, "target_2026": "100", "target_2027": "200"})
    assert_conflict_shown(
        response,
        {
            "target_2026": "5000.00",
            "target_2027": "",
            "not_for_savings_reason": "",
            "version": str(initiative.version),
        },
    )
    assert "not_for_savings" not in form_values(response)
    assert client.post(url, form_values(response)).status_code == 302
    assert dict(SavingsTarget.objects.values_list("financial_year", "amount")) == {2026: 5000}


def test_a_conflict_answers_htmx_with_the_section_panel(as_user, manager, initiative):
    client = as_user(manager)
    url = reverse("initiatives:targets", args=[initiative.pk])
    loaded = form_values(client.get(url))
    services.targets_set(actor=manager, initiative=initiative, targets={2026: "5000"})
    response = client.post(url, {**loaded, "target_2026": "100"}, headers=HTMX)
    assert response.status_code == 409
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="initiative-sections">') and "<html" not in body
    assert "changed by someone else" in html.unescape(body)


def bulk_initiatives(count, lead):
    """`count` initiatives of `lead`, in two service areas and two statuses, half with a
    target for 2025/26."""
    factories.InitiativeFactory.create_batch(
        count,
        lead=lead,
        title=factory.Sequence(lambda n: f"Bulk initiative {n}"),
        service_area=factory.Iterator(["waste", "ict"]),
        status=factory.Iterator(["proposed", "live", "live"]),
        start_date=date(2024, 4, 1),
        targets=factory.Iterator([None, {2025: 1000}, {2025: 1000}, None]),
    )


# The same number of queries at 30 and at 300 rows: a page's cost must not grow with the data.
@pytest.mark.parametrize("count", [30, 300])
@pytest.mark.parametrize(
    "who, query, queries",
    [
        ("officer", {}, 6),
        ("officer", {"status": "live", "area": "ict", "fy": "2025", "sort": "title"}, 6),
        ("admin_user", {"q": "bulk", "partner": "lead"}, 6),
    ],
)
def test_the_list_costs_the_same_queries_at_30_and_300_initiatives(
    request, client, council, django_assert_num_queries, count, who, query, queries
):
    bulk_initiatives(count, council)
    client.force_login(request.getfixturevalue(who))
    query = {k: (council.pk if v == "lead" else v) for k, v in query.items()}
    client.get(reverse("initiatives:list"))
    with django_assert_num_queries(queries):
        response = client.get(reverse("initiatives:list"), {**query, "page": 2})
    assert response.status_code == 200 and "Bulk initiative" in text_of(response)


@pytest.mark.parametrize("count", [30, 300])
def test_an_initiatives_history_costs_the_same_queries_at_30_and_300(
    client, officer, council, initiative, django_assert_num_queries, count
):
    bulk_initiatives(count, council)
    factories.HistoryEntryFactory.create_batch(
        count, owner=initiative, actor=officer, action="Targets set"
    )
    client.force_login(officer)
    client.get(reverse("initiatives:history", args=[initiative.pk]))
    with django_assert_num_queries(7):
        response = client.get(reverse("initiatives:history", args=[initiative.pk]), {"page": 2})
    assert response.status_code == 200
