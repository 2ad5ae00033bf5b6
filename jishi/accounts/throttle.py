"""Slow down password guessing and bulk sign-ups without letting anyone lock a real user out.

Failed sign-ins are counted in the shared cache (Redis in production, so the limits hold across every web
node; local memory in embedded mode) in three buckets:

- per account and address: after ``SIGN_IN_FREE_FAILURES`` failures, each further failure doubles the wait
  (1 s, 2 s, 4 s … up to ``SIGN_IN_MAX_WAIT_SECONDS``). This is the one a guesser meets first.
- per account, from any address: the same backoff after ``SIGN_IN_ACCOUNT_FREE_FAILURES``, against guessing
  spread over many addresses.
- per address, for any account: the same backoff after ``SIGN_IN_ADDRESS_FREE_FAILURES`` — a much higher
  ceiling, so a burst of random emails from one office NAT does not stop its other people signing in.

An address the account has signed in from before is "known": the account and address buckets (which
other people can fill) never hold that account back there; only its own (account, address) bucket does.
So nobody can lock a seller out of the place they usually work from by failing on purpose.

The shop's login page, the admin login (``accounts.forms.ThrottledSignInMixin``) and ``POST /auth/tokens``
all go through these buckets. Bearer tokens that are not valid are counted per address the same way.

Sign-ups are limited per address and new personal access tokens per account, in fixed one-hour windows;
password-reset requests per email address and per client address the same way. A reset request counts for
its email address whether or not an account has it, so the limit tells nobody which addresses have one.
A refusal is a ``Throttled`` error (429) carrying ``retry_after`` seconds, which the API sends as
``Retry-After`` beside the usual error body and pages show inline.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jishi.core import clock
from jishi.core.errors import DomainError

# A bucket forgets its failures after this long without a new one.
FORGET_SECONDS = 24 * 3600
KNOWN_ADDRESS_SECONDS = 90 * 24 * 3600
WINDOW_SECONDS = 3600


class Throttled(DomainError):
    """Too many requests: try again after ``retry_after`` seconds."""

    status = 429

    def __init__(self, code: str, message: str, *, retry_after: int):
        super().__init__(code, message, status=429)
        self.retry_after = max(1, int(retry_after))


@dataclass(frozen=True)
class _Bucket:
    key: str
    free: int


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _network(address: str) -> str:
    """IPv6 clients usually hold a whole /64, so they are counted per /64; IPv4 per address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64] or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _account(email: str) -> str:
    return _digest((email or "").strip().lower())


def _buckets(email: str, address: str) -> tuple[_Bucket, _Bucket, _Bucket]:
    account, network = _account(email), _network(address)
    return (_Bucket(f"auth:fail:pair:{account}:{network}", settings.SIGN_IN_FREE_FAILURES),
            _Bucket(f"auth:fail:account:{account}", settings.SIGN_IN_ACCOUNT_FREE_FAILURES),
            _Bucket(f"auth:fail:address:{network}", settings.SIGN_IN_ADDRESS_FREE_FAILURES))


def _known_key(email: str, address: str) -> str:
    return f"auth:known:{_account(email)}:{_network(address)}"


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def backoff_seconds(*, failures: int, free: int, maximum: int) -> int:
    """The wait after the ``failures``-th failure: none within ``free``, then 1 s doubling up to ``maximum``."""
    over = failures - free
    if over <= 0:
        return 0
    return min(maximum, 2 ** min(over - 1, 30))


# --- sign-in ----------------------------------------------------------------------------------------

def ensure_sign_in_allowed(*, email: str, address: str) -> None:
    """Raises ``auth.throttled`` (429) while a failure backoff holds this email at this address."""
    pair, account, network = _buckets(email, address)
    known = _known_key(email, address)
    found = cache.get_many([f"{pair.key}:until", f"{account.key}:until", f"{network.key}:until", known])
    keys = [pair.key] if known in found else [pair.key, account.key, network.key]
    now = clock.now().timestamp()
    wait = max((found.get(f"{key}:until", 0) - now for key in keys), default=0)
    if wait > 0:
        wait = math.ceil(wait)
        raise Throttled("auth.throttled", _("Too many failed attempts. Try again in %(wait)s.")
                        % {"wait": _wait_text(wait)}, retry_after=wait)


def _count(key: str, timeout: int) -> int:
    if cache.add(key, 1, timeout):
        return 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout)
        return 1
    cache.touch(key, timeout)
    return count


def record_failure(*, email: str, address: str) -> None:
    """Counts a failed sign-in in every bucket and starts the backoff of those past their free failures."""
    now, maximum = clock.now().timestamp(), settings.SIGN_IN_MAX_WAIT_SECONDS
    holds = {}
    for bucket in _buckets(email, address):
        wait = backoff_seconds(failures=_count(bucket.key, FORGET_SECONDS), free=bucket.free, maximum=maximum)
        if wait:
            holds[f"{bucket.key}:until"] = now + wait
    if holds:
        cache.set_many(holds, maximum + 60)


def record_success(*, email: str, address: str) -> None:
    """A correct password: this account's failures are forgotten and the address becomes known for it.

    The address bucket keeps its count: other people behind the same address may still be guessing."""
    pair, account, _network_bucket = _buckets(email, address)
    cache.delete_many([pair.key, f"{pair.key}:until", account.key, f"{account.key}:until"])
    cache.set(_known_key(email, address), 1, KNOWN_ADDRESS_SECONDS)


# --- sign-up and tokens -----------------------------------------------------------------------------

def _spend(key: str, limit: int) -> int:
    """Counts one request in the current one-hour window; returns the seconds to wait when over ``limit``."""
    now = clock.now().timestamp()
    window = int(now // WINDOW_SECONDS)
    if _count(f"{key}:{window}", WINDOW_SECONDS + 60) <= limit:
        return 0
    return math.ceil((window + 1) * WINDOW_SECONDS - now)


def count_sign_up(*, address: str) -> None:
    """Counts a sign-up attempt from this address; raises ``account.throttled`` (429) past the hourly limit."""
    wait = _spend(f"auth:signup:{_network(address)}", settings.SIGN_UPS_PER_ADDRESS_PER_HOUR)
    if wait:
        raise Throttled("account.throttled", _("Too many sign-ups from your network. Try again in %(wait)s.")
                        % {"wait": _wait_text(wait)}, retry_after=wait)


def count_token_creation(*, user_id: int) -> None:
    """Counts a new personal access token; raises ``token.throttled`` (429) past the hourly limit."""
    wait = _spend(f"auth:tokens:{user_id}", settings.TOKENS_PER_ACCOUNT_PER_HOUR)
    if wait:
        raise Throttled("token.throttled", _("Too many new tokens. Try again in %(wait)s.")
                        % {"wait": _wait_text(wait)}, retry_after=wait)


def _bad_token_key(address: str) -> str:
    return f"auth:bad-token:{_network(address)}"


def ensure_bearer_allowed(*, address: str) -> None:
    """Raises ``token.throttled`` (429) while this address is held back for sending wrong bearer tokens."""
    wait = (cache.get(f"{_bad_token_key(address)}:until") or 0) - clock.now().timestamp()
    if wait > 0:
        wait = math.ceil(wait)
        raise Throttled("token.throttled", _("Too many requests with a token that is not valid. Try again in "
                                             "%(wait)s.") % {"wait": _wait_text(wait)}, retry_after=wait)


def record_bad_token(*, address: str) -> None:
    """Counts a bearer token that is not valid (unknown, revoked or expired) from this address: past
    ``BAD_TOKENS_FREE_PER_ADDRESS`` each further one doubles the wait, as failed sign-ins do, so tokens
    cannot be guessed at speed."""
    key, maximum = _bad_token_key(address), settings.SIGN_IN_MAX_WAIT_SECONDS
    wait = backoff_seconds(failures=_count(key, FORGET_SECONDS), free=settings.BAD_TOKENS_FREE_PER_ADDRESS,
                           maximum=maximum)
    if wait:
        cache.set(f"{key}:until", clock.now().timestamp() + wait, maximum + 60)


def count_password_reset(*, email: str, address: str) -> None:
    """Counts a password-reset request for ``email`` from ``address``; raises ``account.reset_throttled`` (429)
    past either hourly limit. Both windows count every request, so a refusal is the same for every email."""
    waits = [_spend(f"auth:reset:account:{_account(email)}", settings.PASSWORD_RESETS_PER_ACCOUNT_PER_HOUR),
             _spend(f"auth:reset:address:{_network(address)}", settings.PASSWORD_RESETS_PER_ADDRESS_PER_HOUR)]
    wait = max(waits)
    if wait:
        raise Throttled("account.reset_throttled",
                        _("Too many password-reset requests. Try again in %(wait)s.") % {"wait": _wait_text(wait)},
                        retry_after=wait)


def client_address(request) -> str:
    """The client's address; behind a trusted proxy, the one the proxy appended to X-Forwarded-For
    (earlier entries are whatever the client claimed)."""
    if settings.BEHIND_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "") or "unknown"
