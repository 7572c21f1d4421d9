"""manage.py check_data: whether the stored data keeps the rules the product relies on."""

from django.core.management.base import BaseCommand, CommandError

from initiatives import integrity


class Command(BaseCommand):
    help = (
        "Check the configured database (reading only): active shares sum to 100 on every "
        "initiative, each lead is an active partner once, references are unique and their "
        "sequences ahead of them, verified claims' attributions sum to their net amounts, no "
        "claim was decided by its submitter, and the computed progress tables equal a fresh "
        "computation. Prints each failure and exits non-zero if any check fails."
    )

    def handle(self, *args, **options):
        failed = []
        for name, check in integrity.CHECKS.items():
            failures = check()
            for failure in failures:
                self.stdout.write(self.style.ERROR(f"FAILED {name}: {failure}"))
            if failures:
                failed.append(name)
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(integrity.CHECKS)} checks failed: " + ", ".join(failed)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: all {len(integrity.CHECKS)} checks passed ({', '.join(integrity.CHECKS)})."
            )
        )
