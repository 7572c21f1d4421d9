"""Settings for every environment, read from environment variables.

With nothing set, Collaborate runs on an SQLite file with Celery tasks run eagerly in-process,
so that `make run` shows the product with one command. Production and CI set DATABASE_URL and
REDIS_URL (PostgreSQL, Redis, a real worker and beat) and run with DEBUG off, where a missing
SECRET_KEY stops start-up.
"""

import os
from datetime import date, timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from collaborate import beat, log_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name)
    try:
        return int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_date(name, default):
    value = os.environ.get(name)
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a date as YYYY-MM-DD, not {value!r}.") from None


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (for example: python -c 'import secrets; print(secrets.token_urlsafe(50))'),"
            " or set DEBUG=true for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-DEBUG-is-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "collaborate.apps.CollaborateStaticFilesConfig",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "collaborate",
    "partners",
    "initiatives",
]

MIDDLEWARE = [
    # First: every log line of the request carries its id, and its time is measured whole.
    "collaborate.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-allauth's sign-in stages (the second factor after the password).
    "allauth.account.middleware.AccountMiddleware",
    # Private, uncached answers to the signed-in and for downloads; a Permissions-Policy.
    "collaborate.middleware.ResponseHeadersMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A person whose role needs a second factor sets one up before anything else.
    "partners.mfa.middleware.SecondFactorEnrolmentMiddleware",
    # Signed out after SESSION_IDLE_TIMEOUT without activity (after messages: it says so).
    "collaborate.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that a locked-out sign-in attempt is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "collaborate.urls"
WSGI_APPLICATION = "collaborate.wsgi.application"
ASGI_APPLICATION = "collaborate.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "collaborate.context_processors.site",
            ],
            "builtins": ["django.templatetags.static"],
        },
    }
]

# Every Django form renders GOV.UK Frontend markup through templates/django/forms/.
FORM_RENDERER = "collaborate.forms.GovUKFormRenderer"

# --- data -------------------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if not USING_POSTGRES:
    # SQLite: wait for a writer rather than failing at once when a second process writes.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Covering indexes (`include`) are PostgreSQL's; SQLite builds the index without them.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")

if REDIS_URL:
    # Redis out of reach is no cache, not an error page (collaborate.kit.cache); a Redis that
    # does not answer is given up on after CACHE_TIMEOUT_SECONDS.
    CACHE_TIMEOUT_SECONDS = env_int("CACHE_TIMEOUT_SECONDS", 2)
    CACHES = {
        "default": {
            "BACKEND": "collaborate.kit.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "collaborate",
            "OPTIONS": {
                "socket_connect_timeout": CACHE_TIMEOUT_SECONDS,
                "socket_timeout": CACHE_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Evidence files are served by a view that checks permission, never straight from MEDIA_URL.
MEDIA_URL = "/media-not-served/"
FILE_UPLOAD_PERMISSIONS = 0o640

# --- request limits ---------------------------------------------------------------------------

# Every request body is bounded before it is read into memory or onto disk. Form fields: 1 MB
# and 1,000 fields. Files: refused by collaborate.kit.uploads from the declared length, before a
# byte of them is read, beyond the limit of the route (1 MB where a view takes no files).
MB = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1 * MB)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000)
# Larger files go to a temporary file while the request is read, not into memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 1 * MB)
FILE_UPLOAD_HANDLERS = [
    "collaborate.kit.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
UPLOAD_MAX_SIZE = env_int("UPLOAD_MAX_SIZE", 1 * MB)  # a request to a view that takes no files
EVIDENCE_UPLOAD_MAX_SIZE = env_int("EVIDENCE_UPLOAD_MAX_SIZE", 10 * MB)  # evidence, per request
IMPORT_UPLOAD_MAX_SIZE = env_int("IMPORT_UPLOAD_MAX_SIZE", 20 * MB)  # spreadsheet imports
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 50_000)  # rows per sheet of an import
# How long an import's job may run (50,000 rows go through the services one by one); longer
# than the broker's visibility timeout, so a redelivered message finds the job's lock held.
IMPORT_JOB_TIME_LIMIT = env_int("IMPORT_JOB_TIME_LIMIT", 3 * 60 * 60)
# How long an uploaded spreadsheet is kept (its report, without the file, is kept for good).
IMPORT_FILE_RETENTION_DAYS = env_int("IMPORT_FILE_RETENTION_DAYS", 30)

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG

# --- users and sign-in ------------------------------------------------------------------------

AUTH_USER_MODEL = "partners.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60 * 24 * 3)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "partners.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in, second factors and single sign-on are django-allauth's (docs/decisions.md): accounts
# have an email address and no username; nobody signs themselves up (accounts come from
# invitations and single sign-on); its emails, reset and change of password are not used.
ACCOUNT_ADAPTER = "partners.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# django-axes throttles sign-ins (below); allauth's own limit on failures is off so that one
# address's failures never lock out colleagues behind it (nor its many sign-ins slow them).
ACCOUNT_RATE_LIMITS = {"login": None, "login_failed": None}
ACCOUNT_REAUTHENTICATION_TIMEOUT = 15 * 60
# Second factors: an authenticator app (TOTP), recovery codes, security keys and passkeys.
MFA_ADAPTER = "partners.mfa.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = "Collaborate"
MFA_RECOVERY_CODE_COUNT = 10
# Recovery codes are shown once, when they are made (the page offers them as a download too).
MFA_RECOVERY_CODES_SHOW_ONCE = True
MFA_FORMS = {
    "authenticate": "partners.mfa.forms.CodeForm",
    "reauthenticate": "partners.mfa.forms.ReauthenticateCodeForm",
    "activate_totp": "partners.mfa.forms.ActivateForm",
}
MFA_TRUST_ENABLED = False
# Local plain-HTTP runs (DEBUG) may register security keys on http://localhost.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
SOCIALACCOUNT_ADAPTER = "partners.sso.adapter.SocialAccountAdapter"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False

# --- single sign-on
# Identity providers are configured per organisation in the database (partners.sso), never in
# SOCIALACCOUNT_PROVIDERS. Their client secrets are encrypted with a key derived from
# SSO_SECRETS_KEY (set it to keep them readable across a change of SECRET_KEY), else SECRET_KEY.
SSO_SECRETS_KEY = os.environ.get("SSO_SECRETS_KEY", "")

# Throttle repeated failed sign-ins (django-axes) by the pair (account, address): a colleague
# behind the same address (a council's NAT) still signs in, and a successful sign-in clears only
# its own pair, never someone else's failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "partners.forms.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Whatever the addresses, an account that failed this many times within AXES_COOLOFF_TIME is
# refused for the cool-off (partners.permissions.sign_in_paused_for_account).
SIGN_IN_ACCOUNT_FAILURE_LIMIT = env_int("SIGN_IN_ACCOUNT_FAILURE_LIMIT", 20)
# Emails anyone may cause to be sent, an hour, per client address and per recipient.
PASSWORD_RESET_EMAILS_PER_ADDRESS = env_int("PASSWORD_RESET_EMAILS_PER_ADDRESS", 5)
PASSWORD_RESET_EMAILS_PER_RECIPIENT = env_int("PASSWORD_RESET_EMAILS_PER_RECIPIENT", 3)
INVITATION_EMAILS_PER_ADDRESS = env_int("INVITATION_EMAILS_PER_ADDRESS", 30)
INVITATION_EMAILS_PER_RECIPIENT = env_int("INVITATION_EMAILS_PER_RECIPIENT", 3)
# Messages about an initiative a person may send its lead's managers an hour (finding partners).
INTEREST_MESSAGES_PER_HOUR = env_int("INTEREST_MESSAGES_PER_HOUR", 5)
# Trusted reverse proxies in front: the client's address is the one the nearest of them appended
# to X-Forwarded-For (collaborate.kit.web.client_ip). 0: REMOTE_ADDR.
PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "collaborate.kit.web.client_ip"
AXES_VERBOSE = False

SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Signed out after this many seconds without a request of the person's own (polls do not count;
# collaborate.middleware.IdleTimeoutMiddleware), besides SESSION_COOKIE_AGE's absolute limit.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
# Cookies only over HTTPS whenever DEBUG is off, apart from the HTTPS redirect: a local
# plain-HTTP run (the load test, `docker compose up`) sets SECURE_COOKIES=false.
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES

# --- email ------------------------------------------------------------------------------------

# With DEBUG on (`make run`) emails appear in the terminal; otherwise they go by SMTP,
# configured by the EMAIL_* variables. EMAIL_BACKEND chooses another backend explicitly.
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_BACKEND_PATH = os.environ.get("EMAIL_BACKEND") or (CONSOLE_BACKEND if DEBUG else SMTP_BACKEND)
MAILER_OPTIONS = {}
if EMAIL_BACKEND_PATH == SMTP_BACKEND:
    MAILER_OPTIONS = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 587),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", True),
        "timeout": 30,
    }
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": MAILER_OPTIONS}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Collaborate <noreply@collaborate.local>")
# The address links in emails point at (invitations, password resets, notifications).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- the REST API (/api/v1/) ------------------------------------------------------------------

# Django REST framework, reading and writing through the same selectors, permission querysets
# and services as the pages (collaborate.kit.api). A request carries an API token
# (`Authorization: Bearer …`, /accounts/tokens/) or the browser's session, whose writes need
# the CSRF token as a page's do. JSON in and out; files as multipart for evidence.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partners.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "partners.api.authentication.TokenScope",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "collaborate.kit.api.CursorPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "collaborate.kit.api.exception_handler",
    # Per address: counted by TokenAuthentication before anything else (kit.throttles).
    "DEFAULT_THROTTLE_CLASSES": ["collaborate.kit.throttles.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": os.environ.get("API_RATE_PER_TOKEN", "600/minute"),
        "address": os.environ.get("API_RATE_PER_ADDRESS", "1200/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Collaborate API",
    "DESCRIPTION": (
        "Councils' collaboration initiatives, their partners, targets and savings claims, "
        "and the public register. Authenticate with an API token from /accounts/tokens/ "
        "(`Authorization: Bearer <token>`); read-only tokens may only read."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The same field name ("kind", "status") on several models: each choice set named once
    "ENUM_NAME_OVERRIDES": {
        "ClaimKindEnum": "initiatives.models.SavingsClaim.Kind",
        "ClaimStatusEnum": "initiatives.models.SavingsClaim.Status",
        "OrganisationKindEnum": "partners.models.Organisation.Kind",
        "InitiativeStatusEnum": "initiatives.models.Initiative.Status",
    },
}

# --- security ---------------------------------------------------------------------------------

# A strict Content-Security-Policy everywhere, DEBUG included: scripts only from this origin
# with the request's nonce, styles only from this origin, no inline code and no eval.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Powerful browser features no page of ours uses, denied to every page and frame
# (collaborate.middleware sends it).
PERMISSIONS_POLICY = [
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "hid",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
]
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from hx-headers, not from the cookie
SESSION_COOKIE_HTTPONLY = True

if not DEBUG:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # HTTPS everywhere by default. SECURE_SSL_REDIRECT=false is for a local `docker compose up`
    # over plain HTTP only (with SECURE_COOKIES=false for the cookies to travel without TLS).
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Container health checks talk plain HTTP to the process itself.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Celery -----------------------------------------------------------------------------------

# The longest task (a full recompute at national scale) must finish inside the hard limit, and
# Redis must not hand an unacknowledged task to a second worker while the first still runs it.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 25 * 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 30 * 60)
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_BROKER_TRANSPORT = "collaborate.broker:Transport" if REDIS_URL else None  # kombu's, repaired
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXTENDED = True
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TRACK_STARTED = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT}
# Redis out of reach: a task sent after a commit gives up in a second (Celery: 20 s), not the page.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "retry_policy": {"max_retries": 2, "interval_step": 0.5, "interval_max": 0.5},
}
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "collaborate")
CELERY_TIMEZONE = "Europe/London"
SWEEP_SECONDS = env_int("PROGRESS_SWEEP_SECONDS", 60 * env_int("PROGRESS_SWEEP_MINUTES", 3))
CELERY_BEAT_SCHEDULE = beat.schedule(sweep_seconds=SWEEP_SECONDS)  # collaborate/beat.py
# How often a worker records that it is alive, for /readyz.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 15)
# How long the audit log keeps each event, in days (two years by default): the nightly job
# deletes older ones and the privacy notice says so.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 2 * 365)
if AUDIT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("AUDIT_RETENTION_DAYS must be a number of days, 1 or more.")
# /readyz tells anyone only whether the node is ready; its detail (database, Redis, the workers'
# heartbeat) only to a request sending `Authorization: Bearer <READYZ_TOKEN>`. Unset: to nobody.
READYZ_TOKEN = os.environ.get("READYZ_TOKEN", "")
# Errors reported to Sentry when SENTRY_DSN is set (web and worker: sentry-sdk finds Django and
# Celery itself); no personal data is sent, and no performance tracing unless asked for.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        send_default_pii=False,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE") or 0),
    )
# Set (a directory every process of one machine may write) when gunicorn runs several workers:
# /metrics then adds up the counts of every process (prometheus_client's multiprocess mode).
PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")

# --- the accessibility statement and the privacy notice ---------------------------------------

# Who runs this copy of Collaborate (the data controller the privacy notice names) and how to
# reach them. Unset, both pages say so plainly and `check --deploy` warns.
SERVICE_OWNER = os.environ.get("SERVICE_OWNER", "").strip()
SERVICE_CONTACT_EMAIL = os.environ.get("SERVICE_CONTACT_EMAIL", "").strip()
# /.well-known/security.txt (RFC 9116): where to report a vulnerability (an email address or an
# https:// URL; SERVICE_CONTACT_EMAIL by default; unset, the file is not served), until when the
# file holds (a date; unset, a year from the day it is served) and, optionally, a policy's URL.
SECURITY_CONTACT = os.environ.get("SECURITY_CONTACT", "").strip() or SERVICE_CONTACT_EMAIL
SECURITY_TXT_EXPIRES = env_date("SECURITY_TXT_EXPIRES", None)
SECURITY_POLICY_URL = os.environ.get("SECURITY_POLICY_URL", "").strip()
# When the statement's text was prepared (this release's text by default) and last reviewed.
ACCESSIBILITY_STATEMENT_PREPARED = env_date("ACCESSIBILITY_STATEMENT_PREPARED", date(2026, 12, 1))
ACCESSIBILITY_STATEMENT_REVIEWED = env_date(
    "ACCESSIBILITY_STATEMENT_REVIEWED", ACCESSIBILITY_STATEMENT_PREPARED
)
# The date of the last manual accessibility audit that found the service fully compliant with
# WCAG 2.2 AA. Until one is recorded, the statement says "partially compliant".
ACCESSIBILITY_AUDIT_DATE = env_date("ACCESSIBILITY_AUDIT_DATE", None)

# --- the rest ---------------------------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# JSON lines for a log collector (the default with DEBUG off), or plain text to read; every line
# carries the id of the request or task it was written in (collaborate.observability).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in log_config.FORMATS:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}.")
LOGGING = log_config.logging_config(LOG_FORMAT, os.environ.get("LOG_LEVEL", "INFO"))
