"""An order's life: placed, paid, shipped, received, completed — or cancelled — with its stock and history."""

import datetime as dt

import pytest
from django.core import mail

from jishi.catalog.models import Product, Variant
from jishi.core import clock
from jishi.core.errors import DomainError
from jishi.orders import services
from jishi.orders.models import GroupStatus, OrderStatus
from jishi.orders.rules import BUYER, STORE
from tests.factories import UserFactory, buy_now, make_product, open_store_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def sale():
    store, access = open_store_for(name="Hangzhou Tea", currency_code="CNY")
    product = make_product(access, title="Green Tea", price="88.00", stock=5)
    return {"store": store, "access": access, "product": product, "variant": product.variants.get(),
            "buyer": UserFactory(name="Mei Lin")}


def test_placing_reserves_stock_and_freezes_the_order(sale):
    group = buy_now(sale["buyer"], sale["variant"], 2, charge_currency="CNY")
    order = group.orders.get()
    assert order.status == OrderStatus.PENDING_PAYMENT and group.status == GroupStatus.PENDING_PAYMENT
    assert (order.items_total, order.total, order.currency) == (176, 176, "CNY")
    line = order.lines.get()
    assert (line.sku, line.quantity, line.unit_price, line.title) == (sale["variant"].sku, 2, 88, "Green Tea")
    assert Variant.objects.get().stock == 3 and Product.objects.get().stock_total == 3
    assert [e.to_status for e in order.events.all()] == ["pending_payment"]


def test_the_full_life_of_an_order(sale, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        group = buy_now(sale["buyer"], sale["variant"])
        order = group.orders.get()
        services.mark_paid(group)
        order.refresh_from_db()
        assert order.status == OrderStatus.PAID
        services.ship_order(access=sale["access"], order=order, carrier="SF Express", tracking_number="SF123456789")
        services.confirm_receipt(order=order, actor=sale["buyer"])
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED and order.delivered_at and order.completed_at
    assert [e.to_status for e in order.events.all()] == ["pending_payment", "paid", "shipped", "delivered",
                                                          "completed"]
    assert Variant.objects.get().stock == 4
    subjects = [m.subject for m in mail.outbox]
    assert any("is on its way" in s for s in subjects) and any("please ship it" in s for s in subjects)


def test_an_illegal_move_is_refused_and_changes_nothing(sale):
    group = buy_now(sale["buyer"], sale["variant"])
    order = group.orders.get()
    with pytest.raises(DomainError) as refused:
        services.ship_order(access=sale["access"], order=order, carrier="SF", tracking_number="SF1234")
    assert refused.value.code == "order.illegal_transition" and refused.value.status == 409
    services.mark_paid(group)
    order.refresh_from_db()
    with pytest.raises(DomainError):
        services.cancel_order(order=order, by=BUYER, actor=sale["buyer"])
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.events.count() == 2


def test_cancelling_returns_the_stock_once(sale):
    group = buy_now(sale["buyer"], sale["variant"], 3)
    order = group.orders.get()
    services.cancel_order(order=order, by=BUYER, actor=sale["buyer"])
    assert Variant.objects.get().stock == 5
    group.refresh_from_db()
    assert group.status == GroupStatus.CANCELLED
    with pytest.raises(DomainError):
        services.cancel_order(order=order, by=BUYER, actor=sale["buyer"])
    assert Variant.objects.get().stock == 5


def test_the_store_cancels_a_paid_order_with_a_reason(sale):
    group = buy_now(sale["buyer"], sale["variant"])
    services.mark_paid(group)
    order = group.orders.get()
    with pytest.raises(DomainError) as missing:
        services.cancel_store_order(access=sale["access"], order=order, reason="")
    assert missing.value.fields == {"reason": ["Give the buyer a reason."]}
    services.cancel_store_order(access=sale["access"], order=order, reason="Damaged in the warehouse")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.cancel_reason == "Damaged in the warehouse"
    assert Variant.objects.get().stock == 5


def test_unpaid_groups_expire_and_shipped_orders_confirm_themselves(sale):
    start = clock.now()
    unpaid = buy_now(sale["buyer"], sale["variant"], 2)
    shipped_group = buy_now(sale["buyer"], sale["variant"], 1)
    services.mark_paid(shipped_group)
    shipped = shipped_group.orders.get()
    services.ship_order(access=sale["access"], order=shipped, carrier="EMS", tracking_number="EE123456789CN")
    with clock.frozen(start + dt.timedelta(minutes=29)):
        assert services.process_due() == services.DueReport(expired_groups=0, confirmed_orders=0)
    with clock.frozen(start + dt.timedelta(minutes=31)):
        assert services.process_due() == services.DueReport(expired_groups=1, confirmed_orders=0)
        assert services.process_due() == services.DueReport(expired_groups=0, confirmed_orders=0)
    assert Variant.objects.get().stock == 4
    unpaid.refresh_from_db()
    assert unpaid.status == GroupStatus.EXPIRED and unpaid.orders.get().status == OrderStatus.CANCELLED
    with pytest.raises(DomainError) as late:
        services.mark_paid(unpaid)
    assert late.value.code == "order_group.not_payable"
    with clock.frozen(start + dt.timedelta(days=10, minutes=1)):
        assert services.process_due().confirmed_orders == 1
    shipped.refresh_from_db()
    assert shipped.status == OrderStatus.COMPLETED
    assert shipped.events.get(to_status="delivered").actor is None


def test_mark_paid_twice_changes_nothing(sale):
    group = buy_now(sale["buyer"], sale["variant"])
    services.mark_paid(group)
    events = group.orders.get().events.count()
    services.mark_paid(group)
    assert group.orders.get().events.count() == events


def test_staff_ship_but_only_managers_cancel(sale):
    staff = UserFactory()
    from jishi.stores.models import Membership
    from jishi.stores.selectors import access_store

    Membership.objects.create(store=sale["store"], user=staff, role="staff")
    staff_access = access_store(user=staff, slug=sale["store"].slug)
    group = buy_now(sale["buyer"], sale["variant"])
    services.mark_paid(group)
    order = group.orders.get()
    with pytest.raises(DomainError) as denied:
        services.cancel_store_order(access=staff_access, order=order, reason="no")
    assert denied.value.status == 403
    services.ship_order(access=staff_access, order=order, carrier="SF Express", tracking_number="SF99887766")
    assert order.status == OrderStatus.SHIPPED
    assert STORE
