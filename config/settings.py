"""SI-DBS settings: one module, every deploy-specific value read from the environment.

Variables (see .env.example): DJANGO_DEBUG, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS,
DJANGO_CSRF_TRUSTED_ORIGINS, DJANGO_SECURE_SSL_REDIRECT, DJANGO_SECURE_HSTS_SECONDS,
DJANGO_MEDIA_ROOT, DJANGO_STATIC_ROOT, DATABASE_URL, REDIS_URL. With none set, the app runs
on a local SQLite file with Celery tasks executed eagerly in the web process.
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import cache_settings, celery_settings, rate_limits, storage_settings
from config.error_tracking import init_error_tracking

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(str(BASE_DIR / ".env"))

# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY wajib diisi bila DJANGO_DEBUG tidak aktif.")
    SECRET_KEY = "django-insecure-local-development-key-only-never-in-production-0123456789"
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The public address of this deployment: every QR code and verification link in a letter points here.
SITE_URL = env("DJANGO_SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
if not SITE_URL:
    raise ImproperlyConfigured(
        "DJANGO_SITE_URL wajib diisi bila DJANGO_DEBUG tidak aktif (alamat publik, mis. https://sidbs.kemensos.go.id): "
        "kode QR dan tautan verifikasi di setiap surat menunjuk ke sana."
    )

TIME_ZONE = "Asia/Jakarta"
LANGUAGE_CODE = "id"
# The selector shows each language in its own name (Django's ``name_local``: "English", "Bahasa Indonesia").
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# DATABASES
# ------------------------------------------------------------------------------
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
DATABASES = {"default": env.db("DATABASE_URL", default="sqlite:///{}".format(BASE_DIR / "db.sqlite3"))}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# APPS
# ------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
LOCAL_APPS = [
    # The project itself: operational commands (setup_demo, serve_demo, backup, restore) and metrics.
    "config",
    "accounts",
    "villages",
    "ppks",
    "dimensions",
    "actionplans",
    "reports",
    "maps",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# AUTHENTICATION
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: 5 failures for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env.int("DJANGO_AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("DJANGO_AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_LOCKOUT_CALLABLE = "accounts.api_tokens.lockout_response"  # JSON under /api/, the page elsewhere
AXES_RESET_ON_SUCCESS = True
# Second factor (django-otp, TOTP apps plus one-time backup codes): administrators and Dinas Sosial
# heads may enrol at /akun/mfa/; with SIDBS_MFA_REQUIRED_FOR_ADMINS administrators must. Wrong codes
# count as failed sign-ins for axes. API tokens (Authorization: Token) are not asked for a code.
SIDBS_MFA_REQUIRED_FOR_ADMINS = env.bool("SIDBS_MFA_REQUIRED_FOR_ADMINS", default=False)
OTP_TOTP_ISSUER = "SI-DBS"
# Length, not composition rules (ASVS 6.2.1/6.2.5); the 20,000 most common passwords are refused.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("SIDBS_PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# MIDDLEWARE
# ------------------------------------------------------------------------------
MIDDLEWARE = [
    # First: request id and user id for logs and errors, the access-log line and the HTTP metrics.
    "config.request_context.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.MFAMiddleware",
    "config.ratelimit.RateLimitMiddleware",
    "config.outage.ServiceUnavailableMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so only the view's own answer is remembered (not a redirect to sign-in or MFA).
    "config.form_guard.OneTimeFormMiddleware",
]

# TEMPLATES
# ------------------------------------------------------------------------------
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
                "accounts.context_processors.navigation",
            ],
            # {% form_token %} in every state-changing form (config/form_guard.py).
            "builtins": ["config.form_guard"],
        },
    }
]
# Django's widget templates, with <input> and <select> written in Python (same bytes; config/form_renderer.py).
FORM_RENDERER = "config.form_renderer.FormRenderer"

# STATIC AND MEDIA
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Uploads and generated reports: local files, or a shared S3-compatible object store (config/env.py).
STORAGE_URL = env("DJANGO_STORAGE_URL", default="")
STORAGES = {
    "default": storage_settings(STORAGE_URL),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# SECURITY
# ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 3600)
# Sessions end after this many idle minutes and, however active, this many hours after sign-in
# (ASVS 7.3.1/7.3.2; accounts.middleware.SessionTimeoutMiddleware). A new session key is issued at
# sign-in, and changing the password ends the user's other sessions (Django's session auth hash).
SIDBS_SESSION_IDLE_MINUTES = env.int("SIDBS_SESSION_IDLE_MINUTES", default=30)
SIDBS_SESSION_MAX_HOURS = env.int("SIDBS_SESSION_MAX_HOURS", default=SESSION_COOKIE_AGE // 3600 or 8)
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"  # an Indonesian page with a way back, not Django's English one
# django-filter's empty choice of a select filter: "Semua", not "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("Semua")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
    if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# CACHE AND CELERY
# ------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
CACHES = cache_settings(redis_url=REDIS_URL or None)
# Upper bound on how stale a cached dashboard figure may be (config/caching.py; services invalidate on writes).
SIDBS_AGGREGATE_CACHE_SECONDS = env.int("SIDBS_AGGREGATE_CACHE_SECONDS", default=300)
LONGEST_TASK_SECONDS = 30 * 60
# Rows per part of a large report; parts render in parallel on the pdf queue, then merge.
REPORT_PART_ROWS = env.int("SIDBS_REPORT_PART_ROWS", default=1500)
# A report or import job without progress for this long is run again by the watchdog (beat, every 5 minutes),
# and its requester may retry it; after SIDBS_JOB_MAX_ATTEMPTS runs it is marked failed.
SIDBS_REPORT_STALL_MINUTES = env.int("SIDBS_REPORT_STALL_MINUTES", default=20)
# manage.py import_regions refuses a file that would deactivate more than this share of the active region codes
# (or any whole province) unless --allow-deactivate is given: a stale file must not silently retire codes.
SIDBS_REGION_DEACTIVATE_MAX_SHARE = env.float("SIDBS_REGION_DEACTIVATE_MAX_SHARE", default=0.01)
SIDBS_JOB_MAX_ATTEMPTS = env.int("SIDBS_JOB_MAX_ATTEMPTS", default=5)
# Bulk submit/verify/reject of more registrations than this runs as a Celery task with a progress page.
SIDBS_BULK_SYNC_LIMIT = env.int("SIDBS_BULK_SYNC_LIMIT", default=200)
globals().update(celery_settings(redis_url=REDIS_URL or None, longest_task_seconds=LONGEST_TASK_SECONDS))
# Periodic tasks for `celery -A config beat`: the PDP retention run, daily at 02:30 WIB.
CELERY_BEAT_SCHEDULE = {
    "ppks-apply-retention": {"task": "ppks.apply_retention", "schedule": crontab(hour=2, minute=30)},
    "ppks-referrals-overdue": {"task": "ppks.referrals_overdue_notify", "schedule": crontab(hour=7, minute=0)},
    "jobs-watchdog": {"task": "reports.jobs_watchdog", "schedule": crontab(minute="*/5")},
    "accounts-form-tokens-expire": {"task": "accounts.form_tokens_expire", "schedule": crontab(hour=3, minute=15)},
    "ppks-merge-undo-expire": {"task": "ppks.merge_undo_expire", "schedule": crontab(hour=3, minute=25)},
    # Map figures: changes every ten minutes (a safety net behind the refresh each write schedules),
    # in full nightly (deleted rows, figures that depend on the day).
    "maps-figures-refresh": {"task": "maps.figures_refresh", "schedule": crontab(minute="*/10")},
    "maps-figures-refresh-full": {"task": "maps.figures_refresh", "schedule": crontab(hour=2, minute=50),
                                  "kwargs": {"full": True}},
}

# API tokens expire this many days after they were issued (and whenever the password changes).
SIDBS_API_TOKEN_DAYS = env.int("SIDBS_API_TOKEN_DAYS", default=30)

# REFERRALS AND NOTIFICATIONS
# ------------------------------------------------------------------------------
# A referral still without the unit's answer after this many days is "belum dijawab" (overdue):
# listed for Dinas Sosial and notified to the sender once (daily beat task).
SIDBS_REFERRAL_ANSWER_DAYS = env.int("SIDBS_REFERRAL_ANSWER_DAYS", default=14)
# Notifications are also mailed (by a Celery task) to users with an address. The console backend
# prints them; set DJANGO_EMAIL_URL (smtp+tls://user:pass@host:587) to send real mail.
globals().update(env.email_url("DJANGO_EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="SI-DBS <no-reply@sidbs.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# One-time form tokens (config.form_guard.OneTimeFormMiddleware) are kept this many hours.
SIDBS_FORM_TOKEN_HOURS = env.int("SIDBS_FORM_TOKEN_HOURS", default=24)
# Hours after a merge of two people during which staff may undo it (ppks.services.persons_unmerge).
SIDBS_MERGE_UNDO_HOURS = env.int("SIDBS_MERGE_UNDO_HOURS", default=72)

# BACKUPS
# ------------------------------------------------------------------------------
# Where `manage.py backup` (and the beat job) writes: file:///folder or s3://KEY:SECRET@BUCKET/PREFIX?endpoint=…
# (config/backups.py); default the backups/ folder of the project. The newest SIDBS_BACKUP_KEEP are kept.
SIDBS_BACKUP_URL = env("SIDBS_BACKUP_URL", default="")
SIDBS_BACKUP_KEEP = env.int("SIDBS_BACKUP_KEEP", default=7)
# Daily backup by `celery beat` at HH:MM (WIB), or "off".
SIDBS_BACKUP_TIME = env("SIDBS_BACKUP_TIME", default="01:30")
if SIDBS_BACKUP_TIME != "off":
    try:
        _hour, _minute = (int(part) for part in SIDBS_BACKUP_TIME.split(":"))
    except ValueError:
        raise ImproperlyConfigured("SIDBS_BACKUP_TIME harus JJ:MM atau off.") from None
    CELERY_BEAT_SCHEDULE["backup"] = {"task": "config.backup", "schedule": crontab(hour=_hour, minute=_minute)}

# MAPS AND CHARTS
# ------------------------------------------------------------------------------
# Seconds between a write and the refresh of the map figures it schedules (one refresh per window).
SIDBS_MAP_REFRESH_DELAY = env.int("SIDBS_MAP_REFRESH_DELAY", default=20)
# A refresh re-reads registrations changed since the previous one started (or since the oldest
# transaction then open, on PostgreSQL) minus this margin for clock differences between servers.
SIDBS_MAP_REFRESH_MARGIN_SECONDS = env.int("SIDBS_MAP_REFRESH_MARGIN_SECONDS", default=120)
# The charts' "answered within" share uses SIDBS_REFERRAL_ANSWER_DAYS (referrals, above).
# Optional background tiles for the interactive map, e.g. https://tile.example.go.id/{z}/{x}/{y}.png
# (the host is added to the Content-Security-Policy); empty: a plain background, no tile server.
SIDBS_MAP_TILE_URL = env("SIDBS_MAP_TILE_URL", default="")
SIDBS_MAP_TILE_ATTRIBUTION = env("SIDBS_MAP_TILE_ATTRIBUTION", default="")

# PERSONAL DATA (UU 27/2022)
# ------------------------------------------------------------------------------
# Years a person's data is kept after their last registration was closed or rejected; then anonymised.
SIDBS_RETENTION_YEARS = env.int("SIDBS_RETENTION_YEARS", default=5)

# DBS PROGRAMME
# ------------------------------------------------------------------------------
# Lowest band of a validated assessment that lets a village be "mandiri" (derived or by override):
# "tinggi" (default) or "sedang" (actionplans/lifecycle.py).
SIDBS_MANDIRI_MIN_BAND = env("SIDBS_MANDIRI_MIN_BAND", default="tinggi")
# Members a Pokja Tansosmas aims for at each lokus (the programme's practice: about 30).
SIDBS_POKJA_TARGET_MEMBERS = env.int("SIDBS_POKJA_TARGET_MEMBERS", default=30)

# RATE LIMITS
# ------------------------------------------------------------------------------
# Requests per user (per address when anonymous) for each scope of config/ratelimit.py, each
# overridable by SIDBS_THROTTLE_<SCOPE> ("10/hour", "60/minute" or "off"). The API and the HTML
# views that start the same work share them.
RATE_LIMIT_DEFAULTS = {
    "user": "300/minute",
    "anon": "30/minute",
    "exports": "20/hour",
    "reports": "10/hour",
    "imports": "20/hour",
    "nik": "60/hour",
    "nik_search": "300/hour",
    "auth": "10/minute",
    "verify": "30/hour",
    "verify_view": "120/hour",
    "password_reset": "5/hour",
}
SIDBS_RATE_LIMITS = rate_limits({
    scope: env("SIDBS_THROTTLE_" + scope.upper(), default="") or rate for scope, rate in RATE_LIMIT_DEFAULTS.items()
})

# DJANGO REST FRAMEWORK
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": (
        "rest_framework.authentication.SessionAuthentication",
        "accounts.api_tokens.ExpiringTokenAuthentication",
    ),
    "DEFAULT_PERMISSION_CLASSES": ("rest_framework.permissions.IsAuthenticated",),
    "DEFAULT_FILTER_BACKENDS": ("django_filters.rest_framework.DjangoFilterBackend",),
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": (
        "config.ratelimit.AnonThrottle",
        "config.ratelimit.UserThrottle",
        "config.ratelimit.ScopedThrottle",
    ),
    "EXCEPTION_HANDLER": "config.api.api_exception_handler",
    # Client address for anonymous limits: the last X-Forwarded-For hop added by our own proxies, if any.
    "NUM_PROXIES": env.int("DJANGO_NUM_PROXIES", default=1 if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False)
                           else 0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SI-DBS API",
    "DESCRIPTION": "API Sistem Informasi Desa Berketahanan Sosial (Kemensos).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api_schema.document_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "RegistrationStatusEnum": "ppks.models.Registration.Status",
        "AssessmentStatusEnum": "dimensions.models.Assessment.Status",
        "ProgrammePhaseEnum": "villages.models.ProgrammePhase",
        "ProgrammeStageEnum": "actionplans.models.ProgrammeStage.Stage",
    },
}

# LOGGING
# ------------------------------------------------------------------------------
# JSON lines (time, level, logger, message, request_id, user_id, extra fields) unless DJANGO_LOG_FORMAT=plain;
# `make run` (DEBUG) defaults to plain text. NIKs are masked in every line (config/log_filters.py).
LOG_FORMAT = env("DJANGO_LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured("DJANGO_LOG_FORMAT harus json atau plain.")
# One line per request (method, path without query string, status, time, view); runserver prints its own.
SIDBS_REQUEST_LOG = env.bool("SIDBS_REQUEST_LOG", default=not DEBUG)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.log_filters.MaskedJsonFormatter",
                 "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s"},
    },
    # Request lines (runserver's django.server, django.request) never show a NIK or No. KK.
    "filters": {"mask_nik": {"()": "config.log_filters.MaskNikFilter"},
                "request_context": {"()": "config.log_filters.RequestContextFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT,
                             "filters": ["mask_nik", "request_context"]}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every laid-out page at INFO; keep its warnings only.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}, "axes": {"level": "WARNING"},
                "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# METRICS AND ERROR TRACKING
# ------------------------------------------------------------------------------
# /metrics (Prometheus) answers `Authorization: Bearer <token>`; without a token only with DEBUG (config/metrics.py).
SIDBS_METRICS_TOKEN = env("SIDBS_METRICS_TOKEN", default="")
# Sentry-protocol error tracking, only when SENTRY_DSN is set (config/error_tracking.py).
SENTRY_DSN = env("SENTRY_DSN", default="")
init_error_tracking(dsn=SENTRY_DSN, environment=env("SENTRY_ENVIRONMENT", default="development" if DEBUG
                                                    else "production"),
                    release=env("SENTRY_RELEASE", default=""),
                    traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0))
