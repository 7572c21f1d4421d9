"""Collaborate: the project package (settings, root URLs, the Celery app, site-wide views)."""

from collaborate.celery import app as celery_app

__all__ = ["celery_app"]
