"""Settings for alertsite. Everything that varies between installs comes from the
environment; the README lists each variable with its default."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from alertsite import encryption
from alertsite.env import (
    env_bool,
    env_float,
    env_int,
    env_int_list,
    env_list,
    env_str,
    generate_secret_key,
    kept_secret,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "data"))).resolve()

SECRET_KEY = env_str("SECRET_KEY") or kept_secret(DATA_DIR, "secret_key", generate_secret_key)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", []) or [
    kept_secret(DATA_DIR, "field_encryption_key", encryption.generate_key)
]
# Fail at start-up, not at the first secret read, when a key is malformed.
encryption.parse_keys(FIELD_ENCRYPTION_KEYS)

PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
ACCOUNT_ID = env_str("ACCOUNT_ID", "1")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "anymail",
    "alerting",
    "integrations",
]

MIDDLEWARE = [
    # First, so that every answer (a refusal by a later middleware included) carries X-Request-ID.
    "alertsite.observability.request_ids.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "alerting.api.middleware.RefuseNulCharacters",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language (Accept-Language), then the account's.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A staff user's own language choice wins over the browser's.
    "alertsite.i18n.StaffLanguageMiddleware",
    # Configuration changes made by this request are recorded as its user's or API key's.
    "alerting.audit.middleware.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "alertsite.urls"
WSGI_APPLICATION = "alertsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "alerting.context_processors.alerting_state",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'alertsite.sqlite3'}"
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=0)
except Exception as exc:  # dj_database_url raises several types for bad URLs
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None

if _db["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # A file, not memory, so that worker processes started by tests share it.
    _db["TEST"] = {"NAME": str(DATA_DIR / "test_alertsite.sqlite3")}
    _db["OPTIONS"] = {
        # WAL lets the web server read while the worker writes; IMMEDIATE takes
        # the write lock at BEGIN so two writers queue instead of deadlocking.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"),
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend plus what needs its internals (alertsite.db.postgresql).
    _db["ENGINE"] = "alertsite.db.postgresql"
    # No pool: django-q2 forks worker processes and a pool's sockets must not
    # cross a fork. Persistent connections are safe for the web process only.
    _db.setdefault("OPTIONS", {})
    _db["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0)
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
# A kept connection that served the previous request without a database error
# less than a second ago skips the SELECT 1 health check (alertsite.db.postgresql).
DATABASE_HEALTH_CHECK_SHORTCUT = env_bool("DATABASE_HEALTH_CHECK_SHORTCUT", True)
# PostgreSQL with persistent connections: the ingest path's few hot statements
# are prepared on their connection (the backend's hot_cursor). Off behind a
# pooler that cannot keep prepared statements (PgBouncer before 1.21 in
# transaction mode).
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (shared between processes when Redis is configured) ------------------
REDIS_URL = env_str("REDIS_URL")


def _with_query_defaults(url: str, **options: object) -> str:
    """``url`` with redis-py connection options added to its query string,
    unless it sets them itself (django-q2 takes the broker as a bare URL)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update({k: str(v) for k, v in options.items() if k not in query})
    return urlunsplit(parts._replace(query=urlencode(query)))


# A hung Redis fails a call after these seconds instead of holding it.
REDIS_CONNECT_TIMEOUT = 2
REDIS_SOCKET_TIMEOUT = 5  # above the broker's 1 s blocking pop
# Nothing on the request path uses the cache: the API rate counters and the
# worker heartbeat have tables of their own (alerting.RateCounter,
# alerting.WorkerHeartbeat). django-q2 keeps its cluster statistics in it.
# The database cache's table is created by `migrate` (alerting 0004).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "alertsite",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "alertsite_cache",
        }
    }

# --- Task queue -----------------------------------------------------------------
# The task timeout must stay below `retry`, or django-q2 hands a still-running
# task to a second worker. Outbound HTTP timeouts stay well below the task timeout.
Q_TIMEOUT = env_int("Q_TIMEOUT", 120, minimum=10)
Q_RETRY = env_int("Q_RETRY", Q_TIMEOUT + 60, minimum=11)
if Q_RETRY <= Q_TIMEOUT:
    raise ImproperlyConfigured("Q_RETRY must be greater than Q_TIMEOUT")
Q_WORKERS = env_int("Q_WORKERS", 2, minimum=1)
Q_CLUSTER: dict[str, Any] = {
    "name": "alertsite",
    "workers": Q_WORKERS,
    "timeout": Q_TIMEOUT,
    "retry": Q_RETRY,
    "max_attempts": 1,
    "queue_limit": 200,
    "bulk": 10,
    "save_limit": 1000,
    "ack_failures": True,
    "catch_up": False,
    "poll": 0.2,
    "label": "Task queue",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = _with_query_defaults(
        REDIS_URL, socket_connect_timeout=REDIS_CONNECT_TIMEOUT, socket_timeout=REDIS_SOCKET_TIMEOUT
    )
else:
    Q_CLUSTER["orm"] = "default"

# --- E-mail -----------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 15)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "alertsite <alerts@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Anymail: ANYMAIL_<PROVIDER>_<SETTING> variables, e.g. ANYMAIL_POSTMARK_SERVER_TOKEN,
# are passed through as ANYMAIL = {"POSTMARK_SERVER_TOKEN": ...}.
ANYMAIL = {
    key[len("ANYMAIL_") :]: value
    for key, value in __import__("os").environ.items()
    if key.startswith("ANYMAIL_")
}

# --- Ingest and delivery -----------------------------------------------------------
AUTO_CREATE_MONITORS = env_bool("AUTO_CREATE_MONITORS", True)
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 2 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 6000, minimum=1)
# Requests per minute to one monitor's ping URL (/ping/<token>).
PING_RATE_LIMIT_PER_MINUTE = env_int("PING_RATE_LIMIT_PER_MINUTE", 60, minimum=1)
# How long an acknowledge link ({{@incident.acknowledgeUrl}}) works after its
# message was sent (it stops anyway once the incident resolves).
ACK_LINK_MAX_AGE_DAYS = env_int("ACK_LINK_MAX_AGE_DAYS", 7, minimum=1)
DELIVERY_RETRY_SCHEDULE = env_int_list("DELIVERY_RETRY_SCHEDULE", [30, 120, 480, 1800, 7200])
DELIVERY_MAX_AGE_SECONDS = env_int("DELIVERY_MAX_AGE_SECONDS", 24 * 3600, minimum=60)
DELIVERY_RETENTION_DAYS = env_int("DELIVERY_RETENTION_DAYS", 30, minimum=1)
DELIVERY_CONNECT_TIMEOUT = env_float("DELIVERY_CONNECT_TIMEOUT", 5.0)
DELIVERY_READ_TIMEOUT = env_float("DELIVERY_READ_TIMEOUT", 15.0)
OUTBOUND_ALLOWLIST = env_list("OUTBOUND_ALLOWLIST", [])
# Vendor endpoints used by the built-in transports; an integration's variables
# may override them (a regional endpoint, a relay, a local receiver in tests).
TWILIO_API_BASE_URL = env_str("TWILIO_API_BASE_URL", "https://api.twilio.com/2010-04-01")
PAGERDUTY_EVENTS_URL = env_str("PAGERDUTY_EVENTS_URL", "https://events.pagerduty.com/v2/enqueue")
DELIVERY_BATCH_SIZE = env_int("DELIVERY_BATCH_SIZE", 200, minimum=1)
DELIVERY_THREADS = env_int("DELIVERY_THREADS", 8, minimum=1)
DELIVERY_LINGER_SECONDS = env_float("DELIVERY_LINGER_SECONDS", 10.0)
DELIVERY_BREAKER_THRESHOLD = env_int("DELIVERY_BREAKER_THRESHOLD", 5, minimum=1)
DELIVERY_BREAKER_COOLDOWN = env_int("DELIVERY_BREAKER_COOLDOWN", 30, minimum=1)
DELIVERY_BREAKER_MAX_COOLDOWN = env_int("DELIVERY_BREAKER_MAX_COOLDOWN", 3600, minimum=1)
# A claim lasts this long unless its (live) task renews it; see integrations.delivery.leases.
DELIVERY_LEASE_SECONDS = env_int("DELIVERY_LEASE_SECONDS", 20, minimum=4)
# /healthz/delivery answers 503 when no worker was seen for this long, or the
# oldest due message has waited this long.
HEALTHZ_WORKER_MAX_AGE = env_int("HEALTHZ_WORKER_MAX_AGE", 120, minimum=1)
HEALTHZ_MAX_DELIVERY_LAG = env_int("HEALTHZ_MAX_DELIVERY_LAG", 300, minimum=1)
# GET /metrics answers only with "Authorization: Bearer <METRICS_TOKEN>"; empty: 404.
METRICS_TOKEN = env_str("METRICS_TOKEN")
# A counter adds new rows once they are this old (alerting.MetricTally): a
# delivery attempt has its outcome by then (connect + read timeout).
METRICS_SETTLE_SECONDS = env_int("METRICS_SETTLE_SECONDS", 30, minimum=0)
# alertsite_delivery_latency_seconds covers the messages raised this long ago at most.
METRICS_LATENCY_WINDOW_SECONDS = env_int("METRICS_LATENCY_WINDOW_SECONDS", 3600, minimum=60)

# --- Internationalisation ------------------------------------------------------------
# The languages of the admin and of the messages alertsite writes itself; the
# catalogues are in locale/ (README "Languages").
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("nl", "Nederlands"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The account's language: channel messages (Slack, Teams, ...) and the admin
# for a browser that asks for none of the above.
ACCOUNT_LANGUAGE = env_str("ACCOUNT_LANGUAGE", "en").strip().lower()
if ACCOUNT_LANGUAGE not in {code for code, _ in LANGUAGES}:
    _known = ", ".join(code for code, _ in LANGUAGES)
    raise ImproperlyConfigured(f"ACCOUNT_LANGUAGE must be one of {_known}, not {ACCOUNT_LANGUAGE!r}")
LANGUAGE_CODE = ACCOUNT_LANGUAGE
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- REST framework ------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Every API view: an API key, admin scope unless the view says otherwise,
    # the per-key rate limit, strict JSON only, and one error shape.
    "DEFAULT_AUTHENTICATION_CLASSES": ["alerting.api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["alerting.api.auth.AdminScope"],
    "DEFAULT_THROTTLE_CLASSES": ["alerting.api.ratelimit.ApiKeyRateThrottle"],
    "DEFAULT_PARSER_CLASSES": ["alerting.api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "alerting.api.negotiation.JSONNegotiation",
    "EXCEPTION_HANDLER": "alerting.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "alertsite API",
    "DESCRIPTION": "Submit check results, read incidents and alerts, configure alerting.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    # Every operation documents the answers authentication, rate limit and parser can give.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "alertsite.openapi.document_common_errors",
        "alertsite.openapi_tags.name_groups",
    ],
    # Several models have a field called "mode"; name each choice set after its class.
    "ENUM_NAME_OVERRIDES": {
        "ScheduleModeEnum": "alerting.models.schedules.ScheduleMode",
        "EscalationModeEnum": "alerting.models.definitions.EscalationMode",
        "VariableModeEnum": "integrations.models.integrations.VariableMode",
        "IncidentStatusEnum": "alerting.models.incidents.IncidentStatus",
    },
}

# --- Security (on whenever DEBUG is off) ------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    _https = PUBLIC_BASE_URL.startswith("https://")
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _https)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _https)
    # An https deployment redirects plain http; a load balancer's health probe
    # over plain http still gets an answer.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _https)
    SECURE_REDIRECT_EXEMPT = [r"^healthz(/delivery)?$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _https else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
    SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logging --------------------------------------------------------------------------
# plain: one readable line; json: one JSON object a line (alertsite.observability.jsonlog).
LOG_FORMAT = env_str("LOG_FORMAT", "plain").lower()
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be 'plain' or 'json'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "alertsite.observability.jsonlog.JsonFormatter"},
    },
    # Masks secret-looking text (tokens in URLs, bearer credentials) that slips into a log line.
    "filters": {"redact_secrets": {"()": "alertsite.log_redaction.RedactSecretsFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["redact_secrets"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-q2 logs as "django-q"; it propagates to the root handler above.
    "loggers": {"django-q": {"level": env_str("Q_LOG_LEVEL", "INFO")}},
}
if LOG_FORMAT == "json":
    # Python warnings become log records (logger py.warnings), so they are JSON lines too.
    logging.captureWarnings(True)
    # runserver's request lines have a handler of their own in Django's defaults.
    LOGGING["loggers"]["django.server"] = {"handlers": ["console"], "level": "INFO", "propagate": False}  # type: ignore[index]
