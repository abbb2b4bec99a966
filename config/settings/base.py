"""Settings shared by every environment.

Per-deployment values and secrets come from the environment. Without ``DATABASE_URL`` the
embedded SQLite database is used; with a PostgreSQL URL, ``django.contrib.postgres`` joins
INSTALLED_APPS (Wagtail's search backend needs it there).
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Foreground web requests and the background worker share the file. Write-ahead logging
    # lets readers go on while one writer writes; IMMEDIATE transactions take the write lock
    # when they begin, so a transaction that reads and then writes waits its turn (up to the
    # timeout) instead of failing at once with "database is locked" when another writer got
    # there first.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    # Our apps first so that their templates override allauth's and Wagtail's.
    "core",
    "people.accounts",
    "people.roles",
    "schools",
    "scheduling.rooms",
    "scheduling.slots",
    "scheduling.staff",
    "scheduling.timetables",
    "scheduling.attendance",
    "scheduling.rest",
    "scheduling.duty_reports",
    "scheduling.imports",
    "scheduling.rollover",
    "scheduling.school_reports",
    "marketplace.vendors",
    "marketplace.courses",
    "marketplace.households",
    "marketplace.fees",
    "marketplace.reviews",
    "marketplace.course_requests",
    "marketplace.catalogue",
    "marketplace.enrolment",
    "marketplace.billing",
    "marketplace.ledger",
    "marketplace.payments",
    "marketplace.risk",
    "core.recurring",
    "portal",
    "cms",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Background tasks
    "django_tasks_db",
    # Filtering
    "django_filters",
    # Audit trail of sensitive changes, and spreadsheet imports
    "auditlog",
    "import_export",
]
if USING_POSTGRES:
    INSTALLED_APPS.append("django.contrib.postgres")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.SessionLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Records who made each audited change (django-auditlog).
    "auditlog.middleware.AuditlogMiddleware",
    "people.accounts.signin.OneDoorMiddleware",
    "people.roles.middleware.BureauMfaRequiredMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.i18n",
                "people.roles.context_processors.roles",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- django-allauth -------------------------------------------------------------------------
ACCOUNT_ADAPTER = "people.accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# allauth's built-in rate limits stay on with their defaults (login failures: 10 a minute
# per IP and 5 in 5 minutes per email; sign-up, password reset and email confirmation are
# limited too; allauth merges this dict into its defaults). Setting ACCOUNT_RATE_LIMITS = False
# would switch them all off: never do that.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "课后服务平台"
# Bureau officers must set up two-factor authentication before using the site when this is
# on. On in production, off in the demo (see dev.py and production.py).
MFA_REQUIRED_FOR_BUREAU = env_bool("MFA_REQUIRED_FOR_BUREAU", True)

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "roles:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# --- Language, time, money ------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# One long and one short date format per language (config/formats; see the README).
FORMAT_MODULE_PATH = ["config.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
CURRENCY = "CNY"
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Documents only some people may read (vendors' licences, course papers): outside MEDIA_ROOT,
# never served by URL, streamed by access-checked views (see core.uploads.private_storage).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("DJANGO_PRIVATE_MEDIA_ROOT", BASE_DIR / "private-media"))
# Largest document a vendor or school may upload (licences, certificates, course materials).
DOCUMENT_MAX_BYTES = int(os.environ.get("DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Payments ----------------------------------------------------------------------------------
# "offline" (the embedded demo: no gateway) or "stripe" (PaymentIntents; STRIPE_API_BASE points
# the client at a Stripe-compatible server such as localstripe, empty for Stripe itself).
PAYMENT_PROVIDER = os.environ.get("PAYMENT_PROVIDER", "offline")
# The offline provider accepts test cards as payment: allowed in the demo and the tests only
# (production refuses it unless this is set explicitly, for a demo site).
PAYMENT_OFFLINE_ALLOWED = env_bool("PAYMENT_OFFLINE_ALLOWED", True)
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
# Stripe.js for the card form; localstripe serves its stand-in at <its address>/js.stripe.com/v3/.
STRIPE_JS_URL = os.environ.get(
    "STRIPE_JS_URL",
    f"{STRIPE_API_BASE}/js.stripe.com/v3/" if STRIPE_API_BASE else "https://js.stripe.com/v3/",
)

# --- Wagtail ----------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "课后服务平台"
# Restricted pages and documents, and the CMS admin, send visitors to allauth's sign-in page
# (Wagtail's own sign-in routes redirect there too: see people.accounts.signin).
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"
# Wagtail serves documents through its own view (which checks collection restrictions),
# never by redirecting to the file's public media URL.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "png", "jpg", "jpeg", "docx", "xlsx", "pptx"]

# --- Background tasks -------------------------------------------------------------------------
# The embedded default keeps the queue in the database; `manage.py db_worker` runs it.
# TASKS_BACKEND=rq sends the same tasks to Redis (REDIS_URL) for RQ workers on any number
# of machines: `manage.py rqworker --job-class django_tasks_rq.Job <TASKS_QUEUE>`.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database")
TASKS_QUEUE = os.environ.get("TASKS_QUEUE", "default")
if TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    # Wagtail enqueues its own tasks on "default"; ours go to TASKS_QUEUE.
    _queues = sorted({"default", TASKS_QUEUE})
    RQ_QUEUES = {name: {"URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")} for name in _queues}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": _queues}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Recurring jobs (core/recurring): name → a Django task's dotted path and the local time
# ("HH:MM", TIME_ZONE) it is enqueued each day by `manage.py run_recurring` (bin/serve runs it;
# `run_recurring --once` suits cron). A run missed earlier today is caught up when the
# scheduler starts; past days are not (each task covers what is pending when it runs).
RECURRING_JOBS = {
    "ledger_settle": {"task": "marketplace.ledger.tasks.ledger_settle_yesterday", "at": "01:00"},
    "risk_grade": {"task": "marketplace.risk.tasks.risk_grade_daily", "at": "02:00"},
    "refund_retry": {"task": "marketplace.payments.tasks.payments_retry_refunds", "at": "03:00"},
}

# --- Email ------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@afterschool.example.cn")
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# --- Cache (allauth's rate limits count in it) ------------------------------------------------
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Product name shown in page titles.
PRODUCT_NAME = _("After-school service platform")
