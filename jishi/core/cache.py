"""Django's Redis cache, keeping one client per connection pool, and answering as a cache miss while Redis
is unreachable.

Django's own client builds a ``redis.Redis`` object for every cache call, and building one sets up its
table of some 170 response callbacks: about a tenth of a millisecond of CPU per call, for nothing, since
the client only wraps the (shared, thread-safe) connection pool.

Nothing in the cache is the only copy of anything (jobs are rows of the outbox, sessions are in the
database), so while Redis is down every read is a miss, every write is dropped and the site keeps
answering: pages render afresh, memos rebuild from the database (``core.memo``), the sign-in throttle
forgets. After a failure the cache is not asked again for ``CACHE_RETRY_SECONDS``, so each request does
not wait for a connection that will not come; one warning is logged per outage.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class _Missing(ValueError):
    """``incr`` of a key the cache cannot see: what Django raises for a missing key."""


def _soft(fallback):
    """Run the client call, or answer ``fallback(*args)`` while Redis cannot be reached."""

    def wrap(method):
        def call(self, *args, **kwargs):
            if self.down():
                return fallback(*args)
            try:
                answer = method(self, *args, **kwargs)
            except UNREACHABLE as error:
                self.went_down(error)
                return fallback(*args)
            if self._down_until:
                self.came_back()
            return answer

        call.__name__ = method.__name__
        return call

    return wrap


def _missing(*args):
    raise _Missing("the cache is unreachable")


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}
        self._down_until = 0.0
        self._lock = threading.Lock()

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client

    def down(self) -> bool:
        return time.monotonic() < self._down_until

    def went_down(self, error: Exception) -> None:
        with self._lock:
            was_up = self._down_until == 0.0
            self._down_until = time.monotonic() + settings.CACHE_RETRY_SECONDS
        if was_up:
            logger.warning("The cache (Redis) is unreachable; serving without it: %s", error)

    def came_back(self) -> None:
        if self._down_until:
            self._down_until = 0.0
            logger.warning("The cache (Redis) answers again")

    add = _soft(lambda key, value, timeout: False)(DjangoRedisCacheClient.add)
    get = _soft(lambda key, default: default)(DjangoRedisCacheClient.get)
    set = _soft(lambda key, value, timeout: None)(DjangoRedisCacheClient.set)
    touch = _soft(lambda key, timeout: False)(DjangoRedisCacheClient.touch)
    delete = _soft(lambda key: False)(DjangoRedisCacheClient.delete)
    get_many = _soft(lambda keys: {})(DjangoRedisCacheClient.get_many)
    has_key = _soft(lambda key: False)(DjangoRedisCacheClient.has_key)
    incr = _soft(_missing)(DjangoRedisCacheClient.incr)
    set_many = _soft(lambda data, timeout: [])(DjangoRedisCacheClient.set_many)
    delete_many = _soft(lambda keys: None)(DjangoRedisCacheClient.delete_many)
    clear = _soft(lambda: False)(DjangoRedisCacheClient.clear)


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
