"""Test settings: fast hashing, in-memory email, immediate tasks, throwaway media."""

import tempfile

from .base import *  # noqa: F403
from .base import LOGIN_THROTTLE, env

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = env("TEST_MEDIA_ROOT") or tempfile.mkdtemp(prefix="mohinh-test-media-")
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WAGTAILADMIN_BASE_URL = "http://testserver"
# Tests share one process-wide cache across rolled-back databases: pages are cached only in the
# tests of the page cache itself (tests/caching/), which turn it on.
PUBLIC_PAGE_CACHE_SECONDS = 0
# Rate limits and the login throttle count per client address in that shared cache, and every test
# client is 127.0.0.1: they are on only in their own tests (tests/security/), which turn them on.
RATELIMIT_ENABLED = False
LOGIN_THROTTLE = {**LOGIN_THROTTLE, "ENABLED": False}
