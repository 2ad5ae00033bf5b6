"""A per-process copy of a value that is costly to build, kept valid by a token in the shared cache.

Reading the value costs one small cache read (the token) instead of unpickling the whole value. Any
process that changes the data calls ``invalidate()``, which replaces the token, so every web node
rebuilds on its next read: correct with many nodes, fast with one.

Within one request the tokens are read once, all memos' together in one cache round trip, and reused
for the rest of that request: a change made elsewhere shows from the next request on, a change made by
this request at once. Outside requests (jobs, commands, the shell) every read asks the cache.

While the cache is unreachable there is no token: a memo then keeps its value for ``OFFLINE_SECONDS``
and rebuilds from the database after that, so the site answers, a little slower, and changes show within
seconds. A change made during the outage cannot replace the token the others hold, so no value is kept
longer than ``MAX_AGE_SECONDS`` whatever its token says.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction

T = TypeVar("T")

OFFLINE_SECONDS = 5.0
MAX_AGE_SECONDS = 600.0

# Every memo's key, so the first read of a request fetches them all at once.
_KEYS: set[str] = set()
# Per thread: the tokens read during the current request (None outside a request).
_request = threading.local()


def _begin_request(**_kwargs) -> None:
    _request.tokens = {}


def _end_request(**_kwargs) -> None:
    _request.tokens = None


request_started.connect(_begin_request, dispatch_uid="jishi.core.memo.begin")
request_finished.connect(_end_request, dispatch_uid="jishi.core.memo.end")


def _read_token(key: str) -> str:
    token = cache.get(key)
    if token is None:
        cache.add(key, uuid.uuid4().hex, None)
        token = cache.get(key)
    return token


class SharedVersionMemo(Generic[T]):
    def __init__(self, key: str):
        self.key = key
        _KEYS.add(key)
        self._local: tuple[str | None, T | None, float] = (None, None, float("-inf"))
        self._lock = threading.Lock()

    def token(self) -> str:
        tokens = getattr(_request, "tokens", None)
        if tokens is None:
            return _read_token(self.key)
        token = tokens.get(self.key)
        if token is None:
            if not tokens:
                tokens.update(cache.get_many(sorted(_KEYS)))
            token = tokens.get(self.key) or _read_token(self.key)
            tokens[self.key] = token
        return token

    def get(self, build: Callable[[], T]) -> T:
        token = self.token()
        held_token, value, built_at = self._local
        age = time.monotonic() - built_at
        if token is None:  # the cache is unreachable: a short local validity instead of the shared token
            if held_token is None and age < OFFLINE_SECONDS:
                return value
        elif held_token == token and age < MAX_AGE_SECONDS:
            return value
        with self._lock:
            value = build()
            self._local = (token, value, time.monotonic())
        return value

    def invalidate(self) -> None:
        token = uuid.uuid4().hex
        cache.set(self.key, token, None)
        tokens = getattr(_request, "tokens", None)
        if tokens is not None:
            tokens[self.key] = token

    def invalidate_on_commit(self) -> None:
        """``invalidate()`` once the current transaction commits (at once outside one), so no process rebuilds
        from rows it cannot see yet; called many times in one transaction (a bulk import), it runs once."""
        connection = transaction.get_connection()
        if connection.in_atomic_block and any(getattr(callback, "memo_key", None) == self.key and not callback.ran
                                              for _savepoints, callback, _robust in connection.run_on_commit):
            return

        def invalidate() -> None:
            invalidate.ran = True
            self.invalidate()

        invalidate.memo_key, invalidate.ran = self.key, False
        transaction.on_commit(invalidate)
