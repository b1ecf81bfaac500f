"""Settings for lgdss, read from the environment (see README.md, "Configuration").

Defaults are safe for production: DEBUG is off, cookies are secure, HTTP is
redirected to HTTPS, email goes by SMTP, and a SECRET_KEY must be given. The
only relaxed default is the database, an SQLite file under var/, so that a
newcomer needs no database server.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from lgdss import env
from lgdss.inline_script import JS_ENABLED_HASH

BASE_DIR = Path(__file__).resolve().parent.parent

SERVICE_NAME = "Council digital service assessments"
FEEDBACK_EMAIL = env.string("FEEDBACK_EMAIL", "feedback@lgdss.example")

DEBUG = env.boolean("DEBUG", False)

if DEBUG:
    SECRET_KEY = env.string("SECRET_KEY", "insecure-development-key-never-use-in-production")
else:
    SECRET_KEY = env.string("SECRET_KEY")
    if len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")
# Earlier keys, still accepted for what they signed (sessions, messages, reset links), so
# that the key can be changed on one app server after another without signing anyone out
# (README, "Several app servers"; docs/decisions/0029-more-than-one-server.md).
SECRET_KEY_FALLBACKS = env.strings("SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env.strings("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.strings("CSRF_TRUSTED_ORIGINS", [])

# The address people use to reach the service, for links in emails.
SITE_URL = env.string("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "lgdss.admin.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_forms_gds",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    "lgdss",
    "standard",
    "assessments",
]

MIDDLEWARE = [
    "lgdss.middleware.HealthCheckMiddleware",
    # After the health checks, so that load balancers' calls are not logged.
    "lgdss.request_log.RequestLogMiddleware",
    # A stored public page is sent from here, with the headers the middleware below gave
    # it when it was drawn; nothing below runs for it (lgdss/public_pages.py).
    "lgdss.public_pages.StoredPublicPagesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "lgdss.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages, downloads and the API, gzipped (lgdss/compression.py). After whitenoise, whose
    # static files are compressed once, at collectstatic; outside everything that makes
    # or reads a body. It leaves alone a response already encoded.
    "lgdss.compression.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Cache-Control: a minute for public pages that do not say, no-store for private ones.
    "lgdss.middleware.PublicPagesKeptBrieflyMiddleware",
    "lgdss.middleware.PrivatePagesNotStoredMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Moves a session's end on at most once a minute, not on every request (lgdss/sessions.py).
    "lgdss.sessions.SessionRefreshMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "assessments.middleware.TwoFactorMiddleware",
    # With READ_ONLY=true, refuses every request that could change something.
    "lgdss.read_only.ReadOnlyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into our "locked out" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lgdss.urls"
WSGI_APPLICATION = "lgdss.wsgi.application"

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
                "django.template.context_processors.csp",
                "lgdss.context_processors.service",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env.string("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
        conn_max_age=env.integer("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite lets one connection write at a time, and `make run` has several workers.
    # By default a transaction starts as a reader and asks to write at its first
    # write; if another connection is writing then, SQLite cannot wait (both would
    # wait for ever) and fails at once with "database is locked", a 500. So each
    # transaction takes the write lock when it begins (IMMEDIATE), a connection waits
    # up to 20 s for the lock instead of failing (timeout), and write-ahead logging
    # (WAL) lets pages be read while someone writes. See docs/decisions/0009.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# --- Cache ------------------------------------------------------------------

# Public pages are kept in this cache (assessments/publishing/caching.py), keyed by the
# public record's version, so no process ever serves a page older than the record. In
# memory each process keeps its own copies; CACHE_URL=redis://… (or rediss:// with TLS)
# shares one Redis or Valkey among every app server, so that each page is drawn once for
# all of them. Nothing else uses the cache: sessions, sign-in limits and reset limits are
# in the database, shared by every process whatever this says.
CACHES = {"default": env.cache("CACHE_URL")}
# How long a stored public page lasts, and so the longest a page that shows something
# kept outside the public record (a council's facts, the current Standard) may lag behind it.
PUBLIC_CACHE_SECONDS = env.integer("PUBLIC_CACHE_SECONDS", 300, minimum=1)

# --- People -----------------------------------------------------------------

AUTH_USER_MODEL = "assessments.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses sign-in while an account is locked after repeated failures.
    "axes.backends.AxesStandaloneBackend",
    # Object permissions from assessments/rules.py.
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "assessments:sign_in"
LOGIN_REDIRECT_URL = "assessments:your_work"
LOGOUT_REDIRECT_URL = "home"

# Sessions end after this many minutes without a request, and when the browser closes.
SESSION_IDLE_MINUTES = env.integer("SESSION_IDLE_MINUTES", 120, minimum=5)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# The maintenance switch: the service can be read but not changed (lgdss/read_only.py).
READ_ONLY = env.boolean("READ_ONLY", False)
# A request moves the session's end on only when it was last saved this long ago, so that
# pages do not each write the session (lgdss/sessions.py): someone idle is signed out
# between SESSION_IDLE_MINUTES less this and SESSION_IDLE_MINUTES after their last request.
# While read-only, nothing does, so that only signing in and out write a session (which
# then ends SESSION_IDLE_MINUTES after sign-in).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# The timeout warning appears this long before a session would end (static/js/timeout-warning.js).
SESSION_WARNING_SECONDS = min(5 * 60, SESSION_COOKIE_AGE // 2)
# Our page for a form that failed the CSRF check, which keeps what the person typed
# (lgdss/unsaved.py), as a form sent after the session ended does.
CSRF_FAILURE_VIEW = "lgdss.session_views.csrf_failure"

# Invitation links work once, for this many days.
INVITATION_DAYS = env.integer("INVITATION_DAYS", 7, minimum=1)
# Password reset links (Django's own tokens) last one day.
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# At most this many reset emails an hour to one email address, and requests an hour
# from one IP address; over either, the page is the same and nothing is sent.
PASSWORD_RESET_EMAIL_LIMIT = env.integer("PASSWORD_RESET_EMAIL_LIMIT", 3, minimum=1)
PASSWORD_RESET_IP_LIMIT = env.integer("PASSWORD_RESET_IP_LIMIT", 10, minimum=1)

# Sign-in throttling (django-axes, with assessments/auth.py): after AXES_FAILURE_LIMIT
# failures for one email address from one IP address, or AXES_IP_FAILURE_LIMIT from one
# IP address for any accounts, sign-in is refused for AXES_COOLOFF_MINUTES, on the site
# and in the admin alike. Failures while refused do not make it longer.
AXES_FAILURE_LIMIT = env.integer("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_IP_FAILURE_LIMIT = env.integer("AXES_IP_FAILURE_LIMIT", 20, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.integer("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "assessments.auth.SignInLimits"
AXES_CLIENT_IP_CALLABLE = "assessments.auth.client_ip"
AXES_USERNAME_FORM_FIELD = "username"  # the keyword every caller gives authenticate()
AXES_USERNAME_CALLABLE = "assessments.auth.axes_username"
AXES_LOCKOUT_CALLABLE = "assessments.auth.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
# Masked in the form data django-axes keeps with each failure: passwords and codes.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "old_password",
    "new_password1",
    "new_password2",
    "code",
]
# Two-factor authentication (django-otp, with assessments/two_factor.py): a code from an
# authenticator app after the password, or a recovery code. Wrong codes count towards the
# lock-out above, so django-otp's own per-device delays are turned off (factor 0): one
# lock-out, one message, ended by a password reset. See docs/decisions (two-factor sign-in).
OTP_TOTP_ISSUER = SERVICE_NAME
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Superusers can remove someone's app in the admin, without seeing its secret key.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Security ---------------------------------------------------------------

# Off only for `make run` on plain HTTP at 127.0.0.1; on everywhere else.
SECURE_COOKIES = env.boolean("SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", True)
# Browsers remember to use HTTPS only, for a year by default. Sent over HTTPS only.
SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.boolean("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env.boolean("SECURE_HSTS_PRELOAD", True)
if env.boolean("BEHIND_TLS_PROXY", False):
    # The load balancer terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the service append to X-Forwarded-For: the client's
# address, which sign-in limits are kept for, is read from it only when this is 1 or more.
TRUSTED_PROXY_COUNT = env.integer("TRUSTED_PROXY_COUNT", 0, minimum=0)

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------

STATIC_URL = env.string("STATIC_URL", "/static/")
STATIC_ROOT = BASE_DIR / "staticfiles"
# static/build holds GOV.UK Frontend compiled with our settings (`make assets`);
# static/js and static/images hold our own scripts and images.
STATICFILES_DIRS = [
    BASE_DIR / "static" / "build",
    BASE_DIR / "static" / "js",
    ("images", BASE_DIR / "static" / "images"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "lgdss.storage.StaticStorage"},
}

# --- Content Security Policy ------------------------------------------------

# Scripts, styles and everything else only from this site (and from STATIC_URL's host,
# if static files are served from another), and the one inline script, GOV.UK
# Frontend's js-enabled snippet, by its hash: the header is then the same on every
# response, so a public page is the same bytes for every visitor and can be stored as it
# is. The admin's inline scripts and styles carry a nonce; Django puts a nonce in the
# header only for a response that used one, so the site's own pages send none.
# See docs/decisions/0014-content-security-policy.md.
_static = urlsplit(STATIC_URL)
_static_host = [f"{_static.scheme}://{_static.netloc}"] if _static.netloc else []
SECURE_CSP = {
    "default-src": [CSP.SELF, *_static_host],
    "script-src": [CSP.SELF, *_static_host, JS_ENABLED_HASH, CSP.NONCE],
    "style-src": [CSP.SELF, *_static_host, CSP.NONCE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    # Where the site is HTTPS only, any http:// address left in a page is fetched by https.
    "upgrade-insecure-requests": SECURE_SSL_REDIRECT,
    "report-uri": env.string("CSP_REPORT_URI", "") or None,
}
# CSP_REPORT_ONLY=true reports violations without blocking anything, to try a change.
if env.boolean("CSP_REPORT_ONLY", False):
    SECURE_CSP, SECURE_CSP_REPORT_ONLY = {}, SECURE_CSP

# --- Forms ------------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# --- Email ------------------------------------------------------------------

# EMAIL_BACKEND is "smtp" (sent through EMAIL_HOST: the default) or "console" (printed
# to the log, links and all: only for development and `make run`, which choose it).
EMAIL_BACKEND_NAME = env.string("EMAIL_BACKEND", "smtp")
if EMAIL_BACKEND_NAME == "console":
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
elif EMAIL_BACKEND_NAME == "smtp":
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env.string("EMAIL_HOST", "localhost"),
                "port": env.integer("EMAIL_PORT", 587, minimum=1),
                "username": env.string("EMAIL_HOST_USER", ""),
                "password": env.string("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env.boolean("EMAIL_USE_TLS", True),
                "timeout": 10,
            },
        }
    }
else:
    raise ImproperlyConfigured(
        f"The environment variable EMAIL_BACKEND is {EMAIL_BACKEND_NAME!r}: use console or smtp."
    )
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "lgdss <no-reply@lgdss.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks ---------------------------------------------------------

# Django's tasks framework, queued in our own database: a task enqueued inside a
# transaction exists only if that transaction commits. `manage.py db_worker` runs
# them (`make run` starts it beside the site; production runs it as its own process).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- Logging ----------------------------------------------------------------

# One line per request (lgdss.request_log), with no personal data; client IP addresses
# only when LOG_IP_ADDRESSES is true.
LOG_IP_ADDRESSES = env.boolean("LOG_IP_ADDRESSES", False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{levelname} {name} {message}", "style": "{"}},
    "filters": {"hide_path_secrets": {"()": "lgdss.request_log.HidePathSecrets"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["hide_path_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# `make run` and `make dev` set this to create the demo accounts; never in production.
DEMO_DATA = env.boolean("DEMO_DATA", False)
