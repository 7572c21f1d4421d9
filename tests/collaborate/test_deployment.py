"""docker-compose.yml runs commands that exist in this project, wired to each other."""

import importlib
import shlex
from pathlib import Path

import pytest
import yaml
from celery import Celery
from django.core.management import get_commands

from tests.subprocesses import run_python

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = ["migrate", "web", "worker", "beat"]


def compose_environment(service):
    environment = COMPOSE["services"][service].get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {k: str(v) for k, v in environment.items() if "${" not in str(v)}


def command_of(service):
    command = COMPOSE["services"][service]["command"]
    return shlex.split(command) if isinstance(command, str) else command


def commands_run_by(argv):
    """Split `sh -c "a && b"` into its commands; otherwise the one command."""
    if argv[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in argv[2].split("&&")]
    return [argv]


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_command_a_compose_service_runs_exists(service):
    for argv in commands_run_by(command_of(service)):
        program = argv[0]
        if program == "gunicorn":
            module, attribute = argv[1].split(":")
            assert callable(getattr(importlib.import_module(module), attribute))
        elif program == "celery":
            app_path = next(a.split("=", 1)[1] for a in argv if a.startswith("--app="))
            assert isinstance(importlib.import_module(app_path).celery_app, Celery)
            assert argv[argv.index(next(a for a in argv if a.startswith("--app="))) + 1] in {
                "worker",
                "beat",
            }
        elif program == "python":
            assert argv[1] == "manage.py"
            assert argv[2] in get_commands(), f"no management command {argv[2]!r}"
        else:
            pytest.fail(f"{service} runs an unknown program {program!r}")


def test_the_worker_listens_on_the_queue_the_app_sends_tasks_to():
    worker = command_of("worker")
    queues = next(a.split("=", 1)[1] for a in worker if a.startswith("--queues="))
    # The queue tasks go to in a process configured as compose configures it (no CELERY_QUEUE).
    code = (
        "import os; os.environ.pop('CELERY_QUEUE', None); import django; django.setup(); "
        "from collaborate.celery import app; print(app.conf.task_default_queue)"
    )
    result = run_python(["-c", code], **{"SECRET_KEY": "k" * 50, **compose_environment("worker")})
    assert result.returncode == 0, result.stderr
    assert queues.split(",") == [result.stdout.split()[-1]]
