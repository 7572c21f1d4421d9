"""The collaboration health check: its periods, who sees and answers it, answering and
answering again, the medians and where partners disagree, the dashboard's initiatives needing
attention, and what the page costs as answers grow."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from collaborate.kit import edits
from initiatives import permissions
from initiatives.health import periods, selectors, services
from initiatives.models import Dimension, HealthCheck, Initiative
from partners.history import history_of
from tests import factories
from tests.pages import assert_error_at_field, assert_strict_page, text_of

pytestmark = pytest.mark.django_db

ALL = dict.fromkeys(Dimension.values, 3)


def scores(**given):
    return {**ALL, **given}


@pytest.fixture
def live(council, partner_council):
    return factories.InitiativeFactory(
        lead=council,
        title="Shared revenues",
        status=Initiative.Status.LIVE,
        shares={council: 60, partner_council: 40},
    )


def answer(user, initiative, organisation, today=None, expected_version=None, **given):
    return services.health_check_answer(
        actor=user,
        initiative=initiative,
        organisation=organisation,
        scores=scores(**given),
        comments={},
        expected_version=expected_version,
        today=today,
    )


def form_data(version=0, **given):
    """What the form sends: every score 3 and no comment, except what is `given`."""
    data = {"version": version, **dict.fromkeys(Dimension.values, "3")}
    return {**data, **{f"{d}_comment": "" for d in Dimension.values}, **given}


# --- periods ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, months, start",
    [
        (date(2026, 4, 1), 3, date(2026, 4, 1)),
        (date(2026, 6, 30), 3, date(2026, 4, 1)),
        (date(2026, 7, 1), 3, date(2026, 7, 1)),
        (date(2026, 12, 25), 3, date(2026, 10, 1)),
        (date(2027, 3, 31), 3, date(2027, 1, 1)),
        (date(2027, 2, 14), 6, date(2026, 10, 1)),
        (date(2026, 9, 30), 6, date(2026, 4, 1)),
        (date(2027, 3, 31), 12, date(2026, 4, 1)),
        (date(2026, 3, 31), 12, date(2025, 4, 1)),
        (date(2027, 1, 9), 1, date(2027, 1, 1)),
    ],
)
def test_periods_follow_the_financial_year_from_1_april(day, months, start):
    assert periods.period_of(day, months) == start


def test_the_previous_period_and_the_labels_of_periods():
    assert periods.previous_period(date(2026, 4, 1), 3) == date(2026, 1, 1)
    assert periods.previous_period(date(2026, 4, 1), 12) == date(2025, 4, 1)
    assert periods.current_period(3, today=date(2026, 11, 2)) == date(2026, 10, 1)
    assert periods.label(date(2026, 4, 1), 3) == "April to June 2026"
    assert periods.label(date(2026, 10, 1), 6) == "October 2026 to March 2027"
    assert periods.label(date(2026, 4, 1), 12) == "2026/27"
    assert periods.label(date(2026, 5, 1), 1) == "May 2026"
    assert periods.end_of(date(2027, 1, 1), 3) == date(2027, 3, 31)
    assert periods.due_by(date(2026, 7, 1), 3) == date(2026, 7, 31)


# --- who sees and who answers -----------------------------------------------------------------


def test_an_outsider_gets_404_and_the_partners_and_admins_see_the_section(
    client, live, outsider, officer, partner_officer, admin_user
):
    url = reverse("initiatives:health", args=[live.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, form_data()).status_code == 404
    for person in (officer, partner_officer, admin_user):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert_strict_page(response)
        assert "Collaboration health check" in text_of(response)
        assert 'href="' + url + '"' in response.content.decode()  # its tab in the sections


def test_the_public_register_never_shows_the_answers(
    client, live, partner_officer, partner_council
):
    answer(partner_officer, live, partner_council, shared_vision=1)
    client.logout()
    response = client.get(reverse("initiatives:health", args=[live.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_admin_reads_but_does_not_answer(
    client, live, admin_user, partner_officer, partner_council
):
    answer(partner_officer, live, partner_council)
    client.force_login(admin_user)
    response = client.get(reverse("initiatives:health", args=[live.pk]))
    assert "Send the answer" not in text_of(response) and "Latest scores" in text_of(response)
    assert (
        client.post(reverse("initiatives:health", args=[live.pk]), form_data()).status_code == 403
    )
    assert not permissions.can_answer_health_check(admin_user, live, partner_council)


def test_a_partner_of_an_initiative_not_live_cannot_answer_and_is_told_when_it_starts(
    client, council, partner_council, partner_officer
):
    designing = factories.InitiativeFactory(
        lead=council, status="in_design", shares={council: 60, partner_council: 40}
    )
    client.force_login(partner_officer)
    url = reverse("initiatives:health", args=[designing.pk])
    response = client.get(url)
    assert "Check-ins start when the initiative is live" in text_of(response)
    assert "Send the answer" not in text_of(response)
    assert client.post(url, form_data()).status_code == 403
    with pytest.raises(PermissionDenied):
        answer(partner_officer, designing, partner_council)
    assert not HealthCheck.objects.exists()


def test_nobody_answers_for_an_organisation_they_do_not_belong_to(
    live, officer, partner_council, outsider, other_council
):
    with pytest.raises(PermissionDenied):
        answer(officer, live, partner_council)  # a member of the lead, not of the partner
    with pytest.raises(PermissionDenied):
        answer(outsider, live, other_council)  # not a partner at all


# --- answering --------------------------------------------------------------------------------


def test_answering_again_in_the_same_period_changes_the_one_answer_and_keeps_history(
    client, live, partner_officer, partner_council
):
    client.force_login(partner_officer)
    url = reverse("initiatives:health", args=[live.pk])
    response = client.post(url, form_data(shared_vision=2, governance_comment="Board rarely meets"))
    assert response.status_code == 302 and response["Location"] == url
    first = HealthCheck.objects.get()
    assert (first.shared_vision, first.version, first.answered_by) == (2, 1, partner_officer)
    assert first.period_start == periods.current_period(3)
    response = client.post(url, form_data(version=1, shared_vision=4))
    assert response.status_code == 302
    again = HealthCheck.objects.get()
    assert (again.pk, again.shared_vision, again.version) == (first.pk, 4, 2)
    assert again.governance_comment == ""
    entries = list(history_of(live).filter(action__startswith="Health check"))
    assert [e.action for e in entries] == ["Health check changed", "Health check answered"]
    changed = {c["field"]: (c["before"], c["after"]) for c in entries[0].changes}
    assert changed["Shared vision and objectives"] == ("2", "4")
    assert changed["Governance: comment"] == ("Board rarely meets", "")
    assert "Bradford Council" in entries[0].subject
    page = text_of(client.get(url))
    assert "Change Bradford Council's answer" in page and "Pat Partner answered" in page


def test_a_stale_form_is_refused_and_shows_what_is_stored_now(
    client, live, partner_officer, partner_manager, partner_council
):
    answer(partner_manager, live, partner_council, shared_vision=5)  # a colleague answered first
    client.force_login(partner_officer)
    response = client.post(
        reverse("initiatives:health", args=[live.pk]), form_data(version=0, shared_vision=1)
    )
    assert response.status_code == 409
    assert "changed by someone else" in text_of(response)
    assert HealthCheck.objects.get().shared_vision == 5
    assert 'name="version" value="1"' in response.content.decode()
    with pytest.raises(edits.EditConflict):
        answer(partner_officer, live, partner_council, expected_version=0)


def test_one_answer_per_partner_per_period_and_a_new_one_next_period(
    live, partner_officer, partner_council, officer, council
):
    answer(partner_officer, live, partner_council, today=date(2026, 4, 10))
    answer(partner_officer, live, partner_council, today=date(2026, 6, 30), leadership=5)
    answer(partner_officer, live, partner_council, today=date(2026, 7, 1))
    answer(officer, live, council, today=date(2026, 7, 2))
    rows = HealthCheck.objects.order_by("period_start", "organisation__name")
    assert [(r.period_start, r.organisation.name) for r in rows] == [
        (date(2026, 4, 1), "Bradford Council"),
        (date(2026, 7, 1), "Bradford Council"),
        (date(2026, 7, 1), "Leeds City Council"),
    ]


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"shared_vision": ""}, "shared_vision", "Choose a score from 1 to 5 for shared vision"),
        ({"resilience": "9"}, "resilience", "Choose a score from 1 to 5"),
        ({"governance_comment": "x" * 1001}, "governance_comment", "1000 characters or fewer"),
    ],
)
def test_bad_input_shows_the_error_summary_and_writes_nothing(
    client, live, partner_officer, data, field, message
):
    client.force_login(partner_officer)
    sent = {**form_data(), **data}
    response = client.post(reverse("initiatives:health", args=[live.pk]), sent)
    assert_error_at_field(response, field, message)
    assert not HealthCheck.objects.exists()
    assert not history_of(live).filter(action__startswith="Health check").exists()


def test_with_htmx_the_section_comes_back_as_a_fragment(client, live, partner_officer):
    client.force_login(partner_officer)
    url = reverse("initiatives:health", args=[live.pk])
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "HX-Request" in response["Vary"]
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="initiative-sections">') and "<html" not in page
    bad = client.post(url, {**form_data(), "leadership": ""}, headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "<html" not in bad.content.decode()


# --- medians, spreads, trend ------------------------------------------------------------------


@pytest.fixture
def three_partners(council, partner_council, other_council, officer, partner_officer, outsider):
    """A live initiative of three partners, each with its officer."""
    initiative = factories.InitiativeFactory(
        lead=council,
        status=Initiative.Status.LIVE,
        shares={council: 50, partner_council: 30, other_council: 20},
    )
    return initiative, [
        (officer, council),
        (partner_officer, partner_council),
        (outsider, other_council),
    ]


def test_medians_spreads_and_disagreement_match_hand_computed_values(three_partners):
    initiative, people = three_partners
    april, july = date(2026, 4, 20), date(2026, 7, 20)
    given = [
        {"shared_vision": 4, "leadership": 4, "relationships": 5},
        {"shared_vision": 5, "leadership": 4, "relationships": 5},
        {"shared_vision": 4, "leadership": 5, "relationships": 2},
    ]
    for (person, organisation), values in zip(people, given, strict=True):
        answer(person, initiative, organisation, today=april, **values)
    given = [
        {"shared_vision": 1, "leadership": 2, "relationships": 5, "governance": 4},
        {"shared_vision": 3, "leadership": 2, "relationships": 5, "governance": 5},
        {"shared_vision": 4, "leadership": 3, "relationships": 4, "governance": 3},
    ]
    for (person, organisation), values in zip(people, given, strict=True):
        answer(person, initiative, organisation, today=july, **values)
    section = selectors.health_section(initiative, today=date(2026, 8, 1))
    assert section.latest == date(2026, 7, 1) and section.answers == 3
    figures = {f.dimension: f for f in section.figures}
    # shared vision: 1, 3, 4 → median 3, spread 3 (disagree); April's 4, 5, 4 → 4, so −1.
    assert (figures["shared_vision"].median, figures["shared_vision"].low) == (3, 1)
    assert figures["shared_vision"].disagree and figures["shared_vision"].change == -1
    # leadership: 2, 2, 3 → 2, spread 1; April's 4, 4, 5 → 4, so −2 (falling, and low).
    assert figures["leadership"].median == 2 and not figures["leadership"].disagree
    assert figures["leadership"].is_falling and figures["leadership"].is_low
    # relationships: 5, 5, 4 → 5, spread 1, and no change.
    assert figures["relationships"].median == 5 and figures["relationships"].change == 0
    # governance: 4, 5, 3 → 4, spread 2: exactly two points apart is a disagreement.
    assert figures["governance"].median == 4 and figures["governance"].disagree
    assert [f.dimension for f in section.disagreements] == ["shared_vision", "governance"]
    assert [start for start, _ in section.trend] == [date(2026, 4, 1), date(2026, 7, 1)]
    assert section.table[0] == ("Shared vision and objectives", ["4", "3"])
    assert not section.waiting
    assert [org.name for org in section.answered] == [
        "Bradford Council",
        "Cornwall Council",
        "Leeds City Council",
    ]


def test_two_partners_median_is_their_mean_and_the_page_flags_the_disagreement(
    client, live, officer, council, partner_officer, partner_council
):
    answer(officer, live, council, resilience=2, resilience_comment="x")
    answer(partner_officer, live, partner_council, resilience=5)
    client.force_login(officer)
    page = text_of(client.get(reverse("initiatives:health", args=[live.pk])))
    assert "Partners disagree on 1 dimension" in page
    assert "resilience (scores from 2 to 5)" in page
    assert "Resilience 3.5 Fair 2 to 5 Partners disagree" in page
    assert "Answered Bradford Council Leeds City Council" in page  # the lead sees who answered


def test_comments_are_shown_to_the_partners_escaped(
    client, live, partner_officer, partner_council, officer
):
    services.health_check_answer(
        actor=partner_officer,
        initiative=live,
        organisation=partner_council,
        scores=ALL,
        comments={"governance": "<script>alert(1)</script> board rarely meets"},
    )
    client.force_login(officer)
    page = client.get(reverse("initiatives:health", args=[live.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; board rarely meets" in page
    assert "<script>alert(1)" not in page


# --- the dashboard ----------------------------------------------------------------------------


def test_the_dashboard_lists_initiatives_with_a_low_or_falling_dimension(
    client, council, partner_council, other_council, officer, partner_officer, manager
):
    def live_with_partner(title, partner=partner_council):
        return factories.InitiativeFactory(
            lead=council, title=title, status="live", shares={council: 50, partner: 50}
        )

    low = live_with_partner("Low")
    falling = live_with_partner("Falling")
    steady = live_with_partner("Steady")
    elsewhere = factories.InitiativeFactory(lead=other_council, title="Elsewhere", status="live")
    april, july = date(2026, 4, 2), date(2026, 7, 2)
    # Low: medians of (2, 2) and (1, 3): both 2.
    answer(officer, low, council, today=july, governance=2, leadership=1)
    answer(partner_officer, low, partner_council, today=july, governance=2, leadership=3)
    # Falling: 4.5 → 3 on resilience (exactly 1.5), from (4, 5) to (3, 3).
    for today, ours, theirs in ((april, 4, 5), (july, 3, 3)):
        answer(officer, falling, council, today=today, resilience=ours)
        answer(partner_officer, falling, partner_council, today=today, resilience=theirs)
    # Steady: 4 → 3 on resilience, a fall of 1, and nothing at 2 or below: fine.
    for today, value in ((april, 4), (july, 3)):
        answer(officer, steady, council, today=today, resilience=value)
    HealthCheck.objects.create(
        initiative=elsewhere,
        organisation=other_council,
        period_start=date(2026, 7, 1),
        answered_at=timezone.now(),
        **dict.fromkeys(Dimension.values, 1),
    )
    attention = selectors.needing_attention(council)
    assert [a.initiative["title"] for a in attention] == ["Low", "Falling"]  # by reference
    by_title = {a.initiative["title"]: a for a in attention}
    assert set(by_title) == {"Low", "Falling"}
    assert by_title["Low"].dimensions == [
        (
            "Leadership willing to cede and share resources and power",
            "median 2; partners disagree (1 to 3)",
        ),
        ("Governance", "median 2"),
    ]
    assert by_title["Falling"].dimensions == [("Resilience", "fell by 1.5")]
    assert selectors.needing_attention(other_council)[0].initiative["title"] == "Elsewhere"
    client.force_login(manager)
    response = client.get(reverse("dashboard:show"))
    page = text_of(response)
    assert "Collaboration health 2 initiatives have a dimension" in page
    assert "resilience, fell by 1.5" in page
    assert reverse("initiatives:health", args=[low.pk]) in response.content.decode()
    assert "Elsewhere" not in page


def test_the_dashboard_panel_follows_an_answer_at_once_despite_the_cache(
    client, council, partner_council, officer, manager, django_capture_on_commit_callbacks
):
    """The panel is cached with the dashboard: an answer moves the cache on when it commits,
    without waiting for its initiative's recompute."""
    initiative = factories.InitiativeFactory(
        lead=council, title="Low", status="live", shares={council: 50, partner_council: 50}
    )
    client.force_login(manager)
    assert "No initiative's latest health check" in text_of(client.get(reverse("dashboard:show")))
    with django_capture_on_commit_callbacks(execute=True):
        answer(officer, initiative, council, governance=1)
    page = text_of(client.get(reverse("dashboard:show")))
    assert "Collaboration health 1 initiative has a dimension" in page, page


# --- what the page costs ----------------------------------------------------------------------


def bulk_answers(initiative, organisations, starts):
    HealthCheck.objects.bulk_create(
        HealthCheck(
            initiative=initiative,
            organisation=organisation,
            period_start=start,
            answered_at=timezone.now(),
            governance_comment="Fine",
            **{d: 1 + (n + i) % 5 for i, d in enumerate(Dimension.values)},
        )
        for n, (organisation, start) in enumerate((o, s) for o in organisations for s in starts)
    )


@pytest.mark.parametrize("partners, quarters", [(2, 2), (12, 20)])
def test_the_health_page_costs_the_same_queries_as_answers_and_partners_grow(
    client, council, partner_officer, partner_council, django_assert_num_queries, partners, quarters
):
    others = factories.OrganisationFactory.create_batch(partners - 2)
    share = {council: 100 - (partners - 1), partner_council: 1, **dict.fromkeys(others, 1)}
    initiative = factories.InitiativeFactory(lead=council, status="live", shares=share)
    starts = [periods.previous_period(periods.current_period(3), 3 * n) for n in range(quarters)]
    bulk_answers(initiative, [council, partner_council, *others], starts)
    client.force_login(partner_officer)
    url = reverse("initiatives:health", args=[initiative.pk])
    client.get(url)
    # Session, user, roles, the initiative, its partners (who may see), the memberships (whom
    # the user acts for), the answers, the partners with their names.
    with django_assert_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200 and "Latest scores" in text_of(response)


@pytest.mark.parametrize("count", [3, 30])
def test_the_dashboard_panel_costs_one_query_however_many_initiatives(
    council, partner_council, django_assert_num_queries, count
):
    for _ in range(count):
        initiative = factories.InitiativeFactory(
            lead=council, status="live", shares={council: 50, partner_council: 50}
        )
        bulk_answers(initiative, [council, partner_council], [date(2026, 4, 1), date(2026, 7, 1)])
    with django_assert_num_queries(1):
        attention = selectors.needing_attention(council)
    assert len(attention) == count


def test_the_dashboard_panel_counts_them_all_and_lists_the_first_by_reference(
    client, council, partner_council, manager
):
    many = selectors.DASHBOARD_LIST + 2
    initiatives = []
    for _ in range(many):
        initiative = factories.InitiativeFactory(
            lead=council, status="live", shares={council: 50, partner_council: 50}
        )
        bulk_answers(initiative, [council, partner_council], [date(2026, 4, 1), date(2026, 7, 1)])
        initiatives.append(initiative)
    client.force_login(manager)
    response = client.get(reverse("dashboard:show"))
    page, markup = text_of(response), response.content.decode()
    assert f"Collaboration health {many} initiatives have a dimension" in page
    assert f"the first {selectors.DASHBOARD_LIST} by reference" in page
    listed = [i for i in initiatives if reverse("initiatives:health", args=[i.pk]) in markup]
    first = sorted(initiatives, key=lambda i: i.reference)[: selectors.DASHBOARD_LIST]
    assert listed == sorted(first, key=lambda i: i.pk)
