"""Background jobs through a transactional outbox: written with the change that causes them, run once it
commits, on a Celery worker or in this process, and never lost with a broker or a worker.

``enqueue`` writes a ``Job`` row in the caller's transaction and, once it commits, hands the row over:
to Celery with ``REDIS_URL`` set (``jishi worker`` runs it), else in this process right away. Whoever runs
a row claims it first with a conditional update, so a row handed over twice runs once; a failure is
logged and the row is tried again after a backoff (10 s, 20 s, 40 s … at most an hour), then declared
dead after ``JOB_MAX_ATTEMPTS`` (an error in the log and a banner on the operator's admin index).
``relay`` (a timer) hands over again what nobody ran: a message Redis lost, a broker that was down at
commit, a worker killed mid-job (its claim lapses after ``JOB_LEASE_SECONDS``), a retry that fell due.

A row runs at least once: a worker killed after the work but before the row is marked done runs it
again, so handlers are written to be repeated, keyed by their row: deliveries, payouts and refunds check
their own rows, and every mail a job sends carries a Message-ID made from the job's id
(``message_id``), so a mail sent again in that window is the same message to the mail servers. A job never sees uncommitted
rows, and handing over after commit can never turn a committed request into an error answer.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import importlib
import logging
import threading
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.db.models import F, Q

from jishi.core import clock
from jishi.core.models import Job, JobStatus

logger = logging.getLogger(__name__)

# The job this thread is running (its row id), for handlers that key what they send on it.
_running: contextvars.ContextVar[int | None] = contextvars.ContextVar("jishi_job", default=None)
FIRST_RETRY_SECONDS = 10
MAX_RETRY_SECONDS = 3600
ERROR_LENGTH = 2000


def enqueue(task, *args) -> Job:
    """Write the job ``task(*args)`` in the surrounding transaction and hand it over once that commits (at
    once outside one). ``args`` are JSON values: ids and short strings.

    ``task`` is a task object or its dotted name (``"jishi.orders.tasks.send_order_mail"``): a lower app
    asks for work an upper app owns by name, so it never imports it.
    """
    name = task if isinstance(task, str) else task.name
    job = Job.objects.create(task=name, args=list(args), dispatched_at=clock.now())
    transaction.on_commit(lambda: _hand_over(job.pk))
    return job


def _hand_over(job_id: int) -> None:
    """After commit: hand the row over. Nothing here may fail the request that committed it — the row is
    safe in the database, and the relay hands over whatever this could not."""
    try:
        if not _dispatch(job_id):  # the broker is away: due for the relay's next round, not after a minute
            Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(dispatched_at=None)
    except Exception:
        logger.exception("Job %s is committed but was not handed over; the relay will hand it over", job_id)


def resolve(name: str):
    """The task called ``name``, imported from its module (the last dotted part is the function)."""
    module, _, attribute = name.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


# After the broker refused, it is left alone this long: requests do not each wait for it meanwhile.
BROKER_RETRY_SECONDS = 5.0
_broker = {"down_until": 0.0}


def _dispatch(job_id: int) -> bool:
    """Hand one committed row over; False when the broker did not take it. A broker that refuses leaves
    the row for the relay: the request that committed it has succeeded, and says so."""
    if not settings.REDIS_URL:
        run(job_id)
        return True
    from jishi.core.tasks import run_job

    if time.monotonic() < _broker["down_until"]:
        return False  # the relay hands it over once the broker is back
    try:
        run_job.delay(job_id)
    except Exception:
        _broker["down_until"] = time.monotonic() + BROKER_RETRY_SECONDS
        logger.warning("Job %s could not be handed to the broker; the relay will hand it over", job_id,
                       exc_info=True)
        return False
    return True


def message_id(*parts) -> dict[str, str]:
    """The headers giving a mail sent by the running job a Message-ID of its own row and ``parts`` (what
    tells the job's messages apart: the recipient, the kind), so a job run twice sends the same message
    twice, not two messages; no header outside a job (the mail library makes one up)."""
    job_id = _running.get()
    if job_id is None:
        return {}
    key = "-".join(str(part) for part in parts)
    return {"Message-ID": f"<job{job_id}-{key}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}>"}


def backoff(attempts: int) -> dt.timedelta:
    """The wait after ``attempts`` failed runs."""
    return dt.timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS))


def _claimable(now: dt.datetime) -> Q:
    return (Q(status=JobStatus.QUEUED, run_after__lte=now)
            | Q(status=JobStatus.RUNNING, leased_until__lt=now))


def run(job_id: int) -> bool:
    """Claim the row ``job_id`` and run it; True when it ran and succeeded. A row another runner holds,
    one already done or dead, or a retry not due yet is left alone (False)."""
    now = clock.now()
    claimed = Job.objects.filter(_claimable(now), pk=job_id).update(
        status=JobStatus.RUNNING, attempts=F("attempts") + 1,
        leased_until=now + dt.timedelta(seconds=settings.JOB_LEASE_SECONDS))
    if not claimed:
        return False
    job = Job.objects.get(pk=job_id)
    running = _running.set(job_id)
    try:
        resolve(job.task)(*job.args)
    except Exception as error:
        _failed(job, error)
        return False
    finally:
        _running.reset(running)
    Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.DONE, finished_at=clock.now(), leased_until=None, last_error="")
    return True


def _failed(job: Job, error: Exception) -> None:
    text = f"{error.__class__.__name__}: {error}"[:ERROR_LENGTH]
    if job.attempts >= settings.JOB_MAX_ATTEMPTS:
        logger.error("Job %s%r is dead after %s attempts", job.task, tuple(job.args), job.attempts, exc_info=error)
        Job.objects.filter(pk=job.pk).update(status=JobStatus.DEAD, finished_at=clock.now(), leased_until=None,
                                             last_error=text)
        return
    logger.exception("Job %s%r failed (attempt %s); it runs again later", job.task, tuple(job.args), job.attempts,
                     exc_info=error)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, run_after=clock.now() + backoff(job.attempts),
                                         dispatched_at=None, leased_until=None, last_error=text)


def relay(*, batch: int = 500) -> int:
    """Hand over the rows nobody is running that are due: never handed over, handed over more than
    ``JOB_REDISPATCH_SECONDS`` ago without being claimed, due for a retry, or claimed by a runner whose
    claim lapsed. Returns how many were handed over (embedded mode runs them here, one after another); a
    row the broker did not take stays due for the next round."""
    now = clock.now()
    stale = now - dt.timedelta(seconds=settings.JOB_REDISPATCH_SECONDS)
    ids = list(Job.objects.filter(_claimable(now))
               .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stale) | Q(status=JobStatus.RUNNING))
               .order_by("run_after", "id").values_list("id", flat=True)[:batch])
    handed = [job_id for job_id in ids if _dispatch(job_id)]
    if handed and settings.REDIS_URL:  # in this process they ran already: nothing waits to be claimed
        Job.objects.filter(pk__in=handed, status=JobStatus.QUEUED).update(dispatched_at=now)
    return len(handed)


def purge_finished(*, keep_days: int | None = None) -> int:
    """Delete the rows done more than ``JOB_KEEP_DAYS`` ago (dead rows stay for the operator)."""
    days = settings.JOB_KEEP_DAYS if keep_days is None else keep_days
    cutoff = clock.now() - dt.timedelta(days=days)
    deleted, _ = Job.objects.filter(status=JobStatus.DONE, finished_at__lt=cutoff).delete()
    return deleted


def count_dead() -> int:
    return Job.objects.filter(status=JobStatus.DEAD).count()


def revive(job_ids) -> int:
    """Dead jobs run again from their first attempt (the operator fixed what killed them); the relay hands
    them over on its next round."""
    return Job.objects.filter(pk__in=list(job_ids), status=JobStatus.DEAD).update(
        status=JobStatus.QUEUED, attempts=0, run_after=clock.now(), dispatched_at=None, finished_at=None)


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
