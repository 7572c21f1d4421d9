# Separation of duties: everyone who edited or submitted a claim, with its creator, is kept from
# deciding it. 0007 fills the new table for existing claims (a migration of its own, so that the
# table's unique index exists when the rows arrive).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('initiatives', '0005_progress_without_locks'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='savingsclaim',
            name='participants',
            field=models.ManyToManyField(blank=True, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
    ]
