"""The operator suspends a store, never deletes it, and its buyers are told once what happens to their orders."""

import re

import pytest
from django.core import mail
from django.db.models import ProtectedError

from jishi.orders import services as orders
from jishi.orders.models import Order, OrderStatus
from jishi.payments.sandbox import pay
from jishi.stores.models import Store, StoreStatus
from jishi.stores.services import suspend_store
from tests.factories import UserFactory, buy_now, make_product, open_store_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def store_with_orders(rates, django_capture_on_commit_callbacks):
    """Hangzhou Tea with one paid order (Mei's) and one completed order (Li's)."""
    store, access = open_store_for(name="Hangzhou Tea", currency_code="CNY")
    variant = make_product(access, title="Green Tea", price="100.00", stock=5).variants.get()
    waiting, done = UserFactory(name="Mei Lin", email="mei@example.com"), UserFactory(name="Li Na", email="li@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        for buyer in (waiting, done):
            pay(buy_now(buyer, variant, 1))
        completed = Order.objects.get(buyer=done)
        orders.ship_order(access=access, order=completed, carrier="SF Express", tracking_number="SF1234567")
        orders.confirm_receipt(order=completed, actor=done)
    assert Order.objects.get(buyer=waiting).status == OrderStatus.PAID
    assert Order.objects.get(buyer=done).status == OrderStatus.COMPLETED
    mail.outbox.clear()
    return store, waiting, done


def test_the_buyer_of_an_open_order_is_told_once_what_happens_to_it_and_their_money(
        store_with_orders, admin_user, django_capture_on_commit_callbacks):
    store, waiting, _done = store_with_orders
    with django_capture_on_commit_callbacks(execute=True):
        suspend_store(store=store, reason="Counterfeit goods reported", actor=admin_user)

    assert [message.to for message in mail.outbox] == [["mei@example.com"]]  # not the completed order's buyer
    message = mail.outbox[0]
    assert message.subject == "Hangzhou Tea is suspended: what happens to your order"
    body = re.sub(r"\s+", " ", message.body)
    order = Order.objects.get(buyer=waiting)
    assert f"Order #{order.pk}" in body and f"/orders/{order.pk}/" in body
    assert "The store can still ship it, or cancel it, which refunds you in full." in body
    assert "held in escrow" in body and "a suspended store cannot be paid out" in body
    assert "you can ask for a refund on the order page" in body
    assert "Counterfeit" not in body  # the reason is for the store's members

    # A new reason later tells nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        suspend_store(store=store, reason="Still checking the papers", actor=admin_user)
    assert len(mail.outbox) == 1
    assert Store.objects.get(pk=store.pk).suspension_reason == "Still checking the papers"


def test_a_shipped_order_is_told_the_day_receipt_confirms_itself(
        store_with_orders, admin_user, django_capture_on_commit_callbacks):
    store, waiting, _done = store_with_orders
    order = Order.objects.get(buyer=waiting)
    access = _owner_access(store)
    orders.ship_order(access=access, order=order, carrier="SF Express", tracking_number="SF7654321")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        suspend_store(store=store, reason="Checks", actor=admin_user)
    body = re.sub(r"\s+", " ", mail.outbox[0].body)
    assert "It was shipped. Confirm receipt only once the goods have arrived." in body
    day = Order.objects.get(pk=order.pk).auto_confirm_at
    assert f"receipt is confirmed automatically on {day:%b} {day.day}, {day.year}." in body


def _owner_access(store):
    from jishi.stores.selectors import access_store

    return access_store(user=store.memberships.get().user, slug=store.slug)


def test_the_admin_offers_suspension_and_no_deletion_of_stores(client, admin_user, store_with_orders):
    store, _waiting, _done = store_with_orders
    client.force_login(admin_user)
    changelist = client.get("/admin/stores/store/")
    actions = [value for value, _label in changelist.context["action_form"].fields["action"].choices]
    assert "suspend_stores" in actions and "delete_selected" not in actions
    assert client.get(f"/admin/stores/store/{store.pk}/delete/").status_code == 403
    assert client.post(f"/admin/stores/store/{store.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Store.objects.filter(pk=store.pk, status=StoreStatus.ACTIVE).exists()


def test_a_store_with_orders_cannot_be_deleted_at_all(store_with_orders):
    store, _waiting, _done = store_with_orders
    with pytest.raises(ProtectedError):
        Store.objects.filter(pk=store.pk).delete()
    assert Store.objects.filter(pk=store.pk).exists()
