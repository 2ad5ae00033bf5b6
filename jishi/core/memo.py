"""A per-process copy of a value that is costly to build, kept valid by a token in the shared cache.

Reading the value costs one small cache read (the token) instead of unpickling the whole value. Any
process that changes the data calls ``invalidate()``, which replaces the token, so every web node
rebuilds on its next read: correct with many nodes, fast with one.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache

T = TypeVar("T")


class SharedVersionMemo(Generic[T]):
    def __init__(self, key: str):
        self.key = key
        self._local: tuple[str | None, T | None] = (None, None)
        self._lock = threading.Lock()

    def token(self) -> str:
        token = cache.get(self.key)
        if token is None:
            cache.add(self.key, uuid.uuid4().hex, None)
            token = cache.get(self.key)
        return token

    def get(self, build: Callable[[], T]) -> T:
        token = self.token()
        held_token, value = self._local
        if held_token == token and token is not None:
            return value
        with self._lock:
            value = build()
            self._local = (token, value)
        return value

    def invalidate(self) -> None:
        cache.set(self.key, uuid.uuid4().hex, None)
