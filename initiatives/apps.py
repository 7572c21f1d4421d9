from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "initiatives"
    verbose_name = "Initiatives and savings"

    def ready(self):
        # Answer partners' organisation_merged signal (the one signal that changes data).
        from initiatives import receivers  # noqa: F401
