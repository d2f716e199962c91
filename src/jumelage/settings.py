"""Jumelage settings: every value comes from an environment variable with a safe embedded default.

Two modes:
- embedded (default): SQLite under JUMELAGE_DATA_DIR, console e-mail, nothing to configure;
- production (JUMELAGE_MODE=production): refuses to start with debug on, the development secret key
  or wildcard hosts. Sessions, cache and task queue live in the database and uploads under a
  configurable storage root, so several stateless app-server processes can share one PostgreSQL.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

env = environ.Env()
PACKAGE_DIR = Path(__file__).resolve().parent

DEV_SECRET_KEY = "jumelage-embedded-development-key-not-for-production"  # noqa: S105 (refused in production)

MODE = env.str("JUMELAGE_MODE", default="embedded")
if MODE not in {"embedded", "production"}:
    raise ImproperlyConfigured(f"JUMELAGE_MODE must be 'embedded' or 'production', not {MODE!r}.")
PRODUCTION = MODE == "production"

DATA_DIR = Path(env.str("JUMELAGE_DATA_DIR", default=str(Path.cwd() / "var"))).resolve()
DEBUG = env.bool("JUMELAGE_DEBUG", default=False)
SECRET_KEY = env.str("JUMELAGE_SECRET_KEY", default=DEV_SECRET_KEY)
ALLOWED_HOSTS = env.list("JUMELAGE_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("JUMELAGE_CSRF_TRUSTED_ORIGINS", default=[])

if PRODUCTION:
    problems = []
    if DEBUG:
        problems.append("JUMELAGE_DEBUG is on")
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32:
        problems.append("JUMELAGE_SECRET_KEY is the development key or shorter than 32 characters")
    if not ALLOWED_HOSTS or any(h.strip() in {"*", ""} or h.startswith(".") for h in ALLOWED_HOSTS):
        problems.append("JUMELAGE_ALLOWED_HOSTS is empty or holds a wildcard")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production mode: " + "; ".join(problems) + ".")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "django_htmx",
    "django_countries",  # its translated country names (jumelage.core.templatetags: country_name)
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "jumelage.core",
    "jumelage.ecosystems",
    "jumelage.directory",
    "jumelage.events",
    "jumelage.opportunities",
    "jumelage.matchmaking",
    "jumelage.brokerage",
    "jumelage.relay",
    "jumelage.partnerships",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "jumelage.core.middleware.ApiErrorFormatMiddleware",
]

ROOT_URLCONF = "jumelage.urls"
WSGI_APPLICATION = "jumelage.wsgi.application"
AUTH_USER_MODEL = "core.User"

# Widget templates are looked up in the project's templates first (templates/django/forms/widgets)
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jumelage.core.context_processors.platform",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'jumelage.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer writes; IMMEDIATE takes the write lock at BEGIN so
    # concurrent transactions queue instead of failing with "database is locked" half-way.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("JUMELAGE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Client-side parameter binding (Django's default, kept explicit): the directory search sends a
    # match with its planner setting as one multi-statement message (directory.search._pg_fetch).
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sessions and cache in the database: no process keeps state of its own.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "jumelage_cache",
    }
}

TASKS = {
    "default": {
        "BACKEND": env.str("JUMELAGE_TASK_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

# --- Files ----------------------------------------------------------------------------------------
STORAGE_ROOT = Path(env.str("JUMELAGE_STORAGE_ROOT", default=str(DATA_DIR / "media"))).resolve()
MEDIA_ROOT = STORAGE_ROOT
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Production collects static files here (`jumelage manage collectstatic`); embedded mode serves them
# from the installed package through WhiteNoise's finders and needs no copy.
STATIC_ROOT = (
    Path(env.str("JUMELAGE_STATIC_ROOT", default=str(DATA_DIR / "static"))).resolve()
    if PRODUCTION or "JUMELAGE_STATIC_ROOT" in env
    else None
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Embedded mode serves static files straight from the package (no collectstatic step needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Largest import file accepted (bytes); bigger files are refused with a clear message.
IMPORT_MAX_BYTES = env.int("JUMELAGE_IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
# Largest pitch deck (PDF or PPTX) an applicant may upload to a call for pitches.
EVENTS_DECK_MAX_BYTES = env.int("JUMELAGE_DECK_MAX_BYTES", default=10 * 1024 * 1024)
# DejaVu Sans for the printed PDFs (agendas, badges): every script. Without it they use Helvetica,
# which covers Windows-1252 only (see core/pdf.py). Debian/Ubuntu: apt-get install fonts-dejavu-core.
PDF_FONT_DIR = env.str("JUMELAGE_PDF_FONT_DIR", default="/usr/share/fonts/truetype/dejavu")

# --- E-mail ---------------------------------------------------------------------------------------
_email = env.email_url("JUMELAGE_EMAIL_URL", default="consolemail://")
vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("JUMELAGE_FROM_EMAIL", default="Jumelage <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The platform's public address, for links in e-mails, calendar files and feeds (no trailing slash).
SITE_URL = env.str("JUMELAGE_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Security -------------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("JUMELAGE_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/lockout.html"
AXES_VERBOSE = False
AXES_ENABLED = env.bool("JUMELAGE_AXES_ENABLED", default=True)
# Behind N reverse proxies, the client address is the N-th from the right in X-Forwarded-For.
TRUSTED_PROXY_COUNT = env.int("JUMELAGE_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "jumelage.core.middleware.client_ip"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "jumelage.core.csrf.csrf_failure"  # a clear page instead of Django's technical one
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = env.bool("JUMELAGE_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = env.int("JUMELAGE_HSTS_SECONDS", default=31536000)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Plain-HTTP requests that reach the app (proxy misconfigured, or no X-Forwarded-Proto) go to https.
    SECURE_SSL_REDIRECT = env.bool("JUMELAGE_SSL_REDIRECT", default=True)

from csp.constants import NONE, SELF  # noqa: E402 (django-csp constants, next to their only use)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- Languages ------------------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# English pages write dates the European way (day first, 24-hour clock): jumelage/formats/en
FORMAT_MODULE_PATH = ["jumelage.formats"]
USE_I18N = True
TIME_ZONE = "Europe/Brussels"
USE_TZ = True

# Directory searches cached per app-server process (entries; 0 turns it off). Invalidated across all
# processes by a version in the shared cache on every directory write (jumelage.directory.search).
DIRECTORY_RESULT_CACHE_SIZE = env.int("JUMELAGE_DIRECTORY_CACHE_SIZE", default=256)

# --- API ------------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("JUMELAGE_LOG_LEVEL", default="WARNING")},
}
