"""Outbox benchmark: how fast jobs are written, and how big a backlog the relay clears in a minute.

    .venv/bin/python bench/outbox.py [--jobs 5000] [--backends sqlite,postgres]

For each backend a child process gets a fresh database (a SQLite file in a temporary folder, or a
temporary PostgreSQL database on 127.0.0.1:5432 that is dropped afterwards) and migrates. It then times:

- ``enqueue``: N jobs written one by one, each in its own transaction (as N requests would);
- ``relay_in_process``: a backlog of N jobs cleared by ``jobs.relay`` in embedded mode, which claims,
  runs (a task that does nothing) and marks each row done — the relay's own cost per row;
- ``relay_to_redis`` (when Redis answers on 127.0.0.1:6379): the same backlog handed to a Celery queue of
  its own on Redis, which is purged afterwards — what the relay sends per second after a broker outage.

Prints one JSON line per backend with rows per second and the backlog each path clears in a minute.
Job counts and an overall deadline bound the run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from scratch import run_in_child

ROOT = Path(__file__).resolve().parent.parent
DEADLINE_SECONDS = 900
NO_OP = "jishi.core.clock.now"  # a task that reads the clock: the relay's cost, not the work's
REDIS = "redis://127.0.0.1:6379/14"


def _rate(rows: int, seconds: float) -> dict:
    per_second = rows / seconds if seconds else 0.0
    return {"rows": rows, "seconds": round(seconds, 2), "rows_per_second": round(per_second),
            "backlog_cleared_per_minute": round(per_second * 60)}


def _backlog(count: int) -> None:
    from jishi.core import clock
    from jishi.core.models import Job

    Job.objects.bulk_create([Job(task=NO_OP, args=[], dispatched_at=None, run_after=clock.now())
                             for _ in range(count)], batch_size=1000)


def _drain() -> int:
    from jishi.core import jobs

    total = 0
    while handed := jobs.relay(batch=500):
        total += handed
    return total


def measure(count: int, backend: str) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    from jishi.core import jobs
    from jishi.core.models import Job, JobStatus

    call_command("migrate", verbosity=0)
    figures: dict = {"bench": "outbox", "backend": backend, "jobs": count}

    settings.REDIS_URL = ""
    began = time.perf_counter()
    for _ in range(count):
        with transaction.atomic():
            jobs.enqueue(NO_OP)
    figures["enqueue"] = {key: value for key, value in _rate(count, time.perf_counter() - began).items()
                          if key != "backlog_cleared_per_minute"}
    assert Job.objects.filter(status=JobStatus.DONE).count() == count  # embedded: each ran after its commit
    Job.objects.all().delete()

    _backlog(count)
    began = time.perf_counter()
    cleared = _drain()
    figures["relay_in_process"] = _rate(cleared, time.perf_counter() - began)
    assert cleared == count and Job.objects.filter(status=JobStatus.DONE).count() == count
    Job.objects.all().delete()

    figures["relay_to_redis"] = _relay_to_redis(count, settings)
    return figures


def _relay_to_redis(count: int, settings) -> dict:
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except Exception as exc:
        return {"skipped": f"Redis not reachable: {exc.__class__.__name__}"}
    from jishi.celery import app
    from jishi.core.models import Job

    queue = f"jishi-bench-outbox-{os.getpid()}"
    settings.REDIS_URL = REDIS
    app.conf.broker_url = REDIS
    app.conf.task_default_queue = queue
    _backlog(count)
    try:
        began = time.perf_counter()
        handed = _drain()
        seconds = time.perf_counter() - began
    finally:
        with app.connection_for_write() as broker:
            broker.default_channel.queue_delete(queue)
        Job.objects.all().delete()
    return _rate(handed, seconds)


def run_child(backend: str, count: int) -> dict | None:
    return run_in_child(__file__, backend, "outbox", ["--jobs", str(count)], timeout=DEADLINE_SECONDS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 1 <= args.jobs <= 100_000:
        parser.error("--jobs must be between 1 and 100000")
    if args.child:
        print(json.dumps(measure(args.jobs, args.child)))
        return 0
    results = [run_child(backend.strip(), args.jobs) for backend in args.backends.split(",")]
    return 0 if all(r is not None for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
