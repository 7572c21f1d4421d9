"""The sweeps' shared scene, built once per test module inside a transaction that is rolled back
when the module ends (each test still runs in its own savepoint, as pytest-django's `db`
does)."""

import pytest
from django.db import transaction
from django.test import override_settings

from tests.security import scene


def _scene(django_db_blocker, media_root, marked):
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root),
        transaction.atomic(),
    ):
        yield scene.build(marked=marked)
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def plain_scene(django_db_setup, django_db_blocker, tmp_path_factory):
    yield from _scene(django_db_blocker, tmp_path_factory.mktemp("media"), marked=False)


@pytest.fixture(scope="module")
def marked_scene(django_db_setup, django_db_blocker, tmp_path_factory):
    yield from _scene(django_db_blocker, tmp_path_factory.mktemp("media"), marked=True)
