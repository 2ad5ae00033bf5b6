"""``jishi serve``: waitress with one process (and the timer thread in embedded mode), gunicorn workers with
``--workers N`` in production mode; clear refusals when several processes could not share what they must."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from jishi.core import jobs, serving


@pytest.fixture
def captured(monkeypatch):
    """What ``serve`` would start, without starting it."""
    seen = {}
    monkeypatch.setattr(serving, "run_gunicorn", lambda plan, host, port: seen.update(server="gunicorn", plan=plan,
                                                                                      host=host, port=port))

    def waitress_serve(app, **options):
        seen.update(server="waitress", **options)

    monkeypatch.setattr("waitress.serve", waitress_serve)
    def timers():
        seen["timers"] = seen.get("timers", 0) + 1

    monkeypatch.setattr(jobs, "run_schedule_in_thread", timers)
    return seen


@pytest.fixture
def production(settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    settings.STATIC_MANIFEST = True
    monkeypatch.setattr(serving, "uses_postgresql", lambda: True)
    monkeypatch.setattr(serving, "_manifest_exists", lambda: True)


def test_embedded_mode_serves_one_waitress_process_that_sweeps_the_timers(captured, settings):
    settings.HOST, settings.PORT = "127.0.0.1", 8123
    call_command("serve", "--host", "127.0.0.1", "--port", "8123")
    assert captured["server"] == "waitress" and captured["port"] == 8123 and captured["host"] == "127.0.0.1"
    assert captured["threads"] == serving.WAITRESS_THREADS and captured["timers"] == 1


def test_production_mode_defaults_to_a_gunicorn_worker_per_core(captured, production):
    call_command("serve", "--port", "8124")
    plan = captured["plan"]
    assert captured["server"] == "gunicorn" and plan.workers == os.cpu_count() > 1
    assert captured["port"] == 8124 and not plan.sweeps_timers  # Celery beat runs them, once for all nodes


def test_workers_choose_gunicorn_with_threads(captured, production):
    call_command("serve", "--workers", "4", "--threads", "2", "--host", "127.0.0.1", "--port", "8125")
    assert captured["server"] == "gunicorn" and captured["plan"].workers == 4 and captured["plan"].threads == 2
    options = serving.gunicorn_options(captured["plan"], host="127.0.0.1", port=8125)
    assert options["bind"] == "127.0.0.1:8125" and options["workers"] == 4
    assert options["worker_class"] == "gthread" and options["keepalive"] > 0 and options["preload_app"]


def test_one_worker_is_waitress_even_in_production_mode(captured, production):
    call_command("serve", "--workers", "1")
    assert captured["server"] == "waitress" and "timers" not in captured  # beat sweeps them with REDIS_URL


def test_postgresql_without_redis_defaults_to_one_process(captured, settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.setattr(serving, "uses_postgresql", lambda: True)
    call_command("serve")
    assert captured["server"] == "waitress" and captured["timers"] == 1


@pytest.mark.parametrize("value", ["0", "-2", "four", "1.5"])
def test_a_bad_worker_count_is_refused(captured, value):
    with pytest.raises(CommandError, match="workers"):
        call_command("serve", "--workers", value)
    assert not captured


def test_several_workers_need_redis(captured, settings):
    settings.REDIS_URL = ""
    with pytest.raises(CommandError, match="REDIS_URL"):
        call_command("serve", "--workers", "2")
    assert not captured


def test_several_workers_need_hashed_static_files(captured, production, settings, monkeypatch):
    settings.STATIC_MANIFEST = False
    with pytest.raises(CommandError, match="STATIC_MANIFEST"):
        call_command("serve", "--workers", "2")
    settings.STATIC_MANIFEST = True
    monkeypatch.setattr(serving, "_manifest_exists", lambda: False)
    with pytest.raises(CommandError, match="collectstatic"):
        call_command("serve", "--workers", "2")
    assert not captured


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db  # the server reads what the migrations left, committed, in this test database
def test_gunicorn_workers_serve_pages_and_hashed_static_files(tmp_path):
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        pytest.skip("REDIS_URL is not set: several workers need a shared cache")
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        database_url = f"sqlite:///{database['NAME']}"
    else:
        database_url = (f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST'] or '127.0.0.1'}:"
                        f"{database['PORT'] or 5432}/{database['NAME']}")
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "JISHI_VAR_DIR": str(tmp_path),
           "CACHE_PREFIX": f"serve-test-{os.getpid()}", "STATIC_MANIFEST": "true", "SECRET_KEY": "x" * 50,
           "LOG_LEVEL": "ERROR"}
    jishi = [sys.executable, "-m", "jishi.cli"]
    subprocess.run([*jishi, "manage", "collectstatic", "--noinput", "-v0"], env=env, check=True, timeout=120)
    port = _free_port()
    server = subprocess.Popen([*jishi, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        page = None
        deadline = time.monotonic() + 60
        while page is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:  # noqa: S310
                    page = response.read().decode()
            except OSError:
                time.sleep(0.3)
        assert page is not None, server.stderr.read().decode() if server.poll() is not None else "no answer"
        stylesheet = page.split('rel="stylesheet" href="')[1].split('"')[0]
        assert stylesheet.startswith("/static/web/jishi.") and stylesheet != "/static/web/jishi.css"  # hashed
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{stylesheet}", timeout=10) as response:  # noqa: S310
            assert response.status == 200 and "immutable" in response.headers["Cache-Control"]
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
