"""Settings for UAC, read from the environment (and `.env`) by django-environ.

The Flask app's variable names keep working. With DEBUG=true every variable has
a default that points at the built-in simulators, so a laptop needs no `.env`;
with DEBUG off (production) the variables in REQUIRED_IN_PRODUCTION must be set.
"""

from __future__ import annotations

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from uac.broker import transport_options

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

# deploy/uac.env and .env.example hold this where a real value belongs.
PLACEHOLDER = "change-me"
if not DEBUG:
    unset = sorted(name for name, value in os.environ.items() if PLACEHOLDER in value)
    if unset:
        raise ImproperlyConfigured(f"{', '.join(unset)} still set to {PLACEHOLDER}")

# Used only when DEBUG is on: the demo and the test suite run against the
# simulators with these made-up keys.
SIMULATOR_DEFAULTS = {
    "SECRET_KEY": "insecure-development-key-do-not-use-in-production",
    "WEBHOOK_SECRET": "demo-webhook-secret",
    "UTOPIA_API_KEY": "demo-utopia-key",
    "UTOPIA_URL_ENDPOINT": "http://127.0.0.1:8101",
    "PC_API_KEY": "demo-powercode-key",
    "PC_URL": "http://127.0.0.1:8102",
    "PC_URL_API": "http://127.0.0.1:8102/api/1/index.php",
    "PC_URL_UAPI": "http://127.0.0.1:8102/uapi",
    "CUSTOMER_PORTAL_PASSWORD": "demo-portal-password",
    "DATABASE_URL": f"sqlite:///{VAR_DIR / 'uac.sqlite3'}",
    "CELERY_BROKER_URL": "filesystem://localhost//",
}


def required(name: str) -> str:
    """Return a required variable; outside DEBUG a missing one stops start-up."""
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG:
        return SIMULATOR_DEFAULTS[name]
    raise ImproperlyConfigured(
        f"missing required environment variable {name} "
        "(set it in the environment file: /etc/uac/uac.env in production, .env"
        " in a checkout; on a laptop DEBUG=true runs on the simulators)"
    )


SECRET_KEY = required("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Where staff open the back office, for links in their emails; none if empty.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "")
# Behind nginx in production: cookies only over HTTPS, and the client address
# of a webhook taken from X-Forwarded-For when a trusted proxy sent it.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool(
    "SECURE_COOKIES", default=not DEBUG
)
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])

INSTALLED_APPS = [
    "backoffice.apps.BackOfficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_celery_results",
    "orders",
    "tickets",
    "notifications",
    "utopia",
    "powercode",
    "backoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "uac.urls"
WSGI_APPLICATION = "uac.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": env.db_url_config(required("DATABASE_URL"))}
# Keep connections between requests: opening one costs more than a webhook.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write at once: WAL and IMMEDIATE
    # transactions make them wait for each other instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# The Flask app stored bcrypt hashes; Django checks them with this hasher.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.BCryptPasswordHasher",
]

LANGUAGE_CODE = "en-us"
# A bulk resolve posts two fields a failure (its id and when it was last seen):
# Django's 1,000 would refuse a selection of 500.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

TIME_ZONE = env.str("TIME_ZONE", default="America/Denver")
FORMAT_MODULE_PATH = ["uac.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))

# --- Celery -----------------------------------------------------------------

# How a transient upstream fault is retried before it becomes a failure.
PROVISION_MAX_RETRIES = env.int("PROVISION_MAX_RETRIES", default=5)
PROVISION_RETRY_BACKOFF = env.int("PROVISION_RETRY_BACKOFF", default=30)
PROVISION_RETRY_BACKOFF_MAX = env.int("PROVISION_RETRY_BACKOFF_MAX", default=900)
# A processing order untouched this long (its worker died) may be queued again.
PROVISION_STALLED_AFTER_MINUTES = env.int("PROVISION_STALLED_AFTER_MINUTES", default=30)

CELERY_BROKER_URL = required("CELERY_BROKER_URL")
# The filesystem broker's folders are under this one; `make benchmark` gives
# its own, so its worker never takes a running demo's tasks (nor the reverse).
FILESYSTEM_BROKER_DIR = Path(env.str("FILESYSTEM_BROKER_DIR", default=str(VAR_DIR)))
CELERY_BROKER_TRANSPORT_OPTIONS = transport_options(
    CELERY_BROKER_URL,
    var_dir=FILESYSTEM_BROKER_DIR,
    longest_retry_pause=PROVISION_RETRY_BACKOFF_MAX,
)
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The worker logs through LOGGING below, so secrets are masked there too.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Publishing happens inside the webhook request: give up quickly when the
# broker is down rather than hold Utopia's delivery open.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# One retry covers a pooled connection Redis closed; a hung Redis costs two
# socket timeouts (uac/broker.py) before the webhook answers 503.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}

# --- Upstream APIs ----------------------------------------------------------

UTOPIA_API_KEY = required("UTOPIA_API_KEY")
UTOPIA_URL_ENDPOINT = required("UTOPIA_URL_ENDPOINT")
PC_API_KEY = required("PC_API_KEY")
PC_URL = required("PC_URL")
PC_URL_API = required("PC_URL_API")
PC_URL_UAPI = required("PC_URL_UAPI")
PC_VERIFY_SSL = env.bool("PC_VERIFY_SSL", default=True)
UPSTREAM_CONNECT_TIMEOUT = env.float("UPSTREAM_CONNECT_TIMEOUT", default=5.0)
UPSTREAM_READ_TIMEOUT = env.float("UPSTREAM_READ_TIMEOUT", default=30.0)


def powercode_ids(name: str) -> str:
    """Return a seed of PowerCode ids (comma-separated); refuse anything else."""
    value = env.str(name, default="") or (SEED_DEFAULTS[name] if DEBUG else "")
    parts = [part.strip() for part in value.split(",")] if value else []
    if not all(part.isdigit() for part in parts):
        # Seeded once into the admin's settings: a typo would become a real id.
        raise ImproperlyConfigured(f"{name} must be PowerCode ids, not {value!r}")
    return value


# Seeds for the settings staff edit in the admin (read once, by migrations);
# with DEBUG they default to the simulators' ids, in production to nothing, so
# a plan left unset is never billed as some other service.
SEED_DEFAULTS = {
    "PC_CUST_TAGS": "5",
    "SERVICE_PLAN_1GBPS_ID": "1",
    "SERVICE_PLAN_250MBPS_ID": "2",
    "SERVICE_PLAN_BOND_FEE_ID": "3",
}
PC_CUST_TAGS = powercode_ids("PC_CUST_TAGS")
SERVICE_PLAN_1GBPS_ID = powercode_ids("SERVICE_PLAN_1GBPS_ID")
SERVICE_PLAN_250MBPS_ID = powercode_ids("SERVICE_PLAN_250MBPS_ID")
SERVICE_PLAN_BOND_FEE_ID = powercode_ids("SERVICE_PLAN_BOND_FEE_ID")
CUSTOMER_PORTAL_PASSWORD = required("CUSTOMER_PORTAL_PASSWORD")

WEBHOOK_SECRET = required("WEBHOOK_SECRET")

TICKET_TEMPLATE_DIR = env.str("TICKET_TEMPLATE_DIR", default="")
TICKET_TEMPLATE_FILE = env.str("TICKET_TEMPLATE_FILE", default="")

# --- Mail -------------------------------------------------------------------

MAIL_SERVER = env.str("MAIL_SERVER", default="")
EMAIL_HOST = MAIL_SERVER or "localhost"
EMAIL_PORT = env.int("MAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("MAIL_USERNAME", default="")
EMAIL_HOST_PASSWORD = env.str("MAIL_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("MAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("MAIL_TIMEOUT", default=15)
DEFAULT_FROM_EMAIL = env.str("EMAIL_SENDER", default="uac@localhost")
EMAIL_RECIPIENTS = env.list(
    "EMAIL_RECIPIENTS", default=["staff@example.com"] if DEBUG else []
)
if MAIL_SERVER or not DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    # On a laptop the staff emails are written to files to read.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=EMAIL_BACKEND)

# --- Logging ----------------------------------------------------------------

LOG_FILE = env.str("LOG_FILE", default=str(VAR_DIR / "log" / "uac.log"))
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
SECRET_SETTING_NAMES = [
    "SECRET_KEY",
    "WEBHOOK_SECRET",
    "UTOPIA_API_KEY",
    "PC_API_KEY",
    "CUSTOMER_PORTAL_PASSWORD",
    "EMAIL_HOST_PASSWORD",
]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_secrets": {"()": "uac.masking.SecretMaskingFilter"},
        "refusal_one_line": {"()": "uac.app_logging.RefusalWithoutTraceback"},
        "static_requests_out": {"()": "uac.app_logging.StaticRequestsOut"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["refusal_one_line", "mask_secrets"],
        },
        "file": {
            "class": "uac.app_logging.LogFileHandler",
            "filename": LOG_FILE,
            "formatter": "plain",
            "filters": ["refusal_one_line", "mask_secrets"],
        },
    },
    "root": {"handlers": ["console", "file"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # runserver's request lines carry query strings: mask them as well.
        "django.server": {
            "handlers": ["console", "file"],
            "filters": ["static_requests_out"],
            "level": "INFO",
            "propagate": False,
        },
        # Django's own console handler (DEBUG only) would print its records
        # unmasked and with a 403's traceback: they go through ours instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
