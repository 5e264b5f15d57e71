"""Settings shared by every environment, secure by default and read from the environment.

Environment-specific modules (dev, test, production) import from here and override
only what differs. Every variable read here is listed in `.env.example`.
"""

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SITE_DIR = BASE_DIR / "site"


def env(name: str, default: str | None = None) -> str | None:
    """Read one environment variable; empty strings count as unset."""
    value = os.environ.get(name, "")
    return value if value != "" else default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")

INSTALLED_APPS = [
    "movements",
    "models_registry",
    "search",
    "stats",
    "emulation",
    "ops",
    "security",  # security headers, login throttling, rate limits (the block "Security" below)
    "csp",  # django-csp: its system checks
    "caching",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
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
    "django_filters",
    # The database task backend's table; the worker (`manage.py db_worker`) runs what is queued there.
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.humanize",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Headers on every answer, the 429s included (security/middleware.py).
    "security.middleware.ContentSecurityPolicyMiddleware",
    "security.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before any view work: an over-limit search or API call costs one cache increment.
    "security.middleware.RateLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, so it sees the views' exceptions first: a database refusing writes or a full disk
    # answers 503 "try again" in Vietnamese instead of a 500 (ops/middleware.py).
    "ops.middleware.ServiceUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "movements.context_processors.navigation",
            ],
        },
    },
]

# SQLite by default; DATABASE_URL=postgres://... switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers (the public site) carry on while a writer (an import) works.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language and formats: everything the users see is Vietnamese.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese"))]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("vi", "Tiếng Việt")]
LOCALE_PATHS = [SITE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# dd/mm/yyyy and 1.234,5 (Django's own "vi" formats use dashes and no grouping).
FORMAT_MODULE_PATH = ["config.formats"]
USE_THOUSAND_SEPARATOR = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [SITE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "static_collected")))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
# Private uploads (import spreadsheets), never served: by default the folder "<MEDIA_ROOT>-private".
PRIVATE_MEDIA_ROOT = env("PRIVATE_MEDIA_ROOT")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Secure defaults; production tightens further.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # Wagtail's admin reads the CSRF token from the cookie.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"  # Wagtail's live preview frames the site.

# Email: console unless SMTP is configured.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "mo-hinh@localhost")

# Background work (django-tasks, which Wagtail 8 depends on). Immediate by default; production queues
# in the database (django_tasks_db.DatabaseBackend) for the worker, `manage.py db_worker`.
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")}}

# Caches. Public pages for anonymous visitors (caching/public_pages.py) and the search listings
# are cached under a version token kept in the database (caching.ContentGeneration,
# search.SearchIndexState), which every publish, unpublish, commendation or unit change replaces:
# so even a local-memory cache, one per gunicorn worker, never serves a page from before a change,
# in any process. REDIS_URL (e.g. redis://127.0.0.1:6379/1) shares one cache between the workers
# and the hosts: one warm copy of each page instead of one per worker, and counters (rate limits)
# that count across processes. Production should set it (production.py).
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "caching.backends.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "mohinh",
            # Django's RedisCache, but a Redis outage reads as a miss (caching/backends.py), and a
            # stalled Redis costs a request half a second at most: the page is then built anyway.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "mohinh",
            # Per worker process: a few thousand pages (tens of kilobytes each) at most.
            "OPTIONS": {"MAX_ENTRIES": 3000},
        }
    }
# Seconds a public page stays cached at most (0 turns the page cache off); a change ends it sooner.
PUBLIC_PAGE_CACHE_SECONDS = int(env("PUBLIC_PAGE_CACHE_SECONDS", "600"))

# Backups (`manage.py backup`): where the archives go (never inside MEDIA_ROOT) and how many are kept.
BACKUP_DIR = Path(env("BACKUP_DIR", str(BASE_DIR / "backups")))
BACKUP_KEEP = int(env("BACKUP_KEEP", "14"))

# Public search (search/): Elasticsearch 9 when ELASTICSEARCH_URL is set, else the database backend,
# which also answers whenever Elasticsearch is down, slow or failing.
ELASTICSEARCH_URL = env("ELASTICSEARCH_URL", "")
ELASTICSEARCH_INDEX = env("ELASTICSEARCH_INDEX", "practice-models")  # the alias searches go through
# Seconds a public search waits for Elasticsearch before answering from the database instead.
ELASTICSEARCH_TIMEOUT = float(env("ELASTICSEARCH_TIMEOUT", "0.5"))
ELASTICSEARCH_INDEXING_TIMEOUT = float(env("ELASTICSEARCH_INDEXING_TIMEOUT", "30"))

# Wagtail
WAGTAIL_SITE_NAME = "Mô hình Dân vận khéo – Chi bộ bốn tốt"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAIL_DATE_FORMAT = "%d/%m/%Y"
WAGTAIL_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
WAGTAIL_TIME_FORMAT = "%H:%M"
# Wagtail's own search indexes pages, images and documents (few rows); practice models
# are searched through the project's `search` app, never through this backend.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Draftail, reading a malformed post as plain text instead of ending the request in a 500.
WAGTAILADMIN_RICH_TEXT_EDITORS = {"default": {"WIDGET": "security.widgets.TolerantDraftailRichTextArea"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "doc", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "xls", "zip"]
# Upload limits, below Wagtail's defaults (no limit for documents; 10 MB and 128 million pixels for
# images). A scanned decision or a report of a few dozen pages is 1-5 MB as PDF; 10 MB leaves room
# for a slide deck with photos. A phone photo (12 megapixels) is 2-6 MB; 8 MB takes any camera's
# JPEG, while the pixel cap bounds memory: Pillow decodes a picture whole (4 bytes a pixel), so
# 40 million pixels (a 36-megapixel camera, or an animated GIF's frames together) costs at most
# ~160 MB in a worker, where 128 million would cost half a gigabyte per rendition. nginx's
# client_max_body_size (deploy/nginx.conf) stops anything far larger before Django reads it.
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 8 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
# No "svg" in either list: SVG is markup that runs scripts; uploads.py also refuses it by content.
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
# Uploads are checked by their content, not only their extension (models_registry/uploads.py).
WAGTAILDOCS_DOCUMENT_FORM_BASE = "models_registry.uploads.RegistryDocumentForm"
WAGTAILIMAGES_IMAGE_FORM_BASE = "models_registry.uploads.RegistryImageForm"
WAGTAIL_ENABLE_UPDATE_CHECK = False
# The Vietnamese login form (models_registry.admin_forms) behind the login throttle (security/forms.py).
WAGTAILADMIN_USER_LOGIN_FORM = "security.forms.ThrottledLoginForm"
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
# The last review step has already checked the approver against the unit tree (reviewers are
# memberships, not holders of a publish permission), so approving it publishes.
WAGTAIL_FINISH_WORKFLOW_ACTION = "models_registry.workflow_actions.publish_approved_workflow"

# Days after which a model waiting for review stands out on the reviewer's dashboard.
REGISTRY_REVIEW_OVERDUE_DAYS = int(env("REGISTRY_REVIEW_OVERDUE_DAYS", "7"))

# --- Security: headers, login throttling, rate limits (security/) -------------------------------
# SecurityMiddleware already sends nosniff, the referrer policy above, HSTS (production) and
# Cross-Origin-Opener-Policy: same-origin (Django's default SECURE_CROSS_ORIGIN_OPENER_POLICY).
#
# Content-Security-Policy (django-csp 4; why, in security/middleware.py). Public pages: scripts and
# styles from this site's files only, never inline; images from this site or data: URLs (plus
# CSP_IMG_SRC, e.g. a media host); frames only from the video sites a movement's introduction may
# embed (CSP_FRAME_SRC); framed by this site only (Wagtail's preview). CSP_REPORT_URI collects reports.
_CSP_FRAMES = env_list(
    "CSP_FRAME_SRC", "https://www.youtube.com,https://www.youtube-nocookie.com,https://player.vimeo.com"
)
_CSP_IMAGES = env_list("CSP_IMG_SRC")
_CSP_COMMON = {
    "default-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'", *_CSP_FRAMES],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
    "report-uri": env("CSP_REPORT_URI"),
}
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        **_CSP_COMMON,
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_CSP_IMAGES],
    }
}
# Wagtail 8's admin needs inline scripts and styles (security/middleware.py): these paths get
# that, with everything else as strict as the public policy (no eval: the admin runs without it).
CSP_ADMIN_PATH_PREFIXES = ["/admin/"]
CSP_ADMIN_DIRECTIVES = {
    **_CSP_COMMON,
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", *_CSP_IMAGES],  # blob: previews of images being uploaded
    "font-src": ["'self'", "data:"],
}
# Avatars from this site, not gravatar.com: no third party learns who uses the admin (and img-src holds).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=(), xr-spatial-tracking=()"
)

# Client addresses: how many proxies of ours stand in front of Django, appending to X-Forwarded-For
# (0: trust no header, use REMOTE_ADDR; production's nginx: 1). See security/client.py.
SECURITY_TRUSTED_PROXY_COUNT = int(env("DJANGO_TRUSTED_PROXY_COUNT", "0"))

# Login throttling (admin login; security/services.py): after USERNAME_FAILURES failed logins for
# one username, or IP_FAILURES from one address, within WINDOW seconds, logins for it are refused
# for LOCKOUT seconds (the same message whether or not the user exists).
LOGIN_THROTTLE = {
    "ENABLED": env_bool("LOGIN_THROTTLE_ENABLED", True),
    "USERNAME_FAILURES": int(env("LOGIN_THROTTLE_USERNAME_FAILURES", "5")),
    "IP_FAILURES": int(env("LOGIN_THROTTLE_IP_FAILURES", "20")),
    "WINDOW": int(env("LOGIN_THROTTLE_WINDOW", "900")),
    "LOCKOUT": int(env("LOGIN_THROTTLE_LOCKOUT", "900")),
}

# Rate limits per client address (security/rules.py): the first rule whose path prefix (and method,
# if given) matches counts the request; past its rate the answer is 429 with Retry-After. Rates are
# "N/period" (300/m, 10/15m, 5/h); "0" or "off" lifts one rule. RATELIMIT_ENABLED=0 lifts them all:
# the load test sends 200 users from 127.0.0.1, one address, and must run with it. The counters live
# in the "default" cache: shared by every worker with REDIS_URL, per worker process without it.
RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
RATELIMIT_RULES = [
    # Streamed files of every matching model: heavy, and one click fetches one.
    {
        "name": "export",
        "prefixes": ["/api/v1/models/export.", "/du-lieu-mo/mo-hinh."],
        "rate": env("RATELIMIT_EXPORT", "30/m"),
    },
    # The JSON API, the header's suggestions included (one request per pause in typing).
    {"name": "api", "prefixes": ["/api/"], "rate": env("RATELIMIT_API", "300/m")},
    {"name": "search", "prefixes": ["/tim-kiem/"], "rate": env("RATELIMIT_SEARCH", "120/m")},
    # Guessing a password-protected page's password; mailing password-reset links to someone.
    {
        "name": "page-password",
        "prefixes": ["/_util/authenticate_with_password/"],
        "methods": ["POST"],
        "rate": env("RATELIMIT_PAGE_PASSWORD", "10/15m"),
    },
    {
        "name": "password-reset",
        "prefixes": ["/admin/password_reset/"],
        "methods": ["POST"],
        "rate": env("RATELIMIT_PASSWORD_RESET", "5/h"),
    },
]
# --- end of Security ----------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # One line per background task at INFO would drown the output of the commands.
        "django_tasks": {"level": "WARNING", "handlers": ["console"], "propagate": False},
        "django.db.backends": {
            "level": "DEBUG" if env_bool("DJANGO_LOG_SQL") else "INFO",
            "handlers": ["console"],
            "propagate": False,
        },
    },
}
