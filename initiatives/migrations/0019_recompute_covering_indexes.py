"""The reconcile at ten times national scale: each batch of initiatives read its claims and
their attributions from heap pages scattered over the whole of both tables (claims are stored
in the order they were made, not by initiative), half of a full recompute. Two indexes now hold
what the recompute sums, so a batch reads them from the index alone; they replace the indexes
they start with (the claims' initiative and status, and the foreign keys' plain ones), once
built (the foreign keys' plain ones each dropped under a moment's lock). Built and dropped
CONCURRENTLY on PostgreSQL otherwise, so claims stay writable meanwhile."""

import django.db.models.deletion
from django.db import migrations, models

from collaborate.kit.migrations import (
    AddIndexConcurrentlyOnPostgres,
    RemoveIndexConcurrentlyOnPostgres,
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("initiatives", "0018_review_queue_indexes"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="savingsclaim",
            index=models.Index(
                fields=["initiative", "status"],
                include=("financial_year", "kind", "net_amount", "updated_at", "id"),
                name="claim_progress",
            ),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="claimattribution",
            index=models.Index(
                fields=["claim"], include=("organisation", "amount"), name="attribution_of_claim"
            ),
        ),
        RemoveIndexConcurrentlyOnPostgres(
            model_name="savingsclaim",
            name="initiatives_initiat_ca3da0_idx",
        ),
        migrations.AlterField(
            model_name="claimattribution",
            name="claim",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="attributions",
                to="initiatives.savingsclaim",
            ),
        ),
        migrations.AlterField(
            model_name="savingsclaim",
            name="initiative",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="claims",
                to="initiatives.initiative",
            ),
        ),
    ]
