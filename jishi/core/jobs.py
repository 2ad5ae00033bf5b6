"""Background jobs: run after the current transaction commits, on a Celery worker or in this process.

With ``REDIS_URL`` set a job is queued to Celery (``jishi worker`` runs it, retrying with backoff as the
task says); in embedded mode it runs in this process right after commit, and a failure is logged
instead of failing the request that already committed. Either way a job never sees uncommitted rows.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connections, transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args) -> None:
    """Run the Celery ``task`` with ``args`` once the surrounding transaction commits (at once outside one).

    ``task`` is a task object or its dotted name (``"jishi.orders.tasks.send_order_mail"``): a lower app
    asks for work an upper app owns by name, so it never imports it.
    """
    transaction.on_commit(lambda: _dispatch(task, args))


def resolve(name: str):
    """The task called ``name``, imported from its module (the last dotted part is the function)."""
    module, _, attribute = name.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def _dispatch(task, args: tuple) -> None:
    if isinstance(task, str):
        task = resolve(task)
    if settings.REDIS_URL:
        task.delay(*args)
        return
    try:
        task(*args)
    except Exception:
        logger.exception("Job %s%r failed", task.name, args)


def run_schedule_in_thread(*, every: float | None = None) -> threading.Thread:
    """Embedded mode: run the beat schedule's tasks from a daemon thread, as Celery beat would."""
    from jishi.celery import app

    # A worker imports every app's tasks module when it starts; this process may not have yet, and the
    # schedule names its tasks by name only.
    app.autodiscover_tasks(force=True)
    every = every or settings.TIMER_SWEEP_SECONDS
    stop = threading.Event()
    last_run: dict[str, float] = {}

    def due(name: str, entry: dict) -> bool:
        # Each entry keeps its own period (hourly purges stay hourly), but none runs more often than ``every``.
        now = time.monotonic()
        if now - last_run.get(name, float("-inf")) < max(entry["schedule"], every) - every / 2:
            return False
        last_run[name] = now
        return True

    def sweep() -> None:
        try:
            while not stop.wait(every):
                for name, entry in app.conf.beat_schedule.items():
                    if not due(name, entry):
                        continue
                    try:
                        app.tasks[entry["task"]]()
                    except Exception:
                        logger.exception("Timer %s failed", entry["task"])
                    finally:
                        close_old_connections()
        finally:
            connections.close_all()  # a stopped sweeper keeps no database connection open

    thread = threading.Thread(target=sweep, name="jishi-timers", daemon=True)
    thread.stop = stop.set
    thread.start()
    return thread
