"""Every write to savings claims: drafting, evidence, the workflow of decisions, attribution,
corrections and locked years. Each checks permission, runs in one transaction and is recorded
in the claim's history."""

import dataclasses
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from collaborate.kit import edits, uploads
from initiatives import financial_years, permissions, references
from initiatives.claims import attribution, evidence, selectors, tasks
from initiatives.models import (
    MAX_AMOUNT,
    ClaimAttribution,
    ClaimEvidence,
    FinancialYearLock,
    Partnership,
    SavingsClaim,
)
from initiatives.progress import services as progress
from partners import history
from partners import permissions as partner_permissions
from partners.models import AuditEvent
from partners.permissions import require
from partners.services import audit

Status = SavingsClaim.Status
# In the order of the claim form, so a history entry lists its changes as the form does.
CLAIM_FIELDS = [
    "external_reference",
    "financial_year",
    "category",
    "kind",
    "recurrence",
    "gross_amount",
    "implementation_cost",
    "description",
    "baseline_value",
    "baseline_year",
    "baseline_method",
    "budget_reference",
    "evidence_text",
    "service_quality",
    "service_quality_statement",
]
TRACKED_FIELDS = [*CLAIM_FIELDS, "status"]
HUNDRED = Decimal("100.00")


def _year_open(year, field="financial_year"):
    if FinancialYearLock.objects.filter(year=year).exists():
        raise ValidationError(
            {field: f"{financial_years.label(year)} is locked: its figures have been signed off"},
            code="locked",
        )


def _year_in_range(initiative, year):
    if year not in initiative.savings_years():
        raise ValidationError(
            {
                "financial_year": "Claims for this initiative can be made for "
                f"{financial_years.label(initiative.first_year)} "
                f"to {financial_years.label(initiative.last_year)} only"
            },
            code="range",
        )


def _amounts_valid(fields, adjustment=False):
    gross, cost = fields.get("gross_amount"), fields.get("implementation_cost") or Decimal("0")
    errors = {}
    if gross is None:
        errors["gross_amount"] = "Enter the gross saving"
    elif abs(gross) > MAX_AMOUNT:
        errors["gross_amount"] = "Enter an amount of £1bn or less"
    elif not adjustment and gross <= 0:
        errors["gross_amount"] = "Enter a gross saving of more than £0"
    if cost < 0:
        errors["implementation_cost"] = "Enter an implementation cost of £0 or more"
    elif not adjustment and gross is not None and gross > 0 and cost > gross:
        errors["implementation_cost"] = (
            "The implementation cost cannot be more than the gross saving"
        )
    if errors:
        raise ValidationError(errors, code="amounts")


def _evidence_store(actor, claim, files):
    """Check every file by its content before storing any, so that a bad file writes nothing."""
    files = list(files or [])
    if claim.evidence_files.count() + len(files) > evidence.MAX_FILES:
        raise ValidationError(
            {"evidence": f"A claim can have up to {evidence.MAX_FILES} evidence files"}
        )
    checked = []
    for upload in files:
        try:
            checked.append((upload, evidence.evidence_check(upload)))
        except ValidationError as error:
            raise ValidationError({"evidence": error.messages}, code="evidence") from None
    for upload, content_type in checked:
        ClaimEvidence.objects.create(
            claim=claim,
            file=upload,
            original_name=evidence.display_name(upload.name),
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
        )
    return [evidence.display_name(upload.name) for upload, _ in checked]


def _already_made(creation_token):
    """The claim a form with this token made already, if any: a second post of the same form
    (a double click, a reload) answers with it instead of making another."""
    if creation_token:
        return SavingsClaim.objects.filter(creation_token=creation_token).first()
    return None


def _insert_once(claim):
    """Save a new claim; if the same form was posted twice at once and the other post inserted
    first, return that claim instead (None when this one was saved). The token's uniqueness is
    the database's to enforce at the moment of the insert, not a check that a concurrent
    double post could slip between."""
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        if existing := _already_made(claim.creation_token):
            return existing
        raise
    return None


@transaction.atomic
def claim_create(*, actor, initiative, claimant, creation_token=None, evidence_files=(), **fields):
    """A draft claim by the organisation the officer acts for. A second post of the same form
    (creation_token) returns the claim the first made."""
    if existing := _already_made(creation_token):
        return existing
    require(
        permissions.can_claim_for(actor, initiative, claimant),
        "Only officers of a partner organisation can claim savings for it.",
    )
    _year_in_range(initiative, fields["financial_year"])
    _year_open(fields["financial_year"])
    _amounts_valid(fields)
    claim = SavingsClaim(
        initiative=initiative,
        claimant=claimant,
        created_by=actor,
        creation_token=creation_token,
        **{k: fields.get(k) for k in CLAIM_FIELDS if k in fields},
    )
    claim.reference = references.next_reference("CLM")
    claim.full_clean(exclude=["net_amount", "creation_token"])
    if (existing := _insert_once(claim)) is not None:
        return existing
    stored = _evidence_store(actor, claim, evidence_files)
    history.history_record_created(
        actor=actor,
        owner=claim,
        fields=TRACKED_FIELDS,
        action="Drafted",
        reason=("Evidence: " + ", ".join(stored)) if stored else "",
    )
    return claim


def _locked_claim(claim):
    return (
        SavingsClaim.objects.select_for_update()
        .select_related("initiative", "claimant")
        .get(pk=claim.pk)
    )


@transaction.atomic
def claim_update(*, actor, claim, expected_version=None, evidence_files=(), **fields):
    current = _locked_claim(claim)
    require(
        permissions.can_edit_claim(actor, current),
        "Only a draft or returned claim can be changed, by its claimant.",
    )
    edits.require_version(current, expected_version, "claim")
    _year_open(current.financial_year)
    before = history.snapshot(current, TRACKED_FIELDS)
    for name in CLAIM_FIELDS:
        if name in fields:
            setattr(current, name, fields[name])
    if not current.is_adjustment:
        _year_in_range(current.initiative, current.financial_year)
    _year_open(current.financial_year)
    _amounts_valid(
        {"gross_amount": current.gross_amount, "implementation_cost": current.implementation_cost},
        adjustment=current.is_adjustment,
    )
    current.full_clean(exclude=["net_amount", "creation_token"])
    current.version += 1
    current.save()
    stored = _evidence_store(actor, current, evidence_files)
    changes = history.changes_between(before, history.snapshot(current, TRACKED_FIELDS))
    if changes or stored:
        current.participants.add(actor)
        history.history_record(
            actor=actor,
            owner=current,
            action="Edited",
            changes=changes,
            reason=("Evidence added: " + ", ".join(stored)) if stored else "",
        )
    return current


@transaction.atomic
def evidence_remove(*, actor, item):
    claim = _locked_claim(item.claim)
    require(
        permissions.can_edit_claim(actor, claim),
        "Evidence can be removed only from a draft or returned claim.",
    )
    name = item.original_name
    file = item.file
    item.delete()
    claim.participants.add(actor)
    uploads.delete_on_commit(file)
    history.history_record(actor=actor, owner=claim, action="Evidence removed", subject=name)


@transaction.atomic
def evidence_download(*, actor, item, ip_address=None):
    """The file of a piece of evidence, opened for `actor` (whom the caller has let see its
    claim), and an audit event saying who took it, from where. The file is opened first: a
    file gone from storage records no download."""
    claim = (
        permissions.claims_visible_to(user=actor)
        .select_related("claimant")
        .filter(pk=item.claim_id)
        .first()
    )
    require(claim is not None, "This evidence belongs to a claim you cannot see.")
    file = item.file.open("rb")
    audit.audit_record(
        action=AuditEvent.Action.EVIDENCE_DOWNLOADED,
        actor=actor,
        ip_address=ip_address,
        organisation=claim.claimant,
        detail={"claim": claim.reference, "file_name": item.original_name, "evidence": item.pk},
    )
    return file


def _move(claim, *, from_statuses, to_status, expected_version=None, **values):
    """Change the claim's status only if it is still in one of `from_statuses` (and, when
    `expected_version` is given, still at that version): a conditional update, so of two
    people acting at once exactly one succeeds. Returns whether it did; when it did, the
    initiative's progress figures are marked for recomputing."""
    still = {} if expected_version is None else {"version": expected_version}
    changed = SavingsClaim.objects.filter(pk=claim.pk, status__in=from_statuses, **still).update(
        status=to_status, version=F("version") + 1, updated_at=timezone.now(), **values
    )
    if changed:
        progress.progress_mark_dirty([claim.initiative_id])
    return changed == 1


def _no_longer(claim, expected_version=None):
    """Why a move was refused: an edit conflict when the caller acted on an older version
    (the API's 409), otherwise the claim's status now."""
    current = SavingsClaim.objects.select_related("reviewed_by").get(pk=claim.pk)
    edits.require_version(current, expected_version, "claim")
    who = (
        f" by {current.reviewed_by}"
        if current.reviewed_by and current.status in (*SavingsClaim.FINAL, Status.RETURNED)
        else ""
    )
    return ValidationError(
        "This claim is no longer awaiting that: it is now "
        f"{current.get_status_display().lower()}{who}. "
        "Nothing was changed.",
        code="stale",
    )


@transaction.atomic
def claim_submit(*, actor, claim, expected_version=None):
    claim = SavingsClaim.objects.select_related("initiative").get(pk=claim.pk)
    require(
        permissions.can_submit_claim(actor, claim),
        "Only the claimant's officers can submit this claim.",
    )
    edits.require_version(claim, expected_version, "claim")
    _year_open(claim.financial_year)
    before = claim.get_status_display()
    if not _move(
        claim,
        from_statuses=SavingsClaim.EDITABLE,
        to_status=Status.SUBMITTED,
        expected_version=expected_version,
        submitted_by=actor,
        submitted_at=timezone.now(),
    ):
        raise _no_longer(claim, expected_version)
    claim.participants.add(actor)
    history.history_record(
        actor=actor,
        owner=claim,
        action="Submitted",
        changes=[{"field": "Status", "before": before, "after": Status.SUBMITTED.label}],
    )
    tasks.claim_submitted_notify.delay_on_commit(claim_id=claim.pk)
    return SavingsClaim.objects.get(pk=claim.pk)


@transaction.atomic
def claim_withdraw(*, actor, claim, expected_version=None):
    claim = SavingsClaim.objects.get(pk=claim.pk)
    if claim.status != Status.SUBMITTED:
        raise _no_longer(claim, expected_version)
    require(
        permissions.can_withdraw_claim(actor, claim),
        "Only the claimant's officers can withdraw this claim.",
    )
    edits.require_version(claim, expected_version, "claim")
    _year_open(claim.financial_year)
    if not _move(
        claim,
        from_statuses=[Status.SUBMITTED],
        to_status=Status.DRAFT,
        expected_version=expected_version,
    ):
        raise _no_longer(claim, expected_version)
    history.history_record(
        actor=actor,
        owner=claim,
        action="Withdrawn to draft",
        changes=[
            {"field": "Status", "before": Status.SUBMITTED.label, "after": Status.DRAFT.label}
        ],
    )
    return SavingsClaim.objects.get(pk=claim.pk)


def _attribution_shares(claim):
    """The shares a verified claim is split by: the active partners' shares now, or, for an
    adjustment, the stored split of the claim it corrects."""
    if claim.is_adjustment:
        return dict(claim.corrects.attributions.values_list("organisation_id", "share"))
    shares = dict(
        Partnership.objects.filter(
            initiative=claim.initiative_id, removed_on__isnull=True
        ).values_list("organisation_id", "savings_share")
    )
    if sum(shares.values()) != HUNDRED:
        raise ValidationError(
            f"The partners' shares add up to {sum(shares.values())}%, not 100%. "
            "The lead organisation must correct them before this claim can be verified.",
            code="shares",
        )
    return shares


DECISIONS = {
    "verify": (Status.VERIFIED, "Verified"),
    "return": (Status.RETURNED, "Returned for revision"),
    "reject": (Status.REJECTED, "Rejected"),
}


@transaction.atomic
def claim_decide(*, actor, claim, decision, note="", expected_version=None):
    """Verify, return or reject a submitted claim: a manager of the lead organisation who did
    not create, edit or submit it. Verifying attributes the net amount to the partners, to the
    penny. With `expected_version`, a decision on an older version of the claim is refused as
    an edit conflict."""
    claim = SavingsClaim.objects.select_related("initiative", "corrects").get(pk=claim.pk)
    to_status, action = DECISIONS[decision]
    note = (note or "").strip()
    if claim.status != Status.SUBMITTED:
        raise _no_longer(claim, expected_version)
    require(
        permissions.can_decide_claim(actor, claim),
        "You created, edited or submitted this claim, so someone else must decide it."
        if permissions.took_part_in_claim(actor, claim)
        else "Only a manager of the lead organisation can decide this claim.",
    )
    edits.require_version(claim, expected_version, "claim")
    _year_open(claim.financial_year)
    if decision in ("return", "reject") and not note:
        raise ValidationError(
            {
                "note": "Say why the claim is being "
                + ("returned" if decision == "return" else "rejected")
            },
            code="note",
        )
    shares = None
    if decision == "verify":
        if claim.service_quality == SavingsClaim.ServiceQuality.FELL:
            raise ValidationError(
                "Outputs fell, so this is a cut, not an efficiency: "
                "it cannot be verified as a saving. "
                "Return it or reject it.",
                code="quality",
            )
        if claim.is_adjustment and selectors.corrected_total(claim.corrects, claim.net_amount) < 0:
            raise ValidationError(
                "This adjustment would take the corrected claim below zero.", code="below_zero"
            )
        shares = _attribution_shares(claim)
    if not _move(
        claim,
        from_statuses=[Status.SUBMITTED],
        to_status=to_status,
        expected_version=expected_version,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
        review_note=note,
    ):
        raise _no_longer(claim, expected_version)
    if shares is not None:
        parts = attribution.split(claim.net_amount, shares)
        ClaimAttribution.objects.bulk_create(
            ClaimAttribution(
                claim=claim, organisation_id=org, share=_share_of(shares, org), amount=amount
            )
            for org, amount in parts.items()
        )
    history.history_record(
        actor=actor,
        owner=claim,
        action=action,
        reason=note,
        changes=[{"field": "Status", "before": Status.SUBMITTED.label, "after": to_status.label}],
    )
    tasks.claim_decided_notify.delay_on_commit(claim_id=claim.pk)
    return SavingsClaim.objects.get(pk=claim.pk)


def _share_of(shares, organisation_id):
    total = sum(Decimal(v) for v in shares.values())
    return (Decimal(shares[organisation_id]) * HUNDRED / total).quantize(Decimal("0.01"))


@dataclasses.dataclass(frozen=True)
class VerifyOutcome:
    """What a "verify selected" did: the claims verified (as they are now), and those refused,
    each with the reason, in the order they were given."""

    verified: list = dataclasses.field(default_factory=list)
    refused: list = dataclasses.field(default_factory=list)  # (claim, reason) pairs


def claims_verify(*, actor, claims):
    """Verify several claims at once ("verify selected" in the review queue): each through
    claim_decide, in its own transaction (a savepoint inside an outer one), so one refused
    claim (decided meanwhile, created, edited or submitted by the actor, in a locked year)
    leaves the others verified. The caller passes only claims the actor may see."""
    outcome = VerifyOutcome()
    for claim in claims:
        try:
            with transaction.atomic():
                verified = claim_decide(actor=actor, claim=claim, decision="verify")
        except (ValidationError, PermissionDenied) as refusal:
            reason = (
                " ".join(refusal.messages) if isinstance(refusal, ValidationError) else str(refusal)
            )
            outcome.refused.append((claim, reason))
        else:
            outcome.verified.append(verified)
    return outcome


@transaction.atomic
def claim_correct(
    *,
    actor,
    corrected,
    change,
    description,
    evidence_text="",
    service_quality_statement="",
    creation_token=None,
    evidence_files=(),
    audit_reason="",
):
    """An adjustment to a verified claim: a new claim naming it, with a net change that may be
    negative but never takes the claim below zero, in the first financial year not locked.
    A second post of the same form (creation_token) returns the adjustment the first made.
    With `audit_reason` (the audit sample it comes from), an auditor in scope makes it."""
    if existing := _already_made(creation_token):
        return existing
    corrected = SavingsClaim.objects.select_related("initiative", "claimant").get(pk=corrected.pk)
    require(
        permissions.can_correct_claim(actor, corrected, audit=bool(audit_reason)),
        "Only the claimant's officers can correct a verified claim.",
    )
    errors = {}
    if change == 0:
        errors["change"] = "Enter the change to the net saving: more or less than £0"
    elif abs(change) > MAX_AMOUNT:
        errors["change"] = "Enter a change of £1bn or less"
    elif selectors.corrected_total(corrected, change) < 0:
        errors["change"] = (
            f"This would take {corrected.reference} below zero: "
            f"it comes to {selectors.corrected_total(corrected)}"
        )
    if not (description or "").strip():
        errors["description"] = "Say what is being corrected and why"
    if errors:
        raise ValidationError(errors, code="adjustment")
    claim = SavingsClaim(
        initiative=corrected.initiative,
        claimant=corrected.claimant,
        corrects=corrected,
        created_by=actor,
        financial_year=selectors.first_open_year(
            max(corrected.financial_year, financial_years.current_financial_year())
        ),
        category=corrected.category,
        kind=corrected.kind,
        recurrence=SavingsClaim.Recurrence.ONE_OFF,
        gross_amount=change,
        implementation_cost=Decimal("0"),
        description=description.strip(),
        evidence_text=evidence_text,
        service_quality=SavingsClaim.ServiceQuality.MAINTAINED,
        service_quality_statement=service_quality_statement or "A correction of a verified claim.",
        creation_token=creation_token,
    )
    claim.reference = references.next_reference("CLM")
    if (existing := _insert_once(claim)) is not None:
        return existing
    _evidence_store(actor, claim, evidence_files)
    history.history_record(
        actor=actor,
        owner=claim,
        action="Drafted as an adjustment",
        subject=corrected.reference,
        changes=[{"field": "Net change", "before": "", "after": history.display(change)}],
        reason=audit_reason,
    )
    history.history_record(
        actor=actor, owner=corrected, action="Adjustment drafted", subject=claim.reference
    )
    return claim


@transaction.atomic
def financial_year_set_locked(*, actor, year, locked, reason, ip_address=None):
    """Lock a financial year once its figures are signed off, or unlock it, saying why. Each is
    an audit event (who, from where, why) written in the same transaction, so unlocking keeps
    the record of the lock it ends. A year already in the state asked for is refused: two
    admins acting at once lock or unlock it once."""
    require(
        partner_permissions.can_lock_financial_years(actor),
        "Only administrators lock financial years.",
    )
    label = financial_years.label(year)
    reason = (reason or "").strip()
    if not reason:
        verb = "locking" if locked else "unlocking"
        raise ValidationError({"reason": f"Say why you are {verb} {label}"})
    detail = {"year": year, "reason": reason}
    if locked:
        _, created = FinancialYearLock.objects.get_or_create(
            year=year, defaults={"locked_by": actor, "reason": reason}
        )
        if not created:
            raise ValidationError(f"{label} is already locked.")
    else:
        lock = FinancialYearLock.objects.select_for_update().filter(year=year).first()
        if lock is None:
            raise ValidationError(f"{label} is not locked.")
        detail["ended_lock"] = {
            "locked_at": lock.locked_at.isoformat(),
            "locked_by": getattr(lock.locked_by, "email", ""),
            "reason": lock.reason,
        }
        lock.delete()
    audit.audit_record(
        action=AuditEvent.Action.YEAR_LOCKED if locked else AuditEvent.Action.YEAR_UNLOCKED,
        actor=actor,
        ip_address=ip_address,
        detail=detail,
    )
