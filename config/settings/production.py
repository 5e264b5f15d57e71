"""Production: refuses to start without its secrets, never invents one.

The setup these settings are written for (PostgreSQL, Elasticsearch, gunicorn behind nginx, the
task worker and the scheduled jobs) is described in deploy/README.md.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env, env_bool, env_list

for _name in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL"):
    if not env(_name):
        raise ImproperlyConfigured(f"The environment variable {_name} must be set in production.")

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# nginx terminates TLS and says so in X-Forwarded-Proto (deploy/nginx.conf).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD")
# X_FRAME_OPTIONS stays SAMEORIGIN (base.py): Wagtail's live preview frames the site itself.
SILENCED_SYSTEM_CHECKS = ["security.W019"]
if not SECURE_HSTS_PRELOAD:
    # Joining the browsers' preload list is the domain owner's decision (hard to undo), not a default.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# Caches (base.py): set REDIS_URL in production, so every worker and host shares one cache (one warm
# copy of each public page, rate limits counted across processes). Without it each worker keeps a
# local-memory cache of its own: still correct, since cached pages are keyed by a token in the
# database that every publish replaces, but warmed once per worker.

# Security (base.py, security/): gunicorn sits behind deploy/nginx.conf, whose X-Forwarded-For ends
# with the address nginx received the request from; rate limits and the login throttle count by it.
SECURITY_TRUSTED_PROXY_COUNT = int(env("DJANGO_TRUSTED_PROXY_COUNT", "1"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}

# Background work goes to the database queue, run by `manage.py db_worker` (the compose file's
# worker): an import or a mail never runs inside a web request. TASKS_BACKEND overrides it.
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Documents are always served by Django, which checks who may download an unpublished model's
# attachment; with DJANGO_SENDFILE_NGINX set, Django only checks and nginx sends the bytes
# (X-Accel-Redirect to the internal location of deploy/nginx.conf).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
if env_bool("DJANGO_SENDFILE_NGINX"):
    SENDFILE_BACKEND = "ops.sendfile_nginx"
    SENDFILE_URL = env("DJANGO_SENDFILE_URL", "/_protected_media/")
