"""Idempotent writes, the way Stripe's API does them.

A client sends ``Idempotency-Key: <anything unique>`` with a POST. The first request runs and its
response is stored with a hash of the request, in the same transaction as the work. A repeat with the
same key and the same body gets the stored response and changes nothing; the same key with another
body is refused (422 ``idempotency.key_reused``). A failed request stores nothing, so it may be retried
with the same key. Keys expire after ``IDEMPOTENCY_KEY_HOURS``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError
from django.utils.translation import gettext as _

from jishi.core import clock
from jishi.core.errors import DomainError, field_error
from jishi.core.models import IdempotencyKey
from jishi.core.transactions import atomic_whole

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Stored:
    status_code: int
    body: dict


def request_hash(*, method: str, path: str, body) -> str:
    canonical = json.dumps({"method": method.upper(), "path": path, "body": body}, sort_keys=True,
                           separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def clean_key(raw: str | None) -> str | None:
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise field_error("idempotency.invalid_key", "Idempotency-Key",
                          _("An Idempotency-Key is 1 to 255 printable characters."))
    return key


def _cutoff(now: dt.datetime | None = None) -> dt.datetime:
    return (now or clock.now()) - dt.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)


def _live(*, user, scope: str, key: str) -> IdempotencyKey | None:
    return IdempotencyKey.objects.filter(user=user, scope=scope, key=key, created_at__gt=_cutoff()).first()


def _replay(found: IdempotencyKey, fingerprint: str) -> Stored:
    if found.request_hash != fingerprint:
        raise DomainError("idempotency.key_reused",
                          _("This Idempotency-Key was used with a different request; use a new key."),
                          fields={"Idempotency-Key": [_("Already used with a different request body.")]})
    return Stored(status_code=found.status_code, body=found.response)


def _find_sql() -> str:
    """The key's row whatever its age (unique per user, scope and key). Written out: it runs before every
    idempotent write, and the ORM spends three times the CPU building it."""
    columns = ", ".join(f'"{field.column}"' for field in IdempotencyKey._meta.concrete_fields)
    return (f'SELECT {columns} FROM "{IdempotencyKey._meta.db_table}" '  # noqa: S608  (our own names)
            'WHERE "user_id" = %s AND "scope" = %s AND "key" = %s')


_FIND_SQL = _find_sql()


def run_once(*, user, scope: str, key: str | None, fingerprint: str,
             work: Callable[[], tuple[int, dict]]) -> Stored:
    """Run ``work`` (returning status and a JSON-able body) at most once per ``key``.

    Without a key the work simply runs. Raises ``idempotency.key_reused`` (422) for a reused key with a
    different request; whatever ``work`` raises leaves no key behind.
    """
    if key is None:
        status, body = work()
        return Stored(status_code=status, body=body)
    # One read finds the key whatever its age: a live row answers, an expired one makes way below, and
    # the usual case (a new key) costs no DELETE.
    found = next(iter(IdempotencyKey.objects.raw(_FIND_SQL, [user.pk, scope, key])), None)
    if found is not None and found.created_at > _cutoff():
        return _replay(found, fingerprint)
    try:
        # All or nothing: whatever ``work`` raises rolls it back with the key, so the blocks it opens need
        # no savepoints (see ``core.transactions``).
        with atomic_whole():
            if found is not None:
                # An expired row with the same key makes way for the new request.
                IdempotencyKey.objects.filter(pk=found.pk, created_at__lte=_cutoff()).delete()
            status, body = work()
            IdempotencyKey.objects.create(user=user, scope=scope, key=key, request_hash=fingerprint,
                                          status_code=status, response=body)
    except IntegrityError:
        # A concurrent request with the same key committed first: answer as it did.
        found = _live(user=user, scope=scope, key=key)
        if found is None:
            raise
        return _replay(found, fingerprint)
    return Stored(status_code=status, body=body)


def purge_expired(now: dt.datetime | None = None) -> int:
    deleted, _counts = IdempotencyKey.objects.filter(created_at__lte=_cutoff(now)).delete()
    return deleted
