"""A merge moves every record that points at the duplicate organisation, whatever app and
model it belongs to: the relations are found through the app registry, so one added later
cannot be forgotten by the merge or by this test."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from initiatives.models import (
    AuditSample,
    ClaimAttribution,
    Dimension,
    HealthCheck,
    Initiative,
    Partnership,
    SavingsClaim,
    SpreadsheetImport,
)
from partners import selectors
from partners.history import history_of
from partners.models import (
    IdentityProvider,
    Invitation,
    Membership,
    Organisation,
    OrganisationSignOn,
    Place,
)
from partners.services import organisations as organisation_services
from partners.signals import organisation_merged
from tests import factories
from tests.fixtures_oidc import sign_on

pytestmark = pytest.mark.django_db


def health_check(initiative, organisation, *, answered_at, score=3, period_start=None):
    return HealthCheck.objects.create(
        initiative=initiative,
        organisation=organisation,
        period_start=period_start or date(2026, 10, 1),
        answered_at=answered_at,
        **dict.fromkeys(Dimension.values, score),
    )


@pytest.fixture
def duplicate_with_everything(council, other_council):
    """An organisation holding at least one row of every model that refers to Organisation."""
    duplicate = factories.OrganisationFactory(name="Leeds City Council (duplicate)")
    factories.UserFactory(member_of=[(duplicate, Membership.Role.MANAGER)])
    factories.InvitationFactory(organisation=duplicate)
    factories.OrganisationNameFactory(organisation=duplicate, name="Leeds MBC")
    factories.OrganisationFactory(name="Leeds (older record)", active=False, merged_into=duplicate)
    duplicate.successors.add(other_council)
    factories.OrganisationFactory(name="Leeds Borough (before 1974)").successors.add(duplicate)
    led = factories.InitiativeFactory(lead=duplicate)
    joined = factories.InitiativeFactory(lead=other_council)
    factories.PartnershipFactory(initiative=joined, organisation=duplicate)
    factories.SavingsClaimFactory(initiative=led, verified=True)
    health_check(joined, duplicate, answered_at=timezone.now())
    Place.objects.create(organisation=duplicate, latitude=53.8, longitude=-1.5, population=800_000)
    district = factories.OrganisationFactory(name="Leeds district (before 1974)")
    Place.objects.create(organisation=district, county=duplicate, combined_authority=duplicate)
    SpreadsheetImport.objects.create(
        uploaded_by=factories.UserFactory(), organisation=duplicate, original_name="a.xlsx", size=1
    )
    sign_on(duplicate, identity_provider(), "leeds.gov.uk")
    AuditSample.objects.create(
        reference="AUD-2026-0001",
        organisation=duplicate,
        financial_year=2025,
        seed=1,
        sample_size=1,
        stratum_size=0,
        frame_total=0,
        frame_count=0,
        interval=0,
        drawn_by=factories.UserFactory(),
    )
    return duplicate


def test_every_relation_to_an_organisation_moves_in_a_merge(
    admin_user, council, duplicate_with_everything
):
    duplicate = duplicate_with_everything
    relations = list(selectors._references_to_organisations())
    untested = [
        f"{model._meta.label}.{field.name}"
        for model, field in relations
        if not model._default_manager.filter(**{field.name: duplicate.pk}).exists()
    ]
    assert untested == [], "give the duplicate a row of each of these in the fixture"

    organisation_services.organisation_merge(
        actor=admin_user, duplicate=duplicate, survivor=council
    )

    assert selectors.merge_impact(duplicate) == []
    for model, field in relations:
        assert not model._default_manager.filter(**{field.name: duplicate.pk}).exists(), (
            f"{model._meta.label}.{field.name} still points at the duplicate"
        )
    assert Invitation.objects.get().organisation == council
    assert list(council.sign_on.domains.values_list("domain", flat=True)) == ["leeds.gov.uk"]
    assert Initiative.objects.filter(lead=council).count() == 1
    assert Partnership.objects.filter(organisation=council, removed_on__isnull=True).count() == 2
    assert SavingsClaim.objects.get().claimant == council
    assert ClaimAttribution.objects.filter(organisation=council).exists()
    assert Organisation.objects.get(name="Leeds (older record)").merged_into == council
    assert Place.objects.get(organisation=council).population == 800_000
    assert AuditSample.objects.get().organisation == council
    district = Place.objects.get(organisation__name="Leeds district (before 1974)")
    assert (district.county, district.combined_authority) == (council, council)
    assert set(council.alternative_names.values_list("name", flat=True)) == {
        "Leeds City Council (duplicate)",
        "Leeds MBC",
    }


def test_a_merge_keeps_each_organisations_own_references_apart(admin_user, council):
    """Both records used LEG-1 as their own reference, which is unique to a lead (or a
    claimant): the duplicate's moves with its name after it, and its history says so."""
    duplicate = factories.OrganisationFactory(name="Leeds City Council (duplicate)")
    factories.InitiativeFactory(lead=council, external_reference="LEG-1")
    moved = factories.InitiativeFactory(lead=duplicate, external_reference="LEG-1")
    factories.SavingsClaimFactory(initiative=moved, claimant=council, external_reference="C-1")
    claim = factories.SavingsClaimFactory(
        initiative=moved, claimant=duplicate, external_reference="C-1"
    )

    organisation_services.organisation_merge(
        actor=admin_user, duplicate=duplicate, survivor=council
    )

    moved.refresh_from_db()
    claim.refresh_from_db()
    assert moved.lead == council
    assert moved.external_reference == "LEG-1 (Leeds City Council (duplicate))"
    assert claim.external_reference == "C-1 (Leeds City Council (duplicate))"
    assert {"field": "Your reference", "before": "LEG-1", "after": moved.external_reference} in [
        change for entry in history_of(moved) for change in entry.changes
    ]


def test_a_merge_that_would_leave_records_behind_is_refused_on_the_page(
    client, admin_user, council, duplicate_with_everything
):
    """Should an app leave a record pointing at the duplicate (here a receiver of the merge
    signal that adds one), the admin reads why on the page (4xx) and nothing is changed."""
    duplicate = duplicate_with_everything

    def careless(sender, duplicate, **kwargs):
        factories.InvitationFactory(organisation=duplicate)

    organisation_merged.connect(careless)
    client.force_login(admin_user)
    try:
        response = client.post(reverse("partners:merge_confirm", args=[council.pk, duplicate.pk]))
    finally:
        organisation_merged.disconnect(careless)
    assert response.status_code == 422
    assert "1 invitations would still point at" in response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.active and duplicate.merged_into is None
    assert Invitation.objects.get().organisation == duplicate


def identity_provider(name="Leeds Entra ID", issuer="https://login.example.com/leeds/v2.0"):
    return IdentityProvider.objects.create(
        name=name, slug=slugify(name), issuer=issuer, client_id=f"{name} client"
    )


def test_a_merge_joins_the_domains_of_one_provider_and_keeps_the_survivors_own_provider(
    admin_user, council, other_council
):
    entra = identity_provider()
    sign_on(council, entra, "leeds.gov.uk")
    same = factories.OrganisationFactory(name="Leeds (same tenant)")
    sign_on(same, entra, "leeds.gov.uk", "leedsmbc.gov.uk")
    organisation_services.organisation_merge(actor=admin_user, duplicate=same, survivor=council)
    assert sorted(council.sign_on.domains.values_list("domain", flat=True)) == [
        "leeds.gov.uk",
        "leedsmbc.gov.uk",
    ]

    elsewhere = factories.OrganisationFactory(name="Leeds (another tenant)")
    sign_on(elsewhere, identity_provider("Other", "https://idp.example.org"), "other.gov.uk")
    organisation_services.organisation_merge(
        actor=admin_user, duplicate=elsewhere, survivor=council
    )
    council.sign_on.refresh_from_db()
    assert council.sign_on.identity_provider == entra
    assert not OrganisationSignOn.objects.filter(organisation=elsewhere).exists()


def test_a_merge_keeps_the_later_of_two_health_check_answers_for_one_period(
    admin_user, council, other_council
):
    """Both records answered one initiative's check-in for the same quarter: the later answer
    stands for the survivor, an answer for another quarter moves, and the history says so."""
    duplicate = factories.OrganisationFactory(name="Leeds City Council (duplicate)")
    initiative = factories.InitiativeFactory(lead=other_council)
    factories.PartnershipFactory(initiative=initiative, organisation=council)
    factories.PartnershipFactory(initiative=initiative, organisation=duplicate)
    now = timezone.now()
    health_check(initiative, council, answered_at=now - timedelta(days=3), score=2)
    later = health_check(initiative, duplicate, answered_at=now, score=5)
    earlier_quarter = health_check(
        initiative, duplicate, answered_at=now, score=4, period_start=date(2026, 7, 1)
    )

    organisation_services.organisation_merge(
        actor=admin_user, duplicate=duplicate, survivor=council
    )

    answers = HealthCheck.objects.filter(initiative=initiative).order_by("period_start")
    assert [(a.pk, a.organisation_id, a.shared_vision) for a in answers] == [
        (earlier_quarter.pk, council.pk, 4),
        (later.pk, council.pk, 5),
    ]
    merged = [e for e in history_of(initiative) if e.action == "Health check merged"]
    assert len(merged) == 2
    assert any(c["field"] == "Health check answer" for e in merged for c in e.changes)
