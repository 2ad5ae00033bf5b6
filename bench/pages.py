"""Storefront pages over HTTP, side by side with the Django Oscar peer, on PostgreSQL with 10,000 products.

    .venv/bin/python bench/pages.py [--seconds 10] [--connections 8] [--threads 2] [--workers 4] [--fresh]

Jishi runs as in production: ``jishi serve --workers 4`` (gunicorn) on a scratch PostgreSQL database
(``BENCH_DATABASE_URL``, built once with ``jishi demo --products 10000``; ``--fresh`` rebuilds it), Redis
(``BENCH_REDIS_URL``) and static files under hashed names. The Oscar peer (``OSCAR_PEER``, default
``../shared/peers/oscar`` beside this repository; set up once into ``OSCAR_HOME`` by its ``setup.sh``) runs
with 4 gunicorn workers too. Both listen on 127.0.0.1 only.

The same load generator loads the product page, the all-products listing and a leaf category page of each
system in turn: wrk (C, keep-alive connections) when installed, else a bounded Python generator. Each run
is bounded in time (``--seconds``) and the whole benchmark by a deadline. "warm": every request may come
from Jishi's page cache; "cold": each request carries a query parameter the pages do not read, so each
is rendered in full (and not stored: the cache keeps no page for an unknown parameter; a real miss would
also write the page to the cache, one Redis SET). The load generator's own ceiling is measured on a static file.
Prints one JSON line: req/s, p50/p99 in ms per page and system, and the ratios Jishi/Oscar, warm and cold,
with the load average of the machine at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JISHI = ROOT / ".venv" / "bin" / "jishi"
DEADLINE_SECONDS = 1800
OSCAR_PAGES = {
    "product": "/catalogue/peer-product-5_6/",
    "listing": "/catalogue/",
    "leaf_category": "/catalogue/category/department-0/category-1_3/",
}
# Each thread of wrk numbers its requests; the parameter makes every URL one the cache has never seen.
COLD_SCRIPT = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
function request()
  n = n + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "cold=" .. tostring(tid) .. "-" .. n)
end
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def jishi_env(args) -> dict:
    var_dir = ROOT / "var" / "bench-pages"
    var_dir.mkdir(parents=True, exist_ok=True)
    return {**os.environ, "DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url,
            "CACHE_PREFIX": "bench-pages", "JISHI_VAR_DIR": str(var_dir), "STATIC_MANIFEST": "true",
            "SECRET_KEY": "bench-pages-not-secret", "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "ERROR",
            "PAYMENT_WEBHOOK_TRANSPORT": "jishi.payments.deliveries.post_in_process"}


def run(command: list[str], env: dict, *, timeout: float) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout,  # noqa: S603 (ours)
                          check=False)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


def django_shell(env: dict, code: str) -> str:
    return run([str(JISHI), "manage", "shell", "-v0", "-c", code], env, timeout=120).strip().splitlines()[-1]


def ensure_database(url: str, *, fresh: bool) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def prepare_jishi(args, env: dict) -> dict:
    ensure_database(args.database_url, fresh=args.fresh)
    run([str(JISHI), "manage", "migrate", "--noinput", "-v0"], env, timeout=600)
    count = int(django_shell(env, "from jishi.catalog.models import Product; print(Product.objects.count())"))
    if count == 0:
        log(f"building the demo marketplace with {args.products:,} products …")
        run([str(JISHI), "demo", "--products", str(args.products), "--no-images"], env, timeout=1500)
    run([str(JISHI), "manage", "collectstatic", "--noinput", "-v0"], env, timeout=300)
    # A product on sale, and the leaf category with the most products (a deep listing, like Oscar's).
    found = django_shell(env, (
        "import json\n"
        "from django.db.models import Count\n"
        "from jishi.catalog.models import Product\n"
        "on_sale = Product.objects.filter(status='active', store__status='active')\n"
        "product = on_sale.order_by('id')[500]\n"
        "leaf = on_sale.values('category__slug').annotate(n=Count('id')).order_by('-n')[0]\n"
        "print(json.dumps({'product': product.id, 'leaf': leaf['category__slug'], 'leaf_products': leaf['n']}))"))
    picked = json.loads(found)
    return {"pages": {"product": f"/p/{picked['product']}/", "listing": "/products/",
                      "leaf_category": f"/c/{picked['leaf']}/"},
            "leaf_products": picked["leaf_products"]}


def prepare_oscar(args) -> Path:
    home = Path(args.oscar_home)
    if not (home / ".venv" / "bin" / "gunicorn").exists() or not oscar_database_ready():
        log("setting up the Oscar peer (once) …")
        run(["bash", str(Path(args.oscar_peer) / "setup.sh")], {**os.environ, "OSCAR_HOME": str(home)}, timeout=1500)
    return home


def oscar_database_ready() -> bool:
    import psycopg

    try:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/oscar", connect_timeout=5) as connection:
            return connection.execute("SELECT count(*) FROM catalogue_product").fetchone()[0] >= 10_000
    except psycopg.Error:
        return False


def start(command: list[str], env: dict, log_file: Path) -> subprocess.Popen:
    # Its own process group, so stopping it stops its workers too (and nothing else). Its messages go to a
    # file: a pipe nobody reads would fill up and stall the server.
    with open(log_file, "wb") as log_out:
        return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log_out,  # noqa: S603 (ours)
                                start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def wait_until_up(base: str, path: str, process: subprocess.Popen, log_file: Path, *, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{base} exited: {log_file.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(base + path, timeout=10) as response:  # noqa: S310 (127.0.0.1)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise SystemExit(f"{base} did not answer within {seconds:.0f} s")


def static_path(base: str) -> str:
    """The hashed name of the stylesheet the home page links to (a file WhiteNoise serves)."""
    with urllib.request.urlopen(base + "/", timeout=30) as response:  # noqa: S310 (127.0.0.1)
        page = response.read().decode()
    return re.search(r'href="(/static/web/jishi\.[0-9a-f]+\.css)"', page).group(1)


# --- load ---------------------------------------------------------------------------------------------


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def load_wrk(url: str, args, *, cold: bool) -> dict:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds}s", "--latency",
               "--timeout", "10s", url]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(COLD_SCRIPT)
    if cold:
        command[1:1] = ["-s", script.name]
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=args.seconds + 60,  # noqa: S603 (ours)
                             check=True).stdout
    finally:
        os.unlink(script.name)
    latency = {pct: _ms(value, unit) for pct, value, unit in
               re.findall(r"^\s+(50|99)\.000%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)}
    if not latency:
        latency = {pct: _ms(value, unit) for pct, value, unit in
                   re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)}
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rps": round(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), 1),
            "p50_ms": round(latency["50"], 2), "p99_ms": round(latency["99"], 2), "requests": requests,
            "errors": (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0)}


def load_python(url: str, args, *, cold: bool) -> dict:
    """The fallback generator: one keep-alive connection per thread, bounded by time and count."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    deadline = time.monotonic() + args.seconds
    samples: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker(number: int) -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine, sent = [], 0
        while time.monotonic() < deadline and sent < 200_000:
            sent += 1
            path = parts.path + (f"?cold={number}-{sent}" if cold else "")
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    errors[0] += 1
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                continue
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.seconds + 30)
    elapsed = time.monotonic() - started
    samples.sort()
    pick = lambda fraction: samples[min(len(samples) - 1, int(fraction * len(samples)))] if samples else 0.0  # noqa: E731
    return {"rps": round(len(samples) / elapsed, 1), "p50_ms": round(pick(0.5), 2), "p99_ms": round(pick(0.99), 2),
            "requests": len(samples), "errors": errors[0]}


def forget_cached_pages(redis_url: str) -> None:
    """The pages the runs stored, so the next run starts from an empty page cache."""
    import redis

    client = redis.Redis.from_url(redis_url)
    batch = []
    for key in client.scan_iter(match="bench-pages:*:page:*", count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            client.delete(*batch)
            batch = []
    if batch:
        client.delete(*batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--port", type=int, default=8713)
    parser.add_argument("--oscar-port", type=int, default=18800)
    parser.add_argument("--fresh", action="store_true", help="rebuild Jishi's benchmark database")
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jishi_bench_pages"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3"))
    parser.add_argument("--oscar-peer", default=os.environ.get("OSCAR_PEER", str(ROOT.parent / "shared" / "peers" / "oscar")))
    parser.add_argument("--oscar-home", default=os.environ.get("OSCAR_HOME", str(Path(tempfile.gettempdir()) / "oscar-peer")))
    args = parser.parse_args()
    for url in (args.database_url, args.redis_url):
        if "127.0.0.1" not in url and "localhost" not in url:
            raise SystemExit("The benchmark runs on 127.0.0.1 only.")
    started = time.monotonic()
    timer = threading.Timer(DEADLINE_SECONDS, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.daemon = True
    timer.start()

    env = jishi_env(args)
    jishi = prepare_jishi(args, env)
    oscar_home = prepare_oscar(args)
    load = load_wrk if shutil.which("wrk") else load_python
    jishi_base, oscar_base = f"http://127.0.0.1:{args.port}", f"http://127.0.0.1:{args.oscar_port}"
    servers = []
    logs = Path(env["JISHI_VAR_DIR"]) / "jishi-serve.log", Path(env["JISHI_VAR_DIR"]) / "oscar-serve.log"
    try:
        servers.append(start([str(JISHI), "serve", "--host", "127.0.0.1", "--port", str(args.port),
                              "--workers", str(args.workers)], env, logs[0]))
        servers.append(start(["bash", str(oscar_home / "serve.sh")],
                             {**os.environ, "PORT": str(args.oscar_port), "WORKERS": str(args.workers)}, logs[1]))
        wait_until_up(jishi_base, "/", servers[0], logs[0])
        wait_until_up(oscar_base, OSCAR_PAGES["listing"], servers[1], logs[1])
        forget_cached_pages(args.redis_url)
        ceiling = load(jishi_base + static_path(jishi_base), args, cold=False)
        log(f"load generator ceiling (a static file through gunicorn): {ceiling['rps']} req/s")
        figures: dict = {}
        for page, path in jishi["pages"].items():
            for system, base, url_path in (("oscar", oscar_base, OSCAR_PAGES[page]), ("jishi", jishi_base, path)):
                for mode in ("warm", "cold"):
                    for _warmup in range(3):
                        try:
                            urllib.request.urlopen(base + url_path, timeout=30).read()  # noqa: S310 (127.0.0.1)
                        except urllib.error.URLError as error:
                            log_file = logs[0] if system == "jishi" else logs[1]
                            raise SystemExit(f"{base + url_path}: {error}\n{log_file.read_text()[-3000:]}")
                    result = load(base + url_path, args, cold=mode == "cold")
                    figures.setdefault(page, {}).setdefault(system, {})[mode] = result
                    log(f"{page:14} {system:6} {mode}: {result}")
                    if system == "jishi" and mode == "cold":
                        forget_cached_pages(args.redis_url)
        for systems in figures.values():
            systems["ratio_warm"] = round(systems["jishi"]["warm"]["rps"] / max(systems["oscar"]["warm"]["rps"], 0.1), 2)
            systems["ratio_cold"] = round(systems["jishi"]["cold"]["rps"] / max(systems["oscar"]["cold"]["rps"], 0.1), 2)
    finally:
        for server in servers:
            stop(server)
        timer.cancel()
    print(json.dumps({
        "benchmark": "pages", "products": args.products, "workers": args.workers,
        "load": {"generator": load.__name__.removeprefix("load_"), "threads": args.threads,
                 "connections": args.connections, "seconds": args.seconds, "ceiling_rps": ceiling["rps"]},
        "pages": {"jishi": jishi["pages"], "oscar": OSCAR_PAGES}, "leaf_products": jishi["leaf_products"],
        "figures": figures,
        "ratio_warm": {page: figures[page]["ratio_warm"] for page in figures},
        "ratio_cold": {page: figures[page]["ratio_cold"] for page in figures},
        "loadavg": os.getloadavg(), "cores": os.cpu_count(), "seconds": round(time.monotonic() - started, 1),
    }))


if __name__ == "__main__":
    main()
