"""Every factory makes an object the product itself would accept."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from initiatives.models import SavingsClaim
from tests import factories

pytestmark = pytest.mark.django_db

EVERY_FACTORY = [
    factories.OrganisationFactory,
    factories.UserFactory,
    factories.MembershipFactory,
    factories.HistoryEntryFactory,
    factories.InvitationFactory,
    factories.AuditEventFactory,
    factories.InitiativeFactory,
    factories.PartnershipFactory,
    factories.SavingsTargetFactory,
    factories.SavingsClaimFactory,
    factories.ClaimEvidenceFactory,
    factories.ClaimAttributionFactory,
    factories.FinancialYearLockFactory,
    factories.ProgressFactFactory,
]


@pytest.mark.parametrize("factory", EVERY_FACTORY, ids=lambda f: f.__name__)
def test_every_factory_makes_an_object_that_passes_model_validation(factory, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    made = factory()
    # The excluded fields are set by the database or the model, never by a form.
    made.full_clean(exclude=["reference", "file", "password"])


def test_an_initiatives_active_partners_share_all_its_savings(tmp_path):
    initiative = factories.InitiativeFactory()
    factories.PartnershipFactory(initiative=initiative)
    shares = initiative.partnerships.filter(removed_on__isnull=True)
    assert shares.aggregate(total=Sum("savings_share"))["total"] == 100
    assert shares.get(organisation=initiative.lead).savings_share == 100


def test_shares_that_leave_out_the_lead_or_miss_100_are_refused():
    lead, partner = factories.OrganisationFactory.create_batch(2)
    with pytest.raises(ValueError):
        factories.InitiativeFactory(lead=lead, shares={partner: 100})
    with pytest.raises(ValueError):
        factories.InitiativeFactory(lead=lead, shares={lead: 60, partner: 30})


def test_a_verified_claim_is_attributed_to_its_partners_to_the_penny():
    lead, partner = factories.OrganisationFactory.create_batch(2)
    initiative = factories.InitiativeFactory(lead=lead, shares={lead: "66.67", partner: "33.33"})
    claim = factories.SavingsClaimFactory(initiative=initiative, verified=True)
    assert claim.status == SavingsClaim.Status.VERIFIED and claim.reviewed_by != claim.created_by
    assert claim.reviewed_by.memberships.get().organisation == lead
    parts = dict(claim.attributions.values_list("organisation", "amount"))
    assert sum(parts.values()) == claim.net_amount == Decimal("9000.00")
    assert parts == {lead.pk: Decimal("6000.30"), partner.pk: Decimal("2999.70")}
