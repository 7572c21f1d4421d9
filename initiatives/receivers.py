"""Answers to partners' organisation_merged signal (the one signal that changes data): what
initiatives own moves from the duplicate to the survivor, inside the merge's transaction,
through this app's own services (initiatives.merges)."""

from django.dispatch import receiver

from initiatives import merges
from partners.signals import organisation_merged


@receiver(organisation_merged, dispatch_uid="initiatives.organisation_merged")
def organisation_merged_absorb(sender, duplicate, survivor, actor, **kwargs):
    merges.initiatives_absorb_organisation(actor=actor, duplicate=duplicate, survivor=survivor)
    merges.claims_absorb_organisation(actor=actor, duplicate=duplicate, survivor=survivor)
    merges.health_checks_absorb_organisation(actor=actor, duplicate=duplicate, survivor=survivor)
