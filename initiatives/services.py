"""Every write to initiatives, their partners, shares, targets, status and publication: each
checks permission, runs in one transaction on the locked initiative, and is recorded in
history (who, when, before → after)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from collaborate.kit import edits
from initiatives import financial_years, permissions, references
from initiatives.models import MAX_AMOUNT, Initiative, Partnership, SavingsTarget
from initiatives.progress import services as progress
from partners import history
from partners import permissions as partner_permissions
from partners.models import Organisation
from partners.permissions import require

COMPARISON_FIELDS = [
    "setup_cost",
    "contract_months",
    "contract_break_points",
    "procurement_started_on",
    "contract_awarded_on",
    "live_since",
]
# The statuses in which an initiative may have been live before it was recorded here: implementing
# among them, so that an arrangement being recorded can say so before it is moved to live.
LIVE_SINCE_STATUSES = {
    Initiative.Status.IMPLEMENTING,
    Initiative.Status.LIVE,
    Initiative.Status.CLOSED,
    Initiative.Status.STOPPED,
}
EDITABLE_FIELDS = [
    "external_reference",
    "title",
    "summary",
    "collaboration_model",
    "service_area",
    "governance",
    "start_date",
    "planned_end_date",
    # What comparing collaboration with outsourcing needs (all optional).
    *COMPARISON_FIELDS,
    "health_check_months",
    "accepts_interest",
]
TRACKED_FIELDS = [*EDITABLE_FIELDS, "lead", "status", "visibility"]
HUNDRED = Decimal("100.00")


REFUSED = "You do not have permission to change this initiative."
MANAGERS_ONLY = "Only a manager of the lead organisation can do that."


def _locked(
    initiative,
    actor,
    expected_version=None,
    *,
    rule=permissions.can_edit_initiative,
    refusal=REFUSED,
):
    """The initiative's row, locked for this transaction, after checking the actor may do this
    to it (`rule`, editing unless said, else `refusal`) and that nobody saved a newer version
    since the actor's form was loaded.

    FOR NO KEY UPDATE of the initiative's row alone (the UPDATE it precedes takes no more): a
    stronger lock, or one on the lead's row too, would hold back other transactions' foreign-key
    checks at their commit (a verified claim's attributions to the lead), while this one may wait
    for their mark of the initiative as dirty: a deadlock, found under load (tests/load)."""
    current = (
        Initiative.objects.select_for_update(no_key=True, of=("self",))
        .select_related("lead")
        .get(pk=initiative.pk)
    )
    require(rule(actor, current), refusal)
    edits.require_version(current, expected_version, "initiative")
    return current


def _saved(initiative, fields=None):
    """Save a change to the initiative or its parts: a new version, and its progress figures
    marked for recomputing."""
    initiative.version += 1
    if fields is None:
        initiative.save()
    else:
        initiative.save(update_fields=[*fields, "version", "updated_at"])
    progress.progress_mark_dirty([initiative.pk])


@transaction.atomic
def initiative_create(*, actor, lead, **fields):
    """A new initiative led by `lead` (the organisation the officer acts for), which starts as
    its only partner with the whole share of the savings."""
    require(permissions.can_create_initiative(actor, lead), REFUSED)
    initiative = Initiative(
        lead=lead, created_by=actor, **{k: fields[k] for k in EDITABLE_FIELDS if k in fields}
    )
    initiative.reference = "pending"
    initiative.full_clean(exclude=["reference"])
    _live_since_check(initiative, before=None)
    initiative.reference = references.next_reference("INI")
    initiative.save()
    Partnership.objects.create(initiative=initiative, organisation=lead, savings_share=HUNDRED)
    progress.progress_mark_dirty([initiative.pk])
    history.history_record_created(actor=actor, owner=initiative, fields=TRACKED_FIELDS)
    return initiative


@transaction.atomic
def initiative_update(*, actor, initiative, expected_version=None, **fields):
    current = _locked(initiative, actor, expected_version)
    before = history.snapshot(current, TRACKED_FIELDS)
    live_since = current.live_since
    for name in EDITABLE_FIELDS:
        if name in fields:
            setattr(current, name, fields[name])
    current.full_clean()
    _live_since_check(current, before=live_since)
    outside = current.targets.exclude(financial_year__in=list(current.savings_years()))
    if outside.exists():
        years = ", ".join(t.year_label for t in outside)
        raise ValidationError(
            {
                "start_date": f"Targets are set for years these dates leave out ({years}): "
                "change those first"
            }
        )
    changes = history.changes_between(before, history.snapshot(current, TRACKED_FIELDS))
    if changes:
        _saved(current)
        history.history_record(actor=actor, owner=current, action="Updated", changes=changes)
    return current


def _live_since_check(initiative, *, before):
    """`live_since` is typed only for an arrangement that was live before it was recorded here:
    refused once its going live is recorded (`went_live_on`), in the future, before its start,
    or while its status says it cannot have been live yet. Checked when it changes, so an
    initiative moved back to design afterwards can still be edited."""
    value = initiative.live_since
    if value is None or value == before:
        return
    if initiative.went_live_on is not None:
        message = (
            f"It went live on {history.display(initiative.went_live_on)}, as its status "
            "changes record: leave Live since empty"
        )
    elif value > timezone.localdate():
        message = "The day it went live must be today or in the past"
    elif initiative.start_date and value < initiative.start_date:
        message = "The day it went live must be on or after the start date"
    elif (
        initiative.paused_from
        if initiative.status == Initiative.Status.PAUSED
        else initiative.status
    ) not in LIVE_SINCE_STATUSES:
        message = (
            f"An initiative that is {initiative.get_status_display().lower()} cannot have been "
            "live: say when it went live once it is implementing or live"
        )
    else:
        return
    raise ValidationError({"live_since": message}, code="live_since")


@transaction.atomic
def initiative_change_status(*, actor, initiative, status, reason):
    """Move to another status, only along DESIGN.md's table, saying why."""
    current = _locked(initiative, actor)
    if status not in current.allowed_statuses():
        raise ValidationError(
            {
                "status": f"An initiative that is {current.get_status_display().lower()} "
                f"cannot become {Initiative.Status(status).label.lower()}"
            },
            code="transition",
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the status is changing"}, code="reason")
    before = current.get_status_display()
    current.paused_from = current.status if status == Initiative.Status.PAUSED else ""
    current.status = status
    # The days insights measure from: the first time it went live, and when it ended.
    # An arrangement live before it was recorded here keeps the day typed for it.
    if status == Initiative.Status.LIVE and current.went_live_on is None and not current.live_since:
        current.went_live_on = timezone.localdate()
    if status in Initiative.FINAL:
        current.ended_on = timezone.localdate()
    _saved(current, ["status", "paused_from", "went_live_on", "ended_on"])
    history.history_record(
        actor=actor,
        owner=current,
        action="Status changed",
        changes=[{"field": "Status", "before": before, "after": current.get_status_display()}],
        reason=reason.strip(),
    )
    return current


@transaction.atomic
def partnership_add(*, actor, initiative, organisation):
    """A new partner joins at a share of 0; shares are then set together."""
    current = _locked(
        initiative, actor, rule=permissions.can_manage_partners, refusal=MANAGERS_ONLY
    )
    organisation = Organisation.objects.get(pk=organisation.pk)
    if not partner_permissions.organisations_selectable().filter(pk=organisation.pk).exists():
        raise ValidationError(
            f"{organisation.name} is inactive and cannot join an initiative.", code="inactive"
        )
    if current.partnerships.filter(organisation=organisation, removed_on__isnull=True).exists():
        raise ValidationError(f"{organisation.name} is already a partner.", code="duplicate")
    partnership = Partnership.objects.create(initiative=current, organisation=organisation)
    _saved(current, [])
    history.history_record(
        actor=actor,
        owner=current,
        action="Partner added",
        subject=organisation.name,
        changes=[{"field": "Share of savings", "before": "", "after": "0.00%"}],
    )
    return partnership


@transaction.atomic
def partnership_remove(*, actor, partnership):
    """A partner leaves. The lead cannot, nor a partner still holding a share of the savings."""
    current = _locked(
        partnership.initiative, actor, rule=permissions.can_manage_partners, refusal=MANAGERS_ONLY
    )
    partnership = Partnership.objects.select_related("organisation").get(
        pk=partnership.pk, initiative=current
    )
    if partnership.removed_on is not None:
        raise ValidationError("This partner has already been removed.", code="removed")
    if partnership.organisation_id == current.lead_id:
        raise ValidationError("The lead organisation cannot be removed.", code="lead")
    if partnership.savings_share != 0:
        raise ValidationError(
            f"{partnership.organisation.name} still holds {partnership.savings_share}% of the "
            "savings: give its share to other partners first.",
            code="share",
        )
    partnership.removed_on = timezone.localdate()
    partnership.save(update_fields=["removed_on"])
    _saved(current, [])
    history.history_record(
        actor=actor, owner=current, action="Partner removed", subject=partnership.organisation.name
    )
    return partnership


def _share(value):
    try:
        share = Decimal(str(value).strip().rstrip("%"))
    except ArithmeticError:
        raise ValidationError("Enter a share as a number, like 33.33") from None
    if not share.is_finite():
        raise ValidationError("Enter a share as a number, like 33.33")
    if share < 0 or share > 100:
        raise ValidationError("Enter a share from 0 to 100")
    if share != share.quantize(Decimal("0.01")):
        raise ValidationError("Enter a share with no more than 2 decimal places")
    return share.quantize(Decimal("0.01"))


@transaction.atomic
def shares_set(*, actor, initiative, shares, expected_version=None):
    """Set every active partner's share at once: {organisation id: share}. They must sum to
    exactly 100."""
    current = _locked(
        initiative,
        actor,
        expected_version,
        rule=permissions.can_manage_partners,
        refusal=MANAGERS_ONLY,
    )
    partnerships = {
        p.organisation_id: p
        for p in current.partnerships.filter(removed_on__isnull=True).select_related("organisation")
    }
    errors, new = {}, {}
    for organisation_id, partnership in partnerships.items():
        if organisation_id not in shares:
            errors[f"share_{organisation_id}"] = (
                f"Enter a share for {partnership.organisation.name}"
            )
            continue
        try:
            new[organisation_id] = _share(shares[organisation_id])
        except ValidationError as error:
            errors[f"share_{organisation_id}"] = error.messages[0]
    if unknown := set(shares) - set(partnerships):
        errors["__all__"] = (
            f"Shares were sent for organisations that are not partners ({len(unknown)})"
        )
    if not errors and sum(new.values()) != HUNDRED:
        errors["__all__"] = (
            f"The shares must add up to exactly 100%. They add up to {sum(new.values())}%"
        )
    if errors:
        raise ValidationError(errors, code="shares")
    changes = []
    for organisation_id, partnership in partnerships.items():
        if partnership.savings_share != new[organisation_id]:
            changes.append(
                {
                    "field": partnership.organisation.name,
                    "before": f"{partnership.savings_share}%",
                    "after": f"{new[organisation_id]}%",
                }
            )
            partnership.savings_share = new[organisation_id]
    if changes:
        Partnership.objects.bulk_update(partnerships.values(), ["savings_share"])
        _saved(current, [])
        history.history_record(
            actor=actor, owner=current, action="Shares of savings set", changes=changes
        )
    return current


def _amount(value):
    try:
        amount = Decimal(str(value).replace(",", "").replace("£", "").strip())
    except ArithmeticError:
        raise ValidationError("Enter an amount in pounds, like 150000") from None
    if not amount.is_finite():
        raise ValidationError("Enter an amount in pounds, like 150000")
    if amount < 0:
        raise ValidationError("Enter an amount of £0 or more")
    if amount > MAX_AMOUNT:
        raise ValidationError("Enter an amount of £1bn or less")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError("Enter an amount with no more than 2 decimal places (pence)")
    return amount.quantize(Decimal("0.01"))


UNCHANGED = object()  # an argument left as it is stored


@transaction.atomic
def targets_set(
    *,
    actor,
    initiative,
    targets,
    not_for_savings=False,
    reason="",
    savings_expected_from=UNCHANGED,
    expected_version=None,
):
    """Set the savings targets: {financial year: amount, or None to clear it}. An initiative
    not meant to save money says why instead, and has no targets. One whose savings come later
    may say the financial year they are expected from (None: not said; left as it is unless
    given)."""
    current = _locked(initiative, actor, expected_version)
    years = set(current.savings_years())
    if savings_expected_from is UNCHANGED:
        savings_expected_from = current.savings_expected_from
    errors, new = {}, {}
    for year, value in targets.items():
        year = int(year)
        if year not in years:
            errors["__all__"] = (
                f"Targets can be set from {financial_years.label(min(years))} to "
                f"{financial_years.label(max(years))} only"
            )
            continue
        if value in (None, ""):
            continue
        try:
            new[year] = _amount(value)
        except ValidationError as error:
            errors[f"target_{year}"] = error.messages[0]
    reason = (reason or "").strip()
    if not_for_savings and not reason:
        errors["not_for_savings_reason"] = "Say why this initiative is not meant to save money"
    if not_for_savings and new:
        errors["__all__"] = (
            "An initiative not meant to save money has no targets: clear them, or untick the box"
        )
    if savings_expected_from is not None and savings_expected_from not in years:
        errors["savings_expected_from"] = (
            f"Choose a financial year from {financial_years.label(min(years))} to "
            f"{financial_years.label(max(years))}"
        )
    elif not_for_savings and savings_expected_from is not None:
        errors["savings_expected_from"] = (
            "An initiative not meant to save money expects no savings: clear the year, or "
            "untick the box"
        )
    if errors:
        raise ValidationError(errors, code="targets")

    existing = {t.financial_year: t for t in current.targets.all()}
    changes = []
    for year in sorted(set(existing) | set(new)):
        before = existing[year].amount if year in existing else None
        after = new.get(year)
        if before == after:
            continue
        changes.append(
            {
                "field": financial_years.label(year),
                "before": history.display(before),
                "after": history.display(after),
            }
        )
        if after is None:
            existing[year].delete()
        elif before is None:
            SavingsTarget.objects.create(initiative=current, financial_year=year, amount=after)
        else:
            existing[year].amount = after
            existing[year].save(update_fields=["amount"])
    if (current.not_for_savings, current.not_for_savings_reason) != (
        not_for_savings,
        reason if not_for_savings else "",
    ):
        changes.append(
            {
                "field": "Not meant to save money",
                "before": history.display(current.not_for_savings),
                "after": history.display(not_for_savings),
            }
        )
        current.not_for_savings = not_for_savings
        current.not_for_savings_reason = reason if not_for_savings else ""
    if current.savings_expected_from != savings_expected_from:
        changes.append(
            {
                "field": "Savings expected from",
                "before": _year_label(current.savings_expected_from),
                "after": _year_label(savings_expected_from),
            }
        )
        current.savings_expected_from = savings_expected_from
    if changes:
        _saved(current, ["not_for_savings", "not_for_savings_reason", "savings_expected_from"])
        history.history_record(actor=actor, owner=current, action="Targets set", changes=changes)
    return current


def _year_label(year):
    return "" if year is None else financial_years.label(year)


@transaction.atomic
def initiative_publish(*, actor, initiative, publish):
    """Put the initiative on the public register, or take it off."""
    current = _locked(
        initiative, actor, rule=permissions.can_publish_initiative, refusal=MANAGERS_ONLY
    )
    if publish == current.is_published:
        return current
    current.visibility = Initiative.Visibility.PUBLIC if publish else Initiative.Visibility.PARTNERS
    current.published_at = timezone.now() if publish else None
    _saved(current, ["visibility", "published_at"])
    transaction.on_commit(progress.register_version_bump)
    history.history_record(
        actor=actor,
        owner=current,
        action="Published on the public register"
        if publish
        else "Withdrawn from the public register",
        changes=[
            {
                "field": "Visibility",
                "before": "Partners only" if publish else "Public register",
                "after": current.get_visibility_display(),
            }
        ],
    )
    return current
