"""Settings for the portal, read from the environment.

Defaults give the embedded demo: SQLite and kombu's filesystem broker under var/,
the BankID simulator and the fixture company register. Production (DEBUG off)
refuses to start with any insecure default.
"""

from __future__ import annotations

from pathlib import Path

import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.env import (
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
)

# Lets admin and queryset generics be subscripted at run time, as the type stubs expect.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", default=False)
# The demo and the tests set DEBUG or PORTAL_ENV; production must say what it is.
PORTAL_ENV = env_choice("PORTAL_ENV", {"production", "demo", "test"}, "production")
IS_PRODUCTION = PORTAL_ENV == "production"

_INSECURE_KEY = "insecure-demo-key-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", "" if IS_PRODUCTION else _INSECURE_KEY)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Trigram indexes on an expression (OpClass in invoices.models) need its ready(); on
    # SQLite it adds only unused lookups.
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "portal",
    "accounts",
    "signing",
    "invoices",
    "integrations",
    "review",
]

MIDDLEWARE = [
    # First: it counts every answer, also those the middleware below gives (portal/metrics.py).
    "portal.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.api.context.ApiKeyContextMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.ChosenLanguageMiddleware",
    "portal.middleware.NulFreeQueryMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.CurrentOrganisationMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "signing.gate.SendingGateMiddleware",
    # Last: it sees the request's language, and a replay skips the view and its checks.
    "portal.api.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

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
                "accounts.context_processors.organisation",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")
DATABASES = {"default": database_from_url(DATABASE_URL, base_dir=BASE_DIR)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Web server, worker and beat share the file in the demo: wait for locks, don't fail.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
else:
    # Each web thread and worker keeps its connection: a new one per request or task costs
    # a PostgreSQL backend's start and a cold catalog cache, more than a small request's own
    # queries. The tests close theirs (0), so that the test database can be dropped.
    default_age = 0 if PORTAL_ENV == "test" else 600
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", default_age)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (allauth's rate limits live here) ------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
CACHE_URL = env_str("CACHE_URL", REDIS_URL)
if CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    # One machine, several processes: a file cache shares rate-limit counters among them.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Celery -------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("in", "processed", "control"):
        (CELERY_BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "in"),
        "data_folder_out": str(CELERY_BROKER_DIR / "in"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        # Broadcast (pidbox) messages; kombu's default is a folder in the working directory.
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Delivery: transient failures retry with exponential pauses, a bounded number of times;
# the sweeper re-queues rows a lost broker message or a killed worker left behind.
DELIVERY_MAX_RETRIES = env_int("DELIVERY_MAX_RETRIES", 6)
DELIVERY_RETRY_BASE_SECONDS = env_int("DELIVERY_RETRY_BASE_SECONDS", 30)
DELIVERY_QUEUED_GRACE_SECONDS = env_int("DELIVERY_QUEUED_GRACE_SECONDS", 120)
DELIVERY_SENDING_TIMEOUT_SECONDS = env_int("DELIVERY_SENDING_TIMEOUT_SECONDS", 300)
DELIVERY_SWEEP_SECONDS = env_int("DELIVERY_SWEEP_SECONDS", 60)
# How often every verified organisation is looked up in the company register again (daily).
RISK_REGISTER_RECHECK_SECONDS = env_int("RISK_REGISTER_RECHECK_SECONDS", 24 * 3600)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "sweep-deliveries": {
        "task": "invoices.sweep_deliveries",
        "schedule": float(DELIVERY_SWEEP_SECONDS),
    },
    "lapse-unsigned-claims": {
        "task": "accounts.lapse_unsigned_claims",
        "schedule": 3600.0,
    },
    "sweep-webhooks": {
        "task": "integrations.sweep_webhooks",
        "schedule": float(DELIVERY_SWEEP_SECONDS),
    },
    "recheck-register": {
        "task": "accounts.recheck_register",
        "schedule": float(RISK_REGISTER_RECHECK_SECONDS),
    },
    "purge-idempotency-records": {
        "task": "integrations.purge_idempotency_records",
        "schedule": 3600.0,
    },
}
CELERY_TIMEZONE = "Europe/Stockholm"

# --- Auth and accounts (django-allauth) -------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if PORTAL_ENV == "test":
    # Hashing cost is not what the tests measure; MD5 keeps the suite fast.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[e-faktura] "
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_DISPLAY = "accounts.adapters.user_display"  # the e-mail, not the generated username
ACCOUNT_RATE_LIMITS_ENABLED = True  # allauth's defaults: login failures, signups, resets
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "e-faktura"
# allauth's set-up form draws a new secret on every GET; ours keeps one per session.
MFA_FORMS = {"activate_totp": "accounts.mfa.ActivateTOTPForm"}

# --- E-mail -------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if IS_PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "e-faktura <no-reply@efaktura.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where organisations write to about a review decision (named in the mails and on the dashboard).
SUPPORT_EMAIL = env_str("SUPPORT_EMAIL", "support@efaktura.example")

# --- Company register ----------------------------------------------------------------
COMPANY_REGISTER = env_choice("COMPANY_REGISTER", {"fixture", "http"}, "fixture")
COMPANY_REGISTER_URL = env_str("COMPANY_REGISTER_URL")
COMPANY_REGISTER_API_KEY = env_str("COMPANY_REGISTER_API_KEY")
COMPANY_REGISTER_TIMEOUT = env_int("COMPANY_REGISTER_TIMEOUT", 5)

# --- Exchange rates ------------------------------------------------------------------------
# A foreign-currency invoice states its VAT in SEK too (ML 17 kap. 24 §): the Riksbank's
# published rates in production, fixed rates (invoices/data/) in the demo and the tests.
EXCHANGE_RATES = env_choice(
    "EXCHANGE_RATES", {"riksbank", "fixture"}, "riksbank" if IS_PRODUCTION else "fixture"
)
RIKSBANK_API_URL = env_str("RIKSBANK_API_URL", "https://api.riksbank.se/swea/v1")
RIKSBANK_TIMEOUT_SECONDS = float(env_str("RIKSBANK_TIMEOUT_SECONDS", "5"))

# --- BankID ------------------------------------------------------------------------------
# The RP API v6 base URL; the embedded default is the built-in simulator (make demo starts it).
BANKID_SIMULATOR_DIR = VAR_DIR / "bankid-sim"
BANKID_SIMULATOR_PORT = env_int("BANKID_SIMULATOR_PORT", 8089)
BANKID_URL = env_str(
    "BANKID_URL", "" if IS_PRODUCTION else f"http://127.0.0.1:{BANKID_SIMULATOR_PORT}/rp/v6.0/"
)
BANKID_CLIENT_CERT = env_str("BANKID_CLIENT_CERT")  # PEM of the RP certificate (mutual TLS)
BANKID_CLIENT_KEY = env_str("BANKID_CLIENT_KEY")
BANKID_SERVER_CA = env_str("BANKID_SERVER_CA")  # PEM pinned for BankID's TLS server certificate
BANKID_TIMEOUT = env_int("BANKID_TIMEOUT", 10)
# Every order start costs an RP call: at most this many per user, and per organisation, per window.
BANKID_START_LIMIT = env_int("BANKID_START_LIMIT", 5)
BANKID_START_WINDOW_SECONDS = env_int("BANKID_START_WINDOW_SECONDS", 600)
# An organisation registered but not signed for within this many days no longer holds its number.
UNSIGNED_CLAIM_DAYS = env_int("UNSIGNED_CLAIM_DAYS", 30)
# --- Risk flags --------------------------------------------------------------------------
# Kinds of risk flag that hold the organisation's sending until staff decide; the others inform.
# (A payment-details flag never holds the organisation: only its new account waits.)
RISK_FLAG_HOLDS = frozenset(
    env_list("RISK_FLAG_HOLDS", ["register_inactive", "register_unconfirmed", "signatory_mismatch"])
)
# Velocity: an organisation younger than this sending more than these numbers within the window.
RISK_VELOCITY_AGE_DAYS = env_int("RISK_VELOCITY_AGE_DAYS", 30)
RISK_VELOCITY_WINDOW_HOURS = env_int("RISK_VELOCITY_WINDOW_HOURS", 24)
RISK_VELOCITY_MAX_INVOICES = env_int("RISK_VELOCITY_MAX_INVOICES", 50)
RISK_VELOCITY_MAX_NEW_RECIPIENTS = env_int("RISK_VELOCITY_MAX_NEW_RECIPIENTS", 20)
# Failed or cancelled signings for one organisation by this many different people in the window.
RISK_FAILED_SIGNINGS_DISTINCT = env_int("RISK_FAILED_SIGNINGS_DISTINCT", 3)
RISK_FAILED_SIGNINGS_WINDOW_HOURS = env_int("RISK_FAILED_SIGNINGS_WINDOW_HOURS", 24)
# PEM files whose roots are trusted for signatures (BankID Root CA v1 in production).
BANKID_SIGNATURE_ROOTS = env_list("BANKID_SIGNATURE_ROOTS")
# The simulator's own signing root is trusted only when this says so; never in production.
BANKID_TRUST_SIMULATOR = env_bool("BANKID_TRUST_SIMULATOR", default=not IS_PRODUCTION)
# Shown on the signing page in demo mode: where the simulated BankID app lives.
BANKID_SIMULATOR_APP_URL = env_str(
    "BANKID_SIMULATOR_APP_URL",
    "" if IS_PRODUCTION else f"http://127.0.0.1:{BANKID_SIMULATOR_PORT}/sim/",
)

# --- Invoice validation ----------------------------------------------------------------
# An operator-supplied compiled official PEPPOL BIS 3 schematron (XSLT). When set, it runs
# beside the portal's own PEPPOL rules (invoices.validation); the file ships with no licence
# grant, so the portal never bundles it.
PEPPOL_XSLT = env_str("PEPPOL_XSLT")

# --- Delivery ----------------------------------------------------------------------------
# Where the PEPPOL channel posts UBL; the embedded default is the demo's test receiver.
PEPPOL_ACCESS_POINT_URL = env_str(
    "PEPPOL_ACCESS_POINT_URL", "" if IS_PRODUCTION else "http://127.0.0.1:8091/peppol/v1/messages"
)
PEPPOL_ACCESS_POINT_TIMEOUT = env_int("PEPPOL_ACCESS_POINT_TIMEOUT", 10)

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# --- REST API -------------------------------------------------------------------------
# Requests one API key may make ("600/min", "20/s", ...); 429 with Retry-After beyond it.
API_RATE_PER_KEY = env_str("API_RATE_PER_KEY", "600/min")
# Webhooks: 6 attempts over about an hour (2, 4, 8, 16, 32 minutes apart), a short timeout.
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 6)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 120)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
# Production posts to public https addresses only; the demo and tests to a receiver on loopback.
WEBHOOK_REQUIRE_HTTPS = env_bool("WEBHOOK_REQUIRE_HTTPS", default=IS_PRODUCTION)
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", default=not IS_PRODUCTION)
# The largest body read whole into memory (Django refuses more): a UBL file up to
# invoices/xmlsafe.py's 20 MB must fit, also when the Idempotency-Key middleware hashes it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # An organisation's API key, nothing else: no session, so no CSRF to think about.
    "DEFAULT_AUTHENTICATION_CLASSES": ["portal.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["portal.api.permissions.HasApiKey"],
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "portal.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "e-faktura portal API",
    "DESCRIPTION": (
        "The REST API an ERP or accounting system uses to create, send and receive invoices for "
        "one organisation.\n\n"
        "**Keys.** An owner or administrator creates a key in Settings → API keys (or with "
        "`manage.py create_api_key`). Send it as `Authorization: Bearer efk_…`. A read-only key "
        "may only read.\n\n"
        '**Errors** always look like `{"code", "detail", "errors"?}`: switch on `code`. '
        "`detail` is in the request's language (`Accept-Language: en` or `sv`, Swedish by "
        "default). Another organisation's objects answer 404.\n\n"
        "**Retries.** Every POST takes an `Idempotency-Key` header: the same key and body within "
        "24 hours replays the first answer without doing the work again.\n\n"
        "**Sending** needs an organisation verified with BankID. Until then a send answers 403 "
        "with `verify_url`, and an unverified organisation's send is held and goes out by itself "
        "when a user signs.\n\n"
        "**Following what happens:** poll `GET /events`, or subscribe a webhook: each event is "
        "POSTed as `{type, timestamp, data}`, signed by the Standard Webhooks scheme "
        "(`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the subscription's secret."
        "\n\n**Partners.** An ERP vendor with an integration agreement gets a partner key "
        "(`efp_…`, `manage.py create_partner`). It connects its customers' organisations with "
        "`POST /partner/organisations` (the number is then held by the partner; the partner's "
        "attestation lets the organisation send without BankID) and acts for one of them on "
        "every other endpoint by naming it in `X-Organisation: NNNNNN-NNNN`. Any organisation "
        "it does not hold answers 404. When a connection ends, the partner's own webhook URL "
        "gets `partner.connection_ended`, signed with the partner's secret."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files, its start script from a URL (CSP: no CDN, no inline).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # The schema and the docs are public; everything under /api/v1/ needs a key.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # One stable name for each enum that several components show (invoices/api/enums.py).
    "ENUM_NAME_OVERRIDES": {
        "DeliveryChannelEnum": "invoices.api.enums.DELIVERY_CHANNEL",
        "DeliveryStatusEnum": "invoices.api.enums.DELIVERY_STATUS",
        "InvoiceStatusEnum": "invoices.api.enums.INVOICE_STATUS",
        "InvoiceKindEnum": "invoices.api.enums.INVOICE_KIND",
        "EventTypeEnum": "integrations.models.Event.Type",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.idempotency.document_idempotency_key",
        "portal.api.schema.document_common_errors",
        "portal.api.authentication.document_organisation_header",
    ],
}

# --- Metrics ---------------------------------------------------------------------------
# The bearer token Prometheus scrapes /metrics with; unset, /metrics answers 404.
METRICS_TOKEN = env_str("METRICS_TOKEN")

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
# Scripts and styles only from our static files: no inline code, no other origins. The
# signing page's QR frames are data: SVG images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "script-src": [SELF],
        "style-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# How many reverse proxies of our own append to X-Forwarded-For (portal/http.py client_ip).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if IS_PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}


def _refuse_insecure_production() -> None:
    """Stop a production start that still carries a demo default."""
    if not IS_PRODUCTION:
        return
    problems = []
    if DEBUG:
        problems.append("DEBUG must be off")
    if not SECRET_KEY or SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 40:
        problems.append("SECRET_KEY must be set to a random value of at least 40 characters")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must name the hosts the portal answers on")
    if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append("DATABASE_URL must point at PostgreSQL")
    if CELERY_BROKER_URL.startswith("filesystem://"):
        problems.append("REDIS_URL or CELERY_BROKER_URL must point at a real broker")
    if BANKID_TRUST_SIMULATOR:
        problems.append("BANKID_TRUST_SIMULATOR must be off: the simulator's root signs anything")
    if not BANKID_URL:
        problems.append("BANKID_URL must point at BankID's RP API")
    if WEBHOOK_ALLOW_PRIVATE or not WEBHOOK_REQUIRE_HTTPS:
        problems.append("webhooks must go to public https addresses (WEBHOOK_ALLOW_PRIVATE off)")
    if problems:
        raise ImproperlyConfigured(
            "Refusing to start in production (PORTAL_ENV=production): " + "; ".join(problems)
        )


_refuse_insecure_production()
