"""docker-compose.yml and the Dockerfile run commands that exist in this project."""

import importlib
import shlex
from pathlib import Path

import pytest
import yaml
from celery import Celery
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = ["migrate", "web", "worker", "beat"]


def command_of(service):
    command = COMPOSE["services"][service]["command"]
    return shlex.split(command) if isinstance(command, str) else command


def commands_run_by(argv):
    """Split `sh -c "a && b"` into its commands; otherwise the one command."""
    if argv[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in argv[2].split("&&")]
    return [argv]


def test_compose_runs_web_worker_and_beat_from_one_image_with_health_checks():
    services = COMPOSE["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert {services[name]["image"] for name in APP_SERVICES} == {"collaborate:local"}
    for name in ["db", "redis", "web", "worker", "beat"]:
        assert "healthcheck" in services[name], name
    assert "pgdata" in COMPOSE["volumes"]


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


def test_the_worker_listens_on_the_queue_tasks_are_sent_to():
    from django.conf import settings

    worker = command_of("worker")
    queues = next(a.split("=", 1)[1] for a in worker if a.startswith("--queues="))
    # The settings' default queue name, when CELERY_QUEUE is not set (as in compose).
    assert queues == "collaborate"
    assert settings.CELERY_TASK_DEFAULT_QUEUE in {"collaborate", "collaborate-tests"}


def test_the_dockerfile_serves_the_wsgi_app_the_compose_file_names():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"collaborate.wsgi:application"' in dockerfile
    assert "uv sync --frozen --no-dev" in dockerfile
    assert "collectstatic" in dockerfile
