"""Django settings: every value comes from the environment (with embedded defaults).

Embedded default: a SQLite database and a data folder under ``./sigap-data``.
Set ``DATABASE_URL`` (e.g. ``postgres://postgres@127.0.0.1:5432/sigap``) for PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from sigap.core.importlimits import ImportLimits
from sigap.deploy import DEFAULT_SECRET_KEY, ENVIRONMENTS, parse_networks, secret_key_problems


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{name}={raw!r} is not a boolean (use 1/0, true/false)")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("SIGAP_DATA_DIR", str(Path.cwd() / "sigap-data"))).resolve()

# "production": SIGAP_ENV=production, or served by gunicorn/uWSGI/mod_wsgi (sigap.wsgi sets it when unset).
# Development (the default: demo, CLI, tests, runserver) accepts the public default key; production
# refuses to start with it, with a weak key or with DEBUG on (sigap.deploy, docs/security.md).
SIGAP_ENV = env_str("SIGAP_ENV", "development").strip().lower()
if SIGAP_ENV not in ENVIRONMENTS:
    raise ImproperlyConfigured(f"SIGAP_ENV={SIGAP_ENV!r}: use one of {', '.join(ENVIRONMENTS)}")
DEBUG = env_bool("SIGAP_DEBUG", False)
SECRET_KEY = env_str("SIGAP_SECRET_KEY", DEFAULT_SECRET_KEY)
if SIGAP_ENV == "production":
    _problems = secret_key_problems(SECRET_KEY)
    if DEBUG:
        _problems.append("SIGAP_DEBUG=1 shows stack traces (with personal data) to anyone")
    if _problems:
        raise ImproperlyConfigured(
            "SIGAP_ENV=production: refusing to start: " + "; ".join(_problems) + " (docs/security.md)"
        )
ALLOWED_HOSTS = env_list("SIGAP_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# The key of the citizen-status look-up hash (sigap.status.keys); empty: derived from SECRET_KEY.
# Changing it needs `sigap manage status_refresh`.
SIGAP_STATUS_KEY = env_str("SIGAP_STATUS_KEY", "")
# Reverse proxies (addresses or CIDR blocks) whose X-Forwarded-For / X-Forwarded-Proto are believed;
# from any other peer the client address is REMOTE_ADDR (sigap.web.ratelimit.client_ip).
SIGAP_TRUSTED_PROXIES = [str(n) for n in parse_networks(env_str("SIGAP_TRUSTED_PROXIES", ""))]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    # before django_tasks_db: its `db_worker` command (sigap.jobs.management) replaces the library's
    "sigap.jobs",
    "django_tasks_db",
    "axes",
    "sigap.accounts",
    "sigap.audit",
    "sigap.registry",
    "sigap.programmes",
    "sigap.enrolment",
    "sigap.billing",
    "sigap.holidays",
    "sigap.claims",
    "sigap.usulan",
    "sigap.pengaduan",
    "sigap.web",
    "sigap.status",
    "sigap.api",
    "sigap.coverage",
]

MIDDLEWARE = [
    "sigap.web.middleware.TrustedProxyMiddleware",  # https from a trusted proxy, before the redirect
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sigap.web.pagecache.FastPageMiddleware",  # a leader's cached dashboard in one statement
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "sigap.accounts.sessions.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sigap.web.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "sigap.urls"
WSGI_APPLICATION = "sigap.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

_default_db = "sqlite:///" + str(DATA_DIR / "sigap.sqlite3")
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_db), conn_max_age=60)}
# SQLite for several processes (web workers, db_worker, CLI): write-ahead log (readers never block the
# writer nor it them), synchronous=NORMAL (safe with WAL, no fsync per commit), a writer waits up to
# SIGAP_DB_BUSY_TIMEOUT seconds for the lock, and every transaction takes the write lock when it
# begins (BEGIN IMMEDIATE): a transaction that read first and then writes cannot fail with "database
# is locked" when another process wrote in between (SQLite cannot wait there, it can only refuse).
SIGAP_DB_BUSY_TIMEOUT = float(env_str("SIGAP_DB_BUSY_TIMEOUT", "30"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": SIGAP_DB_BUSY_TIMEOUT,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                f"PRAGMA busy_timeout={int(SIGAP_DB_BUSY_TIMEOUT * 1000)}"
            ),
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("SIGAP_TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("SIGAP_STATIC_ROOT") or None  # collectstatic target in production
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_ENGINE = "sigap.accounts.session_store"  # database sessions read with one plain statement
# Officers' sessions end after SIGAP_SESSION_IDLE_MINUTES without a request and, whatever the
# activity, SIGAP_SESSION_MAX_HOURS after the login (sigap.accounts.sessions).
SIGAP_SESSION_IDLE_MINUTES = int(env_str("SIGAP_SESSION_IDLE_MINUTES", "30"))
SIGAP_SESSION_MAX_HOURS = int(env_str("SIGAP_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = SIGAP_SESSION_MAX_HOURS * 3600
# SIGAP_HTTPS=1: the site is served over HTTPS only: secure cookies, redirect http -> https, HSTS.
# Behind a proxy that ends TLS, the proxy sends X-Forwarded-Proto and is in SIGAP_TRUSTED_PROXIES (or is
# on the same machine as gunicorn, which believes 127.0.0.1 itself).
SIGAP_HTTPS = env_bool("SIGAP_HTTPS", False)
SESSION_COOKIE_SECURE = SIGAP_HTTPS
CSRF_COOKIE_SECURE = SIGAP_HTTPS
SECURE_SSL_REDIRECT = SIGAP_HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if SIGAP_HTTPS:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SIGAP_HSTS_PRELOAD", False)
# HSTS preload is the domain owner's decision (the list takes registrable domains such as
# bekasikota.go.id, not the host SIGAP runs on): SIGAP_HSTS_PRELOAD=1 when they have made it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

TASKS = {"default": {"BACKEND": env_str("SIGAP_TASKS_BACKEND", "django_tasks_db.backend.DatabaseBackend")}}
# Largest file an Admin Dinas may upload for an import (bytes; default 2 GiB). Uploads are kept under
# DATA_DIR/uploads only until their import job ends.
SIGAP_UPLOAD_MAX_BYTES = int(env_str("SIGAP_UPLOAD_MAX_BYTES", str(2 * 1024**3)))
# Registry / roster import limits (bytes and rows; defaults in sigap.core.importlimits), checked before
# and while a file is read, from the web and the CLI alike (docs/security.md, "Import limits").
_import = ImportLimits()
SIGAP_IMPORT_MAX_FILE_BYTES = int(env_str("SIGAP_IMPORT_MAX_FILE_BYTES", str(_import.max_file_bytes)))
SIGAP_IMPORT_MAX_ROWS = int(env_str("SIGAP_IMPORT_MAX_ROWS", str(_import.max_rows)))
SIGAP_IMPORT_MAX_LINE_BYTES = int(env_str("SIGAP_IMPORT_MAX_LINE_BYTES", str(_import.max_line_bytes)))
SIGAP_IMPORT_XLSX_MAX_ROWS = int(env_str("SIGAP_IMPORT_XLSX_MAX_ROWS", str(_import.xlsx_max_rows)))
SIGAP_IMPORT_XLSX_MAX_UNPACKED_BYTES = int(
    env_str("SIGAP_IMPORT_XLSX_MAX_UNPACKED_BYTES", str(_import.xlsx_max_unpacked_bytes))
)
SIGAP_IMPORT_XLSX_MAX_RATIO = int(env_str("SIGAP_IMPORT_XLSX_MAX_RATIO", str(_import.xlsx_max_ratio)))
SIGAP_IMPORT_XLSX_MAX_CELL_BYTES = int(
    env_str("SIGAP_IMPORT_XLSX_MAX_CELL_BYTES", str(_import.xlsx_max_cell_bytes))
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("SIGAP_LOG_LEVEL", "WARNING")},
}

# Cache: per-process memory by default; SIGAP_CACHE_URL=redis://host:6379/0 shares it between
# processes (install the `redis` package).  Rate limits never use a per-process cache: they count in
# Redis when it is configured, in the database otherwise (sigap.web.ratelimit).
_cache_url = env_str("SIGAP_CACHE_URL", "")
if _cache_url.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}}
elif _cache_url:
    raise ValueError(f"SIGAP_CACHE_URL={_cache_url!r}: only redis:// URLs are supported")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sigap"}}

# Enrolment batches with more members than this are written by the background worker (django-tasks).
SIGAP_BATCH_INLINE_MAX = int(env_str("SIGAP_BATCH_INLINE_MAX", "20000"))
# A background job's lease (seconds): the worker running it writes a heartbeat every quarter of it; a
# running job silent for longer lost its worker (kill -9, out of memory) and is marked failed, and
# working folders (.tmp-*) untouched for longer are leftovers the clean-up removes (sigap.jobs.cleanup).
SIGAP_JOB_LEASE_SECONDS = float(env_str("SIGAP_JOB_LEASE_SECONDS", "120"))
if SIGAP_JOB_LEASE_SECONDS <= 0:
    raise ImproperlyConfigured(f"SIGAP_JOB_LEASE_SECONDS={SIGAP_JOB_LEASE_SECONDS}: use a positive number")

# Exports that grow with people or audit rows (the audit log, a programme's members): up to this many
# rows the request writes the file; above it a background job does, with progress (ADR 0024).
SIGAP_EXPORT_INLINE_ROWS = int(env_str("SIGAP_EXPORT_INLINE_ROWS", "2000"))
if SIGAP_EXPORT_INLINE_ROWS < 0:
    raise ImproperlyConfigured(f"SIGAP_EXPORT_INLINE_ROWS={SIGAP_EXPORT_INLINE_ROWS}: use 0 or more")

# The few statements every request pays are prepared on PostgreSQL (sigap.hotsql); 0 behind PgBouncer
# in transaction mode.
SIGAP_DB_PREPARED_STATEMENTS = env_str("SIGAP_DB_PREPARED_STATEMENTS", "1") not in ("0", "false", "no")

# Rate-limit counters: "auto" (Redis when SIGAP_CACHE_URL is set, else the database), "database", "cache".
SIGAP_RATELIMIT_STORE = env_str("SIGAP_RATELIMIT_STORE", "auto")
if SIGAP_RATELIMIT_STORE not in ("auto", "database", "cache"):
    raise ImproperlyConfigured(
        f"SIGAP_RATELIMIT_STORE={SIGAP_RATELIMIT_STORE!r}: use auto, database or cache"
    )

# Citizen status check (public page): requests per window per IP address and per NIK.  The per-IP
# ceiling is high (a kelurahan help desk checks for its visitors from one address, and behind a
# carrier NAT many phones share one); the per-NIK limit is what stops enumeration.  Grievance filing
# allows a third of the per-IP ceiling, ticket checks the same ceiling (sigap.pengaduan.views).
SIGAP_CITIZEN_CHECK_WINDOW = int(env_str("SIGAP_CITIZEN_CHECK_WINDOW", "60"))
SIGAP_CITIZEN_CHECK_PER_IP = int(env_str("SIGAP_CITIZEN_CHECK_PER_IP", "120"))
SIGAP_CITIZEN_CHECK_PER_NIK = int(env_str("SIGAP_CITIZEN_CHECK_PER_NIK", "5"))

# Login throttling (django-axes, sigap.accounts.lockout): SIGAP_LOGIN_FAILURE_LIMIT failures for one
# username from any addresses lock that username; SIGAP_LOGIN_IP_FAILURE_LIMIT failures from one
# address for any usernames lock that address; each for SIGAP_LOGIN_COOLOFF_MINUTES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env_str("SIGAP_LOGIN_FAILURE_LIMIT", "5"))
SIGAP_LOGIN_IP_FAILURE_LIMIT = int(env_str("SIGAP_LOGIN_IP_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(env_str("SIGAP_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "sigap.accounts.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "sigap.web.ratelimit.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "sigap.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
SIGAP_XLSX_MAX_ROWS = int(env_str("SIGAP_XLSX_MAX_ROWS", "100000"))  # larger run lists: CSV + Parquet only

# Machine clients of the REST API (sigap.api, docs/api.md): access tokens live SIGAP_API_TOKEN_MINUTES;
# each client may call SIGAP_API_RATE_PER_MINUTE times a minute, and each address may ask
# SIGAP_API_TOKEN_RATE_PER_MINUTE times a minute for a token or call with a bad token.
SIGAP_API_TOKEN_MINUTES = int(env_str("SIGAP_API_TOKEN_MINUTES", "15"))
SIGAP_API_RATE_PER_MINUTE = int(env_str("SIGAP_API_RATE_PER_MINUTE", "600"))
SIGAP_API_TOKEN_RATE_PER_MINUTE = int(env_str("SIGAP_API_TOKEN_RATE_PER_MINUTE", "30"))
