"""Settings come from the environment, with an embedded default and strict production checks."""

import json

from collaborate.celery import app as celery_app
from tests.subprocesses import run_python

run = run_python


def settings_seen(**env):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
        "'name': str(s.DATABASES['default']['NAME']), 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
        "'broker': s.CELERY_BROKER_URL}))"
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


def sign_in_page_over(proto, **env):
    """How a process with this environment answers a GET of the sign-in page that reached it
    over `proto` (as the proxy in front says): status, Location and which cookies are Secure."""
    code = (
        "import django, json; django.setup(); from django.test import Client; "
        f"r = Client().get('/accounts/login/', headers={{'X-Forwarded-Proto': {proto!r}}}); "
        "print(json.dumps({'status': r.status_code, 'location': r.get('Location'), "
        "'secure': {k: bool(v['secure']) for k, v in r.cookies.items()}}))"
    )
    result = run(["-c", code], ALLOWED_HOSTS="testserver", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_production_sends_plain_http_to_https_and_sets_only_secure_cookies():
    production = {"SECRET_KEY": "k" * 50}
    plain = sign_in_page_over("http", **production)
    assert plain["status"] == 301 and plain["location"] == "https://testserver/accounts/login/"
    secure = sign_in_page_over("https", **production)
    assert secure["status"] == 200 and secure["secure"] == {"csrftoken": True}


def test_plain_http_compose_serves_over_http_with_cookies_a_browser_keeps_there():
    page = sign_in_page_over(
        "http", SECRET_KEY="k" * 50, SECURE_SSL_REDIRECT="false", SECURE_COOKIES="false"
    )
    assert page["status"] == 200 and page["secure"] == {"csrftoken": False}


def test_cookies_stay_secure_without_the_https_redirect_unless_turned_off_on_their_own():
    no_redirect = sign_in_page_over("http", SECRET_KEY="k" * 50, SECURE_SSL_REDIRECT="false")
    assert no_redirect["status"] == 200 and no_redirect["secure"] == {"csrftoken": True}
    assert sign_in_page_over("http", DEBUG="true")["secure"] == {"csrftoken": False}


def test_start_up_without_secret_key_stops_with_a_clear_message_when_debug_is_off():
    result = run(["manage.py", "check"])
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_check_deploy_reports_nothing_with_production_settings():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        SECRET_KEY="a-production-secret-" + "q7Z" * 20,
        ALLOWED_HOSTS="collaborate.example.gov.uk",
        SERVICE_OWNER="Leeds City Council",
        SERVICE_CONTACT_EMAIL="collaborate@leeds.gov.uk",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_celery_limits_let_a_running_task_finish_before_redis_redelivers_it():
    conf = celery_app.conf
    assert conf.task_soft_time_limit < conf.task_time_limit
    # Redis must not hand a running task to a second worker before the first could finish it.
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
