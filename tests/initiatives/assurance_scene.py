"""Fixtures the audit-sampling tests share: the auditors, three verified claims and a sample."""

from decimal import Decimal

import pytest

from initiatives.assurance import services
from initiatives.claims import services as claim_services
from tests import factories
from tests.factories import make_claim

YEAR = 2025


@pytest.fixture
def auditor(council):
    """Internal audit of Leeds, the initiative's lead."""
    return factories.UserFactory(full_name="Audrey Auditor", member_of=[(council, "auditor")])


@pytest.fixture
def partner_auditor(partner_council):
    """Internal audit of Bradford, a partner (not the lead)."""
    return factories.UserFactory(full_name="Paul Auditor", member_of=[(partner_council, "auditor")])


@pytest.fixture
def other_auditor(other_council):
    return factories.UserFactory(full_name="Olga Auditor", member_of=[(other_council, "auditor")])


@pytest.fixture
def national_auditor(db):
    return factories.UserFactory(full_name="Nina National", audits_every_organisation=True)


def verified(officer, manager, initiative, claimant, **fields):
    claim = make_claim(officer, initiative, claimant, **fields)
    claim_services.claim_submit(actor=officer, claim=claim)
    return claim_services.claim_decide(actor=manager, claim=claim, decision="verify")


@pytest.fixture
def claims(initiative, officer, manager, partner_officer, partner_council):
    """Two verified claims by Leeds (the lead) and one by Bradford (a partner), all 2025/26:
    net 9,000, 39,000 and 4,000."""
    return [
        verified(officer, manager, initiative, initiative.lead, gross_amount=Decimal("10000")),
        verified(officer, manager, initiative, initiative.lead, gross_amount=Decimal("40000")),
        verified(
            partner_officer, manager, initiative, partner_council, gross_amount=Decimal("5000")
        ),
    ]


@pytest.fixture
def sample(initiative, claims, auditor):
    """Every claim of the frame selected (2 monetary points over three claims, and the rest at
    random), so each test has the claims it needs."""
    return services.audit_sample_draw(
        actor=auditor,
        organisation=initiative.lead,
        year=YEAR,
        sample_size=2,
        stratum_size=3,
        seed=7,
    )


def row_of(sample, claim):
    return sample.frame.get(claim=claim)
