"""When the database or the media storage cannot take a write, answer 503 "try again", never a 500.

A database that refuses writes (SQLite's "database is locked" past its timeout, a PostgreSQL server
in recovery or read-only, a lost connection) and a disk that is full raise out of whatever view was
writing. Views write inside transactions (services, Wagtail's editors), so nothing half-written
stays; what the user needs then is to know that nothing went wrong with their input and that they
can send it again in a moment. This middleware turns those errors into a 503 page (JSON under
/api/) in Vietnamese, with `Retry-After`, and logs them. Every other exception is left to Django.
"""

from __future__ import annotations

import errno
import logging

from django.db import InterfaceError, InternalError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 60
# Disk full, quota exceeded, file system mounted read-only.
STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})
# PostgreSQL's read_only_sql_transaction (a hot standby, default_transaction_read_only): psycopg maps
# it to an InternalError, not an OperationalError.
READ_ONLY_SQLSTATE = "25006"


def database_unavailable(exception: BaseException) -> bool:
    """Whether `exception` says the database cannot take the request now (not that the request is wrong)."""
    if isinstance(exception, OperationalError | InterfaceError):
        return True
    if isinstance(exception, InternalError):
        return getattr(exception.__cause__, "sqlstate", None) == READ_ONLY_SQLSTATE
    return False


def storage_full(exception: BaseException) -> bool:
    """Whether `exception` is the media storage refusing a file for lack of room (or being read-only)."""
    return isinstance(exception, OSError) and exception.errno in STORAGE_ERRNOS


class ServiceUnavailableMiddleware:
    """Answer 503 in Vietnamese when a view fails because the database or the storage cannot write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if database_unavailable(exception):
            message = _(
                "The database cannot save changes at the moment. Nothing you sent was saved; "
                "please try again in a few minutes."
            )
            kind = "database"
        elif storage_full(exception):
            message = _(
                "The file storage is full or unavailable at the moment, so your file could not be saved. "
                "Nothing you sent was saved; please try again later or tell an administrator."
            )
            kind = "storage"
        else:
            return None
        logger.error(
            "%s unavailable while serving %s %s: %s", kind, request.method, request.path, exception, exc_info=exception
        )
        if request.path.startswith("/api/"):
            response = JsonResponse({"error": message}, status=503)
        else:
            # No request context: its processors read the database, which may be what is down.
            html = render_to_string("ops/503.html", {"message": message, "back_url": _safe_back_url(request)})
            response = HttpResponse(html, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response


def _safe_back_url(request: HttpRequest) -> str:
    """The page to go back to: the same address (a form shown again), never another site's."""
    return request.get_full_path() if request.method == "GET" else request.path
