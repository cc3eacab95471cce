"""Settings for callviewer, read from the environment (django-environ).

Development and the demo run on embedded defaults when DEBUG is true (SQLite file,
local-memory cache, throwaway keys). Production sets DEBUG=false and must provide
SECRET_KEY and CREDENTIAL_KEYS; everything else has a safe default. Every variable
is listed in .env.example and the README.
"""

import datetime as dt
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

# Keys for development only: refused unless DEBUG is on.
_DEV_SECRET_KEY = "django-insecure-callviewer-development-only"  # noqa: S105
_DEV_CREDENTIAL_KEY = "ZGV2ZWxvcG1lbnQtb25seS1jcmVkZW50aWFsLWtleSE="


def _required(name: str, dev_default: str) -> str:
    value: str = env.str(name, default="")
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(f"{name} must be set when DEBUG is off (see .env.example).")


SECRET_KEY = _required("SECRET_KEY", _DEV_SECRET_KEY)
# Fernet keys for provider secrets, comma-separated: the first encrypts, all decrypt.
CREDENTIAL_KEYS = [
    k.strip() for k in _required("CREDENTIAL_KEYS", _DEV_CREDENTIAL_KEY).split(",") if k.strip()
]

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "axes",
    "callviewer.projects",
    "callviewer.calls",
    "callviewer.sandbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static files keep their long cache lifetime, everything else is private.
    "callviewer.headers.no_store",
    "callviewer.middleware.refuse_nul_characters",
    # The health check answered here: none of what follows concerns it.
    "callviewer.middleware.answer_health_checks",
    "callviewer.capacity.provider_pages",
    "callviewer.capacity.DatabaseBusyMiddleware",
    # Audit records and calls seen are written once the response is sent (after_response.py).
    "callviewer.after_response.middleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "callviewer.projects.middleware.agent_timezone",
    # Last, as django-axes asks: it answers locked-out sign-ins with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "callviewer.urls"

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

WSGI_APPLICATION = "callviewer.wsgi.application"

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'callviewer.sqlite3'}"
    ),
}
# PostgreSQL connections come from a pool per app process (psycopg_pool), and a request gives
# its connection back before it waits on a provider (callviewer/database.py): connections
# follow the database work, not the threads waiting on slow providers (README, sizing).
DB_POOL_SIZE = env.int("DB_POOL_SIZE", default=16)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_POOL_SIZE > 0:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DB_POOL_SIZE,
        "timeout": 30,  # seconds a request waits for a free connection, then 503 (capacity.py)
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them; Django must not
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://callviewer")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes checks every sign-in (the agents' form and the admin's) before Django does.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Behind a TLS-terminating proxy (README, deployment).
SECURE_PROXY_SSL = env.bool("SECURE_PROXY_SSL", default=False)
if SECURE_PROXY_SSL:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HTTPS only, once the site is served over HTTPS: browsers remember it for this many seconds.
SECURE_HSTS_SECONDS = env.int(
    "SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if SECURE_PROXY_SSL else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SECURE_PROXY_SSL)
# A load balancer asks the app directly over plain HTTP: its health check is never redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
# Sessions are read from the cache (Redis in production), written to both: a page costs no
# session query, and a session outlives a cache flush or a cache down (read from the database).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# The client's own address (audit trail, sign-in throttling): X-Forwarded-For is believed
# only from these proxies (addresses or networks); without them, REMOTE_ADDR.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# Content-Security-Policy (django-csp): no inline script or style, no eval, nothing from
# elsewhere. Who may frame the pages is a setting: ticketing systems may embed call pages.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": env.list("CSP_FRAME_ANCESTORS", default=[NONE]),
    }
}

# Browser features the app never uses are switched off for it (django-permissions-policy).
# Only features Chromium knows: it logs a console error for each one it does not.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Sign-in throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one user
# name from one address, that pair is refused until the cool-off ends or an administrator
# unlocks it (admin, "Access attempts"). Counted in the database: every app process sees them.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "callviewer.client_address.client_ip"
AXES_LOCKOUT_CALLABLE = "callviewer.sign_in.locked_out"

# Requests that may wait on a provider, at once, per app process (callviewer/capacity.py);
# keep it below gunicorn's threads (gunicorn.conf.py) so the rest always answer. 0: no limit.
PROVIDER_PAGES_PER_PROCESS = env.int("PROVIDER_PAGES_PER_PROCESS", default=112)

# Provider HTTP: timeouts in seconds, always set (callviewer/providers/http.py).
PROVIDER_CONNECT_TIMEOUT = env.float("PROVIDER_CONNECT_TIMEOUT", default=3.0)
PROVIDER_READ_TIMEOUT = env.float("PROVIDER_READ_TIMEOUT", default=10.0)
PROVIDER_MAX_RETRIES = env.int("PROVIDER_MAX_RETRIES", default=2)
PROVIDER_RETRY_AFTER_CAP = env.float("PROVIDER_RETRY_AFTER_CAP", default=5.0)

# Recording streams (callviewer/providers/http.py, callviewer/capacity.py). A stream ends, as
# an error the browser sees, after RECORDING_STREAM_DEADLINE seconds, or when the provider
# sends fewer than RECORDING_MIN_RATE bytes a second over RECORDING_RATE_WINDOW seconds (0: no
# minimum). The default is half of what the slowest audio a provider serves (32 kbit/s MP3)
# needs to play: a provider slower than that is stuck, not slow. At most
# RECORDING_STREAMS_PER_PROCESS streams at once per process (0: no limit; default 32, or half
# of a PROVIDER_PAGES_PER_PROCESS under 64); it must stay below PROVIDER_PAGES_PER_PROCESS so
# that pages still find a place.
RECORDING_STREAM_DEADLINE = env.float("RECORDING_STREAM_DEADLINE", default=3600.0)
RECORDING_MIN_RATE = env.float("RECORDING_MIN_RATE", default=2000.0)
RECORDING_RATE_WINDOW = env.float("RECORDING_RATE_WINDOW", default=20.0)
RECORDING_STREAMS_PER_PROCESS = env.int(
    "RECORDING_STREAMS_PER_PROCESS",
    default=min(32, PROVIDER_PAGES_PER_PROCESS // 2) if PROVIDER_PAGES_PER_PROCESS > 0 else 32,
)
if PROVIDER_PAGES_PER_PROCESS > 0 and not (
    0 < RECORDING_STREAMS_PER_PROCESS < PROVIDER_PAGES_PER_PROCESS
):
    raise ImproperlyConfigured(
        "RECORDING_STREAMS_PER_PROCESS must be below PROVIDER_PAGES_PER_PROCESS, "
        "or recordings could take every place pages wait in (see .env.example)."
    )

# "Ask about this call": questions an agent, and all the agents of one project, may put to
# the provider per hour (each may cost money). Counted in the cache: with several app
# processes, CACHE_URL must be a shared cache (Redis) for the limits to hold.
ASK_RATE_PER_AGENT = env.int("ASK_RATE_PER_AGENT", default=20)
ASK_RATE_PER_PROJECT = env.int("ASK_RATE_PER_PROJECT", default=100)

# A call still live after this many hours is shown as stuck at the provider: its page says
# so and asks again less and less often, then stops (calls/liveness.py).
LIVE_CALL_STALE_HOURS = env.float("LIVE_CALL_STALE_HOURS", default=6.0)

# Audit records older than this many days are removed by `manage.py purge_audit`.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # httpx logs full request URLs at INFO; keep it quiet so no query string lands in logs.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        # Failed sign-ins and lockouts are WARNING; every successful one at INFO is noise.
        "axes": {"level": "WARNING"},
    },
}
