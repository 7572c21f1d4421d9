"""What comparing collaboration with outsourcing needs on each initiative: set-up cost, contract
term and break points, procurement dates, "live since" for an arrangement live before it was
recorded here, and how often its health check comes round. Saved through the edit page and
initiative_update with history; refused when wrong, with nothing written."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from initiatives import services
from initiatives.models import Initiative
from partners.history import history_of
from tests import form_data

pytestmark = pytest.mark.django_db
Status = Initiative.Status


def edit_url(initiative):
    return reverse("initiatives:edit", args=[initiative.pk])


def dated(name, day):
    if day is None:
        return {f"{name}_0": "", f"{name}_1": "", f"{name}_2": ""}
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def edit_form(initiative, **changes):
    """The edit form as the page fills it in, with `changes`."""
    stored = {
        "title": initiative.title,
        "collaboration_model": initiative.collaboration_model,
        "service_area": initiative.service_area,
        "governance": initiative.governance,
        "start_date_0": initiative.start_date.day,
        "start_date_1": initiative.start_date.month,
        "start_date_2": initiative.start_date.year,
        "version": initiative.version,
        "health_check_months": initiative.health_check_months,
    }
    return form_data.initiative(**{**stored, **changes})


def bring_to(officer, initiative, *statuses):
    for status in statuses:
        initiative = services.initiative_change_status(
            actor=officer, initiative=initiative, status=status, reason="Step"
        )
    initiative.refresh_from_db()
    return initiative


def last_changes(initiative):
    entry = history_of(initiative).filter(action="Updated").order_by("-at", "-pk").first()
    return {c["field"]: (c["before"], c["after"]) for c in entry.changes}


def test_each_comparison_field_is_saved_with_its_history(officer, initiative):
    services.initiative_update(
        actor=officer,
        initiative=initiative,
        setup_cost=Decimal("250000.50"),
        contract_months=84,
        contract_break_points="After 3 and 5 years",
        procurement_started_on=date(2024, 1, 15),
        contract_awarded_on=date(2024, 11, 1),
        health_check_months=6,
    )
    initiative.refresh_from_db()
    assert initiative.setup_cost == Decimal("250000.50")
    assert initiative.contract_months == 84
    assert initiative.contract_break_points == "After 3 and 5 years"
    assert initiative.procurement_started_on == date(2024, 1, 15)
    assert initiative.contract_awarded_on == date(2024, 11, 1)
    assert initiative.health_check_months == 6
    assert last_changes(initiative) == {
        "One-off set-up cost (£)": ("", "250,000.50"),
        "Contract term (months)": ("", "84"),
        "Break points": ("", "After 3 and 5 years"),
        "Procurement started": ("", "15 Jan 2024"),
        "Contract awarded": ("", "1 Nov 2024"),
        "Health check every": ("Quarter", "Six months"),
    }


def test_the_edit_page_saves_the_comparison_and_the_overview_shows_it(as_user, officer, initiative):
    initiative = bring_to(officer, initiative, "in_design", "implementing")
    data = edit_form(
        initiative,
        setup_cost="120000",
        contract_months="60",
        contract_break_points="After 3 years",
        health_check_months="12",
        **dated("procurement_started_on", date(2025, 1, 6)),
        **dated("contract_awarded_on", date(2025, 6, 30)),
        **dated("live_since", date(2025, 9, 1)),
    )
    response = as_user(officer).post(edit_url(initiative), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    initiative.refresh_from_db()
    assert initiative.setup_cost == Decimal("120000.00")
    assert initiative.contract_months == 60
    assert initiative.live_since == date(2025, 9, 1)
    assert initiative.health_check_months == 12
    assert last_changes(initiative)["Live since"] == ("", "1 Sep 2025")
    page = as_user(officer).get(initiative.get_absolute_url()).content.decode()
    for shown in ("£120,000", "60 months", "After 3 years", "6 January 2025", "30 June 2025"):
        assert shown in page
    assert "1 September 2025 (before it was recorded here)" in page


def test_the_edit_page_shows_the_comparison_in_its_own_fieldset(as_user, officer, initiative):
    page = as_user(officer).get(edit_url(initiative)).content.decode()
    assert "Comparing with outsourcing" in page
    for label in ("One-off set-up cost (£)", "Contract term in months", "Break points"):
        assert label in page
    assert "Procurement started" in page and "Contract awarded" in page
    assert "Live since" in page  # no recorded going-live yet
    assert 'name="health_check_months" value="3"' in page and "checked" in page


def test_live_since_is_not_offered_once_going_live_is_recorded_and_a_post_of_it_is_ignored(
    as_user, officer, initiative
):
    initiative = bring_to(officer, initiative, "in_design", "implementing", "live")
    assert initiative.went_live_on == timezone.localdate()
    page = as_user(officer).get(edit_url(initiative)).content.decode()
    assert "live_since" not in page
    response = as_user(officer).post(
        edit_url(initiative), edit_form(initiative, **dated("live_since", date(2024, 1, 1)))
    )
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.live_since is None


def test_live_since_is_refused_by_the_service_once_going_live_is_recorded(officer, initiative):
    initiative = bring_to(officer, initiative, "in_design", "implementing", "live")
    with pytest.raises(ValidationError) as refused:
        services.initiative_update(
            actor=officer, initiative=initiative, live_since=date(2025, 6, 1)
        )
    assert "went live on" in refused.value.message_dict["live_since"][0]


def test_live_since_in_the_future_is_refused_at_the_field_and_nothing_is_written(
    as_user, officer, initiative
):
    initiative = bring_to(officer, initiative, "in_design", "implementing")
    version = initiative.version
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = as_user(officer).post(
        edit_url(initiative),
        edit_form(initiative, setup_cost="5000", **dated("live_since", tomorrow)),
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "The day it went live must be today or in the past" in body
    assert 'href="#id_live_since_0"' in body  # the error summary links to the field
    initiative.refresh_from_db()
    assert (initiative.live_since, initiative.setup_cost, initiative.version) == (
        None,
        None,
        version,
    )


@pytest.mark.parametrize("steps", [[], ["in_design"], ["in_design", "paused"]])
def test_live_since_is_refused_while_it_cannot_have_been_live(officer, initiative, steps):
    initiative = bring_to(officer, initiative, *steps)
    with pytest.raises(ValidationError) as refused:
        services.initiative_update(
            actor=officer, initiative=initiative, live_since=date(2025, 6, 1)
        )
    assert "cannot have been live" in refused.value.message_dict["live_since"][0]


def test_live_since_before_the_start_is_refused(officer, initiative):
    initiative = bring_to(officer, initiative, "in_design", "implementing")
    with pytest.raises(ValidationError) as refused:
        services.initiative_update(
            actor=officer, initiative=initiative, live_since=initiative.start_date - timedelta(1)
        )
    assert "on or after the start date" in refused.value.message_dict["live_since"][0]


def test_a_new_initiative_cannot_say_it_was_live(officer, council):
    with pytest.raises(ValidationError) as refused:
        services.initiative_create(
            actor=officer,
            lead=council,
            title="Already running",
            collaboration_model="shared_service",
            service_area="legal",
            start_date=date(2024, 4, 1),
            live_since=date(2024, 6, 1),
        )
    assert "live_since" in refused.value.message_dict
    assert not Initiative.objects.filter(title="Already running").exists()


def test_going_live_keeps_the_day_typed_for_an_arrangement_live_before(officer, initiative):
    initiative = bring_to(officer, initiative, "in_design", "implementing")
    services.initiative_update(actor=officer, initiative=initiative, live_since=date(2025, 6, 1))
    initiative = bring_to(officer, initiative, "live", "paused", "live")
    assert initiative.went_live_on is None
    assert initiative.live_from == date(2025, 6, 1)


def test_going_live_and_ending_are_recorded_and_not_editable(as_user, officer, initiative):
    initiative = bring_to(officer, initiative, "in_design", "implementing", "live", "closed")
    assert initiative.went_live_on == initiative.ended_on == timezone.localdate()
    page = as_user(officer).get(edit_url(initiative)).content.decode()
    assert "went_live_on" not in page and "ended_on" not in page


def test_awarded_before_procurement_started_is_refused_at_the_field(as_user, officer, initiative):
    response = as_user(officer).post(
        edit_url(initiative),
        edit_form(
            initiative,
            **dated("procurement_started_on", date(2025, 5, 1)),
            **dated("contract_awarded_on", date(2025, 4, 1)),
        ),
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "The contract must be awarded on or after the day procurement started" in body
    assert 'href="#id_contract_awarded_on_0"' in body
    initiative.refresh_from_db()
    assert initiative.procurement_started_on is None and initiative.contract_awarded_on is None
    with pytest.raises(ValidationError) as refused:
        services.initiative_update(
            actor=officer,
            initiative=initiative,
            procurement_started_on=date(2025, 5, 1),
            contract_awarded_on=date(2025, 4, 1),
        )
    assert "contract_awarded_on" in refused.value.message_dict


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("setup_cost", "-5", "Enter the one-off set-up cost as £0 or more"),
        ("setup_cost", "12.345", "no more than 2 decimal places"),
        ("setup_cost", "lots", "as a number of pounds"),
        ("contract_months", "0", "at least 1 month"),
        ("contract_months", "5.5", "whole number of months"),
        ("contract_break_points", "x" * 201, "200 characters or fewer"),
        ("health_check_months", "2", "Choose how often partners answer the health check"),
    ],
)
def test_bad_input_is_refused_at_its_field_and_writes_nothing(
    as_user, officer, initiative, field, value, message
):
    version = initiative.version
    entries = history_of(initiative).count()
    response = as_user(officer).post(
        edit_url(initiative), edit_form(initiative, title="Renamed", **{field: value})
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    initiative.refresh_from_db()
    assert (initiative.title, initiative.version) != ("Renamed", version + 1)
    assert initiative.version == version and history_of(initiative).count() == entries


def test_a_bad_date_is_refused_as_the_other_dates_are(as_user, officer, initiative):
    response = as_user(officer).post(
        edit_url(initiative),
        edit_form(
            initiative,
            procurement_started_on_0="31",
            procurement_started_on_1="2",
            procurement_started_on_2="2025",
        ),
    )
    assert response.status_code == 422
    assert "The procurement started must be a real date" in response.content.decode()


def test_clearing_a_value_is_recorded(officer, initiative):
    services.initiative_update(actor=officer, initiative=initiative, setup_cost=Decimal("1000"))
    services.initiative_update(actor=officer, initiative=initiative, setup_cost=None)
    initiative.refresh_from_db()
    assert initiative.setup_cost is None
    assert last_changes(initiative) == {"One-off set-up cost (£)": ("1,000.00", "")}
