"""Settings come from the environment, with an embedded default and strict production checks."""

import json

from django.conf import settings

from collaborate.celery import app as celery_app
from tests import services
from tests.subprocesses import run_python

run = run_python


def settings_seen(**env):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
        "'name': str(s.DATABASES['default']['NAME']), 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
        "'broker': s.CELERY_BROKER_URL, 'redirect': getattr(s, 'SECURE_SSL_REDIRECT', None), "
        "'secure_cookies': s.SESSION_COOKIE_SECURE}))"
    )
    result = run(["-c", code], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_settings_without_environment_use_sqlite_and_eager_celery():
    seen = settings_seen(DEBUG="true")
    assert seen["engine"] == "django.db.backends.sqlite3"
    assert seen["name"].endswith("db.sqlite3")
    assert seen["eager"] is True


def test_settings_read_database_and_redis_from_environment():
    seen = settings_seen(
        SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://someone@db.example:5432/collab",
        REDIS_URL="redis://cache.example:6379/2",
    )
    assert seen["engine"] == "django.db.backends.postgresql"
    assert seen["name"] == "collab"
    assert seen["eager"] is False
    assert seen["broker"] == "redis://cache.example:6379/2"
    assert seen["redirect"] is True and seen["secure_cookies"] is True


def test_https_redirect_and_secure_cookies_turn_off_together_for_plain_http_compose():
    seen = settings_seen(SECRET_KEY="k" * 50, SECURE_SSL_REDIRECT="false")
    assert seen["redirect"] is False
    assert seen["secure_cookies"] is False


def test_start_up_without_secret_key_stops_with_a_clear_message_when_debug_is_off():
    result = run(["manage.py", "check"])
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_check_deploy_reports_nothing_with_production_settings():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        SECRET_KEY="a-production-secret-" + "q7Z" * 20,
        ALLOWED_HOSTS="collaborate.example.gov.uk",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_celery_is_configured_for_safe_redelivery():
    conf = celery_app.conf
    assert conf.accept_content == ["json"]
    assert conf.task_serializer == "json" and conf.result_serializer == "json"
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_time_limit and conf.task_soft_time_limit < conf.task_time_limit
    # Redis must not hand a running task to a second worker before the first could finish it.
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit


def test_celery_tasks_can_be_queued_after_commit():
    from partners.tasks import email_send

    assert callable(email_send.delay_on_commit)


def test_celery_is_eager_only_without_redis_and_never_when_services_are_required():
    assert celery_app.conf.task_always_eager is (not settings.REDIS_URL)
    if services.REQUIRED:
        assert settings.REDIS_URL, "REQUIRE_SERVICES=1 but no REDIS_URL"
        assert celery_app.conf.task_always_eager is False
