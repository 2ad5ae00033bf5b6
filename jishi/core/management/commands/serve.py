"""Serve the marketplace with waitress, a production WSGI server that needs no compiler or Unix-only
features; static files come from WhiteNoise, uploads from the app in embedded mode. Without REDIS_URL
it also runs the timers (unpaid orders expiring, receipt confirmed) in a background thread."""

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Jishi on HOST:PORT (default 127.0.0.1:8000)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.HOST)
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host, port, threads, **options):
        from waitress import serve

        from jishi.wsgi import application

        if not settings.REDIS_URL:
            # Embedded mode: no Celery beat, so this process sweeps the timers itself.
            from jishi.core.jobs import run_schedule_in_thread

            run_schedule_in_thread()
        self.stdout.write(f"Jishi is serving on http://{host}:{port}/  (Ctrl+C stops it)")
        serve(application, host=host, port=port, threads=threads, ident="jishi", clear_untrusted_proxy_headers=True)
