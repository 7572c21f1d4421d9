"""Whether the real services are here, and what a test does when one is not."""

import os
import shutil

import pytest
from django.conf import settings
from django.db import connection

REQUIRED = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

missing = set()


def need(service, available):
    """Skip the calling test loudly when `service` is not available, or fail under
    REQUIRE_SERVICES=1 (CI), where every test must run."""
    if available:
        return
    message = f"{service} is not available: this test needs it"
    if REQUIRED:
        pytest.fail(f"{message}, and REQUIRE_SERVICES=1.")
    missing.add(service)
    pytest.skip(f"SERVICE MISSING — {message}.")


def need_postgres():
    need("PostgreSQL", connection.vendor == "postgresql")


def need_redis():
    need("Redis", bool(settings.REDIS_URL))


def need_chromium():
    need("Chromium", bool(shutil.which(CHROMIUM)))
