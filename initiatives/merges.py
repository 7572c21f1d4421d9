"""What a merge of organisations does to this app's records (answering partners'
`organisation_merged`, inside the merge's transaction): initiatives, partnerships, claims,
their attributions, health-check answers, imports and audit samples move from the duplicate to
the survivor.

An initiative's or a claim's own reference (Your reference) is unique to its lead or claimant;
where the duplicate used one the survivor also uses, the moved record's reference gets the
duplicate's name after it, and its history says so."""

from django.db import transaction

from initiatives.health import services as health_services
from initiatives.models import (
    AuditSample,
    ClaimAttribution,
    HealthCheck,
    Initiative,
    Partnership,
    SavingsClaim,
    SpreadsheetImport,
)
from initiatives.progress import services as progress
from partners import history
from partners import permissions as partner_permissions
from partners.permissions import require

REFERENCE_LENGTH = 50


def _references_of(records):
    return set(records.exclude(external_reference="").values_list("external_reference", flat=True))


def _reference_kept_apart(record, duplicate, taken):
    """Give `record` (moving from `duplicate`) an own reference no other record of the survivor
    has; returns the history change, if it had to change."""
    reference = record.external_reference
    if not reference or reference not in taken:
        if reference:
            taken.add(reference)
        return []
    name, number = duplicate.short_name or duplicate.name, 1
    while True:
        suffix = f" ({name})" if number == 1 else f" ({name} {number})"
        candidate = reference[: REFERENCE_LENGTH - len(suffix)] + suffix
        if candidate not in taken:
            break
        number += 1
    record.external_reference = candidate
    taken.add(candidate)
    return [{"field": "Your reference", "before": reference, "after": candidate}]


@transaction.atomic
def initiatives_absorb_organisation(*, actor, duplicate, survivor):
    """A merge of organisations (answering partners' `organisation_merged`, inside the merge's
    transaction): the duplicate's partnerships and leads move to the survivor. Where both were
    active partners of one initiative, the survivor's share becomes the sum of the two. Every
    initiative either takes part in is marked for recomputing."""
    require(partner_permissions.can_manage_organisations(actor))
    survivor_active = {
        p.initiative_id: p
        for p in Partnership.objects.select_for_update().filter(
            organisation=survivor, removed_on__isnull=True
        )
    }
    for partnership in (
        Partnership.objects.select_for_update()
        .filter(organisation=duplicate)
        .select_related("initiative")
    ):
        kept = survivor_active.get(partnership.initiative_id) if partnership.active else None
        if kept is None:
            partnership.organisation = survivor
            partnership.save(update_fields=["organisation"])
            changes = [{"field": "Partner", "before": duplicate.name, "after": survivor.name}]
        else:
            before = kept.savings_share
            kept.savings_share += partnership.savings_share
            kept.save(update_fields=["savings_share"])
            partnership.delete()
            changes = [
                {
                    "field": "Partner",
                    "before": f"{duplicate.name} and {survivor.name}",
                    "after": survivor.name,
                },
                {
                    "field": f"Share of {survivor.name}",
                    "before": f"{before}%",
                    "after": f"{kept.savings_share}%",
                },
            ]
        history.history_record(
            actor=actor,
            owner=partnership.initiative,
            action="Partner merged",
            subject=f"{duplicate.name} → {survivor.name}",
            changes=changes,
        )
    taken = _references_of(Initiative.objects.filter(lead=survivor))
    for initiative in Initiative.objects.select_for_update().filter(lead=duplicate):
        changes = [{"field": "Lead organisation", "before": duplicate.name, "after": survivor.name}]
        changes += _reference_kept_apart(initiative, duplicate, taken)
        initiative.lead = survivor
        initiative.version += 1
        initiative.save(update_fields=["lead", "external_reference", "version", "updated_at"])
        history.history_record(
            actor=actor, owner=initiative, action="Lead organisation merged", changes=changes
        )
    SpreadsheetImport.objects.filter(organisation=duplicate).update(organisation=survivor)
    # An audit sample of the duplicate's claims is one of the survivor's (its frame is kept).
    AuditSample.objects.filter(organisation=duplicate).update(organisation=survivor)
    progress.progress_mark_dirty(
        Partnership.objects.filter(organisation__in=[duplicate, survivor]).values_list(
            "initiative_id", flat=True
        )
    )


@transaction.atomic
def claims_absorb_organisation(*, actor, duplicate, survivor):
    """A merge of organisations (answering partners' `organisation_merged`, inside the merge's
    transaction): claims made by the duplicate and the amounts attributed to it move to the
    survivor, locked years included. No amount changes: where both had a part of one claim,
    the parts are added together. Each claim's history says what moved."""
    require(partner_permissions.can_manage_organisations(actor))
    moved = set(SavingsClaim.objects.filter(claimant=duplicate).values_list("pk", flat=True))
    taken = _references_of(SavingsClaim.objects.filter(claimant=survivor))
    renamed = {}
    for claim in SavingsClaim.objects.filter(pk__in=moved).exclude(external_reference=""):
        if changes := _reference_kept_apart(claim, duplicate, taken):
            claim.save(update_fields=["external_reference"])
            renamed[claim.pk] = changes
    SavingsClaim.objects.filter(pk__in=moved).update(claimant=survivor)
    survivor_parts = {
        a.claim_id: a
        for a in ClaimAttribution.objects.select_for_update().filter(organisation=survivor)
    }
    attributed = set()
    for part in ClaimAttribution.objects.select_for_update().filter(organisation=duplicate):
        kept = survivor_parts.get(part.claim_id)
        if kept is None:
            part.organisation = survivor
            part.save(update_fields=["organisation"])
        else:
            kept.amount += part.amount
            kept.share += part.share
            kept.save(update_fields=["amount", "share"])
            part.delete()
        attributed.add(part.claim_id)
    for claim in SavingsClaim.objects.filter(pk__in=moved | attributed).order_by("pk"):
        history.history_record(
            actor=actor,
            owner=claim,
            action="Organisation merged",
            subject=f"{duplicate.name} → {survivor.name}",
            changes=[
                {"field": field, "before": duplicate.name, "after": survivor.name}
                for field, applies in (
                    ("Claimant organisation", claim.pk in moved),
                    ("Attributed to", claim.pk in attributed),
                )
                if applies
            ]
            + renamed.get(claim.pk, []),
            reason=f"{duplicate.name} was a duplicate record of {survivor.name}",
        )


@transaction.atomic
def health_checks_absorb_organisation(*, actor, duplicate, survivor):
    """A merge of organisations (answering partners' `organisation_merged`, inside the merge's
    transaction): the duplicate's health-check answers become the survivor's. Where both
    answered one initiative's check-in for the same period, the later answer stands, as if the
    organisation had answered again, and the initiative's history says which was replaced."""
    require(partner_permissions.can_manage_organisations(actor))
    moved = set()
    survivor_answers = {
        (a.initiative_id, a.period_start): a
        for a in HealthCheck.objects.select_for_update().filter(organisation=survivor)
    }
    for answer in (
        HealthCheck.objects.select_for_update()
        .filter(organisation=duplicate)
        .select_related("initiative")
        .order_by("pk")
    ):
        kept = survivor_answers.get((answer.initiative_id, answer.period_start))
        subject = (
            f"{duplicate.name} → {survivor.name}, check-in from {answer.period_start:%-d %B %Y}"
        )
        changes = [{"field": "Answered for", "before": duplicate.name, "after": survivor.name}]
        if kept is not None:
            # The later answer stands; `answer` is the one that moves (or stays) below.
            if answer.answered_at >= kept.answered_at:
                replaced = kept
            else:
                replaced, answer = answer, kept
            changes = [
                {
                    "field": "Health check answer",
                    "before": f"two answers ({replaced.answered_at:%-d %B %Y} and "
                    f"{answer.answered_at:%-d %B %Y})",
                    "after": f"the later one ({answer.answered_at:%-d %B %Y})",
                }
            ]
            replaced.delete()
        answer.organisation = survivor
        answer.save(update_fields=["organisation"])
        moved.add(answer.initiative_id)
        history.history_record(
            actor=actor,
            owner=answer.initiative,
            action="Health check merged",
            subject=subject,
            changes=changes,
        )
    progress.progress_mark_dirty(moved)  # the insights' health medians are per initiative
    health_services.answers_changed()
