"""Django settings: every value comes from the environment (with embedded defaults).

Embedded default: a SQLite database and a data folder under ``./sigap-data``.
Set ``DATABASE_URL`` (e.g. ``postgres://postgres@127.0.0.1:5432/sigap``) for PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _


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

DEBUG = env_bool("SIGAP_DEBUG", False)
SECRET_KEY = env_str("SIGAP_SECRET_KEY", "insecure-dev-key-change-me-" + "x" * 32)
ALLOWED_HOSTS = env_list("SIGAP_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
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
    "sigap.jobs",
    "sigap.usulan",
    "sigap.pengaduan",
    "sigap.web",
    "sigap.status",
    "sigap.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30
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
SESSION_COOKIE_SECURE = env_bool("SIGAP_HTTPS", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if SESSION_COOKIE_SECURE:
    SECURE_HSTS_SECONDS = 31536000

TASKS = {"default": {"BACKEND": env_str("SIGAP_TASKS_BACKEND", "django_tasks_db.backend.DatabaseBackend")}}
# Largest file an Admin Dinas may upload for an import (bytes; default 2 GiB). Uploads are kept under
# DATA_DIR/uploads only until their import job ends.
SIGAP_UPLOAD_MAX_BYTES = int(env_str("SIGAP_UPLOAD_MAX_BYTES", str(2 * 1024**3)))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("SIGAP_LOG_LEVEL", "WARNING")},
}

# Cache: per-process memory by default; SIGAP_CACHE_URL=redis://host:6379/0 shares it between
# processes (needed for rate limits with several workers; install the `redis` package).
_cache_url = env_str("SIGAP_CACHE_URL", "")
if _cache_url.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}}
elif _cache_url:
    raise ValueError(f"SIGAP_CACHE_URL={_cache_url!r}: only redis:// URLs are supported")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sigap"}}

# Enrolment batches with more members than this are written by the background worker (django-tasks).
SIGAP_BATCH_INLINE_MAX = int(env_str("SIGAP_BATCH_INLINE_MAX", "20000"))

# Citizen status check (public page): requests per window per IP address and per NIK.
SIGAP_CITIZEN_CHECK_WINDOW = int(env_str("SIGAP_CITIZEN_CHECK_WINDOW", "60"))
SIGAP_CITIZEN_CHECK_PER_IP = int(env_str("SIGAP_CITIZEN_CHECK_PER_IP", "10"))
SIGAP_CITIZEN_CHECK_PER_NIK = int(env_str("SIGAP_CITIZEN_CHECK_PER_NIK", "5"))

# Login throttling (django-axes): 5 failures for a username from one address -> locked 15 minutes.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env_str("SIGAP_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "sigap/login_locked.html"

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
