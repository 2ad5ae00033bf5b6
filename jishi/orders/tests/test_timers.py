"""Timers: unpaid order groups expire and give their stock back exactly once, shipped orders confirm
themselves after the protection window, and a sweep may run any number of times, even two at once."""

import datetime as dt
import threading
import time

import pytest
from django.conf import settings as django_settings
from django.db import connection

from jishi.catalog.models import Product, Variant
from jishi.core import clock, jobs
from jishi.core.errors import DomainError
from jishi.core.models import Job
from jishi.orders import services
from jishi.orders.models import GroupStatus, Order, OrderEvent, OrderGroup, OrderStatus
from tests.factories import UserFactory, buy_now, make_product, open_store_for

transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PAST_PAYMENT_WINDOW = dt.timedelta(minutes=django_settings.ORDER_PAYMENT_WINDOW_MINUTES + 1)


def run_together(*works, timeout: float = 60.0) -> list:
    """Run each callable in its own thread, released at once; results are ``("ok", value)`` or
    ``("error", exception)``. Every thread closes its database connection when done."""
    barrier = threading.Barrier(len(works), timeout=timeout)
    results: list = [None] * len(works)

    def target(index: int) -> None:
        try:
            barrier.wait()
            results[index] = ("ok", works[index]())
        except BaseException as error:  # every outcome is reported to the test
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(len(works))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish in time"
    return results


def open_shop(stock: int):
    _store, access = open_store_for(name="Night Market", currency_code="CNY")
    product = make_product(access, title="Paper Lantern", price="35.00", stock=stock)
    return access, product, product.variants.get()


def stock_of(variant) -> tuple[int, int]:
    """The variant's stock and its product's stock summary, read fresh."""
    return (Variant.objects.values_list("stock", flat=True).get(pk=variant.pk),
            Product.objects.values_list("stock_total", flat=True).get(pk=variant.product_id))


def chain(order) -> list[tuple[str, str]]:
    return list(OrderEvent.objects.filter(order=order).order_by("created_at", "id")
                .values_list("from_status", "to_status"))


@pytest.fixture
def dispatched(monkeypatch):
    """The jobs handed over after commit, as (task name, args): the mail each change sends."""
    sent: list[tuple[str, tuple]] = []

    def hand_over(job_id):
        task, args = Job.objects.values_list("task", "args").get(pk=job_id)
        sent.append((task, tuple(args)))
        return True

    monkeypatch.setattr(jobs, "_dispatch", hand_over)
    return sent


@transactional
def test_two_sweeps_at_once_expire_each_group_and_return_its_stock_once():
    _access, _product, variant = open_shop(stock=40)
    groups = [buy_now(UserFactory(), variant, 2) for _ in range(15)]
    assert stock_of(variant) == (10, 10)

    with clock.shifted(PAST_PAYMENT_WINDOW):
        results = run_together(services.process_due, services.process_due)

    assert [kind for kind, _value in results] == ["ok", "ok"], results
    assert sum(report.expired_groups for _kind, report in results) == 15
    assert stock_of(variant) == (40, 40)
    assert set(OrderGroup.objects.filter(pk__in=[g.pk for g in groups]).values_list("status", flat=True)) == {
        GroupStatus.EXPIRED}
    for group in groups:
        order = group.orders.get()
        assert chain(order) == [("", "pending_payment"), ("pending_payment", "cancelled")]
        assert order.cancel_reason == services.EXPIRED_NOTE


@transactional
def test_a_payment_racing_the_expiry_sweep_ends_one_way_or_the_other():
    _access, _product, variant = open_shop(stock=20)
    groups = [buy_now(UserFactory(), variant, 1) for _ in range(12)]
    assert stock_of(variant) == (8, 8)

    def pay_all():
        # The payment notices arrive newest first while the sweep works oldest first: they meet midway.
        outcomes = {}
        for group in reversed(groups):
            try:
                services.mark_paid(group, reference=f"pay-{group.pk}")
                outcomes[group.pk] = "paid"
            except DomainError as refused:
                outcomes[group.pk] = (refused.code, refused.status)
        return outcomes

    with clock.shifted(PAST_PAYMENT_WINDOW):
        (pay_kind, payments), (sweep_kind, report) = run_together(pay_all, services.process_due)

    assert (pay_kind, sweep_kind) == ("ok", "ok"), (payments, report)
    paid = 0
    for group in groups:
        group.refresh_from_db()
        order = group.orders.get()
        if group.status == GroupStatus.PAID:
            paid += 1
            assert payments[group.pk] == "paid"
            assert order.status == OrderStatus.PAID and order.paid_at is not None
            assert chain(order) == [("", "pending_payment"), ("pending_payment", "paid")]
        else:
            assert group.status == GroupStatus.EXPIRED
            assert payments[group.pk] == ("order_group.not_payable", 409)
            assert order.status == OrderStatus.CANCELLED and order.paid_at is None
            assert chain(order) == [("", "pending_payment"), ("pending_payment", "cancelled")]
    assert report.expired_groups == len(groups) - paid
    # Paid orders keep their unit; expired ones gave theirs back.
    assert stock_of(variant) == (8 + len(groups) - paid, 8 + len(groups) - paid)


@pytest.mark.django_db
def test_receipt_is_confirmed_automatically_after_the_protection_window(settings, dispatched,
                                                                         django_capture_on_commit_callbacks):
    settings.ORDER_AUTO_CONFIRM_DAYS = 3
    access, _product, variant = open_shop(stock=5)
    buyer = UserFactory()
    shipped_at = clock.now()
    with clock.frozen(shipped_at):
        waiting = buy_now(buyer, variant).orders.get()
        services.mark_paid(waiting.group)
        waiting.refresh_from_db()
        services.ship_order(access=access, order=waiting, carrier="SF Express", tracking_number="SF1000001")
        prompt = buy_now(buyer, variant).orders.get()
        services.mark_paid(prompt.group)
        prompt.refresh_from_db()
        services.ship_order(access=access, order=prompt, carrier="SF Express", tracking_number="SF1000002")
    assert waiting.auto_confirm_at == shipped_at + dt.timedelta(days=3)
    with clock.frozen(shipped_at + dt.timedelta(days=1)):
        services.confirm_receipt(order=Order.objects.get(pk=prompt.pk), actor=buyer)

    with clock.frozen(shipped_at + dt.timedelta(days=3, minutes=-1)):
        assert services.process_due() == services.DueReport(expired_groups=0, confirmed_orders=0)
    assert Order.objects.get(pk=waiting.pk).status == OrderStatus.SHIPPED

    dispatched.clear()
    swept_at = shipped_at + dt.timedelta(days=3, minutes=1)
    with clock.frozen(swept_at), django_capture_on_commit_callbacks(execute=True):
        assert services.process_due() == services.DueReport(expired_groups=0, confirmed_orders=1)

    waiting.refresh_from_db()
    assert waiting.status == OrderStatus.COMPLETED
    assert waiting.delivered_at == swept_at and waiting.completed_at == swept_at
    delivered = waiting.events.get(to_status=OrderStatus.DELIVERED)
    assert (delivered.from_status, delivered.actor, delivered.created_at) == (OrderStatus.SHIPPED, None, swept_at)
    assert "3 days" in delivered.note
    assert chain(waiting)[-2:] == [("shipped", "delivered"), ("delivered", "completed")]
    assert dispatched == [("jishi.orders.tasks.send_order_mail", (waiting.pk, "auto_confirmed"))]
    # The order the buyer confirmed themselves is left alone: one receipt, by the buyer.
    prompt_delivered = OrderEvent.objects.filter(order=prompt, to_status=OrderStatus.DELIVERED)
    assert [event.actor for event in prompt_delivered] == [buyer]
    # Sold units stay sold.
    assert stock_of(variant) == (3, 3)


@pytest.mark.django_db
def test_process_due_is_idempotent():
    access, _product, variant = open_shop(stock=20)
    start = clock.now()
    with clock.frozen(start):
        due_unpaid = buy_now(UserFactory(), variant, 2)
        paid = buy_now(UserFactory(), variant, 1)
        services.mark_paid(paid)
        shipped = buy_now(UserFactory(), variant, 1)
        services.mark_paid(shipped)
        services.ship_order(access=access, order=shipped.orders.get(), carrier="EMS", tracking_number="EE1000001CN")
    later = start + dt.timedelta(days=10, minutes=1)
    with clock.frozen(later - dt.timedelta(minutes=10)):
        fresh_unpaid = buy_now(UserFactory(), variant, 3)

    def snapshot():
        orders = Order.objects.filter(store=access.store).order_by("id")
        return ([(o.pk, o.status, o.events.count()) for o in orders],
                sorted(OrderGroup.objects.values_list("pk", "status")), stock_of(variant))

    with clock.frozen(later):
        assert services.process_due() == services.DueReport(expired_groups=1, confirmed_orders=1)
    after_first = snapshot()
    for moment in (later, later + dt.timedelta(seconds=30)):
        with clock.frozen(moment):
            assert services.process_due() == services.DueReport(expired_groups=0, confirmed_orders=0)
        assert snapshot() == after_first

    statuses = {o.group_id: o.status for o in Order.objects.filter(store=access.store)}
    assert statuses == {due_unpaid.pk: OrderStatus.CANCELLED, paid.pk: OrderStatus.PAID,
                        shipped.pk: OrderStatus.COMPLETED, fresh_unpaid.pk: OrderStatus.PENDING_PAYMENT}
    # 20 − 1 paid − 1 shipped − 3 still reserved; the expired group's 2 units are back.
    assert stock_of(variant) == (15, 15)


@pytest.mark.django_db
def test_a_sweep_works_in_batches_and_the_next_one_finishes_the_rest():
    _access, _product, variant = open_shop(stock=10)
    start = clock.now()
    with clock.frozen(start):
        for _ in range(5):
            buy_now(UserFactory(), variant, 1)
    with clock.frozen(start + PAST_PAYMENT_WINDOW):
        assert [services.process_due(batch=2).expired_groups for _ in range(4)] == [2, 2, 1, 0]
    assert stock_of(variant) == (10, 10)


@pytest.mark.django_db
def test_an_unpaid_group_is_not_expired_before_its_window_closes():
    _access, _product, variant = open_shop(stock=3)
    start = clock.now()
    with clock.frozen(start):
        group = buy_now(UserFactory(), variant, 1)
    with clock.frozen(start + dt.timedelta(minutes=29)):
        assert services.process_due().expired_groups == 0
        assert services.expire_group(group.pk) is False
    group.refresh_from_db()
    assert group.status == GroupStatus.PENDING_PAYMENT and stock_of(variant) == (2, 2)
    services.mark_paid(group)
    with clock.frozen(start + dt.timedelta(days=1)):
        assert services.expire_group(group.pk) is False
    assert group.orders.get().status == OrderStatus.PAID and stock_of(variant) == (2, 2)

