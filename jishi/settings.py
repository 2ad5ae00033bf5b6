"""Jishi settings: every value comes from an environment variable with a safe embedded default.

Embedded mode (no DATABASE_URL / REDIS_URL) runs on a SQLite file under ``var/`` with a local-memory
cache; production mode points DATABASE_URL at PostgreSQL and REDIS_URL at Redis.
"""

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("JISHI_VAR_DIR", BASE_DIR.parent / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """Use SECRET_KEY when set; otherwise generate one once into var/ so sessions survive restarts."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = int(os.environ.get("PORT", "8000"))
SITE_NAME = os.environ.get("SITE_NAME", "Jishi")
# The public address of the site, for links in mail.
SITE_URL = os.environ.get("SITE_URL", f"http://{HOST}:{PORT}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "jishi.core",
    "jishi.money",
    "jishi.accounts",
    "jishi.stores",
    "jishi.catalog",
    "jishi.cart",
    "jishi.orders",
    "jishi.checkout",
    "jishi.shipping",
    "jishi.search",
    "jishi.ledger",
    "jishi.payments",
    "jishi.disputes",
    "jishi.tax",
    "jishi.demo",
    "jishi.api",
    "jishi.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jishi.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "jishi.handlers.RefuseNullCharacters",  # API text with U+0000: 422 before any route
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jishi.accounts.middleware.PreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jishi.web.errors.DomainErrorPagesMiddleware",  # NotFound / PermissionDenied from a page view: 404 / 403
]

ROOT_URLCONF = "jishi.urls"
WSGI_APPLICATION = "jishi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jishi.web.context_processors.marketplace",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jishi.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_PREPARED_STATEMENTS", True):
    # Parameters bound by the server, and statements a connection runs again and again (every request's)
    # prepared once: PostgreSQL then skips parsing and planning them (about half its CPU per checkout), and
    # psycopg skips quoting values into the SQL. Turn off behind a pooler in transaction mode (PgBouncer).
    for _name, _value in (("server_side_binding", True), ("prepare_threshold", 5)):
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(_name, _value)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside one writer; IMMEDIATE takes the write lock at BEGIN so two
        # writers queue instead of failing with "database is locked" on lock upgrade.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests run against a file, not shared memory, so threads contend for the write lock as they do
    # in production (shared-cache memory databases fail at once with "table is locked" instead).
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"jishi-test-{os.getpid()}.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compiling costs about 5 ms on every large query (a broad search's facets) and never pays back
    # within a web request.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ----------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Short socket timeouts: while Redis is away the cache answers as a miss (``core.cache``), at once.
    CACHES = {"default": {"BACKEND": "jishi.core.cache.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": os.environ.get("CACHE_PREFIX", "jishi"),
                          "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "jishi"}}

# What a 503 answer's Retry-After says while the database is away (restarting, failing over, locked).
DATABASE_RETRY_AFTER_SECONDS = int(os.environ.get("DATABASE_RETRY_AFTER_SECONDS", "5"))
# After the cache failed, how long it is left alone before it is asked again.
CACHE_RETRY_SECONDS = float(os.environ.get("CACHE_RETRY_SECONDS", "2"))

# Storefront pages for anonymous shoppers come from the cache (jishi/web/page_cache.py); false renders
# every page afresh (to measure or debug the uncached path).
PAGE_CACHE = env_bool("PAGE_CACHE", True)

# --- background jobs -----------------------------------------------------------------------------
# With REDIS_URL, jobs go to Celery workers (``jishi worker``) and beat runs the timers; without it they
# run in-process after commit and ``jishi serve`` sweeps the timers in a thread.
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CACHE_PREFIX", "jishi")
# Handing a job to the broker fails fast and is not retried here: the job is a row of the outbox, and the
# relay hands it over again once the broker is back.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1.0}
TIMER_SWEEP_SECONDS = int(os.environ.get("TIMER_SWEEP_SECONDS", "60"))
# The jobs' outbox (``core.jobs``): runs before a job is declared dead, how long a runner's claim lasts,
# when the relay hands over again a job nobody claimed, and how long done jobs are kept.
JOB_MAX_ATTEMPTS = int(os.environ.get("JOB_MAX_ATTEMPTS", "10"))
JOB_LEASE_SECONDS = int(os.environ.get("JOB_LEASE_SECONDS", "300"))
JOB_REDISPATCH_SECONDS = int(os.environ.get("JOB_REDISPATCH_SECONDS", "60"))
JOB_KEEP_DAYS = int(os.environ.get("JOB_KEEP_DAYS", "7"))

# --- trade ----------------------------------------------------------------------------------------
# Unpaid order groups expire (their stock goes back) after this many minutes.
ORDER_PAYMENT_WINDOW_MINUTES = int(os.environ.get("ORDER_PAYMENT_WINDOW_MINUTES", "30"))
# How long past its window a group waits for the notice of a payment the provider approved in time.
PAYMENT_APPROVAL_GRACE_MINUTES = int(os.environ.get("PAYMENT_APPROVAL_GRACE_MINUTES", "120"))
# Receipt is confirmed for the buyer this many days after shipment when they have not done it.
ORDER_AUTO_CONFIRM_DAYS = int(os.environ.get("ORDER_AUTO_CONFIRM_DAYS", "10"))
# How long an Idempotency-Key and its stored response are kept.
IDEMPOTENCY_KEY_HOURS = 24
# Buyer protection: days the store has to answer a refund request (silence accepts it), the buyer to
# send goods back after acceptance, the store to confirm a return (silence confirms it), and the buyer
# to escalate a rejected request to the operator.
REFUND_RESPONSE_DAYS = int(os.environ.get("REFUND_RESPONSE_DAYS", "5"))
REFUND_RETURN_DAYS = int(os.environ.get("REFUND_RETURN_DAYS", "7"))
REFUND_RETURN_CONFIRM_DAYS = int(os.environ.get("REFUND_RETURN_CONFIRM_DAYS", "10"))
REFUND_ESCALATION_DAYS = int(os.environ.get("REFUND_ESCALATION_DAYS", "7"))
# Seller payouts: the smallest payout (in PAYOUT_MINIMUM_CURRENCY, converted at the current rates), how
# often each store is paid out on schedule, and the payout provider class.
PAYOUT_MINIMUM = os.environ.get("PAYOUT_MINIMUM", "20")
PAYOUT_MINIMUM_CURRENCY = os.environ.get("PAYOUT_MINIMUM_CURRENCY", "EUR")
PAYOUT_SCHEDULE_DAYS = int(os.environ.get("PAYOUT_SCHEDULE_DAYS", "7"))
PAYOUT_PROVIDER = os.environ.get("PAYOUT_PROVIDER", "jishi.ledger.payout_providers.SandboxPayoutProvider")

# --- payments -------------------------------------------------------------------------------------
# The payment provider (a name in ``jishi.payments.providers.PROVIDERS``); "sandbox" is the built-in test
# gateway with its hosted page at /pay/sandbox/<token>/.
PAYMENT_PROVIDER = os.environ.get("PAYMENT_PROVIDER", "sandbox")
# Signs provider webhooks (HMAC-SHA256); derived from SECRET_KEY unless set, so it is never committed.
PAYMENT_WEBHOOK_SECRET = os.environ.get("PAYMENT_WEBHOOK_SECRET", "")
# How webhook deliveries reach the site: a dotted path to ``(url, headers, body) -> HTTP status``.
PAYMENT_WEBHOOK_TRANSPORT = os.environ.get("PAYMENT_WEBHOOK_TRANSPORT", "jishi.payments.deliveries.post_over_http")
# Hosts an API client may name in a payment's ``return_url`` (comma-separated, exact host names such as
# shop.example.com); a path on this site is always allowed, any other address refused.
PAYMENT_RETURN_URL_ALLOWED_HOSTS = env_list("PAYMENT_RETURN_URL_ALLOWED_HOSTS", "")

# --- accounts -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Jishi <noreply@localhost>")

# --- languages, time, money -----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "jishi_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# The currency prices are sorted and compared in across stores; display currencies are per shopper.
PLATFORM_CURRENCY = os.environ.get("PLATFORM_CURRENCY", "USD")
DEFAULT_DISPLAY_CURRENCY = os.environ.get("DEFAULT_DISPLAY_CURRENCY", "USD")
# Empty: the search backend of the database in use; else the dotted path of another (an external engine).
SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "")

# --- files ----------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Embedded mode serves uploads itself; behind a CDN or object store set SERVE_MEDIA=false.
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
MAX_IMAGE_UPLOAD_BYTES = int(os.environ.get("MAX_IMAGE_UPLOAD_BYTES", str(5 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Static files under hashed names (after ``collectstatic``), which browsers may keep for ever.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if STATIC_MANIFEST else
                    "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- security headers -----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = os.environ.get("REFERRER_POLICY", "same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
BEHIND_PROXY = env_bool("BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# HSTS goes with secure cookies: a site that sets them is served over HTTPS only (sent on HTTPS requests).
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000")) if env_bool("SECURE_COOKIES") else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD")
# Every script and style comes from the site itself: no inline script, no inline style, no eval (htmx is
# told not to use it). Set CONTENT_SECURITY_POLICY to replace the whole policy (e.g. media on a CDN), and
# CSP_REPORT_ONLY=true to try a policy out without enforcing it.
CONTENT_SECURITY_POLICY = os.environ.get("CONTENT_SECURITY_POLICY", "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
    "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
]))
CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY")
PERMISSIONS_POLICY = os.environ.get("PERMISSIONS_POLICY", ", ".join(
    f"{feature}=()" for feature in ("accelerometer", "autoplay", "camera", "display-capture", "geolocation",
                                    "gyroscope", "magnetometer", "microphone", "midi", "payment", "usb")))

# --- throttling -----------------------------------------------------------------------------------
# Failed sign-ins allowed per account and address, per account (any address) and per address (any
# account) before each further failure doubles the wait, up to SIGN_IN_MAX_WAIT_SECONDS. See
# jishi/accounts/throttle.py: an address an account signed in from before is not held back by others.
SIGN_IN_FREE_FAILURES = int(os.environ.get("SIGN_IN_FREE_FAILURES", "5"))
SIGN_IN_ACCOUNT_FREE_FAILURES = int(os.environ.get("SIGN_IN_ACCOUNT_FREE_FAILURES", "20"))
SIGN_IN_ADDRESS_FREE_FAILURES = int(os.environ.get("SIGN_IN_ADDRESS_FREE_FAILURES", "200"))
# Wrong bearer tokens one address may send before each further one doubles its wait (API callers).
BAD_TOKENS_FREE_PER_ADDRESS = int(os.environ.get("BAD_TOKENS_FREE_PER_ADDRESS", "20"))
SIGN_IN_MAX_WAIT_SECONDS = int(os.environ.get("SIGN_IN_MAX_WAIT_SECONDS", "900"))
SIGN_UPS_PER_ADDRESS_PER_HOUR = int(os.environ.get("SIGN_UPS_PER_ADDRESS_PER_HOUR", "20"))
TOKENS_PER_ACCOUNT_PER_HOUR = int(os.environ.get("TOKENS_PER_ACCOUNT_PER_HOUR", "20"))
# Password-reset mails asked for per email address and per client address, in each clock hour.
PASSWORD_RESETS_PER_ACCOUNT_PER_HOUR = int(os.environ.get("PASSWORD_RESETS_PER_ACCOUNT_PER_HOUR", "3"))
PASSWORD_RESETS_PER_ADDRESS_PER_HOUR = int(os.environ.get("PASSWORD_RESETS_PER_ADDRESS_PER_HOUR", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
