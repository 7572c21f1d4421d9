from django.contrib.staticfiles.apps import StaticFilesConfig


class CollaborateStaticFilesConfig(StaticFilesConfig):
    """collectstatic leaves out the front-end sources (static/src): only the built files in
    static/dist and the files we serve as they are are collected."""

    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "src", "*.scss", "*.mjs"]
