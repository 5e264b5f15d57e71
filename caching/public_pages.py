"""Whole-page caching of the public pages for anonymous visitors.

`cache_public_page` wraps a public view (and the `serve` of the public page types). A page is kept
in Django's "default" cache under a key made of:

- the content generation (ContentGeneration, in the database): every publish, unpublish,
  commendation, unit, field, movement or emulation change replaces it (caching/receivers.py), so
  every worker process stops reading the pages cached before the change at once;
- the scheme, host, path and the query string (its parameters sorted, so `?a=1&b=2` and
  `?b=2&a=1` share one entry) and the active language.

Only what every visitor would be shown is cached. A request is answered from the cache, and its
answer stored, only when it is a GET without a session cookie (so never for a signed-in user, nor
for an anonymous visitor whose session holds anything, such as a page password) and without
pending messages; an answer is stored only when it is a 200, not streamed, sets no cookie, uses no
CSRF token, queues no message, changes no session and does not say `private` or `no-store`. An
answer is kept PUBLIC_PAGE_CACHE_SECONDS, or less when its view said so (`keep_briefly`: a search
answered by the database while Elasticsearch is down). Its `max-age` is for browsers and proxies,
which no publish can reach; here the content generation retires it on the next change.

Cache or database trouble never fails a page: the view simply runs.
"""

import functools
import hashlib
import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from .models import ContentGeneration

logger = logging.getLogger(__name__)

KEY_PREFIX = "public-page"
HIT_HEADER = "X-Page-Cache"
# A degraded answer is kept this long at most: the full answer replaces it once Elasticsearch is back.
DEGRADED_SECONDS = 10


def current_generation() -> int:
    """The token the public pages are cached under now (0 before the first change)."""
    return ContentGeneration.objects.filter(pk=1).values_list("token", flat=True).first() or 0


def bump_generation() -> None:
    """Replace the token, inside the caller's transaction: no page cached before is read again."""
    token = secrets.randbits(62)
    if not ContentGeneration.objects.filter(pk=1).update(token=token):
        ContentGeneration.objects.update_or_create(pk=1, defaults={"token": token})


def _timeout() -> int:
    return int(getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 0) or 0)


def keep_briefly(request, seconds: int = DEGRADED_SECONDS) -> None:
    """Have the page cache keep the answer to `request` `seconds` at most."""
    request.page_cache_seconds = min(seconds, getattr(request, "page_cache_seconds", seconds))


def _may_use_cache(request) -> bool:
    if request.method != "GET":
        return False
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME not in cookies
        and getattr(settings, "MESSAGE_COOKIE_NAME", "messages") not in cookies
    )


def cache_key(request, generation: int) -> str:
    """The key of this request's page under `generation`."""
    query = sorted((name, sorted(values)) for name, values in request.GET.lists())
    question = repr((request.scheme, request.get_host(), request.path, query, get_language()))
    digest = hashlib.sha256(question.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{KEY_PREFIX}:{generation}:{digest}"


def _may_store(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    # The CSRF middleware and the message and session middlewares write their cookies after the
    # view: what they are about to write is read off the request.
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    storage = getattr(request, "_messages", None)
    if storage is not None and getattr(storage, "_queued_messages", None):
        return False
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return "private" not in cache_control and "no-store" not in cache_control


def _store(request, response, key: str) -> None:
    if not _may_store(request, response):
        return
    timeout = min(_timeout(), getattr(request, "page_cache_seconds", _timeout()))
    if timeout <= 0:
        return
    try:
        cache.set(key, response, timeout)
    except Exception:  # a cache that cannot store must not fail the page
        logger.warning("The page cache could not store %s", request.path, exc_info=True)


def cache_public_page(view):
    """Serve `view`'s answer to anonymous visitors from the cache while the content is unchanged."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if _timeout() <= 0 or not _may_use_cache(request):
            return view(request, *args, **kwargs)
        try:
            key = cache_key(request, current_generation())
            cached = cache.get(key)
        except Exception:  # without the cache (or its token) the view still answers
            logger.warning("The page cache could not be read for %s", request.path, exc_info=True)
            return view(request, *args, **kwargs)
        if cached is not None:
            cached[HIT_HEADER] = "hit"
            return cached
        response = view(request, *args, **kwargs)
        response[HIT_HEADER] = "miss"
        if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
            # A TemplateResponse (Wagtail's pages) is rendered after the view: store it then.
            response.add_post_render_callback(lambda rendered: _store(request, rendered, key))
        else:
            _store(request, response, key)
        return response

    return wrapped
