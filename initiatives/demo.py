"""Demo initiatives and claims for `manage.py seed_demo`, made through the services as people
would make them; added once however often the command runs."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from initiatives import services
from initiatives.claims import services as claim_services
from initiatives.health import periods
from initiatives.health import services as health_services
from initiatives.models import Dimension, Initiative
from initiatives.progress import reconcile
from partners import demo as partner_demo
from partners.models import Organisation, User

INITIATIVES = [
    {
        "title": "Shared revenues and benefits service",
        "summary": "Leeds and Bradford run one revenues and benefits service, "
        "with one system and one team.",
        "collaboration_model": "shared_service",
        "service_area": "revenues_benefits",
        "governance": "joint_committee",
        "start_date": date(2023, 4, 1),
        "planned_end_date": date(2028, 3, 31),
        "partners": [(partner_demo.PARTNER_COUNCIL, "40")],
        "targets": {2023: "150000", 2024: "250000", 2025: "300000", 2026: "300000"},
        "status": ["in_design", "implementing", "live"],
        "publish": True,
        # Live before it was recorded here; what setting it up cost, with no contract.
        "live_since": date(2023, 10, 2),
        "setup_cost": Decimal("185000.00"),
    },
    {
        "title": "Community food network with the Aire Valley Trust",
        "summary": "A charity runs community food hubs that the council used to run, "
        "with volunteers.",
        "collaboration_model": "public_social",
        "service_area": "public_health",
        "governance": "lead_authority",
        "start_date": date(2024, 4, 1),
        "planned_end_date": date(2027, 3, 31),
        "partners": [("slug:aire-valley-community-trust", "20")],
        "targets": {2024: "40000", 2025: "60000"},
        "status": ["in_design", "implementing", "live"],
        "publish": False,
        "live_since": date(2024, 7, 1),
        "setup_cost": Decimal("45000.00"),
        # The trust runs the hubs under a grant agreement let after a short procurement.
        "contract_months": 36,
        "contract_break_points": "After 2 years",
        "procurement_started_on": date(2024, 1, 8),
        "contract_awarded_on": date(2024, 4, 15),
    },
    {
        "title": "Digital skills co-operative for council staff",
        "summary": "A staff co-operative spun out to train other councils' staff "
        "in digital skills.",
        "collaboration_model": "spin_out",
        "service_area": "ict",
        "governance": "company",
        "start_date": date(2025, 9, 1),
        "planned_end_date": None,
        "partners": [("slug:northern-digital-co-operative", "0")],
        "targets": {},
        "status": ["in_design"],
        "publish": False,
    },
]

# (initiative index, financial year, gross, cost, kind, what happens to it)
CLAIMS = [
    (0, 2023, "120000", "20000", "cash_releasing", "verify"),
    (0, 2024, "210000", "15000", "cash_releasing", "verify"),
    (0, 2025, "95000", "5000", "non_cash_releasing", "submit"),
    (0, 2025, "40000", "0", "cash_releasing", "return"),
    (1, 2024, "30000", "2000", "non_cash_releasing", "verify"),
    (1, 2025, "12000", "0", "cash_releasing", "reject"),
    (1, 2025, "18000", "1000", "cash_releasing", "draft"),
]


def _organisation(reference):
    if reference.startswith("slug:"):
        return Organisation.objects.get(slug=reference.removeprefix("slug:"))
    return Organisation.objects.get(source_ref=reference)


@transaction.atomic
def demo_initiatives_ensure():
    """The demo initiatives, partners, targets and claims, if they are not there yet."""
    if Initiative.objects.filter(title=INITIATIVES[0]["title"]).exists():
        return []
    officer = User.objects.get(email=f"officer@{partner_demo.DEMO_DOMAIN}")
    manager = User.objects.get(email=f"manager@{partner_demo.DEMO_DOMAIN}")
    lead = Organisation.objects.get(source_ref=partner_demo.LEAD_COUNCIL)
    made = []
    for spec in INITIATIVES:
        # Live since is said on its way to live: a new initiative is proposed.
        fields = {k: spec[k] for k in services.EDITABLE_FIELDS if k in spec and k != "live_since"}
        initiative = services.initiative_create(actor=officer, lead=lead, **fields)
        shares = {lead.pk: Decimal(100)}
        for reference, share in spec["partners"]:
            partner = _organisation(reference)
            services.partnership_add(actor=manager, initiative=initiative, organisation=partner)
            shares[partner.pk] = Decimal(share)
            shares[lead.pk] -= Decimal(share)
        services.shares_set(actor=manager, initiative=initiative, shares=shares)
        if spec["targets"]:
            services.targets_set(actor=officer, initiative=initiative, targets=spec["targets"])
        for status in spec["status"]:
            if status == "live" and spec.get("live_since"):
                services.initiative_update(
                    actor=officer, initiative=initiative, live_since=spec["live_since"]
                )
            services.initiative_change_status(
                actor=officer,
                initiative=initiative,
                status=status,
                reason="Agreed by the partners' board",
            )
        if spec["publish"]:
            services.initiative_publish(actor=manager, initiative=initiative, publish=True)
        made.append(initiative)
    for index, year, gross, cost, kind, outcome in CLAIMS:
        claim = claim_services.claim_create(
            actor=officer,
            initiative=made[index],
            claimant=lead,
            financial_year=year,
            category="cost_reduction",
            kind=kind,
            recurrence="recurring",
            gross_amount=Decimal(gross),
            implementation_cost=Decimal(cost),
            budget_reference=f"RB{year}-{index:02d}",
            description="Fewer posts and one shared system after the teams merged.",
            evidence_text="Budget monitoring report to the joint committee.",
            service_quality="maintained",
            service_quality_statement="Processing times and accuracy held steady.",
        )
        if outcome == "draft":
            continue
        claim_services.claim_submit(actor=officer, claim=claim)
        if outcome in ("verify", "return", "reject"):
            note = {
                "verify": "",
                "return": "Attach the budget report, please.",
                "reject": "Not caused by this initiative.",
            }
            claim_services.claim_decide(
                actor=manager, claim=claim, decision=outcome, note=note[outcome]
            )
    _health_checks(made[0], officer, lead)
    return made


# The shared service's check-ins, last period and this one: Bradford sees the relationships and
# the shared vision rather less rosily than Leeds, by two points now.
HEALTH_CHECKS = {
    "previous": {
        "lead": dict.fromkeys(Dimension.values, 4),
        "partner": {**dict.fromkeys(Dimension.values, 4), "relationships": 3},
    },
    "current": {
        "lead": {**dict.fromkeys(Dimension.values, 4), "service_improvement": 5},
        "partner": {
            **dict.fromkeys(Dimension.values, 3),
            "relationships": 2,
            "shared_vision": 2,
            "resilience": 4,
        },
    },
}


def _health_checks(initiative, officer, lead):
    partner = User.objects.get(email=f"partner@{partner_demo.DEMO_DOMAIN}")
    bradford = Organisation.objects.get(source_ref=partner_demo.PARTNER_COUNCIL)
    current = periods.current_period(initiative.health_check_months)
    days = {"previous": periods.previous_period(current, initiative.health_check_months)}
    days["current"] = timezone.localdate()
    for when, answers in HEALTH_CHECKS.items():
        for actor, organisation, scores in (
            (officer, lead, answers["lead"]),
            (partner, bradford, answers["partner"]),
        ):
            health_services.health_check_answer(
                actor=actor,
                initiative=initiative,
                organisation=organisation,
                scores=scores,
                today=days[when],
            )


def demo_seed(*, allow_known_passwords=False):
    people = partner_demo.demo_seed(allow_known_passwords=allow_known_passwords)
    demo_initiatives_ensure()
    reconcile.progress_reconcile()
    return people
