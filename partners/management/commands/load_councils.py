"""Load every UK council and the police, fire and health bodies; safe to run again."""

from django.core.management.base import BaseCommand

from partners import councils


class Command(BaseCommand):
    help = (
        "Load the UK's councils (current and former, linked to their successors) and the police, "
        "fire and health bodies from partners/data/. A second run writes nothing."
    )

    def handle(self, *args, **options):
        report = councils.public_bodies_load()
        self.stdout.write(str(report))
