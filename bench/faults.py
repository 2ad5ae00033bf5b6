"""Fault test: shoppers keep checking out and paying while the parts under them fail; nothing may be lost.

    .venv/bin/python bench/faults.py [--clients 4] [--seconds 40] [--stock 5000]

Needs PostgreSQL's ``initdb`` and ``pg_ctl`` and Debian's ``redis-server``. It starts everything itself, on
spare ports of 127.0.0.1: a PostgreSQL cluster of its own in a temporary folder (as the ``postgres`` user
when run by root), a Redis of its own (no persistence), gunicorn with two sync workers and a Celery worker
with beat (``jishi worker``), the payment webhooks going over HTTP to that gunicorn as in production. A child process seeds one store with one
product of S units and a buyer per client, each with an address and a token.

C clients then loop for the given seconds: "buy now" one unit through ``POST /api/v1/checkout``, start a
payment, and approve it on the sandbox's hosted payment page with the success card. Meanwhile, in order:
a gunicorn worker is killed (SIGKILL), the Celery worker is killed and started again, Redis is stopped
and started again empty, so every message it held is gone, and PostgreSQL is restarted (fast shutdown:
every open connection is cut).

After the load the run waits (bounded) until the outbox is empty, then checks the database: no payment that
was approved is refunded, every paid order has its "placed" and "paid" mail sent, the ledger check passes,
and the stock adds up (units on sale + units in orders not cancelled = S). It prints one JSON line: the
orders placed and paid, the answers by status (500s are failures; a 503 is an honest "try again"), approved
payments refunded, mails missing, and how long the relay took to catch up after Redis came back. Exits 1
when anything was lost.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATCH_UP_SECONDS = 180
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- the children: seeding and checking, in a Django process of their own --------------------------------


def seed(plan_path: str, clients: int, stock: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from jishi.accounts.services import issue_token
    from tests.factories import AddressFactory, UserFactory, make_product, open_store_for

    call_command("migrate", verbosity=0)
    _store, access = open_store_for(name="Fault Tea", currency_code="CNY")
    variant = make_product(access, title="Storm Tea", price="20.00", stock=stock).variants.get()
    buyers = []
    for index in range(clients):
        buyer = UserFactory(email=f"buyer{index}@faults.test")
        address = AddressFactory(user=buyer)
        _row, token = issue_token(user=buyer, name="faults")
        buyers.append({"token": token, "address_id": address.id})
    Path(plan_path).write_text(json.dumps({"variant_id": variant.id, "product_id": variant.product_id,
                                           "buyers": buyers}))
    print(json.dumps({"seeded": len(buyers)}))


def check(plan_path: str, stock: int) -> None:
    import django

    django.setup()
    from django.db.models import Sum

    from jishi.catalog.models import Variant
    from jishi.core.models import Job, JobStatus
    from jishi.ledger.selectors import check_ledger
    from jishi.orders.models import Order, OrderGroup, OrderLine, OrderStatus
    from jishi.payments.models import Payment, Refund

    plan = json.loads(Path(plan_path).read_text())
    approved = Payment.objects.filter(succeeded_at__isnull=False)
    refunded = Refund.objects.filter(payment__in=approved).values("payment_id").distinct().count()
    mailed: dict[str, set[int]] = {"placed": set(), "paid": set()}
    for task, args in Job.objects.filter(status=JobStatus.DONE, task__in=[
            "jishi.orders.tasks.send_order_mail", "jishi.orders.tasks.send_orders_mail"]).values_list("task", "args"):
        ids, kind = ([args[0]] if task.endswith("send_order_mail") else args[0]), args[1]
        if kind in mailed:
            mailed[kind].update(ids)
    orders = list(Order.objects.values_list("id", "status"))
    paid_ids = {order_id for order_id, status in orders if status == OrderStatus.PAID}
    missing = len({order_id for order_id, _ in orders} - mailed["placed"]) + len(paid_ids - mailed["paid"])
    held = (OrderLine.objects.exclude(order__status=OrderStatus.CANCELLED)
            .aggregate(units=Sum("quantity"))["units"] or 0)
    on_sale = Variant.objects.get(pk=plan["variant_id"]).stock
    print(json.dumps({
        "groups": OrderGroup.objects.count(), "orders_paid": len(paid_ids),
        "approved_payments": approved.count(), "approved_payments_refunded": refunded, "mails_missing": missing,
        "jobs_left": Job.objects.exclude(status=JobStatus.DONE).count(),
        "jobs_dead": Job.objects.filter(status=JobStatus.DEAD).count(),
        "ledger_ok": check_ledger().ok, "stock_consistent": on_sale + held == stock,
    }))


def pending(plan_path: str) -> None:
    """How much is still on its way: jobs not done, approved payments whose group is not paid yet."""
    import django

    django.setup()
    from jishi.core.models import Job, JobStatus
    from jishi.payments.models import Payment

    waiting = Job.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).count()
    print(json.dumps({"jobs": waiting, "unsettled": Payment.objects.filter(status="created").count()}))


def run_child(mode: str, env: dict, *extra: str, timeout: float = 300) -> str:
    done = subprocess.run([sys.executable, __file__, "--child", mode, *extra], env=env, cwd=ROOT,  # noqa: S603
                          capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1]


# --- the processes ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT,  # noqa: S603
                            start_new_session=True)


def stop(process: subprocess.Popen | None, *, kill: bool = False) -> None:
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def start_redis(port: int, log: Path) -> subprocess.Popen:
    redis = start([shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind", "127.0.0.1",
                   "--save", "", "--appendonly", "no"], os.environ.copy(), log)
    wait_for(lambda: _connects(port), 10, "Redis did not start")
    return redis


def _connects(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def wait_for(condition, seconds: float, failure: str) -> None:
    limit = time.monotonic() + seconds
    while time.monotonic() < limit:
        if condition():
            return
        time.sleep(0.2)
    raise RuntimeError(failure)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the ``postgres`` user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class OwnPostgres:
    """A throwaway PostgreSQL cluster on a spare port, with trust authentication, that the run may restart."""

    def __init__(self, folder: Path, port: int):
        self.folder, self.port, self.data = folder, port, folder / "data"
        folder.mkdir(mode=0o777, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(folder, user="postgres")
        subprocess.run(_as_postgres(["initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",  # noqa: S603
                                     "--no-sync"]), check=True, capture_output=True, timeout=120)

    def _ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(_as_postgres(["pg_ctl", "-D", str(self.data), "-o", options, "-l",  # noqa: S603
                                     str(self.folder / "postgres.log"), "-w", action, *extra]),
                       check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self._ctl("stop", "-m", "immediate")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


# --- the shoppers -------------------------------------------------------------------------------------------


def shopper(base: str, plan: dict, buyer: dict, deadline: float, answers: Counter, lock: threading.Lock) -> None:
    auth = {"Authorization": f"Bearer {buyer['token']}", "Content-Type": "application/json"}
    while time.monotonic() < deadline:
        checkout = {"lines": [{"variant_id": plan["variant_id"], "quantity": 1}], "address_id": buyer["address_id"],
                    "charge_currency": "CNY"}
        placed = call(base + "/api/v1/checkout", checkout, {**auth, "Idempotency-Key": uuid.uuid4().hex}, answers,
                      lock)
        if placed is None:
            continue
        if placed.get("error", {}).get("code", "").startswith("checkout.") and "stock" in json.dumps(placed):
            return  # sold out: this shopper is done
        group_id = placed.get("id")
        if not group_id:
            continue
        payment = call(f"{base}/api/v1/order-groups/{group_id}/payments", {}, auth, answers, lock)
        if payment and payment.get("redirect_url"):
            approve(payment["redirect_url"], answers, lock)


def call(url: str, body: dict, headers: dict, answers: Counter, lock: threading.Lock) -> dict | None:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers,  # noqa: S310 (ours)
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our own server)
            status, payload = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, payload = error.code, error.read()
    except (urllib.error.URLError, OSError):
        status, payload = 0, b""
    with lock:
        answers[status] += 1
    with contextlib.suppress(ValueError):
        return json.loads(payload)
    return None


def approve(page_url: str, answers: Counter, lock: threading.Lock) -> None:
    """The shopper on the hosted page: load it (its CSRF token), then approve with the success card."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    try:
        page = opener.open(page_url, timeout=30).read().decode()  # noqa: S310
        token = CSRF.search(page)
        if token is None:
            return
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "card_number": "4242 4242 4242 4242",
                                       "expiry": "12/34", "cvc": "123"}).encode()
        request = urllib.request.Request(page_url, data=form, headers={"Referer": page_url},  # noqa: S310
                                         method="POST")
        with opener.open(request, timeout=30) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (urllib.error.URLError, OSError):
        status = 0
    with lock:
        answers[status] += 1


# --- the run ------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--stock", type=int, default=5000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        {"seed": lambda: seed(args.plan, args.clients, args.stock), "check": lambda: check(args.plan, args.stock),
         "pending": lambda: pending(args.plan)}[args.child]()
        return 0
    if not (1 <= args.clients <= 16 and 10 <= args.seconds <= 600 and 10 <= args.stock <= 100_000):
        parser.error("--clients 1..16, --seconds 10..600, --stock 10..100000")
    missing = [tool for tool in ("initdb", "pg_ctl", "redis-server") if not shutil.which(tool)]
    if missing:
        print(json.dumps({"bench": "faults", "skipped": f"not installed: {', '.join(missing)}"}))
        return 0
    with tempfile.TemporaryDirectory(prefix="jishi-faults-") as scratch:
        os.chmod(scratch, 0o755)  # noqa: S103 (the postgres user must reach its cluster folder inside)
        postgres = OwnPostgres(Path(scratch) / "pg", free_port())
        postgres.start()
        try:
            return run(args, Path(scratch), postgres)
        finally:
            postgres.stop()


def run(args, scratch: Path, postgres: OwnPostgres) -> int:
    redis_port, web_port = free_port(), free_port()
    base = f"http://127.0.0.1:{web_port}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jishi.settings", "DEBUG": "false",
           "DATABASE_URL": postgres.url("postgres"),
           "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", "CACHE_PREFIX": f"faults{os.getpid()}",
           "JISHI_VAR_DIR": str(scratch), "SITE_URL": base, "ALLOWED_HOSTS": "127.0.0.1,localhost",
           "PAYMENT_WEBHOOK_TRANSPORT": "jishi.payments.deliveries.post_over_http",
           "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
           # A killed worker's job and a lost message come back within seconds, so the run can wait for them.
           "JOB_REDISPATCH_SECONDS": "5", "JOB_LEASE_SECONDS": "15", "PYTHONPATH": str(ROOT)}
    plan_path = str(scratch / "plan.json")
    processes: dict[str, subprocess.Popen | None] = {"redis": None, "web": None, "worker": None}
    figures: dict = {"bench": "faults", "clients": args.clients, "seconds": args.seconds, "stock": args.stock}
    try:
        processes["redis"] = start_redis(redis_port, scratch / "redis.log")
        run_child("seed", env, "--plan", plan_path, "--clients", str(args.clients), "--stock", str(args.stock))
        plan = json.loads(Path(plan_path).read_text())
        processes["web"] = start([sys.executable, "-m", "gunicorn", "jishi.wsgi:application", "--bind",
                                  f"127.0.0.1:{web_port}", "--workers", "2", "--timeout", "60",
                                  "--graceful-timeout", "5", "--log-level", "warning"], env, scratch / "web.log")
        wait_for(lambda: _connects(web_port), 60, "gunicorn did not start")
        worker_command = [str(Path(sys.executable).parent / "jishi"), "worker", "--concurrency", "2",
                          "--loglevel", "WARNING"]
        processes["worker"] = start(worker_command, env, scratch / "worker.log")
        answers, lock = Counter(), threading.Lock()
        deadline = time.monotonic() + args.seconds
        shoppers = [threading.Thread(target=shopper, args=(base, plan, buyer, deadline, answers, lock), daemon=True)
                    for buyer in plan["buyers"]]
        for thread in shoppers:
            thread.start()
        step = args.seconds / 7
        time.sleep(step)
        workers = children_of(processes["web"].pid)
        if workers:
            os.kill(workers[0], signal.SIGKILL)  # the master forks another
        time.sleep(step)
        stop(processes["worker"], kill=True)
        processes["worker"] = start(worker_command, env, scratch / "worker.log")
        time.sleep(step)
        stop(processes["redis"])
        time.sleep(min(10.0, step))
        processes["redis"] = start_redis(redis_port, scratch / "redis.log")
        redis_back = time.monotonic()
        time.sleep(step / 2)
        postgres.restart()
        for thread in shoppers:
            thread.join(timeout=args.seconds + 60)
        caught_up = None
        limit = time.monotonic() + CATCH_UP_SECONDS
        while time.monotonic() < limit:
            left = json.loads(run_child("pending", env, "--plan", plan_path))
            if not left["jobs"]:
                caught_up = round(time.monotonic() - redis_back, 1)
                break
            time.sleep(2)
        figures.update(json.loads(run_child("check", env, "--plan", plan_path, "--stock", str(args.stock))))
        figures["answers"] = {str(status): count for status, count in sorted(answers.items())}
        figures["server_errors_500"] = answers.get(500, 0)
        figures["relay_caught_up_seconds_after_redis_returned"] = caught_up
    finally:
        for process in processes.values():
            stop(process)
    print(json.dumps(figures), flush=True)
    if figures.get("jobs_left") or figures.get("relay_caught_up_seconds_after_redis_returned") is None:
        for log in ("worker.log", "web.log", "pg/postgres.log"):  # what the parts said, for whoever reads CI
            if (scratch / log).exists():
                print(f"--- {log} (last lines)\n" + "\n".join((scratch / log).read_text(errors="replace")
                                                          .splitlines()[-40:]), file=sys.stderr)
    lost = any([figures["approved_payments_refunded"], figures["mails_missing"], figures["server_errors_500"],
                not figures["ledger_ok"], not figures["stock_consistent"],
                figures["relay_caught_up_seconds_after_redis_returned"] is None])
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
