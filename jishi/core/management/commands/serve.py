"""Serve the marketplace on HOST:PORT.

One process (the embedded default) is waitress, a production WSGI server that needs no compiler or
Unix-only features; without REDIS_URL it also runs the timers (unpaid orders expiring, receipt
confirmed) in a background thread. ``--workers N`` (default: one per core with PostgreSQL and Redis)
runs gunicorn worker processes instead; see ``jishi.core.serving``. Static files come from WhiteNoise,
uploads from the app when SERVE_MEDIA is on.
"""

import argparse

from django.conf import settings
from django.core.management.base import BaseCommand

from jishi.core import serving


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number")
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


class Command(BaseCommand):
    help = "Serve Jishi on HOST:PORT (default 127.0.0.1:8000)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.HOST)
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument("--workers", type=_count, default=None,
                            help="worker processes (gunicorn); default: one per core with PostgreSQL and Redis, "
                                 "else 1 (waitress)")
        parser.add_argument("--threads", type=_count, default=None,
                            help=f"threads per process (default {serving.WAITRESS_THREADS} with one process, "
                                 f"{serving.GUNICORN_THREADS} per gunicorn worker)")

    def handle(self, *args, host, port, workers, threads, **options):
        chosen = serving.plan(workers=workers, threads=threads)
        if chosen.server == "gunicorn":
            self.stdout.write(f"Jishi is serving on http://{host}:{port}/ with {chosen.workers} gunicorn workers "
                              f"of {chosen.threads} threads (Ctrl+C stops it)")
            self.stdout.flush()
            serving.run_gunicorn(chosen, host=host, port=port)
            return

        from waitress import serve

        from jishi.wsgi import application

        if chosen.sweeps_timers:
            # Embedded mode: no Celery beat, so this process sweeps the timers itself.
            from jishi.core.jobs import run_schedule_in_thread

            run_schedule_in_thread()
        self.stdout.write(f"Jishi is serving on http://{host}:{port}/  (Ctrl+C stops it)")
        serve(application, host=host, port=port, threads=chosen.threads, ident="jishi",
              **serving.waitress_proxy_options())
