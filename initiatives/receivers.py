"""Answers to partners' organisation_merged signal (the one signal that changes data): what
initiatives own moves from the duplicate to the survivor, inside the merge's transaction,
through this app's own services."""

from django.dispatch import receiver

from initiatives import services
from initiatives.claims import services as claim_services
from partners.signals import organisation_merged


@receiver(organisation_merged, dispatch_uid="initiatives.organisation_merged")
def organisation_merged_absorb(sender, duplicate, survivor, actor, **kwargs):
    services.initiatives_absorb_organisation(actor=actor, duplicate=duplicate, survivor=survivor)
    claim_services.claims_absorb_organisation(actor=actor, duplicate=duplicate, survivor=survivor)
