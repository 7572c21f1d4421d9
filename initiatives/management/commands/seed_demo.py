"""Add demo data for trying Collaborate locally; safe to run again (it adds nothing twice)."""

from django.core.management.base import BaseCommand

from partners import demo


class Command(BaseCommand):
    help = "Create the demo administrator (and demo data) if missing, and print how to sign in."

    def handle(self, *args, **options):
        admin = demo.demo_admin_ensure()
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        if admin.email == demo.DEMO_ADMIN_EMAIL:
            self.stdout.write(
                f"  Sign in as the administrator: {admin.email} / {demo.DEMO_PASSWORD}"
            )
        else:
            self.stdout.write(f"  An administrator already exists: sign in as {admin.email}.")
