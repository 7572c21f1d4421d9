"""Demo people and organisations for `manage.py seed_demo`: idempotent, for trying the product."""

from django.db import transaction

from partners.models import User

DEMO_PASSWORD = "collaborate-demo-2026"  # noqa: S105 - printed for the local demo on purpose
DEMO_ADMIN_EMAIL = "admin@demo.collaborate.local"


@transaction.atomic
def demo_admin_ensure():
    """The demo administrator, created with the demo password if there is no admin at all."""
    admin = User.objects.filter(is_staff=True, is_active=True).order_by("pk").first()
    if admin is None:
        admin = User.objects.create_user(
            DEMO_ADMIN_EMAIL, DEMO_PASSWORD, full_name="Demo Administrator", is_staff=True
        )
    return admin
