"""Accounts with a password anyone can read are never made by accident in production: seed_demo
and generate_data make them only with DEBUG on or when --allow-known-passwords asks by name,
and otherwise refuse, saying why, before they write anything."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from initiatives.models import Initiative
from partners import demo
from partners.models import Organisation, User

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("command", ["seed_demo", "generate_data"])
def test_with_debug_off_and_no_flag_the_command_refuses_saying_why_and_writes_nothing(
    settings, command
):
    settings.DEBUG = False
    before = Organisation.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command(command, stdout=StringIO(), verbosity=0)
    message = str(refused.value)
    assert message.startswith(f"{command} creates accounts, an administrator among them")
    assert "password" in message and "anyone could sign in" in message
    assert "DEBUG is off" in message and "--allow-known-passwords" in message
    assert Organisation.objects.count() == before
    assert not User.objects.exists() and not Initiative.objects.exists()


def test_generate_data_refuses_before_it_deletes_anything_it_made_before(settings):
    settings.DEBUG = False
    call_command(
        "generate_data", "--scale", "0.0005", "--no-recompute", "--allow-known-passwords",
        stdout=StringIO(), verbosity=0,
    )  # fmt: skip
    made = (User.objects.count(), Initiative.objects.count())
    with pytest.raises(CommandError, match="--allow-known-passwords"):
        call_command("generate_data", "--scale", "0.0005", "--reset", verbosity=0)
    assert (User.objects.count(), Initiative.objects.count()) == made


def test_with_the_flag_the_demo_accounts_are_made_with_debug_off(settings):
    settings.DEBUG = False
    out = StringIO()
    call_command("seed_demo", "--allow-known-passwords", stdout=out)
    assert User.objects.get(email=demo.DEMO_ADMIN_EMAIL).check_password(demo.DEMO_PASSWORD)
    assert demo.DEMO_PASSWORD in out.getvalue()


def test_with_debug_on_no_flag_is_needed(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    assert User.objects.filter(email__endswith=demo.DEMO_DOMAIN).count() == 4


def test_make_run_and_the_readmes_compose_command_pass_the_flag():
    """`make run` and the README's `docker compose run … seed_demo` must pass it: compose runs
    with DEBUG off, and make run must work even when DEBUG is set off in the environment."""
    makefile = (ROOT / "Makefile").read_text()
    readme = (ROOT / "README.md").read_text()
    seeding = re.findall(r"^\t.*seed_demo.*$", makefile, re.M)
    assert seeding and all("--allow-known-passwords" in line for line in seeding), seeding
    compose = re.findall(r"docker compose run[^`]*seed_demo[^`]*", readme)
    assert compose and all("--allow-known-passwords" in line for line in compose), compose
