"""manage.py generate_data: counts by scale, the same data from the same seed, every status,
the rules the product relies on, references after it, refusal, reset and its checks."""

from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.db.models import Count

from collaborate.scale import common, comparison, generate, store
from collaborate.scale.cleanup import Generated
from initiatives import financial_years, references
from initiatives.models import (
    MAX_AMOUNT,
    ClaimAttribution,
    FinancialYearLock,
    HealthCheck,
    Initiative,
    Partnership,
    ReferenceSequence,
    SavingsClaim,
    SavingsTarget,
)
from partners.models import HistoryEntry, Organisation, User
from tests import factories

pytestmark = pytest.mark.django_db

# A few dozen initiatives and a few hundred claims: small enough to be quick, large enough for
# every status of initiative and of claim to turn up.
SCALE = 0.003
PUBLIC_BODIES = 585


def generate_data(*args, scale=SCALE):
    out = StringIO()
    call_command(
        "generate_data",
        "--scale",
        str(scale),
        "--no-recompute",
        "--allow-known-passwords",
        *args,
        stdout=out,
        verbosity=0,
    )
    return out.getvalue()


def snapshot():
    """What the generator decided, by what identifies it rather than by database ids."""
    return {
        "organisations": sorted(
            Generated.find().organisations.values_list(
                "source_ref", "name", "kind", "sector", "nation", "region"
            )
        ),
        "people": sorted(User.objects.values_list("email", "full_name", "memberships__role")),
        "initiatives": sorted(
            Initiative.objects.values_list(
                "reference",
                "external_reference",
                "title",
                "status",
                "lead__slug",
                "start_date",
                "planned_end_date",
            )
        ),
        "partnerships": sorted(
            Partnership.objects.values_list(
                "initiative__reference", "organisation__slug", "savings_share", "removed_on"
            )
        ),
        "targets": sorted(
            SavingsTarget.objects.values_list("initiative__reference", "financial_year", "amount")
        ),
        "claims": sorted(
            SavingsClaim.objects.values_list(
                "reference",
                "external_reference",
                "initiative__reference",
                "claimant__slug",
                "financial_year",
                "status",
                "gross_amount",
                "implementation_cost",
                "corrects__reference",
                "submitted_by__email",
                "reviewed_by__email",
                "created_at",
            )
        ),
        "attributions": sorted(
            ClaimAttribution.objects.values_list("claim__reference", "organisation__slug", "amount")
        ),
        "history": sorted(
            HistoryEntry.objects.values_list("at", "action", "actor__email", "subject", "reason")
        ),
    }


@pytest.fixture
def generated():
    generate_data()


def test_counts_follow_the_scale(generated):
    synthetic = Generated.find().organisations.count()
    assert synthetic == round((common.NATIONAL_ORGANISATIONS - PUBLIC_BODIES) * SCALE)
    assert Organisation.objects.count() == PUBLIC_BODIES + synthetic
    assert Initiative.objects.count() == round(common.NATIONAL_INITIATIVES * SCALE)
    assert SavingsClaim.objects.count() == round(common.NATIONAL_CLAIMS * SCALE)
    taking_part = (
        Partnership.objects.filter(removed_on__isnull=True).values("organisation").distinct()
    )
    # An officer and a manager for every organisation taking part, and one administrator.
    assert User.objects.count() == 2 * taking_part.count() + 1


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    generate_data()
    first = snapshot()
    generate_data("--reset")
    assert snapshot() == first
    generate_data("--reset", "--seed", "7")
    assert snapshot()["claims"] != first["claims"]


def test_every_status_of_initiative_and_claim_is_there(generated):
    assert set(Initiative.objects.values_list("status", flat=True)) == set(Initiative.Status)
    assert set(SavingsClaim.objects.values_list("status", flat=True)) == set(SavingsClaim.Status)
    assert set(
        Initiative.objects.filter(status=Initiative.Status.PAUSED).values_list(
            "paused_from", flat=True
        )
    ) <= {Initiative.Status.IN_DESIGN, Initiative.Status.IMPLEMENTING, Initiative.Status.LIVE}
    assert not Initiative.objects.filter(status=Initiative.Status.PAUSED, paused_from="").exists()


def test_shares_leads_and_targets_keep_the_rules(generated):
    assert generate.invariant_failures() == []
    for initiative in Initiative.objects.prefetch_related("partnerships", "targets"):
        active = [p for p in initiative.partnerships.all() if p.removed_on is None]
        assert 1 <= len(active) <= 6
        assert sum(p.savings_share for p in active) == Decimal("100.00")
        assert [p.organisation_id for p in active].count(initiative.lead_id) == 1
        assert all(p.savings_share == 0 for p in initiative.partnerships.all() if p.removed_on)
        years = set(initiative.savings_years())
        assert {t.financial_year for t in initiative.targets.all()} <= years
        if initiative.not_for_savings:
            assert initiative.not_for_savings_reason
            assert not initiative.targets.all()
    leads = Organisation.objects.filter(led_initiatives__isnull=False)
    assert leads.filter(kind__in=Organisation.COUNCIL_KINDS).count() > leads.count() / 2


def test_claims_keep_the_rules(generated):
    current = financial_years.current_financial_year()
    active = defaultdict(set)
    for initiative_id, organisation_id in Partnership.objects.filter(
        removed_on__isnull=True
    ).values_list("initiative_id", "organisation_id"):
        active[initiative_id].add(organisation_id)
    attributed = defaultdict(Decimal)
    for claim_id, amount in ClaimAttribution.objects.values_list("claim_id", "amount"):
        attributed[claim_id] += amount
    for claim in SavingsClaim.objects.select_related("initiative"):
        assert claim.claimant_id in active[claim.initiative_id]
        assert claim.financial_year in claim.initiative.savings_years()
        assert claim.financial_year <= current
        assert claim.reference.startswith(f"CLM-{claim.created_at.year}-")
        if not claim.is_adjustment:
            assert 0 < claim.gross_amount <= MAX_AMOUNT
            assert 0 <= claim.implementation_cost <= claim.gross_amount
        if claim.status == SavingsClaim.Status.DRAFT:
            assert claim.submitted_by is None and claim.reviewed_by is None
        else:
            assert claim.submitted_by_id and claim.submitted_at >= claim.created_at
        if claim.status in SavingsClaim.FINAL or claim.status == SavingsClaim.Status.RETURNED:
            assert claim.reviewed_by_id not in (None, claim.submitted_by_id)
            assert claim.reviewed_at > claim.submitted_at
        if claim.status == SavingsClaim.Status.VERIFIED:
            assert claim.service_quality != SavingsClaim.ServiceQuality.FELL
            assert attributed[claim.pk] == claim.net_amount
        else:
            assert claim.pk not in attributed


def test_claims_in_locked_years_are_all_decided(generated):
    locked = FinancialYearLock.objects.values_list("year", flat=True)
    assert locked
    undecided = SavingsClaim.objects.filter(financial_year__in=locked).exclude(
        status__in=SavingsClaim.FINAL
    )
    assert not undecided.exists()


def test_the_products_next_references_come_after_the_generated_ones(generated):
    # The sequences stop at the highest generated numbers, not beyond.
    latest = ReferenceSequence.objects.filter(prefix="CLM").order_by("-year").first()
    assert SavingsClaim.objects.filter(reference=f"CLM-{latest.year}-{latest.last:04d}").exists()
    for prefix, model in (("INI", Initiative), ("CLM", SavingsClaim)):
        existing = set(model.objects.values_list("reference", flat=True))
        assert references.next_reference(prefix) not in existing


def test_a_second_run_is_refused_and_changes_nothing(generated):
    before = snapshot()
    with pytest.raises(CommandError, match="--reset"):
        generate_data()
    assert snapshot() == before


def test_a_database_with_initiatives_is_refused(officer, council):
    factories.make_initiative(officer, council)
    with pytest.raises(CommandError, match=r"already has .* --reset"):
        generate_data()
    assert not Generated.find().organisations.exists()


def test_reset_replaces_the_generated_data_and_keeps_what_people_made(generated, officer, council):
    made = factories.make_initiative(officer, council)
    generate_data("--reset")
    assert Initiative.objects.filter(pk=made.pk, reference=made.reference).exists()
    assert Initiative.objects.count() == round(common.NATIONAL_INITIATIVES * SCALE) + 1
    duplicated = Initiative.objects.values("reference").annotate(n=Count("pk")).filter(n__gt=1)
    assert not duplicated.exists()
    assert generate.invariant_failures() == []


def test_reset_on_an_empty_database_generates():
    generate_data("--reset")
    assert Initiative.objects.count() == round(common.NATIONAL_INITIATIVES * SCALE)


def test_a_broken_rule_fails_the_command_and_keeps_nothing(monkeypatch):
    monkeypatch.setattr(generate, "invariant_failures", lambda: ["shares do not sum to 100"])
    with pytest.raises(CommandError, match="shares do not sum to 100"):
        generate_data()
    assert not Initiative.objects.exists()
    assert not User.objects.exists()


def test_tiny_scales_work():
    generate_data(scale=0.0005)
    assert Initiative.objects.count() == 10
    assert generate.invariant_failures() == []


@pytest.mark.parametrize("scale", ["0", "-1", "11"])
def test_a_scale_out_of_range_is_refused(scale):
    with pytest.raises(CommandError, match="--scale"):
        call_command("generate_data", "--scale", scale, "--allow-known-passwords", verbosity=0)


def test_the_dashboards_are_recomputed_unless_asked_not_to():
    out = StringIO()
    call_command(
        "generate_data", "--scale", "0.001", "--allow-known-passwords", stdout=out, verbosity=0
    )
    assert "progress recomputed" in out.getvalue()
    assert "Elapsed" in out.getvalue()


def test_many_parts_written_by_worker_processes_store_the_same_data(monkeypatch):
    """The bulk is written a part at a time, the text of the parts made by forked processes:
    a national run has hundreds of parts, a small one here a single part, so the parts are
    made tiny to store the same data as hundreds."""
    generate_data()
    whole = snapshot()
    monkeypatch.setattr(store, "COPY_BATCH", 7)
    monkeypatch.setattr(comparison, "HEALTH_PART", 3)
    generate_data("--reset")
    assert snapshot() == whole
    assert generate.invariant_failures() == []
    assert HealthCheck.objects.exists()


def schema():
    """The secondary indexes and foreign keys of the tables the generator loads in bulk."""
    tables = [model._meta.db_table for model in generate.BULK]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables]
        )
        indexes = set(cursor.fetchall())
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[])",
            [tables],
        )
        return indexes, set(cursor.fetchall())


def test_the_indexes_and_foreign_keys_dropped_for_loading_are_all_built_again():
    before = schema()
    assert any("FOREIGN KEY" in definition for _, definition in before[1])
    generate_data()
    assert schema() == before


def test_a_row_breaking_a_foreign_key_fails_the_run_when_the_keys_are_added(monkeypatch):
    """The foreign keys are dropped while loading: adding them back checks every row."""
    built = generate.attributions_build

    def one_to_nowhere(claims, shares_of):
        parts = built(claims, shares_of)
        if parts:
            parts[0].organisation, parts[0].organisation_id = None, 987_654_321
        return parts

    monkeypatch.setattr(generate, "attributions_build", one_to_nowhere)
    with pytest.raises(IntegrityError, match="violates foreign key constraint"):
        generate_data()
    assert not Initiative.objects.exists()
    assert schema()[1]


def test_some_initiatives_and_claims_carry_the_references_an_import_left(generated):
    for records in (Initiative.objects, SavingsClaim.objects):
        imported = records.exclude(external_reference="")
        assert 0.15 < imported.count() / records.count() < 0.45
