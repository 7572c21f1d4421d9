"""manage.py check_data: passes on a clean dataset, and names each broken rule planted in it
(with queryset updates, as a faulty migration or a hand-edit would leave the data)."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F

from initiatives import integrity
from initiatives.models import (
    ClaimAttribution,
    Initiative,
    Partnership,
    ProgressFact,
    ReferenceSequence,
    SavingsClaim,
)
from partners.models import Organisation

pytestmark = pytest.mark.django_db

ONE_FACT_DIFFERS = "1 rows of the computed progress table 'fact' differ from a fresh computation"


def check_data():
    """(what the command printed, the failed checks it named when it exited non-zero or None)."""
    out = StringIO()
    try:
        call_command("check_data", stdout=out)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), None


def assert_fails(check, failure):
    """check_data exits non-zero naming `check` among the failed, and prints `failure` under
    that name; returns the names of all the checks that failed."""
    out, failed = check_data()
    assert failed is not None, out
    count, names = failed.split(": ", 1)
    assert count.endswith(f"of {len(integrity.CHECKS)} checks failed")
    assert check in names.split(", ")
    assert f"FAILED {check}: {failure}" in out
    return names.split(", ")


@pytest.fixture
def dataset():
    """A small generated dataset (ten initiatives and their claims), its dashboards computed."""
    call_command(
        "generate_data",
        "--scale",
        "0.0005",
        "--allow-known-passwords",
        stdout=StringIO(),
        verbosity=0,
    )


def partnered():
    """A generated initiative with more than one active partner."""
    return next(
        initiative
        for initiative in Initiative.objects.order_by("reference")
        if initiative.partnerships.filter(removed_on__isnull=True).count() > 1
    )


def test_a_clean_dataset_passes(dataset):
    out, failed = check_data()
    assert failed is None
    assert "FAILED" not in out
    assert f"OK: all {len(integrity.CHECKS)} checks passed" in out


def test_an_empty_database_passes():
    out, failed = check_data()
    assert failed is None
    assert "OK" in out


def test_shares_summing_to_99_fail_naming_the_initiative(dataset):
    initiative = partnered()
    Partnership.objects.filter(
        initiative=initiative, organisation=initiative.lead, removed_on__isnull=True
    ).update(savings_share=F("savings_share") - 1)
    expected = f"1 initiatives' active shares do not sum to 100: {initiative.reference} (99.00)"
    assert_fails("shares", expected)


def test_a_lead_that_is_not_a_partner_fails(dataset):
    initiative = partnered()
    outsider = Organisation.objects.exclude(partnerships__initiative=initiative).first()
    Initiative.objects.filter(pk=initiative.pk).update(lead=outsider)
    expected = f"1 initiatives' leads are not active partners exactly once: {initiative.reference}"
    assert "shares" not in assert_fails("leads", expected)


def test_a_sequence_behind_the_references_in_use_fails(dataset):
    sequence = ReferenceSequence.objects.filter(prefix="CLM").order_by("-year").first()
    ReferenceSequence.objects.filter(pk=sequence.pk).update(last=sequence.last - 1)
    behind = f"CLM-{sequence.year} at {sequence.last - 1}, in use up to {sequence.last}"
    assert assert_fails("references", f"1 reference sequences are behind: {behind}") == [
        "references"
    ]


def test_a_repeated_reference_fails(dataset):
    # The database refuses a repeated reference; a restore without its constraints would not.
    table = SavingsClaim._meta.db_table
    with connection.cursor() as cursor:
        # The generated rows' deferred foreign-key checks first, or the table cannot change.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        constraints = connection.introspection.get_constraints(cursor, table)
        for name, details in constraints.items():
            if details["unique"] and details["columns"] == ["reference"]:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    first, second = SavingsClaim.objects.order_by("reference")[:2]
    SavingsClaim.objects.filter(pk=second.pk).update(reference=first.reference)
    assert_fails(
        "references", f"1 savings claim references are used more than once: {first.reference}"
    )


def test_a_wrong_attribution_fails_naming_the_claim(dataset):
    attribution = ClaimAttribution.objects.order_by("claim__reference", "pk").first()
    ClaimAttribution.objects.filter(pk=attribution.pk).update(amount=F("amount") + Decimal("0.01"))
    claim = attribution.claim
    attributed = claim.net_amount + Decimal("0.01")
    assert_fails(
        "attributions",
        "1 verified claims' attributions do not sum to their net: "
        f"{claim.reference} (net {claim.net_amount}, attributed {attributed})",
    )


@pytest.mark.parametrize("who", ["submitted", "created", "edited"])
def test_a_claim_decided_by_someone_who_took_part_in_it_fails(dataset, who):
    claim = SavingsClaim.objects.filter(reviewed_by__isnull=False).order_by("pk").first()
    if who == "submitted":
        SavingsClaim.objects.filter(pk=claim.pk).update(reviewed_by=F("submitted_by"))
    elif who == "created":
        SavingsClaim.objects.filter(pk=claim.pk).update(reviewed_by=F("created_by"))
    else:
        claim.participants.add(claim.reviewed_by)
    expected = (
        f"1 claims were decided by someone who created, edited or submitted them: {claim.reference}"
    )
    assert assert_fails("decisions", expected) == ["decisions"]


def test_a_stale_computed_row_fails_and_only_that_check(dataset):
    fact = ProgressFact.objects.filter(organisation_id__isnull=False).order_by("pk").first()
    ProgressFact.objects.filter(pk=fact.pk).update(claimed=F("claimed") + 1)
    assert assert_fails("computed tables", ONE_FACT_DIFFERS) == ["computed tables"]


def test_a_missing_computed_row_fails(dataset):
    ProgressFact.objects.filter(pk=ProgressFact.objects.order_by("pk").first().pk).delete()
    assert assert_fails("computed tables", ONE_FACT_DIFFERS) == ["computed tables"]
