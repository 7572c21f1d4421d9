"""Generate a national-scale synthetic dataset on the real public bodies, for demos and load."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError, RestrictedError

from collaborate.scale import cleanup, common, generate
from initiatives.progress.reconcile import progress_reconcile
from partners import demo


class Command(BaseCommand):
    help = (
        "Generate synthetic organisations, people, initiatives, targets and claims on top of the "
        "real public bodies, the same for the same --seed. --scale 1.0 is national: about "
        f"{common.NATIONAL_ORGANISATIONS:,} organisations, "
        f"{common.NATIONAL_INITIATIVES:,} initiatives and {common.NATIONAL_CLAIMS:,} claims."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 is national (default)")
        parser.add_argument("--seed", type=int, default=42, help="the same seed, the same data")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the data generated before first (records people made are kept)",
        )
        parser.add_argument(
            "--no-recompute",
            action="store_true",
            help="leave the progress tables behind the dashboards to be recomputed later",
        )
        demo.known_passwords_argument(parser)

    def handle(
        self, *args, scale, seed, reset, no_recompute, allow_known_passwords, verbosity, **options
    ):
        demo.known_passwords_check(allowed=allow_known_passwords, command="generate_data")
        started = time.monotonic()

        def say(message):
            if verbosity:
                self.stdout.write(f"[{time.monotonic() - started:6.1f}s] {message}")

        if not 0 < scale <= 10:
            raise CommandError("--scale must be more than 0 and at most 10.")
        if reset:
            self._reset(say)
        elif existing := cleanup.existing_data():
            found = ", ".join(f"{n:,} {what}" for what, n in existing.items())
            raise CommandError(
                f"The database already has {found}. Nothing was generated: run again with "
                "--reset to delete the generated data first."
            )
        try:
            summary = generate.generate(scale=scale, seed=seed, say=say)
        except generate.InvariantsFailed as failed:
            raise CommandError(
                f"The generated data broke a rule, so none was kept: {failed}"
            ) from failed
        if no_recompute:
            recomputed = "Dashboards: not recomputed (--no-recompute); reconcile progress first."
        else:
            say("Recomputing the progress tables behind the dashboards")
            progress_reconcile()
            recomputed = "Dashboards: progress recomputed."
        self._summary(summary, recomputed)
        self.stdout.write(
            f"Elapsed: {time.monotonic() - started:.1f}s "
            f"(generating and checking {summary.seconds:.1f}s)"
        )

    def _reset(self, say):
        say("Deleting the data generated before")
        try:
            deleted = cleanup.generated_delete()
        except (ProtectedError, RestrictedError) as error:
            raise CommandError(
                "Records people made refer to the generated data, so nothing was deleted: "
                f"{error.args[0]}"
            ) from error
        if deleted:
            say("Deleted " + ", ".join(f"{n:,} {what}" for what, n in deleted.items()))

    def _summary(self, summary, recomputed):
        stored = ", ".join(f"{n:,} {what}" for what, n in summary.stored.items())
        self.stdout.write(self.style.SUCCESS(f"Generated {stored}."))
        for label, statuses in (
            ("Initiatives", summary.initiative_statuses),
            ("Claims", summary.claim_statuses),
        ):
            spread = ", ".join(f"{status} {n:,}" for status, n in sorted(statuses.items()))
            self.stdout.write(f"{label} by status: {spread}")
        self.stdout.write(recomputed)
        self.stdout.write(
            f"Sign in as any generated person (admin@{common.EMAIL_DOMAIN} is an administrator) "
            f"with the password {common.PASSWORD}; managers and the administrator also give a "
            f"code from an authenticator app with the setup key {common.TOTP_SECRET}"
        )
