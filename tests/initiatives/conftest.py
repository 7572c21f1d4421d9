"""An initiative led by Leeds (the `council`) with Bradford (the `partner_council`) as a
partner, shares 60/40."""

from datetime import date
from decimal import Decimal

import pytest

from initiatives import services


def make_initiative(actor, lead, **fields):
    defaults = {
        "title": "Shared revenues and benefits service",
        "summary": "Two councils run one revenues and benefits service.",
        "collaboration_model": "shared_service",
        "service_area": "revenues_benefits",
        "governance": "joint_committee",
        "start_date": date(2025, 4, 1),
        "planned_end_date": date(2028, 3, 31),
    }
    return services.initiative_create(actor=actor, lead=lead, **{**defaults, **fields})


@pytest.fixture
def initiative(officer, council, partner_council):
    initiative = make_initiative(officer, council)
    services.partnership_add(actor=officer, initiative=initiative, organisation=partner_council)
    services.shares_set(
        actor=officer,
        initiative=initiative,
        shares={council.pk: Decimal("60"), partner_council.pk: Decimal("40")},
    )
    initiative.refresh_from_db()
    return initiative
