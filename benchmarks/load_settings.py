"""Settings for the load test (benchmarks/load.py): production's, served over plain HTTP on loopback.

Everything production does (DEBUG off, the database task queue, persistent connections, the page
cache, Redis when REDIS_URL is set) except what needs TLS in front: secure-only cookies (the load
generator signs officers in over http://127.0.0.1), the HTTPS redirect and HSTS. Static files are
not collected for the run, so their names are not hashed.
"""

from config.settings.production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
