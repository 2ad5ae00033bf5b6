"""Order histories written before events stored who acted read back right after the migration."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from jishi.disputes import services as disputes
from jishi.orders.models import EventKind, Order, OrderEvent, OrderStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("jishi.orders.migrations.0005_refund_hold_and_event_actors")


def test_old_events_get_their_actor_and_old_refund_notes_become_refunds(shipped_order):
    order, buyer, member = shipped_order
    operator = UserFactory(is_staff=True)
    OrderEvent.objects.filter(order=order).update(by="")  # as before the column existed
    old = [OrderEvent.objects.create(order=order, by="", actor=actor, from_status=OrderStatus.SHIPPED,
                                     to_status=OrderStatus.SHIPPED, note=note)
           for actor, note in ((member, "refund:CNY 10.00 · One tin dented"), (operator, "refund:CNY 5.50"),
                               (None, "a plain note"))]
    Order.objects.filter(pk=order.pk).update(refund_hold=False)

    migration.forwards(apps, None)

    events = {e.pk: e for e in OrderEvent.objects.filter(order=order)}
    placed = OrderEvent.objects.filter(order=order).order_by("id").first()
    assert placed.by == "buyer" and placed.kind == EventKind.STATUS
    dented, goodwill, plain = (events[e.pk] for e in old)
    assert (dented.kind, dented.by, dented.amount, dented.currency, dented.note) == (
        EventKind.REFUND, "store", Decimal("10.000"), "CNY", "One tin dented")
    assert (dented.from_status, dented.to_status) == ("", "")
    assert (goodwill.kind, goodwill.by, goodwill.amount, goodwill.note) == (EventKind.REFUND, "operator",
                                                                           Decimal("5.500"), "")
    assert (plain.kind, plain.by, plain.note) == (EventKind.STATUS, "system", "a plain note")
    assert Order.objects.get(pk=order.pk).refund_hold  # its refund request is still open


@pytest.fixture
def shipped_order(rates, django_capture_on_commit_callbacks):
    from jishi.orders import services
    from jishi.payments.sandbox import pay
    from tests.factories import buy_now, make_product, open_store_for

    buyer = UserFactory()
    _store, access = open_store_for(name="Hangzhou Tea", currency_code="CNY")
    variant = make_product(access, title="Green Tea", price="100.00", stock=5).variants.get()
    with django_capture_on_commit_callbacks(execute=True):
        group = buy_now(buyer, variant, 1)
        pay(group)
    order = Order.objects.get(group=group)
    services.ship_order(access=access, order=order, carrier="SF Express", tracking_number="SF1234567")
    disputes.open_refund_request(order=order, buyer=buyer, reason="damaged", amount="10")
    return order, buyer, access.membership.user
