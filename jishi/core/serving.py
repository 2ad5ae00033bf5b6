"""How ``jishi serve`` serves: one waitress process (embedded mode), or gunicorn worker processes.

Waitress is portable and needs nothing but Python, but one process runs Python on one core at a time.
Production mode (PostgreSQL and Redis) forks gunicorn workers instead, one per core by default, each
with a few threads (gunicorn's ``gthread`` worker, which keeps HTTP connections alive).

Several processes need what they share to live outside them: the cache (the version tokens of
``core.memo``, the page cache, the sign-in throttle) and the job queue. So more than one worker needs
``REDIS_URL``; the timers then run on Celery beat (``jishi worker``), exactly once for all web nodes,
and no web process sweeps them. Static files are served by WhiteNoise under their hashed names
(``STATIC_MANIFEST``), so browsers may keep them for ever.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management.base import CommandError

WAITRESS_THREADS = 8
GUNICORN_THREADS = 4


def uses_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def default_workers() -> int:
    """One worker per core in production mode (PostgreSQL and Redis), else one process."""
    if uses_postgresql() and settings.REDIS_URL:
        return os.cpu_count() or 1
    return 1


@dataclass(frozen=True)
class Plan:
    server: str  # "waitress" or "gunicorn"
    workers: int
    threads: int
    sweeps_timers: bool  # this process runs the timers in a thread (embedded mode only)


def plan(*, workers: int | None, threads: int | None) -> Plan:
    """Choose the server for ``--workers`` (None: the default); raises ``CommandError`` when it cannot work."""
    count = default_workers() if workers is None else workers
    if count < 1:
        raise CommandError("--workers must be 1 or more.")
    if threads is not None and threads < 1:
        raise CommandError("--threads must be 1 or more.")
    if count == 1:
        return Plan("waitress", 1, threads or WAITRESS_THREADS, sweeps_timers=not settings.REDIS_URL)
    if os.name != "posix":
        raise CommandError("Several worker processes need gunicorn, which runs on Linux and other Unix systems; "
                           "serve with --workers 1 here.")
    if not settings.REDIS_URL:
        raise CommandError("Several worker processes need REDIS_URL: the cache that tells every process about "
                           "changes, and the job queue, must be shared. Set REDIS_URL or serve with --workers 1.")
    if not settings.STATIC_MANIFEST:
        raise CommandError("Production serving sends static files under hashed names: set STATIC_MANIFEST=true "
                           "and run `jishi manage collectstatic --noinput` first.")
    if not _manifest_exists():
        raise CommandError("No static files manifest: run `jishi manage collectstatic --noinput` first.")
    return Plan("gunicorn", count, threads or GUNICORN_THREADS, sweeps_timers=False)


def _manifest_exists() -> bool:
    name = getattr(staticfiles_storage, "manifest_name", None)
    return bool(name) and staticfiles_storage.exists(name)


def waitress_proxy_options() -> dict:
    """Behind a proxy (``BEHIND_PROXY``) waitress passes its X-Forwarded-* headers on to the site, as gunicorn
    does, so Django sees HTTPS (secure cookies, HSTS, https origins for CSRF) and the client's address;
    otherwise it drops them, so a client cannot claim either."""
    return {"clear_untrusted_proxy_headers": not settings.BEHIND_PROXY}


def gunicorn_options(plan: Plan, *, host: str, port: int) -> dict:
    return {
        "bind": f"{host}:{port}",
        "workers": plan.workers,
        "worker_class": "gthread",
        "threads": plan.threads,
        "keepalive": 5,
        # The app is imported once in the arbiter and forked: workers start at once and share its memory.
        "preload_app": True,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "jishi",
        "graceful_timeout": 20,
    }


def run_gunicorn(plan: Plan, *, host: str, port: int) -> None:
    from gunicorn.app.base import BaseApplication

    options = gunicorn_options(plan, host=host, port=port)

    class JishiApplication(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            from django.urls import get_resolver

            from jishi.wsgi import application

            get_resolver().url_patterns  # import every view now, once, rather than in each worker  # noqa: B018
            return application

    # gunicorn reads its own command line when it starts; give it none of ``jishi serve``'s arguments.
    sys.argv = [sys.argv[0]]
    JishiApplication().run()
