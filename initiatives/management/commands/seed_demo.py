"""Add demo data for trying Collaborate locally; safe to run again (it adds nothing twice)."""

from django.core.management.base import BaseCommand

from initiatives import demo as initiative_demo
from partners import demo


class Command(BaseCommand):
    help = "Create demo organisations and one demo user per role, and print how to sign in."

    def add_arguments(self, parser):
        demo.known_passwords_argument(parser)

    def handle(self, *args, allow_known_passwords, **options):
        people = initiative_demo.demo_seed(allow_known_passwords=allow_known_passwords)

        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in with:"))
        for user, organisation, role in people:
            what = "administrator" if user.is_staff else f"{role} of {organisation.name}"
            self.stdout.write(f"  {user.email:<36} password {demo.DEMO_PASSWORD}   ({what})")
            if secret := demo.demo_second_factor_of(user):
                self.stdout.write(f"  {'':<36} authenticator app setup key {secret}")
        self.stdout.write("  Sign in as the administrator to manage organisations and users.")
        self.stdout.write(
            "  The administrator and the manager sign in with a code from an authenticator app: "
            "add the setup key above to yours (docs/two-factor-authentication.md)."
        )
