from django.apps import AppConfig
from django.conf import settings
from django.contrib.staticfiles.apps import StaticFilesConfig


class CollaborateStaticFilesConfig(StaticFilesConfig):
    """collectstatic leaves out the front-end sources (static/src): only the built files in
    static/dist and the files we serve as they are are collected."""

    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "src", "*.scss", "*.mjs"]


class CollaborateConfig(AppConfig):
    """The project package as an app: its templates, commands, deployment checks and the
    idle timeout's record of signing in."""

    default = True
    name = "collaborate"

    def ready(self):
        from prometheus_client import REGISTRY

        from collaborate import (
            checks,  # noqa: F401  (registers the checks)
            middleware,  # noqa: F401  (its sign-in receiver)
            observability,
        )

        observability.install_log_records()
        if not settings.PROMETHEUS_MULTIPROC_DIR:
            REGISTRY.register(observability.STATE)
