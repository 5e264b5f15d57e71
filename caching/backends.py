"""Django's Redis cache, failing soft: while Redis is down or slow, a read is a miss and a write is
dropped (and logged), so pages are built afresh instead of failing with a 500.

`incr`/`decr` and `clear` still raise: a counter (a rate limit) must decide for itself what an
unknown count means.
"""

import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)


def _fail_soft(name: str, fallback):
    """RedisCacheClient's method `name`, answering `fallback(*args)` when Redis fails."""
    method = getattr(RedisCacheClient, name)

    def soft(self, *args):
        try:
            return method(self, *args)
        except self._lib.RedisError:
            logger.warning("Redis cache %s failed; carrying on without the cache", name, exc_info=True)
            return fallback(*args)

    soft.__name__ = name
    return soft


class FailSoftRedisCacheClient(RedisCacheClient):
    get = _fail_soft("get", lambda key, default: default)
    get_many = _fail_soft("get_many", lambda keys: {})
    has_key = _fail_soft("has_key", lambda key: False)
    add = _fail_soft("add", lambda key, value, timeout: False)
    set = _fail_soft("set", lambda key, value, timeout: None)
    set_many = _fail_soft("set_many", lambda data, timeout: None)
    touch = _fail_soft("touch", lambda key, timeout: False)
    delete = _fail_soft("delete", lambda key: False)
    delete_many = _fail_soft("delete_many", lambda keys: None)


class FailSoftRedisCache(RedisCache):
    """RedisCache whose reads miss and writes are dropped while Redis cannot be reached."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailSoftRedisCacheClient
