"""The admin login form with throttling: locked usernames and addresses are refused before any password check."""

from django import forms
from django.utils.translation import ngettext

from models_registry.admin_forms import VietnameseLoginForm

from . import services


def login_locked_message(seconds: int) -> str:
    """What a locked login is told: the same words whether or not the user exists or the password was right."""
    minutes = max(1, -(-seconds // 60))
    return ngettext(
        "Too many failed sign-in attempts. Please try again in %(minutes)s minute.",
        "Too many failed sign-in attempts. Please try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


class ThrottledLoginForm(VietnameseLoginForm):
    """Wagtail's login form (WAGTAILADMIN_USER_LOGIN_FORM) behind security.services' login throttle.

    Failures are counted by security.receivers from Django's `user_login_failed` signal, so any
    login that goes through `authenticate()` counts; this form refuses, while a lock lasts, before
    `authenticate()` runs: no password is checked, so the answer cannot tell a right password, a
    wrong one or an unknown user apart.
    """

    def clean(self):
        wait = services.login_lockout(request=self.request, username=self.cleaned_data.get("username"))
        if wait:
            raise forms.ValidationError(login_locked_message(wait), code="throttled")
        return super().clean()
