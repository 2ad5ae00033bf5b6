"""Background jobs and timers, in both run modes.

Embedded mode (no ``REDIS_URL``): a job runs in this process once the transaction commits, never before
and never after a rollback, and a failing job is logged instead of failing the request that committed.
Production mode (``REDIS_URL`` set): the job travels through Redis to a real Celery worker. The timer
table names only tasks a worker (or the embedded sweeper) knows, and the sweeper runs them.
"""

import datetime as dt
import json
import logging
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection, transaction

from jishi.accounts.models import User
from jishi.catalog.models import Variant
from jishi.celery import app
from jishi.core import clock, jobs
from jishi.core.models import Job
from jishi.orders.models import GroupStatus
from tests.factories import UserFactory, buy_now, make_product, open_store_for

transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class Probe:
    """A stand-in task that notes each run and whether the row it is about can be seen from another
    connection — that is, whether the transaction that enqueued it has committed. Jobs are rows naming
    their task by its dotted path, so the probe in use sits on this module as ``current_probe``."""

    name = f"{__name__}.current_probe"

    def __init__(self):
        self.runs: list[tuple[tuple, bool]] = []

    def __call__(self, email):
        self.runs.append(((email,), committed(email)))


def broken(*args):
    raise ValueError("the mail server is down")


broken.name = f"{__name__}.broken"


@pytest.fixture
def probe(monkeypatch):
    found = Probe()
    monkeypatch.setattr(sys.modules[__name__], "current_probe", found, raising=False)
    return found


def committed(email: str) -> bool:
    seen = []

    def look():
        try:
            seen.append(User.objects.filter(email=email).exists())
        finally:
            connection.close()

    reader = threading.Thread(target=look, daemon=True)
    reader.start()
    reader.join(10)
    return seen == [True]


def wait_until(condition, *, timeout: float, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


@pytest.fixture
def embedded(settings):
    settings.REDIS_URL = ""


# --- embedded mode ------------------------------------------------------------------------------------


@transactional
def test_a_job_runs_after_the_commit_and_not_before(embedded, probe):
    with transaction.atomic():
        UserFactory(email="first@example.com")
        jobs.enqueue(probe, "first@example.com")
        assert probe.runs == []
    assert probe.runs == [(("first@example.com",), True)]


@transactional
def test_a_job_of_a_rolled_back_transaction_never_runs(embedded, probe):
    with pytest.raises(RuntimeError), transaction.atomic():
        UserFactory(email="gone@example.com")
        jobs.enqueue(probe, "gone@example.com")
        raise RuntimeError("the request failed")
    assert probe.runs == []
    assert not User.objects.filter(email="gone@example.com").exists()
    assert not Job.objects.exists()  # the outbox row went with the transaction


@transactional
def test_outside_a_transaction_a_job_runs_at_once(embedded, probe):
    UserFactory(email="now@example.com")
    jobs.enqueue(probe, "now@example.com")
    assert probe.runs == [(("now@example.com",), True)]


@transactional
def test_a_failing_job_is_logged_and_the_commit_stands(embedded, caplog, probe):
    with caplog.at_level(logging.ERROR, logger="jishi.core.jobs"), transaction.atomic():
        UserFactory(email="kept@example.com")
        jobs.enqueue(broken, 7, "placed")
        jobs.enqueue(probe, "kept@example.com")
    assert User.objects.filter(email="kept@example.com").exists()
    failures = [r for r in caplog.records if r.name == "jishi.core.jobs" and r.levelno == logging.ERROR]
    assert len(failures) == 1
    assert "test_jobs.broken" in failures[0].getMessage() and "(7, 'placed')" in failures[0].getMessage()
    assert failures[0].exc_info and isinstance(failures[0].exc_info[1], ValueError)
    # One broken job does not stop the next one.
    assert probe.runs == [(("kept@example.com",), True)]


# --- production mode: a real Celery worker on Redis ------------------------------------------------------


@pytest.fixture
def celery_worker(monkeypatch, settings):
    """A Celery worker in a thread of this process, consuming the marketplace's queue on Redis."""
    if not settings.CELERY_BROKER_URL:
        pytest.skip("REDIS_URL is not set: jobs run in-process, there is no Celery broker to test against")
    settings.REDIS_URL = settings.CELERY_BROKER_URL  # production mode: jobs go to the broker
    assert not app.conf.task_always_eager, "jobs must travel through the broker, not run eagerly"
    monkeypatch.setitem(app.conf, "worker_hijack_root_logger", False)
    queue = django_settings.CELERY_TASK_DEFAULT_QUEUE
    # Jobs queued by earlier tests name rows that are gone (no worker ran them): drop them first.
    with app.connection_for_write() as broker:
        broker.default_channel.queue_purge(queue)
    with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=20) as worker:
        yield worker


@transactional
def test_an_order_mail_goes_through_redis_to_a_celery_worker(celery_worker):
    done, problems = [], []
    main_thread = threading.get_ident()

    def on_postrun(sender=None, args=None, **kwargs):
        done.append((sender.name, tuple(args or ()), threading.get_ident(),
                     (sender.request.delivery_info or {}).get("routing_key")))

    def on_trouble(sender=None, request=None, reason=None, exception=None, args=None, **kwargs):
        problems.append((sender.name, tuple(args or getattr(request, "args", None) or ()), repr(reason or exception)))

    signals.task_postrun.connect(on_postrun, weak=False)
    signals.task_retry.connect(on_trouble, weak=False)
    signals.task_failure.connect(on_trouble, weak=False)
    try:
        _store, access = open_store_for(name="Redis Tea", currency_code="CNY")
        variant = make_product(access, title="Pu-erh", price="66.00", stock=3).variants.get()
        buyer = UserFactory(email="mei@example.com")
        order = buy_now(buyer, variant).orders.get()
        row = Job.objects.get(task="jishi.orders.tasks.send_order_mail", args=[order.pk, "placed"])
        # The broker carries the outbox row's id; the worker claims the row and runs the mail.
        job = ("jishi.core.tasks.run_job", (row.pk,))

        def settled():
            return any(entry[:2] == job for entry in done + problems)

        finished = wait_until(settled, timeout=20)
    finally:
        signals.task_postrun.disconnect(on_postrun)
        signals.task_retry.disconnect(on_trouble)
        signals.task_failure.disconnect(on_trouble)

    assert not [p for p in problems if p[:2] == job], f"the worker could not send the mail: {problems}"
    assert finished, "the worker did not run the mail job within 20 seconds"
    # It ran on the worker's thread, taken from the marketplace's queue — not here, not eagerly.
    assert {(thread != main_thread, routing_key) for name, args, thread, routing_key in done if (name, args) == job} == {
        (True, django_settings.CELERY_TASK_DEFAULT_QUEUE)}
    assert Job.objects.get(pk=row.pk).status == "done"
    mine = [m for m in mail.outbox if f"#{order.pk} " in m.subject]
    assert f"Your order #{order.pk} from Redis Tea is placed" in [m.subject for m in mine]
    assert {address for m in mine for address in m.to} == {"mei@example.com", access.membership.user.email}


# --- timers ------------------------------------------------------------------------------------------------

FRESH_PROCESS = textwrap.dedent("""
    import json, os, threading
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "jishi.settings"
    django.setup()
    from jishi.celery import app
    from jishi.core.jobs import run_schedule_in_thread
    from jishi.orders import services

    ran = threading.Event()

    def process_due(**kwargs):
        ran.set()
        return services.DueReport(expired_groups=0, confirmed_orders=0)

    services.process_due = process_due
    # The other timers only purge old rows; this database has no tables.
    from jishi.cart import services as cart_services
    from jishi.core import idempotency
    from jishi.search import services as search_services
    cart_services.purge_abandoned_carts = idempotency.purge_expired = search_services.set_sales = (
        lambda *args, **kwargs: 0)
    from jishi.orders import selectors as order_selectors
    order_selectors.units_sold = lambda *args, **kwargs: {}
    from jishi.payments import deliveries
    deliveries.retry_due = lambda *args, **kwargs: 0
    from jishi.ledger import payouts
    payouts.pay_out_due_stores = lambda *args, **kwargs: []
    from jishi.core import jobs as outbox
    outbox.relay = outbox.purge_finished = lambda *args, **kwargs: 0
    from jishi.disputes import services as dispute_services
    dispute_services.process_due = lambda *args, **kwargs: dispute_services.DueReport(0, 0, 0)
    sweeper = run_schedule_in_thread(every=0.05)
    swept = ran.wait(10)
    sweeper.stop()
    sweeper.join(5)
    app.loader.import_default_modules()  # what a Celery worker does when it starts
    print(json.dumps({"swept": swept,
                      "scheduled": sorted(entry["task"] for entry in app.conf.beat_schedule.values()),
                      "registered": sorted(name for name in app.tasks if not name.startswith("celery."))}))
""")


@pytest.fixture(scope="module")
def fresh_process(tmp_path_factory):
    """Start-up as ``jishi serve`` and a Celery worker see it: a new interpreter, nothing imported yet."""
    env = {"PATH": "/usr/bin:/bin", "JISHI_VAR_DIR": str(tmp_path_factory.mktemp("var")), "REDIS_URL": "",
           "DATABASE_URL": "sqlite:///:memory:"}
    done = subprocess.run([sys.executable, "-c", FRESH_PROCESS], env=env, capture_output=True, text=True,
                          timeout=60, cwd=django_settings.BASE_DIR.parent)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_the_beat_schedule_names_only_registered_tasks(fresh_process):
    found, _log = fresh_process
    assert found["scheduled"], "the timer table is empty"
    missing = set(found["scheduled"]) - set(found["registered"])
    assert not missing, f"scheduled but not registered: {sorted(missing)}"


def test_the_embedded_sweeper_finds_its_tasks_in_a_fresh_process(fresh_process):
    found, log = fresh_process
    assert found["swept"], f"the sweeper never ran process_due:\n{log}"
    assert "Timer" not in log, log


@transactional
def test_the_embedded_sweeper_expires_unpaid_orders(embedded):
    _store, access = open_store_for(name="Sweep Street", currency_code="CNY")
    variant = make_product(access, title="Fan", price="15.00", stock=4).variants.get()
    group = buy_now(UserFactory(), variant, 3)
    assert Variant.objects.get(pk=variant.pk).stock == 1

    def expired() -> bool:
        group.refresh_from_db()
        return group.status == GroupStatus.EXPIRED

    with clock.shifted(dt.timedelta(minutes=django_settings.ORDER_PAYMENT_WINDOW_MINUTES + 1)):
        sweeper = jobs.run_schedule_in_thread(every=0.05)
        try:
            assert wait_until(expired, timeout=10), "the sweeper did not expire the unpaid group"
        finally:
            sweeper.stop()
            sweeper.join(5)
    assert not sweeper.is_alive()
    assert Variant.objects.get(pk=variant.pk).stock == 4

