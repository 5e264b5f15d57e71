"""Counters in the shared cache: login throttling and request rate limits.

Everything lives in Django's "default" cache (LocMem for one process, Redis when several gunicorn
workers or hosts serve the site: the counters must be shared for the limits to mean anything).
A cache that fails (Redis down) never turns a request into a 500: the limits fail open and the
error is logged, since refusing every login and search would be the worse outage.

Login throttling: each failed login counts against the username tried (normalised, whether or
not such a user exists) and against the client's address, within `LOGIN_THROTTLE["WINDOW"]`
seconds of the first failure. At `USERNAME_FAILURES` failures for a username, or `IP_FAILURES`
from one address, further attempts for that username (or from that address) are refused for
`LOCKOUT` seconds, before any password is checked, so the answer is the same for an existing
user with the right password, a wrong one, or no such user. A successful login clears its
username's count; the address's count stays (an attacker with one account of their own must not be
able to wipe it). The address limit is set well above the username limit so that colleagues behind
one office address are not shut out by one person's typos.

Rate limits: a fixed window per rule and client address (`hit_rate_limit`).

Why not django-axes (maintained, thorough): it brings database tables and migrations, an
authentication backend to put first and a middleware, and records every attempt in the database;
what is needed here, a count per username and per address that expires, is a few cache counters,
shared with the rate limits, with the lock enforced in the login form.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from .client import client_ip

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "second": 1, "seconds": 1, "m": 60, "minute": 60, "minutes": 60, "h": 3600, "hour": 3600}
PERIODS |= {"hours": 3600, "d": 86400, "day": 86400, "days": 86400}
RATE = re.compile(r"^(?P<limit>\d+)\s*/\s*(?P<count>\d*)\s*(?P<unit>[a-z]*)$")
KEY_PREFIX = "security"


# Rates -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """`limit` requests per `period` seconds."""

    limit: int
    period: int

    @classmethod
    def parse(cls, text: str) -> Rate | None:
        """ "300/m", "20/minute", "10/15m", "5/h", "100/30" (seconds); None for "", "0" or "off" (no limit)."""
        text = (text or "").strip().lower()
        if text in {"", "0", "off", "none"}:
            return None
        match = RATE.match(text)
        unit = match and match["unit"]
        if not match or (unit and unit not in PERIODS):
            raise ValueError(f"Not a rate: {text!r} (write e.g. 300/m, 10/15m, 5/h)")
        period = int(match["count"] or 1) * PERIODS[unit or "s"]
        limit = int(match["limit"])
        if limit == 0:
            return None
        if period == 0:
            raise ValueError(f"Not a rate: {text!r} (the period must be positive)")
        return cls(limit=limit, period=period)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window ends


def _digest(value: str) -> str:
    """A fixed-length cache key part for any text (usernames may hold any character)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]


def _increment(key: str, timeout: int) -> int:
    """Add one to the counter `key`, created with `timeout` seconds to live on its first hit."""
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=timeout)
        return 1


def hit_rate_limit(*, rule: str, rate: Rate, ident: str) -> Decision:
    """Count one request of `ident` under `rule` in the current fixed window; refused past the rate's limit."""
    now = time.time()
    window = int(now // rate.period)
    retry_after = max(1, math.ceil((window + 1) * rate.period - now))
    key = f"{KEY_PREFIX}:rl:{rule}:{_digest(ident)}:{window}"
    try:
        count = _increment(key, retry_after + 1)
    except Exception:  # the cache is down: fail open, never a 500
        logger.exception("Rate limit counter unavailable; request allowed")
        return Decision(allowed=True, count=0, limit=rate.limit, retry_after=0)
    return Decision(allowed=count <= rate.limit, count=count, limit=rate.limit, retry_after=retry_after)


# Login throttling ----------------------------------------------------------------------------


def _throttle_settings() -> dict:
    defaults = {"ENABLED": True, "USERNAME_FAILURES": 5, "IP_FAILURES": 20, "WINDOW": 900, "LOCKOUT": 900}
    return {**defaults, **getattr(settings, "LOGIN_THROTTLE", {})}


def normalise_username(username: str | None) -> str:
    """The form of a username that attempts are counted under: "Admin " and "admin" are one."""
    return unicodedata.normalize("NFKC", username or "").strip().casefold()


def _subjects(request: HttpRequest | None, username: str | None) -> list[tuple[str, str, int]]:
    """(scope, cache key part, failure limit) for the username tried and the client's address."""
    config = _throttle_settings()
    subjects = []
    name = normalise_username(username)
    if name:
        subjects.append(("user", _digest(name), int(config["USERNAME_FAILURES"])))
    if request is not None:
        subjects.append(("ip", _digest(client_ip(request)), int(config["IP_FAILURES"])))
    return subjects


def login_lockout(*, request: HttpRequest | None, username: str | None) -> int:
    """Seconds before a login for `username` from this client may be tried again (0: it may be tried now)."""
    config = _throttle_settings()
    if not config["ENABLED"]:
        return 0
    keys = [f"{KEY_PREFIX}:login-lock:{scope}:{part}" for scope, part, _limit in _subjects(request, username)]
    try:
        until = cache.get_many(keys)
    except Exception:
        logger.exception("Login throttle unavailable; login allowed")
        return 0
    now = time.time()
    return max((math.ceil(value - now) for value in until.values() if value > now), default=0)


def record_login_failure(*, request: HttpRequest | None, username: str | None) -> None:
    """Count one failed login against the username tried and the client's address; lock either at its limit."""
    config = _throttle_settings()
    if not config["ENABLED"]:
        return
    window, lockout = int(config["WINDOW"]), int(config["LOCKOUT"])
    try:
        for scope, part, limit in _subjects(request, username):
            failures = _increment(f"{KEY_PREFIX}:login-fail:{scope}:{part}", window)
            if failures >= limit:
                cache.set(f"{KEY_PREFIX}:login-lock:{scope}:{part}", time.time() + lockout, timeout=lockout)
                if failures == limit:
                    logger.warning("Login locked for %s seconds after %s failures (%s)", lockout, failures, scope)
    except Exception:
        logger.exception("Login throttle unavailable; failure not counted")


def record_login_success(*, username: str | None) -> None:
    """Forget the failures of a username that has just logged in (its address's count stays)."""
    name = normalise_username(username)
    if not name:
        return
    part = _digest(name)
    try:
        cache.delete_many([f"{KEY_PREFIX}:login-fail:user:{part}", f"{KEY_PREFIX}:login-lock:user:{part}"])
    except Exception:
        logger.exception("Login throttle unavailable; success not recorded")
