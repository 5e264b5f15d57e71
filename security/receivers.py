"""Failed and successful logins, from Django's auth signals, into the login throttle's counters."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from . import services


@receiver(user_login_failed, dispatch_uid="security.count_failed_login")
def count_failed_login(sender, credentials, request=None, **kwargs):
    username = credentials.get(get_user_model().USERNAME_FIELD, credentials.get("username"))
    services.record_login_failure(request=request, username=username if isinstance(username, str) else None)


@receiver(user_logged_in, dispatch_uid="security.forget_failed_logins")
def forget_failed_logins(sender, request, user, **kwargs):
    services.record_login_success(username=user.get_username())
