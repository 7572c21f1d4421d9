"""The claims workflow: every transition by role, separation of duties, locked years,
verification rules, attribution, corrections, double posts and merges."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum

from collaborate.kit.edits import EditConflict
from initiatives import services as initiative_services
from initiatives.claims import selectors, services
from initiatives.models import ClaimAttribution, ClaimEvidence, SavingsClaim
from partners import selectors as partner_selectors
from partners.history import history_of
from partners.services import organisations as organisation_services
from tests import factories
from tests.factories import make_claim

pytestmark = pytest.mark.django_db
Status = SavingsClaim.Status


@pytest.fixture
def second_manager(council):
    """Another manager of the lead: where one manager may not decide a claim, the other may."""
    return factories.UserFactory(full_name="Second Manager", member_of=[(council, "manager")])


def claim_in(status, initiative, officer, manager):
    claim = make_claim(officer, initiative, initiative.lead)
    if status == "draft":
        return claim
    services.claim_submit(actor=officer, claim=claim)
    if status == "submitted":
        return SavingsClaim.objects.get(pk=claim.pk)
    decision = {"returned": "return", "verified": "verify", "rejected": "reject"}[status]
    return services.claim_decide(actor=manager, claim=claim, decision=decision, note="Because")


ACTIONS = {
    "submit": lambda actor, claim: services.claim_submit(actor=actor, claim=claim),
    "withdraw": lambda actor, claim: services.claim_withdraw(actor=actor, claim=claim),
    "verify": lambda actor, claim: services.claim_decide(
        actor=actor, claim=claim, decision="verify"
    ),
    "return": lambda actor, claim: services.claim_decide(
        actor=actor, claim=claim, decision="return", note="Why"
    ),
    "reject": lambda actor, claim: services.claim_decide(
        actor=actor, claim=claim, decision="reject", note="Why"
    ),
    "edit": lambda actor, claim: services.claim_update(
        actor=actor, claim=claim, description="Revised"
    ),
}
LEAD_MANAGERS = ("manager of lead", "second manager of lead")
LEAD_MEMBERS = ("officer of lead", *LEAD_MANAGERS)
# (action, from status) → the status it leads to, and who may do it.
ALLOWED = {
    ("submit", "draft"): ("submitted", LEAD_MEMBERS),
    ("submit", "returned"): ("submitted", LEAD_MEMBERS),
    ("edit", "draft"): ("draft", LEAD_MEMBERS),
    ("edit", "returned"): ("returned", LEAD_MEMBERS),
    ("withdraw", "submitted"): ("draft", LEAD_MEMBERS),
    # The claim was submitted by the officer; managers of the lead decide.
    ("verify", "submitted"): ("verified", LEAD_MANAGERS),
    ("return", "submitted"): ("returned", LEAD_MANAGERS),
    ("reject", "submitted"): ("rejected", LEAD_MANAGERS),
}
STATUSES = ["draft", "submitted", "returned", "verified", "rejected"]
WHO = [*LEAD_MEMBERS, "officer of partner", "manager of partner", "outsider", "admin"]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("status", STATUSES)
def test_every_transition_by_every_role(
    people, second_manager, initiative, officer, manager, action, status
):
    for who in WHO:
        actor = second_manager if who == "second manager of lead" else people[who]
        claim = claim_in(status, initiative, officer, manager)
        target, allowed = ALLOWED.get((action, status), (None, ()))
        if who in allowed:
            ACTIONS[action](actor, claim)
            claim.refresh_from_db()
            assert claim.status == target, (who, action, status)
        else:
            with pytest.raises((PermissionDenied, ValidationError)):
                ACTIONS[action](actor, claim)
            claim.refresh_from_db()
            assert claim.status == status, (who, action, status)


def test_the_submitter_cannot_decide_their_own_claim_even_as_a_manager(
    initiative, manager, officer
):
    claim = make_claim(manager, initiative, initiative.lead)
    services.claim_submit(actor=manager, claim=claim)
    for decision in ("verify", "return", "reject"):
        with pytest.raises(PermissionDenied, match="someone else must decide"):
            services.claim_decide(actor=manager, claim=claim, decision=decision, note="x")
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED


def test_a_manager_who_drafted_a_claim_an_officer_submitted_may_not_decide_it(
    initiative, manager, officer
):
    claim = make_claim(manager, initiative, initiative.lead)
    services.claim_submit(actor=officer, claim=claim)
    assert claim not in selectors.review_queue(manager)
    with pytest.raises(PermissionDenied, match="created, edited or submitted"):
        services.claim_decide(actor=manager, claim=claim, decision="verify")
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED


def test_a_manager_who_edited_a_returned_claim_may_not_decide_it(
    initiative, manager, officer, second_manager
):
    claim = make_claim(officer, initiative, initiative.lead)
    services.claim_submit(actor=officer, claim=claim)
    services.claim_decide(
        actor=second_manager, claim=claim, decision="return", note="Add the budget"
    )
    services.claim_update(actor=manager, claim=claim, description="With the budget")
    services.claim_submit(actor=officer, claim=claim)
    assert claim not in selectors.review_queue(manager)
    with pytest.raises(PermissionDenied, match="created, edited or submitted"):
        services.claim_decide(actor=manager, claim=claim, decision="verify")
    # The manager who only returned it, and never changed it, decides it now.
    assert claim in selectors.review_queue(second_manager)
    assert (
        services.claim_decide(actor=second_manager, claim=claim, decision="verify").status
        == "verified"
    )


@pytest.mark.parametrize("back_to_draft", ["withdrawn", "returned"])
def test_a_manager_who_submitted_a_claim_once_may_not_decide_it_after_another_submits_it(
    initiative, manager, officer, second_manager, back_to_draft
):
    """Every submission counts, not only the last: the claim goes back to draft (withdrawn by
    its claimant, or returned by another manager) and an officer submits it again."""
    claim = make_claim(officer, initiative, initiative.lead)
    services.claim_submit(actor=manager, claim=claim)
    if back_to_draft == "withdrawn":
        services.claim_withdraw(actor=officer, claim=claim)
    else:
        services.claim_decide(actor=second_manager, claim=claim, decision="return", note="Why?")
    services.claim_submit(actor=officer, claim=claim)
    assert claim not in selectors.review_queue(manager)
    with pytest.raises(PermissionDenied, match="created, edited or submitted"):
        services.claim_decide(actor=manager, claim=claim, decision="verify")
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED


def test_removing_evidence_counts_as_editing_the_claim(initiative, manager, officer):
    claim = make_claim(
        officer,
        initiative,
        initiative.lead,
        evidence_files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 a")],
    )
    services.evidence_remove(actor=manager, item=claim.evidence_files.get())
    services.claim_submit(actor=officer, claim=claim)
    with pytest.raises(PermissionDenied, match="created, edited or submitted"):
        services.claim_decide(actor=manager, claim=claim, decision="verify")


def test_a_manager_who_only_read_a_claim_may_decide_it(client, initiative, manager, officer):
    claim = make_claim(officer, initiative, initiative.lead)
    services.claim_update(actor=officer, claim=claim, description="Revised by its author")
    services.claim_submit(actor=officer, claim=claim)
    client.force_login(manager)
    assert client.get(claim.get_absolute_url()).status_code == 200
    assert claim in selectors.review_queue(manager)
    assert services.claim_decide(actor=manager, claim=claim, decision="verify").status == "verified"


def test_a_save_over_someone_elses_change_is_a_conflict_and_changes_nothing(
    initiative, officer, manager
):
    claim = make_claim(officer, initiative, initiative.lead)
    loaded = claim.version
    services.claim_update(actor=manager, claim=claim, description="Saved first")
    with pytest.raises(EditConflict):
        services.claim_update(
            actor=officer, claim=claim, expected_version=loaded, description="Saved second"
        )
    claim.refresh_from_db()
    assert claim.description == "Saved first"
    assert not claim.participants.filter(pk=officer.pk).exists()


def test_a_rolled_back_evidence_removal_keeps_the_file(
    initiative, officer, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    claim = make_claim(
        officer,
        initiative,
        initiative.lead,
        evidence_files=[upload("kept.pdf", b"%PDF-1.4 kept"), upload("gone.pdf", b"%PDF-1.4 gone")],
    )
    kept = claim.evidence_files.get(original_name="kept.pdf")
    gone = claim.evidence_files.get(original_name="gone.pdf")
    kept_pk, gone_pk = kept.pk, gone.pk  # deleting an instance forgets its pk
    # Something after the removal fails and the transaction rolls back: the row is still
    # there, so its file must be too.
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.evidence_remove(actor=officer, item=kept)
        raise RuntimeError("a later step failed")
    assert ClaimEvidence.objects.filter(pk=kept_pk).exists()
    assert (tmp_path / kept.file.name).exists()
    # A removal that commits deletes the file.
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_remove(actor=officer, item=gone)
    assert not ClaimEvidence.objects.filter(pk=gone_pk).exists()
    assert not (tmp_path / gone.file.name).exists()


def test_a_correction_posted_twice_makes_one_adjustment(initiative, officer, manager):
    original = verified(initiative, officer, manager)
    form = {
        "change": Decimal("-100.00"),
        "description": "Overstated",
        "creation_token": uuid.uuid4(),
    }
    first = services.claim_correct(actor=officer, corrected=original, **form)
    second = services.claim_correct(actor=officer, corrected=original, **form)
    assert first.pk == second.pk and original.adjustments.count() == 1


def test_a_partner_officer_claims_for_their_own_organisation_only(
    initiative, partner_officer, council, partner_council
):
    claim = make_claim(partner_officer, initiative, partner_council)
    assert claim.claimant == partner_council and claim.reference.startswith("CLM-")
    with pytest.raises(PermissionDenied):
        make_claim(partner_officer, initiative, council)


def test_an_organisation_that_is_not_an_active_partner_cannot_claim(
    initiative, outsider, other_council
):
    with pytest.raises(PermissionDenied):
        make_claim(outsider, initiative, other_council)


def test_returning_or_rejecting_needs_a_note(initiative, officer, manager):
    claim = claim_in("submitted", initiative, officer, manager)
    for decision in ("return", "reject"):
        with pytest.raises(ValidationError) as error:
            services.claim_decide(actor=manager, claim=claim, decision=decision, note="  ")
        assert "note" in error.value.message_dict
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED


def test_a_claim_whose_outputs_fell_cannot_be_verified(initiative, officer, manager):
    claim = make_claim(
        officer,
        initiative,
        initiative.lead,
        service_quality="fell",
        service_quality_statement="Fewer visits",
    )
    services.claim_submit(actor=officer, claim=claim)
    with pytest.raises(ValidationError, match="a cut, not an efficiency"):
        services.claim_decide(actor=manager, claim=claim, decision="verify")
    services.claim_decide(actor=manager, claim=claim, decision="reject", note="A cut")


def test_verification_checks_again_that_the_shares_sum_to_100(
    initiative, officer, manager, partner_council
):
    claim = claim_in("submitted", initiative, officer, manager)
    # Shares can only go wrong outside the services (a fault, or an edit by hand): the check holds.
    initiative.partnerships.filter(organisation=partner_council).update(savings_share=Decimal("30"))
    with pytest.raises(ValidationError, match=r"add up to 90\.00%, not 100%"):
        services.claim_decide(actor=manager, claim=claim, decision="verify")
    claim.refresh_from_db()
    assert claim.status == Status.SUBMITTED and not claim.attributions.exists()


def test_verification_attributes_the_net_to_the_penny_and_it_never_changes(
    initiative, officer, manager, council, partner_council
):
    claim = make_claim(
        officer,
        initiative,
        council,
        gross_amount=Decimal("1000.01"),
        implementation_cost=Decimal("0"),
    )
    services.claim_submit(actor=officer, claim=claim)
    services.claim_decide(actor=manager, claim=claim, decision="verify")
    parts = dict(
        ClaimAttribution.objects.filter(claim=claim).values_list("organisation_id", "amount")
    )
    assert parts == {council.pk: Decimal("600.01"), partner_council.pk: Decimal("400.00")}
    # Shares change later: the stored attribution of the verified claim stays as it was.
    initiative_services.shares_set(
        actor=manager, initiative=initiative, shares={council.pk: 10, partner_council.pk: 90}
    )
    assert (
        dict(ClaimAttribution.objects.filter(claim=claim).values_list("organisation_id", "amount"))
        == parts
    )
    with pytest.raises(PermissionDenied):
        services.claim_update(actor=officer, claim=claim, gross_amount=Decimal("1"))


def test_nothing_in_a_locked_year_is_created_changed_or_decided(
    initiative, officer, manager, admin_user
):
    draft = make_claim(officer, initiative, initiative.lead)
    submitted = claim_in("submitted", initiative, officer, manager)
    services.financial_year_set_locked(
        actor=admin_user, year=2025, locked=True, reason="Signed off"
    )
    with pytest.raises(ValidationError, match="2025/26 is locked"):
        make_claim(officer, initiative, initiative.lead)
    with pytest.raises(ValidationError, match="locked"):
        services.claim_update(actor=officer, claim=draft, description="Changed")
    with pytest.raises(ValidationError, match="locked"):
        services.claim_submit(actor=officer, claim=draft)
    with pytest.raises(ValidationError, match="locked"):
        services.claim_decide(actor=manager, claim=submitted, decision="verify")
    services.financial_year_set_locked(actor=admin_user, year=2025, locked=False, reason="Reopened")
    services.claim_decide(actor=manager, claim=submitted, decision="verify")


def test_only_admins_lock_years(officer, manager):
    for actor in (officer, manager):
        with pytest.raises(PermissionDenied):
            services.financial_year_set_locked(
                actor=actor, year=2025, locked=True, reason="Signed off"
            )


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"gross_amount": Decimal("0")}, "gross_amount", "more than £0"),
        ({"gross_amount": Decimal("-5")}, "gross_amount", "more than £0"),
        (
            {"implementation_cost": Decimal("10000.01")},
            "implementation_cost",
            "cannot be more than the gross",
        ),
        ({"gross_amount": Decimal("1000000000.01")}, "gross_amount", "£1bn or less"),
        ({"financial_year": 2024}, "financial_year", "2025/26 to 2037/38 only"),
    ],
)
def test_bad_amounts_and_years_are_refused_and_nothing_is_written(
    initiative, officer, fields, field, message
):
    with pytest.raises(ValidationError) as error:
        make_claim(officer, initiative, initiative.lead, **fields)
    assert message in " ".join(error.value.message_dict[field])
    assert not SavingsClaim.objects.exists()


def test_the_database_refuses_a_normal_claim_with_cost_above_gross(initiative, officer):
    claim = make_claim(officer, initiative, initiative.lead)
    with pytest.raises(IntegrityError), transaction.atomic():
        SavingsClaim.objects.filter(pk=claim.pk).update(implementation_cost=Decimal("20000"))


def test_a_form_posted_twice_creates_one_claim(initiative, officer):
    token = uuid.uuid4()
    first = make_claim(officer, initiative, initiative.lead, creation_token=token)
    second = make_claim(officer, initiative, initiative.lead, creation_token=token)
    assert first.pk == second.pk and SavingsClaim.objects.count() == 1


def verified(initiative, officer, manager, **fields):
    claim = make_claim(officer, initiative, initiative.lead, **fields)
    services.claim_submit(actor=officer, claim=claim)
    return services.claim_decide(actor=manager, claim=claim, decision="verify")


def test_an_adjustment_corrects_a_verified_claim_split_as_it_was(
    initiative, officer, manager, council, partner_council, admin_user
):
    original = verified(initiative, officer, manager)  # net 9,000 split 5,400 / 3,600
    initiative_services.shares_set(
        actor=manager, initiative=initiative, shares={council.pk: 50, partner_council.pk: 50}
    )
    services.financial_year_set_locked(
        actor=admin_user, year=2026, locked=True, reason="Signed off"
    )
    adjustment = services.claim_correct(
        actor=officer, corrected=original, change=Decimal("-900.00"), description="Overstated"
    )
    assert adjustment.corrects == original and adjustment.net_amount == Decimal("-900.00")
    assert adjustment.financial_year == 2027  # 2026/27 is locked: the first open year after it
    services.claim_submit(actor=officer, claim=adjustment)
    services.claim_decide(actor=manager, claim=adjustment, decision="verify")
    parts = dict(adjustment.attributions.values_list("organisation_id", "amount"))
    assert parts == {council.pk: Decimal("-540.00"), partner_council.pk: Decimal("-360.00")}
    assert selectors.corrected_total(original) == Decimal("8100.00")


def test_an_adjustment_cannot_take_the_claim_below_zero(initiative, officer, manager):
    original = verified(initiative, officer, manager)
    with pytest.raises(ValidationError, match="below zero"):
        services.claim_correct(
            actor=officer, corrected=original, change=Decimal("-9000.01"), description="x"
        )
    first = services.claim_correct(
        actor=officer, corrected=original, change=Decimal("-5000"), description="x"
    )
    second = services.claim_correct(
        actor=officer, corrected=original, change=Decimal("-5000"), description="y"
    )
    for adjustment in (first, second):
        services.claim_submit(actor=officer, claim=adjustment)
    services.claim_decide(actor=manager, claim=first, decision="verify")
    with pytest.raises(ValidationError, match="below zero"):
        services.claim_decide(actor=manager, claim=second, decision="verify")


def upload(name, content):
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("report.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "named as a PDF but it is a PNG image"),
        (
            "figures.xlsx",
            b"%PDF-1.4 not a spreadsheet",
            "named as an Excel spreadsheet but it is a PDF",
        ),
        ("run.exe", b"MZ\x90\x00", "must be a PDF, Word"),
        (
            "notes.csv",
            b"\x00\x01\x02binary",
            "named as a CSV file but its content is not of that type",
        ),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_evidence_is_checked_by_its_content_and_a_disguised_file_is_refused(
    initiative, officer, settings, tmp_path, name, content, message
):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError, match=message):
        make_claim(officer, initiative, initiative.lead, evidence_files=[upload(name, content)])
    assert not SavingsClaim.objects.exists() and not ClaimEvidence.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


def test_evidence_is_stored_under_a_random_name(initiative, officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    claim = make_claim(
        officer,
        initiative,
        initiative.lead,
        evidence_files=[
            upload("../../etc/passwd.pdf", b"%PDF-1.7 report"),
            upload("budget.csv", b"line,amount\nstaff,100\n"),
        ],
    )
    stored = list(claim.evidence_files.order_by("pk"))
    assert [e.original_name for e in stored] == ["passwd.pdf", "budget.csv"]
    assert [e.content_type for e in stored] == ["application/pdf", "text/csv"]
    for item in stored:
        assert "passwd" not in item.file.name and item.file.name.startswith("evidence/")
        assert (tmp_path / item.file.name).exists()


def test_a_merge_moves_claims_and_attributions_and_leaves_totals_unchanged(
    initiative, officer, manager, partner_officer, council, partner_council, admin_user
):
    verified(initiative, officer, manager)
    partner_claim = make_claim(
        partner_officer,
        initiative,
        partner_council,
        gross_amount=Decimal("500"),
        implementation_cost=0,
    )
    services.claim_submit(actor=partner_officer, claim=partner_claim)
    services.claim_decide(actor=manager, claim=partner_claim, decision="verify")
    services.financial_year_set_locked(
        actor=admin_user, year=2025, locked=True, reason="Signed off"
    )  # merges still move locked years
    totals_before = ClaimAttribution.objects.aggregate(total=Sum("amount"))["total"]
    claimed_before = SavingsClaim.objects.aggregate(total=Sum("net_amount"))["total"]

    organisation_services.organisation_merge(
        actor=admin_user, duplicate=partner_council, survivor=council
    )

    assert ClaimAttribution.objects.aggregate(total=Sum("amount"))["total"] == totals_before
    assert SavingsClaim.objects.aggregate(total=Sum("net_amount"))["total"] == claimed_before
    assert not ClaimAttribution.objects.filter(organisation=partner_council).exists()
    assert not SavingsClaim.objects.filter(claimant=partner_council).exists()
    assert partner_selectors.merge_impact(partner_council) == []
    partner_claim.refresh_from_db()
    assert partner_claim.claimant == council
    assert dict(partner_claim.attributions.values_list("organisation_id", "amount")) == {
        council.pk: Decimal("500.00")
    }
    assert history_of(partner_claim).first().action == "Organisation merged"


def test_existing_claims_take_their_participants_from_their_history(
    initiative, manager, officer, second_manager
):
    """The migration that brought in participants fills them from what was recorded before:
    a manager who edited a claim then still may not decide it."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "initiatives.migrations.0007_claim_participants_from_history"
    )
    claim = make_claim(officer, initiative, initiative.lead)
    services.claim_update(actor=manager, claim=claim, description="Edited before the migration")
    services.claim_submit(actor=second_manager, claim=claim)
    claim.participants.clear()

    migration.participants_from_history(apps, schema_editor=None)

    assert set(claim.participants.all()) == {officer, manager, second_manager}
