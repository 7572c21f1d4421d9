"""manage.py restore: a backup's database and media files, checked before and after."""

from django.core.management.base import BaseCommand, CommandError

from collaborate import backups


class Command(BaseCommand):
    help = (
        "Restore an archive written by manage.py backup. Every member's sha256 is checked "
        "against the manifest before anything is written; the database must be empty (no "
        "tables) unless --force; then the restored row counts are compared with the "
        "manifest's. Run manage.py check_data against the restored database next."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .tar.gz that manage.py backup wrote")
        parser.add_argument(
            "--database-url",
            help="restore into this PostgreSQL database (default: the configured one)",
        )
        parser.add_argument(
            "--media-root", help="extract the media files here (default: MEDIA_ROOT)"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace what the backup holds in a database that is not empty, and media "
            "files that differ (pg_restore --clean --if-exists)",
        )

    def handle(self, *args, path, database_url, media_root, force, **options):
        try:
            restored = backups.restore(
                path, database_url=database_url, media_root=media_root, force=force
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        manifest = restored.manifest
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']} into the database "
            f"{restored.database}, and {restored.media_files} media files "
            f"({restored.seconds:.1f} s)."
        )
        self.stdout.write(f"  {'':<16}{'backup':>10}{'restored':>10}")
        for label, count in manifest["counts"].items():
            now = restored.state["counts"][label]
            mark = "" if now == count else "  DIFFERENT"
            self.stdout.write(f"  {label:<16}{count:>10}{now:>10}{mark}")
        if not restored.counts_match:
            raise CommandError("The restored database's counts differ from the backup's.")
        for app, backup, code in backups.migrations_unlike_code(manifest["migrations"]):
            self.stdout.write(
                f"  {app}: the backup's last migration is {backup}, this code's {code}: "
                "run manage.py migrate against it if the code is newer."
            )
        self.stdout.write(
            self.style.SUCCESS(
                "Counts match. Next, check the restored data: manage.py check_data "
                "(with DATABASE_URL and MEDIA_ROOT set to what you restored into)."
            )
        )
