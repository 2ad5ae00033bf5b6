"""``jishi worker``: a Celery worker with the beat scheduler in one process, for production mode.

Runs the background jobs (order mail) and the timers (expiring unpaid orders, confirming receipt).
Larger installations run several ``jishi worker --no-beat`` processes and exactly one with beat.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run a Celery worker (with beat unless --no-beat) on REDIS_URL."

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument("--no-beat", action="store_true", help="leave the timers to another worker")
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args, concurrency, no_beat, loglevel, **options):
        if not settings.REDIS_URL:
            raise CommandError("Set REDIS_URL to run a worker. Without it, `jishi serve` runs jobs and timers itself.")
        from jishi.celery import app

        # No mingle, gossip or worker heartbeats: jobs need none of them (the outbox keeps the work), and with
        # Redis they can leave a worker that reconnected after a Redis restart consuming nothing
        # (celery/celery#8091, #8030).
        argv = ["worker", f"--concurrency={concurrency}", f"--loglevel={loglevel}",
                f"--queues={settings.CELERY_TASK_DEFAULT_QUEUE}", "--without-mingle", "--without-gossip",
                "--without-heartbeat"]
        if not no_beat:
            argv += ["--beat", "--schedule", str(settings.VAR_DIR / "celerybeat-schedule")]
        app.worker_main(argv)
