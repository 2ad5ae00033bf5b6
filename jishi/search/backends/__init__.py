"""The search backend in use: PostgreSQL's or SQLite's, by the database, unless ``SEARCH_BACKEND`` names
another (a dotted path to a ``SearchBackend`` subclass: the seam for an external engine)."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

from jishi.search.backends.base import SearchBackend


@lru_cache(maxsize=4)
def _backend(path: str | None, vendor: str) -> SearchBackend:
    if path:
        return import_string(path)()
    if vendor == "postgresql":
        from jishi.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    from jishi.search.backends.sqlite import SqliteBackend

    return SqliteBackend()


def get_backend() -> SearchBackend:
    return _backend(getattr(settings, "SEARCH_BACKEND", None) or None, connection.vendor)
