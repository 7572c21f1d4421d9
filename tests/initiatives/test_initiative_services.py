"""Initiative services: the status table, shares, partners, targets, dates, history and
merges of partner organisations."""

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from collaborate.kit import edits
from initiatives import services
from initiatives.models import Initiative, Partnership, SavingsTarget
from partners import selectors as partner_selectors
from partners.history import history_of
from partners.services import organisations as organisation_services
from tests.factories import make_initiative

pytestmark = pytest.mark.django_db
Status = Initiative.Status

ALLOWED = {
    ("proposed", "in_design"),
    ("proposed", "stopped"),
    ("in_design", "implementing"),
    ("in_design", "proposed"),
    ("in_design", "paused"),
    ("in_design", "stopped"),
    ("implementing", "live"),
    ("implementing", "in_design"),
    ("implementing", "paused"),
    ("implementing", "stopped"),
    ("live", "closed"),
    ("live", "paused"),
    ("live", "stopped"),
    ("paused", "stopped"),
}
# How to bring a new initiative to each status along allowed moves.
PATHS = {
    "proposed": [],
    "in_design": ["in_design"],
    "implementing": ["in_design", "implementing"],
    "live": ["in_design", "implementing", "live"],
    "closed": ["in_design", "implementing", "live", "closed"],
    "stopped": ["stopped"],
}


def bring_to(officer, initiative, status):
    for step in PATHS[status]:
        services.initiative_change_status(
            actor=officer, initiative=initiative, status=step, reason="Step"
        )
    initiative.refresh_from_db()
    return initiative


@pytest.mark.parametrize("start, end", list(itertools.product(PATHS, Status.values)))
def test_every_transition_in_the_table_is_allowed_and_every_other_refused(
    officer, council, start, end
):
    initiative = bring_to(officer, make_initiative(officer, council), start)
    if (start, end) in ALLOWED:
        services.initiative_change_status(
            actor=officer, initiative=initiative, status=end, reason="Agreed"
        )
        initiative.refresh_from_db()
        assert initiative.status == end
        entry = history_of(initiative).first()
        assert entry.action == "Status changed" and entry.reason == "Agreed"
    else:
        with pytest.raises(ValidationError, match="cannot become"):
            services.initiative_change_status(
                actor=officer, initiative=initiative, status=end, reason="x"
            )
        initiative.refresh_from_db()
        assert initiative.status == start


@pytest.mark.parametrize("paused_from", ["in_design", "implementing", "live"])
def test_a_paused_initiative_returns_only_to_the_status_it_was_paused_from(
    officer, council, paused_from
):
    initiative = bring_to(officer, make_initiative(officer, council), paused_from)
    services.initiative_change_status(
        actor=officer, initiative=initiative, status="paused", reason="Funding"
    )
    initiative.refresh_from_db()
    assert {s.value for s in initiative.allowed_statuses()} == {paused_from, "stopped"}
    for other in {"in_design", "implementing", "live"} - {paused_from}:
        with pytest.raises(ValidationError):
            services.initiative_change_status(
                actor=officer, initiative=initiative, status=other, reason="x"
            )
    services.initiative_change_status(
        actor=officer, initiative=initiative, status=paused_from, reason="Back"
    )
    initiative.refresh_from_db()
    assert initiative.status == paused_from and initiative.paused_from == ""


def test_a_status_change_needs_a_reason(officer, council):
    initiative = make_initiative(officer, council)
    with pytest.raises(ValidationError) as error:
        services.initiative_change_status(
            actor=officer, initiative=initiative, status="in_design", reason="  "
        )
    assert error.value.message_dict == {"reason": ["Say why the status is changing"]}


def test_creating_makes_the_lead_the_only_partner_with_the_whole_share(officer, council):
    initiative = make_initiative(officer, council)
    assert initiative.reference.startswith(f"INI-{date.today().year}-")
    assert len(initiative.reference.split("-")[-1]) >= 4
    partnership = initiative.partnerships.get()
    assert (partnership.organisation, partnership.savings_share) == (council, Decimal("100.00"))
    assert history_of(initiative).get().action == "Created"


def test_references_are_consecutive_and_never_reused(officer, council):
    first = make_initiative(officer, council)
    second = make_initiative(officer, council)
    assert int(second.reference[-4:]) == int(first.reference[-4:]) + 1


def test_an_end_before_the_start_is_refused(officer, council):
    with pytest.raises(ValidationError) as error:
        make_initiative(
            officer, council, start_date=date(2026, 4, 1), planned_end_date=date(2026, 3, 31)
        )
    assert "planned_end_date" in error.value.message_dict
    assert not Initiative.objects.exists()


def test_text_longer_than_the_field_is_refused(officer, council):
    with pytest.raises(ValidationError) as error:
        make_initiative(officer, council, title="x" * 201)
    assert "title" in error.value.message_dict


def test_a_new_partner_joins_at_zero_and_the_same_partner_cannot_join_twice(
    manager, initiative, other_council
):
    partnership = services.partnership_add(
        actor=manager, initiative=initiative, organisation=other_council
    )
    assert partnership.savings_share == 0
    with pytest.raises(ValidationError, match="already a partner"):
        services.partnership_add(actor=manager, initiative=initiative, organisation=other_council)


def test_the_database_holds_one_active_partnership_per_organisation(initiative, partner_council):
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.create(initiative=initiative, organisation=partner_council)


def test_the_database_holds_shares_between_0_and_100(initiative):
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.filter(initiative=initiative).update(savings_share=Decimal("100.01"))


@pytest.mark.parametrize(
    "shares, message",
    [
        ({"lead": "60", "partner": "30"}, "must add up to exactly 100%. They add up to 90.00%"),
        ({"lead": "110", "partner": "-10"}, "Enter a share from 0 to 100"),
        ({"lead": "60.005", "partner": "39.995"}, "no more than 2 decimal places"),
        ({"lead": "sixty", "partner": "40"}, "Enter a share as a number"),
        ({"lead": "100"}, "Enter a share for Bradford Council"),
    ],
)
def test_bad_shares_are_refused_and_nothing_changes(
    manager, initiative, council, partner_council, shares, message
):
    ids = {"lead": council.pk, "partner": partner_council.pk}
    with pytest.raises(ValidationError, match=message):
        services.shares_set(
            actor=manager, initiative=initiative, shares={ids[k]: v for k, v in shares.items()}
        )
    assert dict(initiative.partnerships.values_list("organisation_id", "savings_share")) == {
        council.pk: Decimal("60.00"),
        partner_council.pk: Decimal("40.00"),
    }


def test_three_partners_can_hold_a_third_each_to_the_penny(
    manager, initiative, council, partner_council, other_council
):
    services.partnership_add(actor=manager, initiative=initiative, organisation=other_council)
    services.shares_set(
        actor=manager,
        initiative=initiative,
        shares={council.pk: "33.34", partner_council.pk: "33.33", other_council.pk: "33.33"},
    )
    assert sum(initiative.partnerships.values_list("savings_share", flat=True)) == Decimal("100.00")
    entry = history_of(initiative).first()
    assert {"field": "Bradford Council", "before": "40.00%", "after": "33.33%"} in entry.changes


def test_the_lead_or_a_partner_holding_a_share_cannot_be_removed(
    manager, initiative, council, partner_council
):
    lead = initiative.partnerships.get(organisation=council)
    partner = initiative.partnerships.get(organisation=partner_council)
    with pytest.raises(ValidationError, match="lead organisation cannot be removed"):
        services.partnership_remove(actor=manager, partnership=lead)
    with pytest.raises(ValidationError, match=r"still holds 40\.00%"):
        services.partnership_remove(actor=manager, partnership=partner)
    services.shares_set(
        actor=manager, initiative=initiative, shares={council.pk: 100, partner_council.pk: 0}
    )
    services.partnership_remove(actor=manager, partnership=partner)
    partner.refresh_from_db()
    assert partner.removed_on is not None
    # Removed partners may join again later.
    services.partnership_add(actor=manager, initiative=initiative, organisation=partner_council)


def test_targets_are_set_changed_and_cleared_with_history(officer, initiative):
    services.targets_set(
        actor=officer, initiative=initiative, targets={2025: "100000", 2026: "250,000.50"}
    )
    assert dict(initiative.targets.values_list("financial_year", "amount")) == {
        2025: Decimal("100000.00"),
        2026: Decimal("250000.50"),
    }
    services.targets_set(actor=officer, initiative=initiative, targets={2025: "", 2026: "200000"})
    assert dict(initiative.targets.values_list("financial_year", "amount")) == {
        2026: Decimal("200000.00")
    }
    entry = history_of(initiative).first()
    assert {"field": "2025/26", "before": "100,000.00", "after": ""} in entry.changes


@pytest.mark.parametrize(
    "targets, field, message",
    [
        ({2025: "-1"}, "target_2025", "£0 or more"),
        ({2025: "1000000000.01"}, "target_2025", "£1bn or less"),
        ({2025: "10.001"}, "target_2025", "no more than 2 decimal places"),
        ({2025: "lots"}, "target_2025", "Enter an amount in pounds"),
        ({2024: "100"}, "__all__", "Targets can be set from 2025/26 to 2037/38 only"),
        ({2038: "100"}, "__all__", "Targets can be set from 2025/26 to 2037/38 only"),
    ],
)
def test_bad_targets_are_refused_and_nothing_is_written(
    officer, initiative, targets, field, message
):
    with pytest.raises(ValidationError) as error:
        services.targets_set(actor=officer, initiative=initiative, targets=targets)
    assert message in " ".join(error.value.message_dict[field])
    assert not SavingsTarget.objects.exists()


def test_an_initiative_not_meant_to_save_money_says_why_and_has_no_targets(officer, initiative):
    with pytest.raises(ValidationError) as error:
        services.targets_set(
            actor=officer, initiative=initiative, targets={}, not_for_savings=True, reason=""
        )
    assert "not_for_savings_reason" in error.value.message_dict
    with pytest.raises(ValidationError, match="has no targets"):
        services.targets_set(
            actor=officer,
            initiative=initiative,
            targets={2025: "5"},
            not_for_savings=True,
            reason="Resilience",
        )
    services.targets_set(
        actor=officer, initiative=initiative, targets={}, not_for_savings=True, reason="Resilience"
    )
    initiative.refresh_from_db()
    assert initiative.not_for_savings and initiative.not_for_savings_reason == "Resilience"


def test_dates_that_would_leave_targets_outside_the_years_are_refused(officer, initiative):
    services.targets_set(actor=officer, initiative=initiative, targets={2025: "100"})
    with pytest.raises(ValidationError, match="Targets are set for years these dates leave out"):
        services.initiative_update(
            actor=officer, initiative=initiative, start_date=date(2026, 4, 1)
        )


def test_publishing_and_withdrawing_is_recorded(manager, initiative):
    services.initiative_publish(actor=manager, initiative=initiative, publish=True)
    initiative.refresh_from_db()
    assert initiative.is_published
    services.initiative_publish(actor=manager, initiative=initiative, publish=False)
    initiative.refresh_from_db()
    assert not initiative.is_published and initiative.published_at is None
    actions = [e.action for e in history_of(initiative)[:2]]
    assert actions == ["Withdrawn from the public register", "Published on the public register"]


def test_a_save_of_an_older_version_is_refused(officer, initiative):
    version = initiative.version
    services.initiative_update(
        actor=officer, initiative=initiative, expected_version=version, title="New title"
    )
    with pytest.raises(edits.EditConflict):
        services.initiative_update(
            actor=officer, initiative=initiative, expected_version=version, title="Other"
        )
    initiative.refresh_from_db()
    assert initiative.title == "New title"


def test_merging_two_partners_of_one_initiative_adds_their_shares(
    admin_user, initiative, council, partner_council
):
    organisation_services.organisation_merge(
        actor=admin_user, duplicate=partner_council, survivor=council
    )
    active = initiative.partnerships.filter(removed_on__isnull=True)
    assert list(active.values_list("organisation_id", "savings_share")) == [
        (council.pk, Decimal("100.00"))
    ]
    assert not Partnership.objects.filter(organisation=partner_council).exists()
    assert partner_selectors.merge_impact(partner_council) == []
    assert history_of(initiative).first().action == "Partner merged"


def test_merging_the_lead_away_moves_the_lead(admin_user, initiative, council, other_council):
    organisation_services.organisation_merge(
        actor=admin_user, duplicate=council, survivor=other_council
    )
    initiative.refresh_from_db()
    assert initiative.lead == other_council
    assert initiative.partnerships.filter(
        organisation=other_council, savings_share=Decimal("60.00")
    ).exists()
    assert partner_selectors.merge_impact(council) == []


def test_merge_counts_initiative_records_without_partners_importing_initiatives(
    initiative, partner_council
):
    labels = {i.label: i.count for i in partner_selectors.merge_impact(partner_council)}
    assert labels == {"partnerships": 1}


def test_a_former_partner_active_elsewhere_can_be_found_to_add_again(
    manager, council, partner_council
):
    """Adding a partner offers every selectable organisation that is not an active partner of
    this initiative, whatever it does in other initiatives."""
    from initiatives import selectors

    first = make_initiative(manager, council)
    elsewhere = make_initiative(manager, council)
    for initiative in (first, elsewhere):
        services.partnership_add(actor=manager, initiative=initiative, organisation=partner_council)
    services.partnership_remove(
        actor=manager, partnership=first.partnerships.get(organisation=partner_council)
    )
    assert partner_council in selectors.organisations_to_add(first, "Bradford")
    assert partner_council not in selectors.organisations_to_add(elsewhere, "Bradford")
    assert council not in selectors.organisations_to_add(first, "Leeds")
