from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partner organisations and people"

    def ready(self):
        # The audit log's sign-in, sign-out and lockout events (partners/receivers.py).
        from partners import receivers  # noqa: F401

        # Second factors added, removed, used and failed (partners/mfa/receivers.py).
        from partners.mfa import receivers as mfa_receivers  # noqa: F401
