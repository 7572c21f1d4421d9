"""Organisation services: validation, history, lost updates, deactivation and merging."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from collaborate.kit import edits
from partners import selectors
from partners.history import history_of
from partners.models import Membership, Organisation
from partners.services import organisations as organisation_services
from partners.signals import organisation_merged
from tests import factories

pytestmark = pytest.mark.django_db


def test_create_records_history_with_every_value(admin_user):
    organisation = organisation_services.organisation_create(
        actor=admin_user,
        name="Northern Digital Co-operative",
        sector="social",
        kind="cooperative",
        nation="england",
        region="north_west",
        website="https://ndc.example.coop",
    )
    assert organisation.slug == "northern-digital-co-operative"
    assert organisation.search_name == "northern digital co operative"
    entry = history_of(organisation).get()
    assert entry.actor == admin_user and entry.action == "Created"
    assert {"field": "Kind", "before": "", "after": "Co-operative or mutual"} in entry.changes


def test_same_name_gets_a_distinct_slug(admin_user):
    first = organisation_services.organisation_create(
        actor=admin_user, name="Age UK", sector="social", kind="charity"
    )
    second = organisation_services.organisation_create(
        actor=admin_user, name="Age UK", sector="social", kind="charity"
    )
    assert (first.slug, second.slug) == ("age-uk", "age-uk-2")


def test_a_blank_name_or_invalid_website_is_refused_and_nothing_written(admin_user):
    with pytest.raises(ValidationError) as error:
        organisation_services.organisation_create(
            actor=admin_user, name="", sector="social", kind="charity", website="not a url"
        )
    assert {"name", "website"} <= set(error.value.message_dict)
    assert not Organisation.objects.exists()


def test_the_database_refuses_a_duplicate_gss_code(council):
    council.gss_code = "E08000035"
    council.save()
    with pytest.raises(IntegrityError):
        factories.OrganisationFactory(gss_code="E08000035")


def test_update_records_before_and_after_and_bumps_the_version(admin_user, council):
    organisation_services.organisation_update(
        actor=admin_user, organisation=council, short_name="Leeds"
    )
    council.refresh_from_db()
    assert council.version == 2
    entry = history_of(council).get()
    assert entry.changes == [{"field": "Short name", "before": "", "after": "Leeds"}]


def test_an_update_made_on_an_older_version_is_refused_not_lost(admin_user, council):
    organisation_services.organisation_update(
        actor=admin_user, organisation=council, expected_version=1, short_name="Leeds"
    )
    with pytest.raises(edits.EditConflict):
        organisation_services.organisation_update(
            actor=admin_user, organisation=council, expected_version=1, short_name="LCC"
        )
    council.refresh_from_db()
    assert council.short_name == "Leeds"


def test_deactivate_keeps_the_record_and_says_so_in_history(admin_user, council):
    organisation_services.organisation_set_active(
        actor=admin_user, organisation=council, active=False
    )
    council.refresh_from_db()
    assert not council.active
    assert history_of(council).first().action == "Deactivated"


@pytest.fixture
def duplicate(db):
    return factories.OrganisationFactory(name="Leeds City Council (duplicate)")


def test_merge_moves_every_membership_keeping_the_higher_role(admin_user, council, duplicate):
    only_in_duplicate = factories.UserFactory(member_of=[(duplicate, "manager")])
    in_both_higher_in_duplicate = factories.UserFactory(
        member_of=[(council, "officer"), (duplicate, "manager")]
    )
    in_both_higher_in_survivor = factories.UserFactory(
        member_of=[(council, "manager"), (duplicate, "officer")]
    )
    organisation_services.organisation_merge(
        actor=admin_user, duplicate=duplicate, survivor=council
    )

    roles = dict(Membership.objects.filter(organisation=council).values_list("user_id", "role"))
    assert roles == {
        only_in_duplicate.pk: "manager",
        in_both_higher_in_duplicate.pk: "manager",
        in_both_higher_in_survivor.pk: "manager",
    }
    assert selectors.merge_impact(duplicate) == []
    duplicate.refresh_from_db()
    assert not duplicate.active and duplicate.merged_into == council
    assert history_of(council).first().action == "Merged a duplicate into this organisation"
    assert history_of(only_in_duplicate).first().action == "Membership moved in a merge"


def test_merge_moves_successor_links_and_earlier_merges(admin_user, council, duplicate):
    old = factories.OrganisationFactory(name="Old District", active=False)
    newer = factories.OrganisationFactory(name="Newer Unitary")
    earlier = factories.OrganisationFactory(
        name="Earlier duplicate", active=False, merged_into=duplicate
    )
    old.successors.add(duplicate)
    duplicate.successors.add(newer)
    assert {i.label for i in selectors.merge_impact(duplicate)} == {
        "successor links",
        "predecessor links",
        "organisations merged into it earlier",
    }
    organisation_services.organisation_merge(
        actor=admin_user, duplicate=duplicate, survivor=council
    )
    assert list(old.successors.all()) == [council]
    assert list(council.successors.all()) == [newer]
    earlier.refresh_from_db()
    assert earlier.merged_into == council
    assert selectors.merge_impact(duplicate) == []


@pytest.mark.parametrize(
    "case, message",
    [("self", "cannot be merged into itself"), ("merged", "has already been merged")],
)
def test_merge_refuses_itself_and_an_organisation_already_merged(
    admin_user, council, duplicate, case, message
):
    if case == "merged":
        organisation_services.organisation_merge(
            actor=admin_user, duplicate=duplicate, survivor=council
        )
        target = factories.OrganisationFactory(name="Somewhere else")
        with pytest.raises(ValidationError, match=message):
            organisation_services.organisation_merge(
                actor=admin_user, duplicate=duplicate, survivor=target
            )
    else:
        with pytest.raises(ValidationError, match=message):
            organisation_services.organisation_merge(
                actor=admin_user, duplicate=council, survivor=council
            )


def test_merge_into_an_organisation_that_was_merged_away_is_refused(admin_user, council, duplicate):
    organisation_services.organisation_merge(
        actor=admin_user, duplicate=duplicate, survivor=council
    )
    other = factories.OrganisationFactory(name="Another")
    with pytest.raises(ValidationError, match="was itself merged"):
        organisation_services.organisation_merge(
            actor=admin_user, duplicate=other, survivor=duplicate
        )


def test_the_merged_signal_runs_inside_the_merge_transaction(admin_user, council, duplicate):
    member = factories.UserFactory(member_of=[(duplicate, "officer")])
    seen = []

    def receiver(sender, duplicate, survivor, actor, **kwargs):
        # Inside the transaction, the memberships have already moved.
        seen.append(Membership.objects.filter(user=member, organisation=survivor).exists())

    organisation_merged.connect(receiver)
    try:
        organisation_services.organisation_merge(
            actor=admin_user, duplicate=duplicate, survivor=council
        )
    finally:
        organisation_merged.disconnect(receiver)
    assert seen == [True]


def test_a_failing_receiver_rolls_the_whole_merge_back(admin_user, council, duplicate):
    member = factories.UserFactory(member_of=[(duplicate, "officer")])

    def failing(sender, **kwargs):
        raise RuntimeError("another app could not move its records")

    organisation_merged.connect(failing)
    try:
        with pytest.raises(RuntimeError):
            organisation_services.organisation_merge(
                actor=admin_user, duplicate=duplicate, survivor=council
            )
    finally:
        organisation_merged.disconnect(failing)
    duplicate.refresh_from_db()
    assert duplicate.active and duplicate.merged_into is None
    assert Membership.objects.get(user=member).organisation == duplicate
    assert not history_of(council).exists()
