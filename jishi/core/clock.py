"""The one clock. Code asks ``clock.now()``; tests move it with ``clock.frozen(...)``."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading

from django.utils import timezone

_state = threading.local()
_global_offset: list[dt.timedelta] = [dt.timedelta(0)]


def now() -> dt.datetime:
    fixed = getattr(_state, "fixed", None)
    if fixed is not None:
        return fixed
    return timezone.now() + _global_offset[0]


@contextlib.contextmanager
def frozen(at: dt.datetime):
    """Pin ``now()`` to ``at`` (timezone-aware) in this thread for the block."""
    if timezone.is_naive(at):
        raise ValueError("clock.frozen needs a timezone-aware datetime")
    previous = getattr(_state, "fixed", None)
    _state.fixed = at
    try:
        yield at
    finally:
        _state.fixed = previous


@contextlib.contextmanager
def shifted(by: dt.timedelta):
    """Move the clock forward for every thread in the block (timers, sweeps)."""
    _global_offset[0] += by
    try:
        yield
    finally:
        _global_offset[0] -= by
