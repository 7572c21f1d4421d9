"""Run the project in a fresh Python process with a chosen environment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETTINGS_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "DEBUG",
    "SECRET_KEY",
    "SECURE_SSL_REDIRECT",
    "EMAIL_BACKEND",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def run_python(args, **env):
    """Run `python *args` in the project with only the given settings variables set."""
    environment = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    environment.setdefault("DJANGO_SETTINGS_MODULE", "collaborate.settings")
    environment.update(env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def output_of(code, **env):
    """What `python -c code` prints, in a fresh process with only the given settings variables
    set (it must succeed)."""
    result = run_python(["-c", code], **env)
    assert result.returncode == 0, result.stderr
    return result.stdout
