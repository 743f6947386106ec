"""Settings for the Neighbourly Portal.

Everything that differs between a newcomer's laptop and production comes from the environment
(see `.env.example`). The defaults give a working local site on SQLite with no set-up; with
`DEBUG` off the portal refuses to start without a real `SECRET_KEY` and `ALLOWED_HOSTS`.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from portal.lib import quiet_hours as _quiet_hours

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
TESTING = env_bool("PORTAL_TESTING", False)

_DEV_SECRET = "dev-only-insecure-secret-key-change-me"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("Set SECRET_KEY to a random string of 50+ characters in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS (comma-separated host names) in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# A failed CSRF check gets our own page, in the person's language (portal/errors.py).
CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"

INSTALLED_APPS = [
    "portal",
    "portal.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the widgets' own templates, for the project's overrides below
    "allauth",
    "allauth.account",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks",
    "portal.task_queue.TaskQueueConfig",  # django_tasks_db, with a translated name
    # ledgers append-only in PostgreSQL: triggers declared on the models (portal/ledgers.py)
    "pgtrigger",
    # who changed settings, prices, rules, leaders, capacities: history in the admin
    "simple_history",
    "volunteers",
    "events",
    "canteen",
    "classes",
    "fund",
    "alliance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.cache.CacheScopeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # names the logged-in user on the change history (simple_history)
    "simple_history.middleware.HistoryRequestMiddleware",
    "portal.middleware.LanguageMiddleware",
    # Hostile input (NUL bytes, absurd lengths, unreadable dates and ids) gets a 400 page.
    "portal.middleware.HostileInputMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

# Form widgets render through the project's templates, so `templates/django/forms/` can speak
# plainly (an empty choice reads "请选择…", not "---------").
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {{ obj|localized:"title" }} everywhere (portal.lib.localized)
            "builtins": ["portal.templatetags.localized"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.portal",
            ],
        },
    },
]

# Database: SQLite for a newcomer, PostgreSQL (DATABASE_URL) for CI and production.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: local memory by default; REDIS_URL gives a cache shared by several app servers.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "portal"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Each process's own memory, for what depends only on the code and the translations (the
# navigation, rendered once per language and page kind): nothing a request changes.
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "portal-local",
    "OPTIONS": {"MAX_ENTRIES": 2000},
}

# Public pages seen alike by every visitor, and totals shown on them, are cached and made stale
# by any change to the data behind them (portal/cache.py); these bound how long a change that
# does not pass through the portal (or a clock-driven one) can stay unseen.
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 30)
CONTENT_CACHE_SECONDS = env_int("CONTENT_CACHE_SECONDS", 300)
# A resident's own pages (portal.cache.resident_page): kept until anything they show changes,
# and at most this long (what the clock changes: a post ended, a cut-off passed). 0: off.
RESIDENT_PAGE_CACHE_SECONDS = env_int("RESIDENT_PAGE_CACHE_SECONDS", 30)

# Sessions live in the database so any app server can serve any request, and are read through
# the cache (shared Redis in production) so a request does not wait for the database for them.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# How long a "remember me" log-in lasts; without it the session ends with the browser.
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "portal.backends.CachedModelBackend",
    "portal.backends.CachedAuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Texts (portal/sms/) and the delivery queue (portal/delivery.py): every text and mail is a
# portal.Delivery row sent after commit by a django-tasks worker (`manage.py db_worker`).
SMS_BACKEND = env_str("SMS_BACKEND", "console")  # console, locmem, file, alibaba, tencent
SMS_SIGN_NAME = env_str("SMS_SIGN_NAME", "公园路社区")
SMS_ACCESS_KEY_ID = env_str("SMS_ACCESS_KEY_ID")
SMS_ACCESS_KEY_SECRET = env_str("SMS_ACCESS_KEY_SECRET")
SMS_REGION = env_str("SMS_REGION")
SMS_ENDPOINT = env_str("SMS_ENDPOINT")  # empty: the provider's public endpoint
SMS_APP_ID = env_str("SMS_APP_ID")  # Tencent's SmsSdkAppId
SMS_TEMPLATES = env_str("SMS_TEMPLATES")  # kind=CODE[:param|param],…
SMS_FILE_PATH = env_str("SMS_FILE_PATH", str(BASE_DIR / "sms-outbox"))
MOBILE_VERIFICATION = env_bool(
    "MOBILE_VERIFICATION", SMS_BACKEND not in {"console", "locmem", "file"}
)
# Non-urgent texts wait through these hours (Asia/Shanghai); codes and urgent texts do not.
# (local time, "HH:MM-HH:MM", may cross midnight; empty: none). portal.lib.quiet_hours reads it.
NOTICE_QUIET_HOURS = env_str("NOTICE_QUIET_HOURS", "21:00-08:00")
if NOTICE_QUIET_HOURS.strip():
    try:
        _quiet_hours.parse(NOTICE_QUIET_HOURS)
    except ValueError as e:
        raise ImproperlyConfigured(f"NOTICE_QUIET_HOURS: {e}") from None
DELIVERY_RETRY_DELAYS = [60, 5 * 60, 30 * 60, 2 * 60 * 60]  # seconds; then it has failed
DELIVERY_SENDING_TIMEOUT = env_int("DELIVERY_SENDING_TIMEOUT", 10 * 60)
# The queue: the database (django-tasks-db, worker `manage.py db_worker`) in production; at once,
# in the process that commits, on a developer's machine and in tests (nothing extra to run).
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate" if DEBUG else "database")
if TASKS_BACKEND not in {"immediate", "database", "redis"}:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND is immediate, database or redis; got {TASKS_BACKEND!r}"
    )
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    # several servers sharing one Redis: `manage.py rqworker --job-class django_tasks_rq.Job`
    "redis": "django_tasks_rq.RQBackend",
}
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}
if TASKS_BACKEND == "redis":
    # The queue's own Redis (TASKS_REDIS_URL), or the cache's; RQ keeps jobs until a worker runs
    # them, so it should be a Redis that persists (appendonly), unlike a pure cache.
    _tasks_redis = env_str("TASKS_REDIS_URL") or REDIS_URL
    if not _tasks_redis:
        raise ImproperlyConfigured("TASKS_BACKEND=redis needs TASKS_REDIS_URL or REDIS_URL")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS["default"]["QUEUES"] = ["default"]
    RQ_QUEUES = {"default": {"URL": _tasks_redis, "DEFAULT_TIMEOUT": 300}}

# allauth: log in with a mainland mobile number or an email address, plus a password.
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"phone", "email"}
ACCOUNT_SIGNUP_FIELDS = ["phone", "email", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "portal.forms.SignupExtraForm"
# A code to the mobile at sign-up and when it changes: on with a real SMS provider (or
# MOBILE_VERIFICATION=1, as `make demo` does with the console backend); staff also verify in person.
ACCOUNT_PHONE_VERIFICATION_ENABLED = MOBILE_VERIFICATION
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_CHANGE = True
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_PHONE_VERIFICATION_TIMEOUT = 10 * 60
ACCOUNT_PHONE_VERIFICATION_MAX_ATTEMPTS = 3
# Log in (or, having forgotten the password, get in to set a new one) by a code to the mobile.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 5 * 60
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
# Six digits, as every mainland service sends them (easy to read out and type on a phone).
ALLAUTH_USER_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up and password reset never tell a stranger whether a number or email is registered:
# the account's owner is told instead (portal.signup). No mail goes to an address that has no
# account (the portal is nobody's mail relay).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_FORMS = {"signup": "portal.signup.PortalSignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None  # a "remember me" box on the log-in form (shared phones)
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, written out so they are visibly on.
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    # Codes by text cost money and can be used to pester a number: per number (key) and per
    # address (ip), by the minute and by the day.
    "request_login_code": "20/m/ip,50/d/ip,1/m/key,10/d/key",
    "verify_phone": "3/m/ip,50/d/ip,1/m/key,10/d/key",
    "change_phone": "1/m/user,5/d/user",
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Language and time: Chinese first, English second; Asia/Shanghai.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG  # also used by the text-size cookie
LANGUAGE_COOKIE_HTTPONLY = True
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Static and media files: ours, served by whitenoise (compressed and hashed in production).
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365 if not DEBUG else 0
# Largest image a resident or staff member may upload (announcements, posters, photos).
PORTAL_MAX_IMAGE_BYTES = env_int("PORTAL_MAX_IMAGE_BYTES", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = PORTAL_MAX_IMAGE_BYTES + 1024 * 1024
# Most pixels an uploaded image may have (a tiny PNG can claim 13,000 × 13,000 and take gigabytes
# to decode): refused before decoding, and Pillow's own limit (Image.MAX_IMAGE_PIXELS) is set to it.
PORTAL_MAX_IMAGE_PIXELS = env_int("PORTAL_MAX_IMAGE_PIXELS", 40_000_000)

# Email: to the console by default, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "睦邻门户 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The portal's address as residents reach it ("https://portal.example.org"): mailed notices
# carry a full link to what they are about when it is set.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "")

# Security: strict in production; `check --deploy` passes with DEBUG off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy and Permissions-Policy (portal.middleware.SecurityHeadersMiddleware).
# The portal has no script of its own and no inline style; Bootstrap draws form controls with
# data: images, and the QR codes are inline SVG.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    ]
)

# Reverse proxy: how many proxies (nginx, a load balancer) stand between the visitor and the
# app server. Each appends the address it saw to X-Forwarded-For, so the visitor's address is the
# TRUSTED_PROXY_COUNT-th from the end; anything before it was typed by the visitor. Per-IP limits
# (log-in, sign-up, password reset) use it. With 0 (no proxy) forwarded headers are ignored.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
if TRUSTED_PROXY_COUNT:
    # The proxy terminates TLS and says so; without a proxy a visitor could claim it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Only if the proxy rewrites Host and passes the original in X-Forwarded-Host.
USE_X_FORWARDED_HOST = TRUSTED_PROXY_COUNT > 0 and env_bool("USE_X_FORWARDED_HOST", False)

SILENCED_SYSTEM_CHECKS = [
    # Sign-up asks for a mobile number OR an email; neither alone is required, and
    # portal.forms.SignupExtraForm refuses a sign-up with neither.
    "account.W001",
]
if SECURE_HSTS_SECONDS and not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")  # HSTS preload is each deployment's decision

# One handler, on the root: Django's own `django` console handler (DEBUG only) is replaced by
# none, so runserver prints each line once; `django.server` keeps its access-log format and does
# not propagate. A 4xx from `django.request` is one line, without the traceback
# (portal.logs.OneLineClientErrors).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_client_errors": {"()": "portal.logs.OneLineClientErrors"}},
    "formatters": {
        # runserver's access lines keep their time stamp (Django's own format)
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # configuring "django" resets its children: runserver's logger is declared again
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.request": {
            "handlers": [],
            "level": "WARNING",
            "filters": ["one_line_client_errors"],
            "propagate": True,
        },
    },
}
