"""System checks: a mistyped rate limit is caught by `manage.py check`, not by the first request it meets."""

from django.conf import settings
from django.core.checks import Error, register

from .rules import parse_rules


@register()
def check_rate_limits(app_configs=None, **kwargs):
    errors = []
    try:
        parse_rules(getattr(settings, "RATELIMIT_RULES", ()))
    except ValueError as error:
        errors.append(Error(str(error), hint="Rates are written like 300/m, 10/15m or 5/h.", id="security.E001"))
    throttle = getattr(settings, "LOGIN_THROTTLE", {})
    for name in ("USERNAME_FAILURES", "IP_FAILURES", "WINDOW", "LOCKOUT"):
        value = throttle.get(name, 1)
        if not isinstance(value, int) or value < 1:
            errors.append(Error(f"LOGIN_THROTTLE[{name!r}] must be a positive integer.", id="security.E002"))
    return errors
