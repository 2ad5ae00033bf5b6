"""No overselling under real concurrency: many shoppers press "buy now" at the same instant.

Every test here runs threads against the real database (each thread has its own connection), released
together by a barrier, so the checkouts truly contend for the same rows: on PostgreSQL for row locks,
on SQLite for the one write lock.
"""

import threading
import time

import pytest
from django.db import connection
from django.db.models import Sum

from jishi.catalog.models import Product, Variant
from jishi.checkout.services import place_order_group
from jishi.core.errors import DomainError
from jishi.orders.models import Order, OrderLine
from jishi.orders.selectors import units_held_by_buyer
from tests.factories import AddressFactory, UserFactory, make_product, open_store_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# What a shopper who lost the race may be told: sold out (seen before or under the lock), or, on
# SQLite only, that the marketplace is busy (the write lock stayed taken) — a clear answer either way.
SOLD_OUT = {"checkout.out_of_stock", "checkout.unavailable"}
BUSY = "checkout.busy"


def run_together(count: int, work, *, timeout: float = 60.0) -> list:
    """Run ``work(i)`` in ``count`` threads released at once; each result is ``("ok", value)`` or
    ``("error", exception)``. Every thread closes its database connection when done."""
    barrier = threading.Barrier(count, timeout=timeout)
    results: list = [None] * count

    def target(index: int) -> None:
        try:
            barrier.wait()
            results[index] = ("ok", work(index))
        except BaseException as error:  # every outcome is reported to the test
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "a checkout thread did not finish in time"
    return results


def errors_of(results) -> list[BaseException]:
    return [value for kind, value in results if kind == "error"]


def assert_only_clear_refusals(results, allowed: set[str]) -> None:
    """Every thread that did not place an order got a DomainError with an expected code, nothing else."""
    codes = set(allowed) | ({BUSY} if connection.vendor == "sqlite" else set())
    for error in errors_of(results):
        assert isinstance(error, DomainError), f"unexpected {type(error).__name__}: {error!r}"
        assert error.code in codes, f"unexpected refusal {error.code}: {error.message}"


def buy(buyer, address, lines):
    return place_order_group(buyer=buyer, charge_currency="USD", address_id=address.id,
                             lines=[{"variant_id": variant.id, "quantity": quantity} for variant, quantity in lines])


def test_fifty_shoppers_race_for_twenty_units_and_exactly_twenty_win():
    _store, access = open_store_for(name="Flash Sale Store", currency_code="CNY")
    product = make_product(access, title="Limited Teapot", price="128.00", stock=20)
    variant = product.variants.get()
    shoppers = 52
    buyers = [UserFactory() for _ in range(shoppers)]
    addresses = [AddressFactory(user=buyer) for buyer in buyers]

    results = run_together(shoppers, lambda i: buy(buyers[i], addresses[i], [(variant, 1)]).pk)

    placed = [value for kind, value in results if kind == "ok"]
    assert len(placed) == 20 and len(set(placed)) == 20
    assert_only_clear_refusals(results, SOLD_OUT)
    variant.refresh_from_db()
    product.refresh_from_db()
    assert variant.stock == 0 and product.stock_total == 0
    assert Order.objects.count() == 20
    assert OrderLine.objects.filter(variant=variant).aggregate(units=Sum("quantity"))["units"] == 20
    # Each winner bought exactly their one unit: no order belongs to a shopper who was refused.
    winners = set(Order.objects.filter(group_id__in=placed).values_list("buyer_id", flat=True))
    assert len(winners) == 20


def test_one_shopper_checking_out_in_ten_tabs_stays_within_the_per_buyer_limit():
    _store, access = open_store_for(name="Limited Drops", currency_code="CNY")
    product = make_product(access, title="Collector Figure", price="499.00", stock=50)
    variant = product.variants.get()
    Variant.objects.filter(pk=variant.pk).update(per_buyer_limit=2)
    buyer = UserFactory()
    address = AddressFactory(user=buyer)
    tabs = 10
    # Each thread is a separate request: its own copy of the buyer, as a web node would load it.
    copies = [type(buyer).objects.get(pk=buyer.pk) for _ in range(tabs)]

    results = run_together(tabs, lambda i: buy(copies[i], address, [(variant, 1)]).pk)

    assert sum(1 for kind, _value in results if kind == "ok") == 2
    assert_only_clear_refusals(results, {"checkout.over_limit", "checkout.unavailable"})
    assert units_held_by_buyer(buyer=buyer, variant_ids=[variant.id]) == {variant.id: 2}
    variant.refresh_from_db()
    product.refresh_from_db()
    assert variant.stock == 48 and product.stock_total == 48


def test_checkouts_taking_two_items_in_opposite_orders_do_not_deadlock():
    _tea_store, tea_access = open_store_for(name="Tea House", currency_code="CNY")
    _silk_store, silk_access = open_store_for(name="Silk Road", currency_code="USD")
    tea = make_product(tea_access, title="Oolong", price="60.00", stock=100).variants.get()
    silk = make_product(silk_access, title="Silk Scarf", price="25.00", stock=100).variants.get()
    shoppers = 20
    buyers = [UserFactory() for _ in range(shoppers)]
    addresses = [AddressFactory(user=buyer) for buyer in buyers]

    def work(i):
        lines = [(tea, 1), (silk, 1)] if i % 2 else [(silk, 1), (tea, 1)]
        return buy(buyers[i], addresses[i], lines).pk

    results = run_together(shoppers, work)

    assert errors_of(results) == []
    tea.refresh_from_db()
    silk.refresh_from_db()
    assert tea.stock == 80 and silk.stock == 80
    assert Product.objects.get(pk=tea.product_id).stock_total == 80
    assert Product.objects.get(pk=silk.product_id).stock_total == 80
    # One checkout, two stores: every group has one order per store.
    assert Order.objects.filter(store=tea_access.store).count() == shoppers
    assert Order.objects.filter(store=silk_access.store).count() == shoppers
