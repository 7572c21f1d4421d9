"""Answers to partners' organisation_merged signal: what initiatives own moves from the
duplicate to the survivor, inside the merge's transaction."""

from django.contrib.contenttypes.models import ContentType
from django.dispatch import receiver

from initiatives.models import ClaimAttribution, Initiative, Partnership, SavingsClaim
from initiatives.progress import services as progress
from partners import history
from partners.models import HistoryEntry
from partners.signals import organisation_merged


@receiver(organisation_merged, dispatch_uid="initiatives.partnerships_and_leads")
def partnerships_and_leads_move(sender, duplicate, survivor, actor, **kwargs):
    """Partnerships and leads of the duplicate move to the survivor. Where both were active
    partners of one initiative, the survivor's share becomes the sum of the two."""
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
        kept = (
            survivor_active.get(partnership.initiative_id)
            if partnership.removed_on is None
            else None
        )
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
    for initiative in Initiative.objects.select_for_update().filter(lead=duplicate):
        initiative.lead = survivor
        initiative.version += 1
        initiative.save(update_fields=["lead", "version", "updated_at"])
        history.history_record(
            actor=actor,
            owner=initiative,
            action="Lead organisation merged",
            changes=[
                {"field": "Lead organisation", "before": duplicate.name, "after": survivor.name}
            ],
        )


@receiver(organisation_merged, dispatch_uid="initiatives.claims_and_attributions")
def claims_and_attributions_move(sender, duplicate, survivor, actor, **kwargs):
    """Claims made by the duplicate and the amounts attributed to it move to the survivor,
    locked years included. No amount changes: where both had a part of one claim, the parts
    are added together."""
    claim_type = ContentType.objects.get_for_model(SavingsClaim)
    moved = list(SavingsClaim.objects.filter(claimant=duplicate).values_list("pk", flat=True))
    SavingsClaim.objects.filter(pk__in=moved).update(claimant=survivor)
    survivor_parts = {
        a.claim_id: a
        for a in ClaimAttribution.objects.select_for_update().filter(organisation=survivor)
    }
    attributed = []
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
        attributed.append(part.claim_id)
    note = f"{duplicate.name} was a duplicate record of {survivor.name}"
    HistoryEntry.objects.bulk_create(
        HistoryEntry(
            actor=actor,
            owner_type=claim_type,
            owner_id=claim_id,
            action="Organisation merged",
            subject=f"{duplicate.name} → {survivor.name}",
            changes=[
                {"field": field, "before": duplicate.name, "after": survivor.name}
                for field, applies in (
                    ("Claimant organisation", claim_id in moved),
                    ("Attributed to", claim_id in attributed),
                )
                if applies
            ],
            reason=note,
        )
        for claim_id in sorted(set(moved) | set(attributed))
    )


@receiver(organisation_merged, dispatch_uid="initiatives.progress")
def progress_mark_merged(sender, duplicate, survivor, **kwargs):
    """The figures of every initiative either organisation takes part in are recomputed."""
    progress.progress_mark_dirty(
        Partnership.objects.filter(organisation__in=[duplicate, survivor]).values_list(
            "initiative_id", flat=True
        )
    )
