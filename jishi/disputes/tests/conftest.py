"""A paid order of a one-person store, ready for refund requests; the buyer and store as API clients."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from jishi.orders import services as order_services
from jishi.orders.models import Order
from tests.factories import UserFactory, buy_now, make_product, open_store_for


@pytest.fixture
def trade(rates, settings, django_capture_on_commit_callbacks):
    """Order of 2 × CNY 100 (+ shipping), paid in USD through the sandbox."""
    from jishi.payments.sandbox import pay

    settings.PAYMENT_WEBHOOK_TRANSPORT = "jishi.payments.deliveries.post_in_process"
    buyer = UserFactory(name="Li Na")
    store, access = open_store_for(name="Hangzhou Tea", currency_code="CNY")
    variant = make_product(access, title="Green Tea", price="100.00", stock=10).variants.get()
    with django_capture_on_commit_callbacks(execute=True):
        group = buy_now(buyer, variant, 2)
        pay(group)
    order = Order.objects.get(group=group)
    return SimpleNamespace(buyer=buyer, store=store, access=access, owner=access.membership.user, order=order,
                           variant=variant)


@pytest.fixture
def shipped(trade, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order_services.ship_order(access=trade.access, order=trade.order, carrier="SF Express",
                                  tracking_number="SF1234567")
    trade.order.refresh_from_db()
    return trade
