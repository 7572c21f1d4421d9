"""Finding the generated records again, to refuse a second run and to delete them."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, QuerySet

from collaborate.scale.common import EMAIL_DOMAIN, SOURCE_PREFIX
from initiatives.integrity import highest_reference_numbers
from initiatives.models import (
    ClaimAttribution,
    ClaimEvidence,
    FinancialYearLock,
    HealthCheck,
    Initiative,
    Partnership,
    ReferenceSequence,
    SavingsClaim,
    SavingsTarget,
)
from partners.models import HistoryEntry, Invitation, Membership, Organisation, User


@dataclass
class Generated:
    """The generated records, found by the marks they carry: organisations by their source,
    people by their email domain, initiatives by who created them, and their claims."""

    users: QuerySet
    organisations: QuerySet
    initiatives: QuerySet
    claims: QuerySet

    @classmethod
    def find(cls):
        users = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
        initiatives = Initiative.objects.filter(created_by__in=users)
        return cls(
            users=users,
            organisations=Organisation.objects.filter(source_ref__startswith=SOURCE_PREFIX),
            initiatives=initiatives,
            claims=SavingsClaim.objects.filter(initiative__in=initiatives),
        )


def existing_data():
    """{what: how many} of what stands in a generated dataset's way: any initiative, and
    generated organisations or people."""
    found = Generated.find()
    counts = {
        "initiatives": Initiative.objects.count(),
        "generated organisations": found.organisations.count(),
        "generated users": found.users.count(),
    }
    return {what: n for what, n in counts.items() if n}


@transaction.atomic
def generated_delete():
    """Delete the generated records and what hangs off them, children first (the foreign keys
    protect), and wind each reference sequence back where nothing since used a later number.
    Records made by people stay; one that refers to generated data stops the deletion
    (ProtectedError). Returns {what: how many}."""
    found = Generated.find()
    highest = highest_reference_numbers(
        [
            *found.initiatives.values_list("reference", flat=True),
            *found.claims.values_list("reference", flat=True),
        ]
    )
    deleted = {}
    for what, records in _deletion_steps(found):
        # Count the records of the step, not the progress rows their deletion cascades to.
        deleted[what] = records.delete()[1].get(records.model._meta.label, 0)
    _sequences_rewind(highest)
    return {what: n for what, n in deleted.items() if n}


def _deletion_steps(found):
    types = ContentType.objects.get_for_models(Initiative, SavingsClaim, Organisation, User)
    owned = Q()
    for model, records in (
        (Initiative, found.initiatives),
        (SavingsClaim, found.claims),
        (Organisation, found.organisations),
        (User, found.users),
    ):
        owned |= Q(owner_type=types[model], owner_id__in=records.values("pk"))
    evidence = ClaimEvidence.objects.filter(claim__in=found.claims)
    _files_delete_on_commit(evidence)
    either = Q(user__in=found.users) | Q(organisation__in=found.organisations)
    return [
        ("history entries", HistoryEntry.objects.filter(owned)),
        ("attributions", ClaimAttribution.objects.filter(claim__in=found.claims)),
        ("evidence files", evidence),
        ("adjustments", found.claims.filter(corrects__isnull=False)),
        ("claims", found.claims),
        ("health checks", HealthCheck.objects.filter(initiative__in=found.initiatives)),
        ("targets", SavingsTarget.objects.filter(initiative__in=found.initiatives)),
        ("partnerships", Partnership.objects.filter(initiative__in=found.initiatives)),
        ("initiatives", found.initiatives),
        ("memberships", Membership.objects.filter(either)),
        ("invitations", Invitation.objects.filter(either)),
        ("year locks", FinancialYearLock.objects.filter(locked_by__in=found.users)),
        ("users", found.users),
        ("merged organisations", found.organisations.filter(merged_into__isnull=False)),
        ("organisations", found.organisations),
    ]


def _files_delete_on_commit(evidence):
    """Evidence files go once their records are surely gone: a deletion that fails keeps them."""
    storage = ClaimEvidence._meta.get_field("file").storage
    names = list(evidence.values_list("file", flat=True))

    def delete():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def _sequences_rewind(highest):
    """Where the last number of a sequence went to a deleted record, the sequence goes back to
    the highest number still in use: no number of a kept record is ever handed out again."""
    models = {"INI": Initiative, "CLM": SavingsClaim}
    for (prefix, year), top in highest.items():
        kept = models[prefix].objects.filter(reference__startswith=f"{prefix}-{year}-")
        remaining = highest_reference_numbers(kept.values_list("reference", flat=True))
        ReferenceSequence.objects.filter(prefix=prefix, year=year, last=top).update(
            last=remaining.get((prefix, year), 0)
        )
