"""Local development: debug on, console email, a fixed key that only works on this machine."""

from .base import *  # noqa: F403
from .base import env, env_list

DEBUG = True
# A development-only key; production refuses to start without DJANGO_SECRET_KEY.
SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-insecure-key-not-for-production")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
