"""The API tests' shared scene (tests/security/scene.py), built once per module inside a
transaction rolled back when the module ends; each test still runs in its own savepoint."""

import pytest
from django.db import transaction
from django.test import override_settings

from tests.security import scene


@pytest.fixture(scope="module")
def api_scene(django_db_setup, django_db_blocker, tmp_path_factory):
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        transaction.atomic(),
    ):
        yield scene.build()
        transaction.set_rollback(True)
