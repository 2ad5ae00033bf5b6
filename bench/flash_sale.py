"""Flash-sale benchmark: many buyers "buy now" one hot SKU through the HTTP API, on PostgreSQL.

    .venv/bin/python bench/flash_sale.py [--clients 8] [--stock 2000] [--worker-class sync] [--workers N]
        [--threads 2] [--buyers-per-client 8] [--seconds 120] [--cart-seconds 5] [--raw-rounds 3]
        [--compare sync:3,gthread:2x2 --rounds 3] [--profile 0] [--show-queries] [--keep-db]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379. A fresh
temporary database is created and migrated (dropped at the end, even on failure, unless --keep-db). A
child process seeds it through the services: one store, a hot SKU with S units (and SKUs for warming
up, for the cart phase and for the raw ceiling), C x B buyers each with an address and a personal
access token. Another child counts the queries of one API checkout and one add-to-cart in-process
(Django's test client in CaptureQueriesContext) and times 50 checkouts (wall and CPU per checkout;
--profile N prints where the CPU time of N checkouts goes, --show-queries their SQL).

Then gunicorn serves the app (sync or gthread workers; sync, one more than the CPUs, by default) on a
free port of 127.0.0.1, with DEBUG off and Redis as cache and Celery broker under a private key prefix
and queue (Redis db 13, purged at the end; no Celery worker runs, so jobs queue as in production). After
a warm-up on another SKU, C client processes, each with one keep-alive connection (sync workers close
it after each answer), POST /api/v1/checkout for one unit of the hot SKU with a fresh Idempotency-Key,
until the stock runs out, 2 x S + 50 x C requests, or --seconds. The database is then checked: the units
in the sale's orders must equal the units taken off the stock and the product's summary, and never
exceed S. Then the same clients POST /api/v1/cart/lines for --cart-seconds.

The raw ceiling: with the server stopped, C processes with their own psycopg connection do the hot-row
work without the app — per unit, one transaction: the conditional stock UPDATE, then one order group,
one order and one order line INSERT (into the real tables, values copied from an order the app
placed), COMMIT — S units per round; the median of --raw-rounds rounds is kept. With --compare, each
server set-up runs --rounds sales, the set-ups take turns and a raw round follows each sale, so the
machine's other load weighs on every figure alike.

Prints one JSON line per server set-up: completed checkouts per second (201s over the time from the
first request to the last 201), p50/p99 latency of those, outcomes and errors by kind, queries per
checkout and per add-to-cart, the accounting (oversold units must be 0), CPU milliseconds per checkout
in the gunicorn workers, PostgreSQL and the clients, add-to-cart requests per second, the raw ceiling,
the ratio checkout/raw against the 0.20 target, and the same ratio in CPU time per order ("cpu_ratio",
which other load on the machine disturbs far less). Exits 1 if any sale oversold or lost count.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 13
TARGET_RATIO = 0.20
CHILD_TIMEOUT = 600
SOLD_OUT = {"409 checkout.out_of_stock", "409 checkout.unavailable"}
CHECKOUT_PATH, CART_PATH = "/api/v1/checkout", "/api/v1/cart/lines"
CART_VARIANTS = 4  # a cart line holds at most 999 units: spread the adds over a few SKUs
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Sync workers, one more than the CPUs: on 2 CPUs, sync with 2, 3 or 4 workers sold the same (78-80
# checkouts/s, medians of 5 interleaved sales) with p99 near 140 ms; gthread 2x2 as many with p99 at 175 ms,
# gthread 2x4 fewer (66/s, p99 340 ms). Python is CPU-bound here, so threads only add GIL contention.
DEFAULT_WORKERS = (os.cpu_count() or 1) + 1


def percentile(samples: list[float], fraction: float) -> float | None:
    if not samples:
        return None
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


# --- children with Django: seeding and the in-process probe ------------------------------------------


def seed(plan_path: str, stock: int, buyers: int) -> None:
    """One store, its products (hot, warm-up, cart and raw SKUs) and the buyers, through the services."""
    import django

    django.setup()
    from jishi.accounts.models import User
    from jishi.accounts.services import create_address, issue_token
    from jishi.catalog.services import create_product
    from jishi.stores.selectors import access_store
    from jishi.stores.services import open_store

    owner = User.objects.create_user("seller@flash.example", password=None, name="Flash Seller")
    store = open_store(owner=owner, name="Flash Sale Store", country="CN", base_currency="CNY")
    access = access_store(user=owner, slug=store.slug, action="edit_catalog")

    def product(sku: str, title: str, units: int, variants: int = 1) -> list[tuple[int, int]]:
        rows = [{"sku": f"{sku}-{n}", "price": "59.00", "stock": units, "weight_grams": 120,
                 **({"options": {"colour": f"C{n}"}} if variants > 1 else {})} for n in range(variants)]
        created = create_product(
            access=access, category="womens-t-shirts", status="active",
            option_names=["colour"] if variants > 1 else [], variants=rows,
            translations=[{"language": "en", "title": title, "description": "Limited run, while stocks last."},
                          {"language": "zh-hans", "title": f"{title}（限量）", "description": "限量发售，售完即止。"}])
        return [(v.id, created.id) for v in created.variants.order_by("id")]

    (hot, hot_product), = product("HOT", "Flash Sale Earbuds", stock)
    (warm, warm_product), = product("WARM", "Warm-up Socks", 1_000_000)
    cart = [variant for variant, _product in product("CART", "Cart Tote Bag", 1_000_000, CART_VARIANTS)]
    (raw, raw_product), = product("RAW", "Raw Ceiling Mug", stock)
    people = []
    for n in range(buyers):
        user = User.objects.create_user(f"buyer{n}@flash.example", password=None, name=f"Buyer {n}")
        address = create_address(user=user, data={"name": f"Buyer {n}", "line1": f"{n + 1} Xihu Road",
                                                  "city": "Hangzhou", "postal_code": "310000", "country": "CN"})
        _row, plain = issue_token(user=user, name="flash sale")
        people.append({"user": user.id, "address": address.id, "token": plain})
    Path(plan_path).write_text(json.dumps({
        "store": store.id, "hot": hot, "hot_product": hot_product, "warm": warm, "warm_product": warm_product,
        "cart": cart, "raw": raw, "raw_product": raw_product, "buyers": people}))


def checkout_body(variant_id: int, address_id: int) -> bytes:
    return json.dumps({"lines": [{"variant_id": variant_id, "quantity": 1}], "address_id": address_id,
                       "charge_currency": "USD"}).encode()


def probe(plan_path: str, profile: int, show_queries: bool) -> dict:
    """Queries, wall and CPU time of API checkouts in-process (no server, no network), on the warm-up SKU,
    and the queries of one add-to-cart."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    plan = json.loads(Path(plan_path).read_text())
    buyer = plan["buyers"][0]
    client = Client(HTTP_HOST="127.0.0.1")
    body = checkout_body(plan["warm"], buyer["address"])

    def post(path: str, data: bytes, **headers):
        response = client.post(path, data=data, content_type="application/json",
                               headers={"Authorization": f"Bearer {buyer['token']}", **headers})
        assert response.status_code == 201, (path, response.status_code, response.content[:500])
        return response

    def checkout():
        return post(CHECKOUT_PATH, body, **{"Idempotency-Key": uuid.uuid4().hex})

    for _ in range(5):  # caches, the rate table, the token's last-use mark
        checkout()
    with CaptureQueriesContext(connection) as captured:
        group_id = checkout().json()["id"]
    sql = [query["sql"] for query in captured.captured_queries]
    if show_queries:
        for n, statement in enumerate(sql, 1):
            print(f"{n:3} {statement[:300]}", file=sys.stderr)
    add = json.dumps({"variant_id": plan["cart"][0], "quantity": 1}).encode()
    post(CART_PATH, add)
    with CaptureQueriesContext(connection) as cart_captured:
        post(CART_PATH, add)
    cart_queries = len(cart_captured.captured_queries)  # read now: the next request clears the log
    walls, cpus = [], []
    for _ in range(50):
        wall, cpu = time.perf_counter(), time.process_time()
        checkout()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile(time.process_time)  # CPU time: waits for the database do not count
        profiler.enable()
        for _ in range(profile):
            checkout()
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
    return {"queries_per_checkout": len(sql),
            "queries_by_kind": dict(Counter(statement.split(None, 1)[0].upper() for statement in sql)),
            "in_process_p50_ms": ms(statistics.median(walls)),
            "in_process_cpu_ms": ms(statistics.median(cpus)),
            "queries_per_cart_add": cart_queries,
            "template_group": group_id}


def run_child(mode: str, env: dict, *extra: str, show_stderr: bool = False) -> str:
    result = subprocess.run(  # noqa: S603  (our own interpreter and script)
        [sys.executable, __file__, "--child", mode, *extra], env=env, cwd=ROOT, capture_output=True, text=True,
        timeout=CHILD_TIMEOUT, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{mode} failed: {result.stderr[-3000:]}")
    if show_stderr:
        print(result.stderr, file=sys.stderr)
    return result.stdout


# --- load: HTTP clients and raw PostgreSQL clients, each in its own process ----------------------------


def outcome(status: int, payload: bytes | str) -> str:
    if status in (200, 201):
        return str(status)
    if not status:
        return f"connection {payload}"
    try:
        return f"{status} {json.loads(payload)['error']['code']}"
    except (ValueError, KeyError, TypeError):
        return str(status)


def http_client(slot: int, port: int, path: str, plan: list[tuple[dict, bytes]], idempotent: bool,
                deadline: float, max_requests: int, go, stop, results) -> None:
    """POST ``plan`` requests in turn on one keep-alive connection; report (began, ended, outcome) each."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    records: list[tuple[float, float, str]] = []
    nonce = secrets.token_hex(6)
    go.wait()
    try:
        while len(records) < max_requests and not stop.is_set() and time.monotonic() < deadline:
            headers, body = plan[len(records) % len(plan)]
            if idempotent:
                headers = {**headers, "Idempotency-Key": f"flash-{nonce}-{slot}-{len(records)}"}
            began = time.monotonic()
            try:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                status, payload = response.status, response.read()
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                status, payload = 0, type(error).__name__
            kind = outcome(status, payload)
            records.append((began, time.monotonic(), kind))
            if kind in SOLD_OUT:
                stop.set()
    finally:
        connection.close()
        results.put((records, time.process_time()))


def raw_client(slot: int, dsn: str, plan: dict, deadline: float, max_iterations: int, go, stop, results) -> None:
    """The checkout's hot-row work with nothing around it, one transaction per unit."""
    import psycopg
    from psycopg.types.json import Jsonb

    connection = psycopg.connect(dsn)
    cursor = connection.cursor()

    def template(table: str, row_id: int) -> tuple[list[str], list]:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", (row_id,))  # noqa: S608  (our table names)
        names = [column.name for column in cursor.description]
        values = [Jsonb(v) if isinstance(v, dict | list) else v for v in cursor.fetchone()]
        connection.rollback()
        keep = [n for n, name in enumerate(names) if name != "id"]
        return [names[n] for n in keep], [values[n] for n in keep]

    def insert(table: str, names: list[str], returning: bool) -> str:
        return (f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
                + (" RETURNING id" if returning else ""))

    group_names, group_values = template("orders_ordergroup", plan["group"])
    order_names, order_values = template("orders_order", plan["order"])
    line_names, line_values = template("orders_orderline", plan["line"])
    group_sql, order_sql = insert("orders_ordergroup", group_names, True), insert("orders_order", order_names, True)
    line_sql = insert("orders_orderline", line_names, False)
    line_values[line_names.index("variant_id")] = plan["variant"]
    line_values[line_names.index("product_id")] = plan["product"]
    buyers = plan["buyers"][slot::plan["clients"]] or plan["buyers"]
    records: list[tuple[float, float, str]] = []
    go.wait()
    try:
        while len(records) < max_iterations and not stop.is_set() and time.monotonic() < deadline:
            buyer = buyers[len(records) % len(buyers)]
            began = time.monotonic()
            try:
                cursor.execute("UPDATE catalog_variant SET stock = stock - 1 WHERE id = %s AND stock >= 1",
                               (plan["variant"],))
                if cursor.rowcount != 1:
                    connection.rollback()
                    stop.set()
                    break
                group_values[group_names.index("buyer_id")] = buyer
                cursor.execute(group_sql, group_values)
                order_values[order_names.index("group_id")] = cursor.fetchone()[0]
                order_values[order_names.index("buyer_id")] = buyer
                cursor.execute(order_sql, order_values)
                line_values[line_names.index("order_id")] = cursor.fetchone()[0]
                cursor.execute(line_sql, line_values)
                connection.commit()
                kind = "201"
            except psycopg.Error as error:
                connection.rollback()
                kind = f"error {type(error).__name__}"
            records.append((began, time.monotonic(), kind))
    finally:
        connection.close()
        results.put((records, time.process_time()))


def start_clients(target, arguments: list[tuple], seconds: float) -> tuple[list, float]:
    """One process per tuple of ``arguments``, released together; returns all records and their CPU seconds."""
    context = multiprocessing.get_context("fork")
    go, stop, results = context.Event(), context.Event(), context.Queue()
    processes = [context.Process(target=target, args=(*head, go, stop, results), daemon=True) for head in arguments]
    for process in processes:
        process.start()
    time.sleep(0.3)
    go.set()
    collected = [results.get(timeout=seconds + 120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    return [record for batch, _cpu in collected for record in batch], sum(cpu for _batch, cpu in collected)


def summarise(records: list[tuple[float, float, str]], ok: str) -> dict:
    """Rate of ``ok`` answers over the time from the first request sent to the last ``ok`` answer."""
    done = [r for r in records if r[2] == ok]
    if not records:
        return {"requests": 0, "ok": 0, "wall_seconds": 0.0, "per_s": 0.0, "p50_ms": None, "p99_ms": None,
                "outcomes": {}}
    first = min(r[0] for r in records)
    last = max((r[1] for r in done), default=max(r[1] for r in records))
    latencies = [r[1] - r[0] for r in done]
    return {"requests": len(records), "ok": len(done), "wall_seconds": round(last - first, 3),
            "per_s": round(len(done) / (last - first), 1) if done and last > first else 0.0,
            "p50_ms": ms(percentile(latencies, 0.5)), "p99_ms": ms(percentile(latencies, 0.99)),
            "outcomes": dict(Counter(r[2] for r in records).most_common())}


# --- the server and what it costs ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return probe_socket.getsockname()[1]


def wait_until_serving(port: int, server: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    limit = time.monotonic() + seconds
    while time.monotonic() < limit:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited while starting: {log.read_text()[-2000:] if log.exists() else ''}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/v1/currencies")
            if connection.getresponse().status == 200:
                connection.close()
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


def process_table() -> dict[int, tuple[int, str, bytes]]:
    """pid → (parent pid, command name, command line) of every process we can read."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = Path(f"/proc/{entry}/stat").read_text()
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            parent = int(stat[stat.rindex(")") + 2:].split()[1])
            table[int(entry)] = (parent, name, Path(f"/proc/{entry}/cmdline").read_bytes())
    return table


def cpu_seconds(pids) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each of ``pids`` that still runs."""
    used = {}
    for pid in pids:
        with contextlib.suppress(OSError, ValueError):
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            used[pid] = (int(fields[11]) + int(fields[12])) / CLK_TCK
    return used


def machine_busy() -> tuple[int, int]:
    # user nice system idle iowait irq softirq steal (guest time is already in user)
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


class CpuMeter:
    """CPU used between start and stop by the gunicorn workers, by PostgreSQL (its background processes and
    the backends of our database, not those of other databases), and how busy the whole machine was."""

    def __init__(self, database: str, server_pid: int | None = None):
        self.database_name, self.server_pid = database.encode(), server_pid

    def pids(self) -> tuple[list[int], list[int]]:
        table = process_table()
        workers = [pid for pid, (parent, _n, _c) in table.items()
                   if self.server_pid is not None and self.server_pid in (pid, parent)]
        database = [pid for pid, (_p, name, command) in table.items() if name.startswith("postgres")
                    and (self.database_name in command or b"127.0.0.1(" not in command)]
        return workers, database

    def start(self) -> None:
        self.workers, self.database = self.pids()
        self.before = cpu_seconds(self.workers), cpu_seconds(self.database), machine_busy()

    def stop(self) -> dict:
        # Backends that connected meanwhile count from zero.
        server, database = cpu_seconds(self.workers), cpu_seconds(self.pids()[1])
        busy, total = machine_busy()

        def delta(after: dict, before: dict) -> float:
            return sum(seconds - before.get(pid, 0) for pid, seconds in after.items())

        return {"server": delta(server, self.before[0]), "database": delta(database, self.before[1]),
                "machine_busy": round((busy - self.before[2][0]) / max(1, total - self.before[2][1]), 3)}


def start_server(env: dict, port: int, workers: int, worker_class: str, threads: int, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "jishi.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--worker-class", worker_class, "--threads", str(threads),
               "--timeout", "120", "--graceful-timeout", "5", "--keep-alive", "30", "--log-level", "warning",
               "--error-logfile", str(log)]
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,  # noqa: S603
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_serving(port, server, log)
    except Exception:
        stop_server(server)
        raise
    return server


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


# --- the database and Redis ---------------------------------------------------------------------------


def admin_connection():
    import psycopg

    return psycopg.connect(**PG, dbname="postgres", autocommit=True, connect_timeout=5)


def admin_connection_to(dsn: str):
    import psycopg

    return psycopg.connect(dsn, autocommit=True, connect_timeout=5)


def stock_accounting(dsn: str, plan: dict, stock: int, created: int, after_line: int) -> dict:
    """What one sale sold by the stock, by its orders (lines after ``after_line``) and by the product's
    summary; they must all agree, and never exceed the stock."""
    import psycopg

    with psycopg.connect(dsn) as connection:
        left = connection.execute("SELECT stock FROM catalog_variant WHERE id = %s", (plan["hot"],)).fetchone()[0]
        summary = connection.execute("SELECT stock_total FROM catalog_product WHERE id = %s",
                                     (plan["hot_product"],)).fetchone()[0]
        orders, units = connection.execute(
            "SELECT count(DISTINCT l.order_id), coalesce(sum(l.quantity), 0) FROM orders_orderline l "
            "JOIN orders_order o ON o.id = l.order_id WHERE l.variant_id = %s AND l.id > %s AND o.status <> 'cancelled'",
            (plan["hot"], after_line)).fetchone()
    sold, units = stock - left, int(units)
    return {"stock_left": left, "sold_by_stock": sold, "units_in_orders": units, "orders_in_db": orders,
            "http_201": created, "oversold": max(0, sold - stock, units - stock),
            "stock_vs_orders_mismatch": units - sold, "product_summary_mismatch": summary - left}


def redis_client():
    import redis

    return redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_timeout=5)


def purge_redis(prefix: str) -> int:
    """Delete every key of this run (cache entries, the Celery queue and its bindings); returns jobs queued."""
    client = redis_client()
    queued = client.llen(prefix)
    keys = list(client.scan_iter(match=f"*{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    return queued


def template_rows(dsn: str, group_id: int) -> dict:
    import psycopg

    with psycopg.connect(dsn) as connection:
        order_id = connection.execute("SELECT id FROM orders_order WHERE group_id = %s ORDER BY id LIMIT 1",
                                      (group_id,)).fetchone()[0]
        line_id = connection.execute("SELECT id FROM orders_orderline WHERE order_id = %s ORDER BY id LIMIT 1",
                                     (order_id,)).fetchone()[0]
    return {"group": group_id, "order": order_id, "line": line_id}


# --- the run ------------------------------------------------------------------------------------------


def http_phase(port: int, plan: dict, clients: int, *, path: str, bodies, idempotent: bool, seconds: float,
               max_requests: int) -> tuple[list, float]:
    """``clients`` processes; client k uses the buyers k, k + C, k + 2C, … in turn."""
    buyers = plan["buyers"]

    def requests_of(slot: int) -> list[tuple[dict, bytes]]:
        mine = buyers[slot::clients] or [buyers[slot % len(buyers)]]
        return [({"Authorization": f"Bearer {b['token']}", "Content-Type": "application/json"}, body)
                for n, b in enumerate(mine) for body in bodies(b, n + slot)]

    deadline = time.monotonic() + seconds
    per_client = max(1, max_requests // clients)
    return start_clients(http_client, [(slot, port, path, requests_of(slot), idempotent, deadline, per_client)
                                       for slot in range(clients)], seconds)


def parse_servers(text: str) -> list[tuple[str, int, int]]:
    """``sync:4,gthread:2x4`` → [("sync", 4, 1), ("gthread", 2, 4)]: worker class, processes, threads."""
    servers = []
    for item in text.split(","):
        kind, _colon, size = item.strip().partition(":")
        workers, _x, threads = size.partition("x")
        if kind not in {"sync", "gthread"} or not workers.isdigit() or threads and not threads.isdigit():
            raise ValueError(item)
        if kind == "sync" and threads:
            raise ValueError(item)
        servers.append((kind, int(workers), int(threads or 2) if kind == "gthread" else 1))
    return servers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--stock", type=int, default=2000, help="units of the hot SKU (default 2000)")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                        help=f"gunicorn worker processes (default CPUs + 1 = {DEFAULT_WORKERS})")
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync",
                        help="sync (default: measured faster here, see the module help) or gthread")
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker (default 2)")
    parser.add_argument("--compare", default="", metavar="SERVERS",
                        help="instead: compare server set-ups, like sync:4,gthread:2x4 (one JSON line each)")
    parser.add_argument("--rounds", type=int, default=1, help="sales per server set-up, interleaved (median kept)")
    parser.add_argument("--buyers-per-client", type=int, default=8, help="buyers each client takes turns as")
    parser.add_argument("--seconds", type=float, default=120, help="deadline of each sale and each raw round")
    parser.add_argument("--cart-seconds", type=float, default=5, help="length of the add-to-cart phase")
    parser.add_argument("--raw-rounds", type=int, default=3, help="rounds of the raw ceiling (median kept)")
    parser.add_argument("--profile", type=int, default=0, help="profile the CPU time of N in-process checkouts (to stderr)")
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of one checkout (to stderr)")
    parser.add_argument("--keep-db", action="store_true", help="keep the database (its name goes to stderr)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "seed":
        seed(args.plan, args.stock, args.clients * args.buyers_per_client)
        return 0
    if args.child == "probe":
        print(json.dumps(probe(args.plan, args.profile, args.show_queries)))
        return 0
    try:
        servers = parse_servers(args.compare) if args.compare else [
            (args.worker_class, args.workers, args.threads if args.worker_class == "gthread" else 1)]
    except ValueError as bad:
        parser.error(f"--compare: cannot read {bad}; write like sync:4,gthread:2x4")
    if not 1 <= args.clients <= 64 or not 1 <= args.stock <= 1_000_000 \
            or args.buyers_per_client < 1 or args.clients * args.buyers_per_client > 10_000:
        parser.error("--clients 1..64, --stock 1..1000000, at most 10000 buyers (clients x buyers per client)")
    if any(not 1 <= workers <= 32 or not 1 <= threads <= 32 for _kind, workers, threads in servers):
        parser.error("1..32 workers and 1..32 threads per server set-up")
    if not 1 <= args.rounds * len(servers) <= 30 or not 0 <= args.raw_rounds <= 30:
        parser.error("at most 30 sales (set-ups × rounds) and 30 raw rounds")
    if not 1 <= args.seconds <= 1800 or not 0 <= args.cart_seconds <= 600:
        parser.error("--seconds 1..1800, --cart-seconds 0..600")
    # A terminated run still stops its server and drops its database (the cleanup is in ``finally``).
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, interrupted)
    return run(args, servers)


def interrupted(number, _frame) -> None:
    raise SystemExit(128 + number)


def run(args, servers: list[tuple[str, int, int]]) -> int:
    name = f"jishi_flash_{os.getpid()}_{secrets.token_hex(3)}"
    prefix = f"jishiflash{secrets.token_hex(4)}"
    dsn = f"postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{name}"
    common: dict = {"bench": "flash_sale", "clients": args.clients, "stock": args.stock,
                    "buyers": args.clients * args.buyers_per_client}
    sales: dict[tuple, list[dict]] = {server: [] for server in servers}
    raw_rounds: list[dict] = []
    admin = admin_connection()
    admin.execute(f"CREATE DATABASE {name}")
    try:
        with tempfile.TemporaryDirectory(prefix="jishi-flash-") as var_dir:
            env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jishi.settings", "DEBUG": "false",
                   "SECRET_KEY": secrets.token_urlsafe(40), "ALLOWED_HOSTS": "127.0.0.1",
                   "DATABASE_URL": dsn, "REDIS_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}",
                   "CACHE_PREFIX": prefix, "JISHI_VAR_DIR": var_dir, "LOG_LEVEL": "WARNING"}
            started = time.monotonic()
            plan, template = prepare(args, env, common, str(Path(var_dir) / "plan.json"), dsn)
            common["setup_seconds"] = round(time.monotonic() - started, 1)
            raw_plan = {**template, "variant": plan["raw"], "product": plan["raw_product"], "clients": args.clients,
                        "buyers": [buyer["user"] for buyer in plan["buyers"]]}
            # Set-ups take turns, and a raw round follows each sale, so a change in the machine's other
            # load shows in every figure alike.
            for _round in range(args.rounds):
                for server in servers:
                    sales[server].append(serve_and_sell(server, plan, args, env, dsn, name, Path(var_dir)))
                    if len(raw_rounds) < args.raw_rounds:
                        raw_rounds.append(raw_round(raw_plan, args, dsn, name))
            while len(raw_rounds) < args.raw_rounds:
                raw_rounds.append(raw_round(raw_plan, args, dsn, name))
            common["seconds"] = round(time.monotonic() - started, 1)
    finally:
        with contextlib.suppress(Exception):
            common["jobs_queued"] = purge_redis(prefix)
        if args.keep_db:
            print(f"kept database {name}", file=sys.stderr)
        else:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()
    bad = 0
    for server, rounds in sales.items():
        figures = report(server, rounds, raw_rounds, common)
        bad += figures["oversold"] + figures["stock_vs_orders_mismatch"] + figures["product_summary_mismatch"]
        print(json.dumps(figures), flush=True)
    return 1 if bad else 0


def prepare(args, env: dict, figures: dict, plan_path: str, dsn: str) -> tuple[dict, dict]:
    """Migrate, seed and probe; returns the seeded ids and the rows the raw clients copy."""
    migrate = subprocess.run(  # noqa: S603  (our own interpreter)
        [sys.executable, "-c", "from jishi.cli import main; main()", "manage", "migrate", "--noinput", "-v", "0"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=CHILD_TIMEOUT, check=False)
    if migrate.returncode:
        raise RuntimeError(f"migrate failed: {migrate.stderr[-3000:]}")
    run_child("seed", env, "--plan", plan_path, "--stock", str(args.stock), "--clients", str(args.clients),
              "--buyers-per-client", str(args.buyers_per_client))
    probe_args = ["--plan", plan_path, "--profile", str(args.profile), *(["--show-queries"] if args.show_queries else [])]
    output = run_child("probe", env, *probe_args, show_stderr=bool(args.profile or args.show_queries))
    probed = json.loads(output.strip().splitlines()[-1])
    template = template_rows(dsn, probed.pop("template_group"))
    figures.update(probed)
    return json.loads(Path(plan_path).read_text()), template


def serve_and_sell(server: tuple[str, int, int], plan: dict, args, env: dict, dsn: str, name: str,
                   var_dir: Path) -> dict:
    """Start gunicorn, warm it up, restock the hot SKU, run the sale (and the add-to-cart phase), stop it."""
    kind, workers, threads = server
    port = free_port()
    process = start_server(env, port, workers, kind, threads, var_dir / "gunicorn.log")
    try:
        warm_up(port, plan, args.clients, workers * threads)
        baseline = restock(dsn, plan, args.stock)
        figures = sale(port, plan, args, CpuMeter(name, process.pid))
        figures.update(stock_accounting(dsn, plan, args.stock, figures.pop("http_201"), baseline))
        if args.cart_seconds:
            figures.update(add_to_cart(port, plan, args))
    finally:
        stop_server(process)
    return figures


def restock(dsn: str, plan: dict, stock: int) -> int:
    """Put the hot SKU back to ``stock`` units; returns the last order line id so far (this sale's come after)."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("UPDATE catalog_variant SET stock = %s WHERE id = %s", (stock, plan["hot"]))
        connection.execute("UPDATE catalog_product SET stock_total = %s WHERE id = %s", (stock, plan["hot_product"]))
        return connection.execute("SELECT coalesce(max(id), 0) FROM orders_orderline").fetchone()[0]


def warm_up(port: int, plan: dict, clients: int, server_slots: int) -> None:
    """Checkouts of another SKU until every worker has imported, connected and cached what it needs."""
    records, _cpu = http_phase(port, plan, clients, path=CHECKOUT_PATH, idempotent=True, seconds=60,
                               bodies=lambda buyer, _n: [checkout_body(plan["warm"], buyer["address"])],
                               max_requests=max(server_slots * 10, clients * 5))
    answers = Counter(record[2] for record in records)
    if answers["201"] < len(records) * 0.9:
        raise RuntimeError(f"warm-up checkouts failed: {dict(answers)}")


def sale(port: int, plan: dict, args, meter: CpuMeter) -> dict:
    """The flash sale: every client buys one unit at a time until the hot SKU is sold out."""
    meter.start()
    records, client_cpu = http_phase(port, plan, args.clients, path=CHECKOUT_PATH, idempotent=True,
                                     seconds=args.seconds, max_requests=2 * args.stock + 50 * args.clients,
                                     bodies=lambda buyer, _n: [checkout_body(plan["hot"], buyer["address"])])
    cpu = meter.stop()
    summary = summarise(records, "201")
    done = max(1, summary["ok"])
    return {"checkout_per_s": summary["per_s"], "checkout_p50_ms": summary["p50_ms"],
            "checkout_p99_ms": summary["p99_ms"], "checkout_wall_s": summary["wall_seconds"],
            "checkout_requests": summary["requests"], "outcomes": summary["outcomes"],
            "errors": {kind: n for kind, n in summary["outcomes"].items() if kind != "201" and kind not in SOLD_OUT},
            "sold_out_reached": any(kind in SOLD_OUT for kind in summary["outcomes"]), "http_201": summary["ok"],
            "cpu_ms_per_checkout": {"server": round(cpu["server"] * 1000 / done, 2),
                                    "database": round(cpu["database"] * 1000 / done, 2),
                                    "clients": round(client_cpu * 1000 / done, 2)},
            "machine_busy": cpu["machine_busy"]}


def add_to_cart(port: int, plan: dict, args) -> dict:
    """Every client adds one unit at a time to its buyers' carts, for a few seconds."""

    def bodies(_buyer, n: int) -> list[bytes]:
        turn = n % CART_VARIANTS
        return [json.dumps({"variant_id": v, "quantity": 1}).encode() for v in plan["cart"][turn:] + plan["cart"][:turn]]

    records, _cpu = http_phase(port, plan, args.clients, path=CART_PATH, idempotent=False, seconds=args.cart_seconds,
                               bodies=bodies, max_requests=int(args.cart_seconds * 5000))
    summary = summarise(records, "201")
    return {"cart_add_per_s": summary["per_s"], "cart_p50_ms": summary["p50_ms"], "cart_p99_ms": summary["p99_ms"],
            "cart_errors": {kind: n for kind, n in summary["outcomes"].items() if kind != "201"}}


def raw_round(raw_plan: dict, args, dsn: str, name: str) -> dict:
    """The same hot-row work straight on PostgreSQL, at the same concurrency, for S units."""
    with contextlib.closing(admin_connection_to(dsn)) as connection:
        connection.execute("UPDATE catalog_variant SET stock = %s WHERE id = %s", (args.stock, raw_plan["variant"]))
    deadline = time.monotonic() + args.seconds
    meter = CpuMeter(name)
    meter.start()
    records, client_cpu = start_clients(raw_client, [(slot, dsn, raw_plan, deadline, args.stock)
                                                     for slot in range(args.clients)], args.seconds)
    cpu = meter.stop()
    summary = summarise(records, "201")
    summary["cpu_ms"] = round((cpu["database"] + client_cpu) * 1000 / max(1, summary["ok"]), 2)
    return summary


def median_by(rounds: list[dict], key: str) -> dict:
    return sorted(rounds, key=lambda r: r[key] or 0)[len(rounds) // 2]


def report(server: tuple[str, int, int], rounds: list[dict], raw_rounds: list[dict], common: dict) -> dict:
    """One set-up's figures: its median sale, the accounting of every sale, the median raw round."""
    kind, workers, threads = server
    figures = {**common, "worker_class": kind, "workers": workers, "threads": threads, "rounds": len(rounds)}
    figures.update(median_by(rounds, "checkout_per_s"))
    if len(rounds) > 1:
        figures["checkout_per_s_rounds"] = [r["checkout_per_s"] for r in rounds]
        if "cart_add_per_s" in rounds[0]:
            figures.update({key: median_by(rounds, "cart_add_per_s")[key]
                            for key in ("cart_add_per_s", "cart_p50_ms", "cart_p99_ms")})
            figures["cart_add_per_s_rounds"] = [r["cart_add_per_s"] for r in rounds]
    # Any sale that oversold or lost count shows, not only the median one.
    for key in ("oversold", "stock_vs_orders_mismatch", "product_summary_mismatch"):
        figures[key] = sum(abs(r[key]) for r in rounds)
    if raw_rounds:
        raw = median_by(raw_rounds, "per_s")
        figures.update({"raw_per_s": raw["per_s"], "raw_rounds_per_s": [r["per_s"] for r in raw_rounds],
                        "raw_p50_ms": raw["p50_ms"], "raw_p99_ms": raw["p99_ms"], "raw_cpu_ms_per_order": raw["cpu_ms"]})
        figures["ratio"] = round(figures["checkout_per_s"] / raw["per_s"], 4) if raw["per_s"] else None
        figures["target_ratio"] = TARGET_RATIO
        figures["meets_target"] = bool(figures["ratio"] and figures["ratio"] >= TARGET_RATIO)
        # The same comparison in CPU time per order, which other load on the machine disturbs far less.
        checkout_cpu = sum(figures["cpu_ms_per_checkout"].values())
        figures["cpu_ratio"] = round(raw["cpu_ms"] / checkout_cpu, 4) if checkout_cpu else None
    return figures


if __name__ == "__main__":
    sys.exit(main())
