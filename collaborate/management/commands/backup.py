"""manage.py backup: the database and the media files in one archive an operator can restore."""

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from collaborate import backups


class Command(BaseCommand):
    help = (
        "Write one .tar.gz holding database.dump (pg_dump --format=custom of the configured "
        "PostgreSQL database), the media files (evidence and imports) under media/, and "
        "manifest.json (when, the migrations applied, the main tables' row counts, and every "
        "member's sha256 and size). A backup that fails leaves no archive behind."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="the file to write, or a directory to write collaborate-<UTC time>.tar.gz in "
            "(default: the project's backups/)",
        )

    def handle(self, *args, output=None, **options):
        try:
            written = backups.backup_write(output)
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        manifest = written.manifest
        media = len(manifest["files"]) - 1
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {written.path} ({filesizeformat(written.size)}, "
                f"{written.seconds:.1f} s): the database {manifest['database']['name']} "
                f"(PostgreSQL {manifest['database']['server_version']}) and {media} media files."
            )
        )
        for label, count in manifest["counts"].items():
            self.stdout.write(f"  {label}: {count}")
        for path in written.skipped:
            self.stderr.write(f"Left out {path}: not a regular file (a link?).")
        self.stdout.write("It holds personal data: keep it as safe as the database itself.")
