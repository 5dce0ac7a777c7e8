"""Settings for khoithidua, read from the environment (healthchecks style)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "False")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY phải được đặt khi DEBUG tắt (SECRET_KEY is required when DEBUG is off)."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "khoithidua",
    "blocs",
    "awards",
    "meetings",
    "documents",
    "legal",
    "accounts",
    "notices",
    "hall",
    "django_tasks_db",
    "jobs",
    "signing",
    "charts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "khoithidua.lib.badbytes.BadBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "khoithidua.middleware.CookieLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "khoithidua.feedback.HtmxSessionEndMiddleware",
    "khoithidua.once.SubmitOnceMiddleware",
    "khoithidua.lib.loginguard.LoginLockMiddleware",
]

ROOT_URLCONF = "khoithidua.urls"
WSGI_APPLICATION = "khoithidua.wsgi.application"

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
                "khoithidua.context_processors.roles",
                "notices.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'khoithidua.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same backend, with a health check that asks the kernel before asking the server
    # (khoithidua/db/postgresql/base.py): no SELECT 1 round trip on a quiet connection.
    DATABASES["default"]["ENGINE"] = "khoithidua.db.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Uploaded and generated files (scans, signed PDFs, job files) must be seen by every app server:
# by default they live in PostgreSQL (khoithidua.lib.dbstorage; the documents are small, and a
# file saved inside a transaction disappears with its rollback: no orphans). FILE_STORAGE=filesystem
# keeps files under MEDIA_ROOT (one server only, or a shared mount). FILE_STORAGE=s3 puts them
# in an S3-compatible object store (django-storages; S3_* variables, README "Triển khai").
FILE_STORAGE = os.environ.get("FILE_STORAGE", "database")


def s3_storage_options() -> dict:
    """django-storages' S3Storage options from S3_* variables (any S3-compatible service)."""
    bucket = os.environ.get("S3_BUCKET", "")
    if not bucket:
        raise ImproperlyConfigured("FILE_STORAGE=s3 needs S3_BUCKET (and S3_ENDPOINT_URL, keys).")
    return {
        "bucket_name": bucket,
        "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("S3_REGION") or None,
        "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
        "location": os.environ.get("S3_PREFIX", "").strip("/"),
        "addressing_style": os.environ.get("S3_ADDRESSING_STYLE") or None,
        "signature_version": "s3v4",
        "default_acl": None,  # private objects: the app streams every file itself
        "file_overwrite": False,  # as the other storages: a taken name gets a suffix
        "querystring_auth": True,
    }


_STORAGE_BACKENDS = {
    "database": "khoithidua.lib.dbstorage.DatabaseStorage",
    "filesystem": "django.core.files.storage.FileSystemStorage",
    "s3": "storages.backends.s3.S3Storage",
}
if FILE_STORAGE not in _STORAGE_BACKENDS:
    raise ImproperlyConfigured(f"FILE_STORAGE must be one of {', '.join(_STORAGE_BACKENDS)}.")
STORAGES = {
    "default": {"BACKEND": _STORAGE_BACKENDS[FILE_STORAGE]}
    | ({"OPTIONS": s3_storage_options()} if FILE_STORAGE == "s3" else {}),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads: imports and signed scans are small documents.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MAX_IMPORT_BYTES = int(os.environ.get("MAX_IMPORT_BYTES", str(20 * 1024 * 1024)))
# A registry export of more rows than this runs as a background job (progress bar, then a
# download link) instead of being answered in the request.
REGISTRY_EXPORT_JOB_ROWS = int(os.environ.get("REGISTRY_EXPORT_JOB_ROWS", "20000"))
# The file an export job wrote is deleted this many hours after the job finished (before each
# new export job, and by `manage.py purge_exports`, to run from cron).
REGISTRY_EXPORT_TTL_HOURS = int(os.environ.get("REGISTRY_EXPORT_TTL_HOURS", "72"))
# A registry import of more data rows than this runs as a background job (progress bar, then the
# report) instead of in the request; files that need the merger preview stay in the request.
REGISTRY_IMPORT_JOB_ROWS = int(os.environ.get("REGISTRY_IMPORT_JOB_ROWS", "5000"))

# Security. Strict CSP: only our own scripts and styles, no inline code.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
_https = envbool("HTTPS", "False" if DEBUG else "True")
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True" if _https else "False")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if _https else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = _https
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The container's health check asks gunicorn directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Login protection (khoithidua.lib.loginguard), on every login path (/login/, /admin/login/):
# an account locks for one client after LOGIN_MAX_FAILURES failures from that client, for
# LOGIN_LOCKOUT_SECONDS, doubled at each new lock (backoff, at most a day); a client locks for all
# accounts after LOGIN_CLIENT_MAX_FAILURES failures across accounts (password spraying).
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "900"))
LOGIN_CLIENT_MAX_FAILURES = int(os.environ.get("LOGIN_CLIENT_MAX_FAILURES", "20"))
AUTHENTICATION_BACKENDS = [
    "khoithidua.lib.loginguard.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Ký số (signing/): a RFC 3161 timestamp server makes server signatures PAdES B-T (empty: B-B);
# the PKCS#11 modules (HSM, SoftHSM2) an organizer's profile may load, comma-separated. Only the
# server's administrator sets these: a module path is code the server runs.
SIGNING_TSA_URL = os.environ.get("SIGNING_TSA_URL", "")
SIGNING_PKCS11_MODULES = envlist("SIGNING_PKCS11_MODULES", "")

# Secret ballots (meetings): the key that wraps each poll's private key and keys the hash of
# ballot codes. It lives outside the database; without it a database copy reveals no ballot.
# Required in production; a development machine generates one once in var/ballot.key.
BALLOT_KEY = os.environ.get("BALLOT_KEY", "")
if not BALLOT_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "BALLOT_KEY phải được đặt khi DEBUG tắt (BALLOT_KEY is required when DEBUG is off)."
        )
    from meetings.crypto import development_ballot_key

    BALLOT_KEY = development_ballot_key(BASE_DIR / "var" / "ballot.key")

# Demo data (manage.py load_demo: known accounts and passwords) loads only on a development
# machine (DEBUG, `make run`) or when asked for with DEMO=1; never on a production server.
DEMO_ALLOWED = DEBUG or os.environ.get("DEMO", "") == "1"

# bench/*.py: enables trivial floor endpoints (e.g. /bench/ping-post/). Off in production.
BENCH_ENDPOINTS = envbool("BENCH_ENDPOINTS", "False")

# Cache, login throttle and submit-once tokens are shared by every worker of
# every app server, and need atomic operations (INCR, SET NX with an expiry): Redis through
# Django's RedisCache (README, "Triển khai", says why not DatabaseCache). CACHE_URL names it;
# CACHE_KEY_PREFIX separates several deployments (or test runs) on one Redis. Local development
# (DEBUG, no CACHE_URL) keeps memory. The ballot-code throttle is in PostgreSQL (meetings.throttle).
CACHE_URL = os.environ.get("CACHE_URL", "" if DEBUG else "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "khoithidua.lib.rediscache.ReusingRedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "khoithidua"),
        "TIMEOUT": 300,
    }
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# The client address comes from X-Forwarded-For only through this many trusted proxies in front
# of the app (docker-compose: 1, nginx). 0: the app is reached directly, REMOTE_ADDR is the client.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

# Background jobs (jobs.services): Django's tasks framework, queue in the database, run by
# `manage.py db_worker` (the `worker` service in docker-compose.yml).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- dayflow (issue 13): email for invitations and notices --------------------------------
# Mail leaves through Django's SMTP backend (Django 6.1 MAILERS). Without EMAIL_HOST, DEBUG
# prints mails to the console instead.
_email_host = os.environ.get("EMAIL_HOST", "")
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.console.EmailBackend"
        if DEBUG and not _email_host
        else "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {}
        if DEBUG and not _email_host
        else {
            "host": _email_host or "localhost",
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": envbool("EMAIL_USE_TLS", "False"),
            "use_ssl": envbool("EMAIL_USE_SSL", "False"),
            "timeout": int(os.environ.get("EMAIL_TIMEOUT", "20")),
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "khoithidua <khoithidua@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address in links of mails sent by the background worker (no request to take it from).
SITE_URL = os.environ.get("SITE_URL", "")
INVITATION_DAYS = int(os.environ.get("INVITATION_DAYS", "7"))

# --- dayflow (issue 13): feedback everywhere ------------------------------------------------
# Vietnamese for Django's own strings that Django's vi catalogue lacks (khoithidua/locale_vi).
LOCALE_PATHS = [*LOCALE_PATHS, BASE_DIR / "khoithidua" / "locale_vi"]
CSRF_FAILURE_VIEW = "khoithidua.feedback.csrf_failure"
