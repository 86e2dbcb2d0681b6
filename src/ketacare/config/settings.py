"""KetaCare settings, read from the environment (README, "Configuration").

Two modes: demo (`KETACARE_DEMO=1`, what `make run` uses: SQLite under var/, a generated secret
kept in var/, demo users may skip MFA) and production (the default: SECRET_KEY required, every
secure default on, so `ketacare check --deploy` is silent).
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

from ketacare.config.env import (
    ConfigurationError,
    database_config,
    ensure_private_dir,
    env_bool,
    env_int,
    env_list,
    env_str,
    protect_sqlite_database,
    write_private_file,
)


def _fail(error: ConfigurationError) -> None:
    sys.stderr.write(f"KetaCare configuration error: {error}\n")
    raise SystemExit(2)


try:
    VAR_DIR = Path(env_str("KETACARE_VAR_DIR", str(Path.cwd() / "var"))).resolve()
    DEMO_MODE = env_bool("KETACARE_DEMO", False)
    DEBUG = env_bool("KETACARE_DEBUG", False)
    SESSION_IDLE_TIMEOUT_MIN = env_int("KETACARE_SESSION_IDLE_MINUTES", 15, minimum=1, maximum=720)
    _secret = env_str("SECRET_KEY")
    _database_url = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'ketacare.sqlite3'}"
    DATABASES = {"default": database_config(_database_url, base_dir=VAR_DIR)}
    ALLOWED_HOSTS = env_list(
        "ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEMO_MODE or DEBUG else []
    )
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
    EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
    EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "KetaCare <noreply@localhost>")
    REDIS_URL = env_str("REDIS_URL")
    SECURE_PROXY = env_bool("KETACARE_BEHIND_PROXY", False)
    # Behind the proxy: how many proxies of ours append to X-Forwarded-For (ketacare.web.client_ip).
    KETACARE_PROXY_HOPS = env_int("KETACARE_PROXY_HOPS", 1, minimum=1, maximum=10)
    HSTS_PRELOAD = env_bool("KETACARE_HSTS_PRELOAD", False)
    # Lockout of one address whatever the user names (see "Lockout" below).
    LOCKOUT_ADDRESS_FAILURES = env_int(
        "KETACARE_LOCKOUT_ADDRESS_FAILURES", 20, minimum=1, maximum=10_000
    )
    LOG_LEVEL = env_str("KETACARE_LOG_LEVEL", "INFO").upper()
except ConfigurationError as error:
    _fail(error)


def _demo_secret() -> str:
    """A secret generated once and kept in var/ (git-ignored), so sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    ensure_private_dir(VAR_DIR)
    value = secrets.token_urlsafe(50)
    write_private_file(path, value)
    return value


# var/ holds the demo secret and the SQLite database: the owner only (0700 directory, 0600 files).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    protect_sqlite_database(Path(str(DATABASES["default"]["NAME"])), var_dir=VAR_DIR)

if _secret:
    SECRET_KEY = _secret
elif DEMO_MODE or DEBUG:
    SECRET_KEY = _demo_secret()
else:
    _fail(
        ConfigurationError(
            "SECRET_KEY is not set; production mode needs a secret (or set KETACARE_DEMO=1)."
        )
    )

INSTALLED_APPS = [
    "ketacare.config.apps.KetaCareAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "simple_history",
    "django_htmx",
    # Serves django-ninja's bundled Swagger UI at /api/docs (otherwise fetched from a CDN).
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "ketacare.audit",
    "ketacare.clinics",
    "ketacare.accounts",
    "ketacare.patients",
    "ketacare.staff",
    "ketacare.intake",
    "ketacare.screening",
    "ketacare.treatment",
    "ketacare.chair",
    "ketacare.outcomes",
    "ketacare.public",
    "ketacare.demo",
    "ketacare.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ketacare.web.middleware.ContentSecurityPolicyMiddleware",
    # Outside the API's JSON errors, so a replaced error answer is not cached either.
    "ketacare.web.middleware.PrivateCacheMiddleware",
    # Before CSRF and every admin view: /admin/ answers only GET, HEAD and POST.
    "ketacare.web.middleware.AdminMethodsMiddleware",
    # Outside everything that may answer with an HTML or text error: /api/ errors become JSON.
    "ketacare.api.middleware.JsonApiErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ketacare.accounts.middleware.IdleTimeoutMiddleware",
    "ketacare.accounts.middleware.RequireMFAMiddleware",
    "ketacare.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so a lockout response short-circuits after authentication ran.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ketacare.config.urls"
WSGI_APPLICATION = "ketacare.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ketacare.web.context_processors.ketacare",
            ],
        },
    },
]

AUTH_USER_MODEL = "auth.User"
AUTHENTICATION_BACKENDS = [
    # axes first: it refuses locked-out credentials before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout (django-axes): 5 failures within 15 minutes for one user name from one address lock
# that pair; KETACARE_LOCKOUT_ADDRESS_FAILURES (20) failures from one address, whatever the user
# names, lock that address. No lock by user name alone: it would let anyone who knows a user name
# lock that person out from everywhere. The price: an attacker who changes address gets another
# 4 guesses per address, each address also bounded by the address-wide limit.
AXES_FAILURE_LIMIT = env_int("KETACARE_LOCKOUT_FAILURES", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = 0.25  # hours = 15 minutes
# The order matters: ketacare.accounts.lockout.LockoutHandler counts the first set against
# AXES_FAILURE_LIMIT and the second against LOCKOUT_ADDRESS_FAILURES.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["ip_address"]]
AXES_HANDLER = "ketacare.accounts.lockout.LockoutHandler"
# The client behind the proxy, not the proxy (ketacare.web.client_ip).
AXES_CLIENT_IP_CALLABLE = "ketacare.web.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# axes stores a keyed hash of the typed user name, never the name (accounts.lockout), masks the
# name and the return address (which may hold a search) in the request data it keeps, and keeps
# no log of successful sign-ins: the audit trail has those.
AXES_USERNAME_CALLABLE = "ketacare.accounts.lockout.axes_username"
AXES_SENSITIVE_PARAMETERS = ["password", "token", "otp_token", "username", "next"]
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False

OTP_TOTP_ISSUER = "KetaCare"
# A confirmed authenticator's secret is never shown again, not even to a superuser in the admin:
# django-otp's key field and its QR-code pages (403 then, for any id) stay hidden.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("KETACARE_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # In the database, so rate limits hold across every worker without extra set-up; the table
    # is made by a migration (web 0001).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "ketacare_cache",
        }
    }

# Background jobs (e-mail, reminders): django-tasks with its database backend; `ketacare worker`
# runs them.
# The tests run jobs at once (KETACARE_TASKS_BACKEND names the immediate backend).
TASKS = {
    "default": {
        "BACKEND": env_str("KETACARE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

if EMAIL_HOST_USER or not (DEMO_MODE or DEBUG):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Security headers everywhere; HTTPS-only settings in production mode.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not (DEMO_MODE or DEBUG):
    SECURE_SSL_REDIRECT = env_bool("KETACARE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("KETACARE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is a promise to browser vendors that is slow to take back: opt-in only.
    SECURE_HSTS_PRELOAD = HSTS_PRELOAD
    if not HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]  # "not preloaded": chosen, see above
if SECURE_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Logs carry ids only, never names or birth dates (style guide, "Logging and audit").
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Django's request and security loggers without the typed path or value (config.log_filters).
    "filters": {"request_text": {"()": "ketacare.config.log_filters.RequestTextFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_text"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # django-axes logs the user names typed at failed logins at WARNING: keep them out of logs.
    # WeasyPrint narrates every rendering step at INFO; warnings (a missing font) still show.
    "loggers": {"axes": {"level": "ERROR"}, "weasyprint": {"level": "WARNING"}},
}
