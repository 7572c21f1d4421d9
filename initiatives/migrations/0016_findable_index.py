"""An index for finding partners: the initiatives of a service area (and collaboration model)
with what says whether they are published, so the search reads them from the index alone.
Built CONCURRENTLY on PostgreSQL, so initiatives stay writable while it is built."""

from django.db import migrations, models

from collaborate.kit.migrations import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("initiatives", "0015_accepts_interest"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="initiative",
            index=models.Index(
                fields=["service_area", "collaboration_model"],
                include=("id", "visibility", "published_at"),
                name="initiative_findable",
            ),
        ),
    ]
