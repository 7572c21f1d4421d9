"""Every write of audit sampling: drawing a sample (its frame, seed and parameters stored) and
recording what the auditor found for a selected claim. A finding that changes a verified
claim never changes it: it is a correction made through the claims service, submitted for
the lead's managers to decide like any other."""

import secrets
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from collaborate.kit import cache as kit_cache
from initiatives import financial_years, permissions, references
from initiatives.assurance import sampling, selectors
from initiatives.claims import selectors as claim_selectors
from initiatives.claims import services as claim_services
from initiatives.models import AuditFrameRow, AuditOutcome, AuditSample
from partners import history
from partners.permissions import require

Result = AuditOutcome.Result
MAX_SAMPLE_SIZE = 500
MAX_STRATUM_SIZE = 200


def _sizes_valid(sample_size, stratum_size):
    errors = {}
    if sample_size is None or not 1 <= sample_size <= MAX_SAMPLE_SIZE:
        errors["sample_size"] = f"Enter a number of selections from 1 to {MAX_SAMPLE_SIZE}"
    if stratum_size is None or not 0 <= stratum_size <= MAX_STRATUM_SIZE:
        errors["stratum_size"] = f"Enter a number of claims from 0 to {MAX_STRATUM_SIZE}"
    if errors:
        raise ValidationError(errors, code="sizes")


@transaction.atomic
def audit_sample_draw(*, actor, organisation, year, sample_size, stratum_size, seed=None):
    """Draw a sample of `year`'s verified claims that an audit of `organisation` (None: every
    organisation) covers, and store it with its frame: each claim's net amount, risk factors
    and weight, and which the draw selected. `seed` is for tests; a draw takes a random one."""
    require(
        permissions.can_audit(actor, organisation),
        "Only an auditor of this organisation can draw a sample of its claims.",
    )
    _sizes_valid(sample_size, stratum_size)
    frame = selectors.frame_with_risks(organisation=organisation, year=year)
    if not frame:
        raise ValidationError(
            {
                "financial_year": "There are no verified claims to sample in "
                + financial_years.label(year)
            },
            code="empty",
        )
    seed = secrets.randbits(62) if seed is None else seed
    weights = dict(sampling.DEFAULT_WEIGHTS)
    items = [
        sampling.FrameItem(position, amount, sampling.weight_of(factors, weights))
        for position, (_, amount, factors) in enumerate(frame, start=1)
    ]
    drawn = sampling.draw(items, seed=seed, sample_size=sample_size, stratum_size=stratum_size)
    selected = drawn.selected
    sample = AuditSample.objects.create(
        reference=references.next_reference("AUD"),
        organisation=organisation,
        financial_year=year,
        seed=seed,
        sample_size=sample_size,
        stratum_size=stratum_size,
        risk_weights=weights,
        frame_total=sum((amount for _, amount, _ in frame), Decimal("0")),
        frame_count=len(frame),
        interval=drawn.interval_pounds.quantize(Decimal("0.0001")),
        drawn_by=actor,
    )
    AuditFrameRow.objects.bulk_create(
        AuditFrameRow(
            sample=sample,
            position=item.position,
            claim_id=claim_id,
            amount=item.amount,
            risk_factors=factors,
            weight=item.weight,
            selection=selected.get(item.position, ""),
        )
        for item, (claim_id, _, factors) in zip(items, frame, strict=True)
    )
    history.history_record(
        actor=actor,
        owner=sample,
        action="Drawn",
        changes=[
            {"field": "Financial year", "before": "", "after": sample.year_label},
            {"field": "Organisation", "before": "", "after": str(organisation or "Every one")},
            {"field": "Claims in the frame", "before": "", "after": str(len(frame))},
            {"field": "Selected", "before": "", "after": str(len(selected))},
        ],
    )
    return sample


def _change_for(result, claim, audited_amount):
    """The net change the finding makes to the claim (what it comes to now, with its verified
    adjustments, to what the auditor found supported)."""
    total = claim_selectors.corrected_total(claim)
    if result == Result.NOT_SUPPORTED:
        if total <= 0:
            raise ValidationError(
                {"result": f"{claim.reference} already comes to £0: nothing is left to reverse"}
            )
        return -total
    if audited_amount is None:
        raise ValidationError({"audited_amount": "Enter the net saving the evidence supports"})
    if audited_amount < 0:
        raise ValidationError({"audited_amount": "Enter an amount of £0 or more"})
    if audited_amount == total:
        raise ValidationError(
            {
                "audited_amount": f"{claim.reference} comes to £{total:,.2f} already: "
                "record it as confirmed"
            }
        )
    return audited_amount - total


@transaction.atomic
def audit_outcome_record(*, actor, row, result, audited_amount=None, note=""):
    """Record what the audit found for one selected claim, once. "Confirmed" changes nothing;
    "adjusted" (with the net saving the evidence supports) and "not supported" (a full
    reversal) make a correction by the auditor, submitted for the lead's managers to decide.
    Two auditors recording at once: the row is locked, so the second finds the first's."""
    row = (
        AuditFrameRow.objects.select_for_update(of=("self",))
        .select_related("sample", "claim__initiative")
        .get(pk=row.pk)
    )
    sample, claim = row.sample, row.claim
    require(
        permissions.can_record_audit_outcome(actor, sample),
        "Only an auditor of this organisation can record what the audit found.",
    )
    if not row.selection:
        raise ValidationError("This claim was not selected in the sample.", code="not_selected")
    already = AuditOutcome.objects.filter(row=row).select_related("recorded_by").first()
    if already is not None:
        raise ValidationError(
            f"An outcome is already recorded for {claim.reference}: "
            f"{already.get_result_display().lower()}, by {already.recorded_by}. "
            "Nothing was changed.",
            code="stale",
        )
    if result not in Result.values:
        raise ValidationError({"result": "Choose what the audit found"})
    note = (note or "").strip()
    correction = None
    if result == Result.CONFIRMED:
        audited_amount = None
    else:
        if not note:
            raise ValidationError({"note": "Say what the audit found and why"})
        change = _change_for(result, claim, audited_amount)
        label = Result(result).label.lower()
        reason = f"Audit sample {sample.reference}: {label}"
        correction = claim_services.claim_correct(
            actor=actor,
            corrected=claim,
            change=change,
            description=f"{reason}. {note}",
            evidence_text=f"Internal audit, sample {sample.reference}.",
            audit_reason=reason,
        )
        correction = claim_services.claim_submit(actor=actor, claim=correction)
        audited_amount = audited_amount if result == Result.ADJUSTED else None
    try:
        with transaction.atomic():
            outcome = AuditOutcome.objects.create(
                row=row,
                result=result,
                audited_amount=audited_amount,
                note=note,
                correction=correction,
                recorded_by=actor,
            )
    except IntegrityError:
        raise ValidationError("An outcome is already recorded for this claim.") from None
    # The dashboards' share audited and confirmed is cached until an outcome is recorded.
    transaction.on_commit(partial(kit_cache.version_bump, selectors.OUTCOMES_VERSION_KEY))
    label = outcome.get_result_display()
    history.history_record(
        actor=actor,
        owner=sample,
        action="Outcome recorded",
        subject=claim.reference,
        changes=[{"field": "Outcome", "before": "", "after": label}],
        reason=note,
    )
    history.history_record(
        actor=actor,
        owner=claim,
        action=f"Audited: {label.lower()}",
        subject=sample.reference,
        reason=note,
    )
    return outcome
