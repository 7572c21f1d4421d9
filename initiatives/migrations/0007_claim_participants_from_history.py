# Existing claims take their participants from what was already recorded: their creator and
# last submitter, and the actors of their history entries that draft, edit, remove evidence
# from or submit a claim. A pair already there is skipped (the table's unique index).

from django.db import migrations

TOOK_PART = ["Drafted", "Drafted as an adjustment", "Edited", "Evidence removed", "Submitted"]
BATCH = 5000


def participants_from_history(apps, schema_editor):
    SavingsClaim = apps.get_model("initiatives", "SavingsClaim")
    HistoryEntry = apps.get_model("partners", "HistoryEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Participant = SavingsClaim.participants.through

    def pairs():
        for claim_id, created, submitted in SavingsClaim.objects.values_list(
            "pk", "created_by_id", "submitted_by_id"
        ).iterator():
            yield from ((claim_id, user_id) for user_id in {created, submitted} if user_id)
        claim_type = ContentType.objects.filter(app_label="initiatives", model="savingsclaim")
        yield from HistoryEntry.objects.filter(
            owner_type__in=claim_type, action__in=TOOK_PART, actor__isnull=False
        ).values_list("owner_id", "actor_id").iterator()

    batch = []
    for claim_id, user_id in pairs():
        batch.append(Participant(savingsclaim_id=claim_id, user_id=user_id))
        if len(batch) == BATCH:
            Participant.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    Participant.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('initiatives', '0006_claim_participants'),
        ('partners', '0004_audit_event'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.RunPython(participants_from_history, migrations.RunPython.noop, elidable=True),
    ]
