"""An index for finding partners: the initiatives of a service area (and collaboration model)
with what says whether they are published, so the search reads them from the index alone.
Built CONCURRENTLY on PostgreSQL, so initiatives stay writable while it is built."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class AddIndexConcurrentlyOnPostgres(AddIndexConcurrently):
    """CREATE INDEX CONCURRENTLY on PostgreSQL; a plain CREATE INDEX on SQLite (`make run`)."""

    def _ensure_not_in_transaction(self, schema_editor):
        if not schema_editor.collect_sql:  # sqlmigrate (the migration linter) only prints SQL
            super()._ensure_not_in_transaction(schema_editor)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_forwards(
            self, app_label, schema_editor, from_state, to_state
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_backwards(
            self, app_label, schema_editor, from_state, to_state
        )


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
