"""Slow down password guessing: failed sign-ins are counted per email and per client address in the
shared cache (Redis in production), so the limit holds across every web node."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from jishi.core.errors import DomainError

MAX_FAILURES = 10
WINDOW_SECONDS = 15 * 60


def _keys(email: str, address: str) -> list[str]:
    return [f"auth:fail:email:{email.strip().lower()}", f"auth:fail:ip:{address}"]


def ensure_sign_in_allowed(*, email: str, address: str) -> None:
    """Raises ``auth.throttled`` (429) after too many recent failures for this email or address."""
    counts = cache.get_many(_keys(email, address))
    if any(count >= MAX_FAILURES for count in counts.values()):
        raise DomainError("auth.throttled", _("Too many failed attempts. Try again in 15 minutes."), status=429)


def record_failure(*, email: str, address: str) -> None:
    for key in _keys(email, address):
        if not cache.add(key, 1, WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, WINDOW_SECONDS)


def clear_failures(*, email: str) -> None:
    cache.delete(_keys(email, "")[0])


def client_address(request) -> str:
    """The client's address; behind a trusted proxy, the one the proxy appended to X-Forwarded-For
    (earlier entries are whatever the client claimed)."""
    if settings.BEHIND_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "") or "unknown"
