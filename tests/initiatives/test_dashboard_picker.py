"""Reaching a dashboard: an admin's organisation picker (a search that works without
JavaScript, which htmx runs as the admin types), the organisation page's link to its dashboard,
and a heading and title that name the organisation and the filters shown."""

import html
import re

import pytest
from django.urls import reverse

from partners.models import Organisation
from tests import factories
from tests.pages import assert_strict_page, text_of

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("dashboard:show")


def matches(response):
    """(name, href) of each organisation the picker offers."""
    page = html.unescape(response.content.decode())
    found = page[page.index('<div id="organisation-matches">') :]
    found = found[: found.index("</div>")]
    return re.findall(r'<a class="govuk-link" href="([^"]+)">([^<]+)</a>', found)


def heading(response):
    return re.search(r"<h1[^>]*>([^<]+)</h1>", response.content.decode()).group(1)


def title(response):
    return html.unescape(re.search(r"<title>([^<]+)</title>", response.content.decode()).group(1))


@pytest.fixture
def organisations(council, partner_council, other_council):
    """Two more Leeds organisations, and a duplicate merged into Leeds City Council."""
    factories.OrganisationFactory(name="Leeds Beckett University", kind="university")
    factories.OrganisationFactory(name="Leeds Community Foundation", kind="charity")
    duplicate = factories.OrganisationFactory(name="Leeds City Council (duplicate)")
    Organisation.objects.filter(pk=duplicate.pk).update(merged_into=council, active=False)


def test_an_admin_finds_an_organisation_and_opens_its_dashboard_without_javascript(
    client, admin_user, organisations, council
):
    client.force_login(admin_user)
    page = client.get(DASHBOARD)
    assert heading(page) == "All organisations: savings"
    assert 'name="org_q"' in page.content.decode()

    searched = client.get(DASHBOARD, {"org": "all", "org_q": "leeds"})
    assert searched.status_code == 200
    found = matches(searched)
    assert {name for _, name in found} == {
        "Leeds City Council",
        "Leeds Beckett University",
        "Leeds Community Foundation",
    }  # the merged duplicate is not offered
    assert "3 organisations match “leeds”" in text_of(searched)
    assert_strict_page(searched)

    href = next(href for href, name in found if name == "Leeds City Council")
    assert href == f"{DASHBOARD}?org={council.pk}"
    opened = client.get(href)
    assert heading(opened) == "Leeds City Council: savings"
    assert title(opened) == "Leeds City Council: savings – Savings dashboard – Collaborate"


def test_the_picker_keeps_the_other_filters_shown(
    client, admin_user, organisations, partner_council
):
    client.force_login(admin_user)
    searched = client.get(
        DASHBOARD, {"org": "all", "fy": 2025, "model": "shared_service", "org_q": "bradf"}
    )
    assert matches(searched) == [
        (f"{DASHBOARD}?org={partner_council.pk}&fy=2025&model=shared_service", "Bradford Council")
    ]
    # The search form carries the filters shown, so that a search without JavaScript keeps them.
    form = searched.content.decode()
    assert '<input type="hidden" name="fy" value="2025">' in form
    assert '<input type="hidden" name="org" value="all">' in form


def test_a_search_that_finds_nothing_says_so(client, admin_user, organisations):
    client.force_login(admin_user)
    page = text_of(client.get(DASHBOARD, {"org_q": "Atlantis"}))
    assert "No organisation matches “Atlantis”" in page


def test_as_the_admin_types_htmx_swaps_in_only_the_matches(client, admin_user, organisations):
    client.force_login(admin_user)
    response = client.get(
        DASHBOARD,
        {"org": "all", "org_q": "beckett"},
        headers={"HX-Request": "true", "HX-Target": "organisation-matches"},
    )
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<div id="organisation-matches">')
    assert "<title>" not in fragment and "dashboard-figures" not in fragment
    assert [name for _, name in matches(response)] == ["Leeds Beckett University"]
    assert "HX-Target" in response["Vary"]
    # The input runs the search as the admin types; its results are announced politely.
    page = client.get(DASHBOARD).content.decode()
    assert 'hx-trigger="keyup changed delay:300ms, search"' in page
    assert 'hx-target="#organisation-matches"' in page
    assert '<div aria-live="polite">' in page


def test_someone_who_is_not_an_admin_has_no_picker_and_no_other_dashboard(
    client, manager, organisations, other_council, council
):
    client.force_login(manager)
    page = client.get(DASHBOARD, {"org_q": "leeds"})
    assert page.status_code == 200
    assert 'name="org_q"' not in page.content.decode()
    assert "organisation-matches" not in page.content.decode()
    # They still choose among their own organisations.
    assert f'<option value="{council.pk}" selected>Leeds City Council</option>' in (
        page.content.decode()
    )
    fragment = client.get(
        DASHBOARD,
        {"org_q": "cornwall"},
        headers={"HX-Request": "true", "HX-Target": "organisation-matches"},
    )
    assert "Cornwall" not in fragment.content.decode()
    assert client.get(DASHBOARD, {"org": other_council.pk}).status_code == 404


@pytest.mark.parametrize(
    "query, expected",
    [
        ({}, "Leeds City Council: savings"),
        ({"fy": 2026}, "Leeds City Council: savings 2026/27"),
        (
            {"fy": 2026, "model": "shared_service"},
            "Leeds City Council: savings 2026/27, shared service",
        ),
        ({"area": "ict"}, "Leeds City Council: savings, ICT"),
        ({"model": "public_social", "area": "hr_payroll"}, None),
    ],
)
def test_the_heading_and_title_name_the_organisation_and_the_filters(
    client, manager, council, query, expected
):
    expected = expected or "Leeds City Council: savings, public–social partnership, HR and payroll"
    client.force_login(manager)
    page = client.get(DASHBOARD, query)
    assert heading(page) == expected
    assert title(page) == f"{expected} – Savings dashboard – Collaborate"
    # A filter changed with JavaScript: the figures come with the new title and heading.
    fragment = client.get(DASHBOARD, query, headers={"HX-Request": "true"})
    assert title(fragment) == f"{expected} – Savings dashboard – Collaborate"
    assert f'<h1 class="govuk-heading-l" id="dashboard-heading" hx-swap-oob="true">{expected}' in (
        html.unescape(fragment.content.decode())
    )


def test_a_filter_that_was_ignored_is_left_out_of_the_heading_and_the_title_says_error(
    client, manager
):
    client.force_login(manager)
    page = client.get(DASHBOARD, {"fy": "twenty", "model": "shared_service"})
    assert heading(page) == "Leeds City Council: savings, shared service"
    assert title(page).startswith("Error: Leeds City Council: savings, shared service")


def test_a_renamed_organisation_shows_at_once_though_the_figures_are_cached(
    client, manager, council
):
    client.force_login(manager)
    client.get(DASHBOARD, {"fy": 2026})  # the figures are cached now
    council.name = "Leeds City Council (renamed)"
    council.save()
    fragment = client.get(DASHBOARD, {"fy": 2026}, headers={"HX-Request": "true"})
    assert title(fragment).startswith("Leeds City Council (renamed): savings 2026/27")
    assert heading(client.get(DASHBOARD, {"fy": 2026})) == (
        "Leeds City Council (renamed): savings 2026/27"
    )


@pytest.mark.parametrize(
    "who, sees_link",
    [("manager", True), ("officer", True), ("admin_user", True), ("outsider", False)],
)
def test_the_organisation_page_links_to_its_dashboard_for_those_who_may_see_it(
    request, client, council, who, sees_link
):
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("partners:detail", args=[council.pk]))
    link = f'href="{DASHBOARD}?org={council.pk}">Savings dashboard of Leeds City Council</a>'
    assert (link in page.content.decode()) is sees_link
    if sees_link:
        assert heading(client.get(f"{DASHBOARD}?org={council.pk}")) == "Leeds City Council: savings"
