"""A benchmark's child process on a scratch database: a SQLite file in a temporary folder, or a temporary
PostgreSQL database on 127.0.0.1:5432 that is dropped afterwards, even when the child fails."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def scratch_database(backend: str, var_dir: str, bench: str):
    """Yields the ``DATABASE_URL`` for ``backend`` ("sqlite" or "postgres"), or None when PostgreSQL cannot
    be reached (then one JSON line says the backend was skipped)."""
    if backend == "sqlite":
        yield f"sqlite:///{var_dir}/bench.sqlite3"
        return
    try:
        import psycopg

        name = f"jishi_bench_{bench}_{os.getpid()}"
        admin = psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", autocommit=True,
                                connect_timeout=3)
        admin.execute(f"CREATE DATABASE {name}")
    except Exception as exc:  # PostgreSQL is optional for the benchmarks
        print(json.dumps({"bench": bench, "backend": backend, "skipped": str(exc)[:200]}))
        yield None
        return
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def run_in_child(script: str, backend: str, bench: str, arguments: list[str], *, timeout: float) -> dict | None:
    """Run ``script --child <backend> <arguments>`` on a scratch database of ``backend`` (no Redis, DEBUG off);
    prints and returns the JSON line it prints last, or None when it failed or the backend was skipped."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jishi.settings", "DEBUG": "false"}
    env.pop("REDIS_URL", None)
    with tempfile.TemporaryDirectory(prefix="jishi-bench-") as var_dir, \
            scratch_database(backend, var_dir, bench) as database_url:
        if database_url is None:
            return None
        env["JISHI_VAR_DIR"], env["DATABASE_URL"] = var_dir, database_url
        result = subprocess.run([sys.executable, script, "--child", backend, *arguments], env=env,  # noqa: S603
                                cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        print(result.stderr[-3000:], file=sys.stderr)
        return None
    line = result.stdout.strip().splitlines()[-1]
    print(line, flush=True)
    return json.loads(line)
