"""The refund engine: through the provider, into the ledger, once per key, never more than was paid."""

import pytest
from django.core import mail

from jishi.catalog.models import Variant
from jishi.core.errors import DomainError
from jishi.ledger.selectors import check_ledger, order_money
from jishi.money.rules import Money
from jishi.orders import services as orders
from jishi.orders.models import EventKind, OrderStatus
from jishi.orders.services import confirm_receipt, ship_order
from jishi.payments import providers
from jishi.payments.models import PaymentStatus, Refund, RefundStatus
from jishi.payments.providers.base import RefundResult
from jishi.payments.providers.sandbox import SandboxProvider
from jishi.payments.refunds import cancel_order, refund_order
from jishi.payments.sandbox import pay, send_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(group):
    payment = pay(group)
    assert payment.status == PaymentStatus.SUCCEEDED
    return group.orders.get(), payment


def _stock(variant):
    return Variant.objects.get(pk=variant.pk).stock


def test_a_partial_refund_goes_through_the_provider_and_the_ledger(paid, django_capture_on_commit_callbacks):
    order, payment = paid
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        refund = refund_order(order=order, amount=Money("10", "CNY"), reason="One bag was torn", by="store")
    assert refund.status == RefundStatus.SUCCEEDED and refund.reference.startswith("sbx_re_")
    assert (refund.amount, refund.currency, refund.charge_currency) == (Money("10", "CNY").amount, "CNY", "USD")
    assert refund.charge_amount == Money("1.56", "USD").amount  # CNY 10 at the frozen 0.15625
    money = order_money(order)
    assert money.refunded == Money("10", "CNY") and money.escrow == Money(order.total - 10, "CNY")
    report = check_ledger()
    assert report.ok and report.entries == 3  # capture, refund, refund settled
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    event = order.events.last()
    assert (event.kind, event.by, event.amount, event.currency, event.note) == (
        EventKind.REFUND, "store", Money("10", "CNY").amount, "CNY", "One bag was torn")
    assert (event.from_status, event.to_status) == ("", "")  # a refund is no status move
    buyer_mail = [m for m in mail.outbox if m.to == [order.buyer.email]]
    assert buyer_mail and "on its way back" in buyer_mail[0].subject and "CN¥10.00" in buyer_mail[0].body
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED


def test_the_same_key_returns_the_same_refund(paid):
    order, _payment = paid
    first = refund_order(order=order, amount=Money("10", "CNY"), reason="", by="buyer", key="request:1")
    again = refund_order(order=order, amount=Money("10", "CNY"), reason="", by="buyer", key="request:1")
    assert first.pk == again.pk and Refund.objects.count() == 1
    assert order_money(order).refunded == Money("10", "CNY")


@pytest.mark.parametrize("amount,code", [(Money("0", "CNY"), "refund.invalid"), (Money("-1", "CNY"), "refund.invalid"),
                                         (Money("1", "USD"), "refund.invalid"), (Money("9999", "CNY"), "refund.too_much"),
                                         # paid in USD: CNY 0.01 is less than a cent
                                         (Money("0.01", "CNY"), "refund.invalid")])
def test_a_refund_that_cannot_be_is_refused_and_writes_nothing(paid, amount, code):
    order, _payment = paid
    entries = check_ledger().entries
    with pytest.raises(DomainError) as caught:
        refund_order(order=order, amount=amount, reason="", by="store")
    assert caught.value.code == code and "amount" in caught.value.fields
    assert not Refund.objects.exists() and check_ledger().entries == entries


def test_an_unpaid_order_cannot_be_refunded(group):
    with pytest.raises(DomainError) as caught:
        refund_order(order=group.orders.get(), amount=Money("1", "CNY"), reason="", by="store")
    assert caught.value.code == "refund.too_much"


def test_a_full_refund_after_shipment_closes_the_order_and_restocks_once(paid, shop):
    order, payment = paid
    access, variant, _buyer = shop
    ship_order(access=access, order=order, carrier="SF Express", tracking_number="SF123456")
    before = _stock(variant)
    half = Money(order.total / 2, "CNY")
    refund_order(order=order, amount=half, reason="returned", by="operator", restock=True)
    assert _stock(variant) == before + 2
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    rest = order_money(order).refundable
    refund_order(order=order, amount=rest, reason="returned", by="operator", restock=True)
    assert _stock(variant) == before + 2  # the units came back only once
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED and order.auto_confirm_at is None
    assert payment.status == PaymentStatus.REFUNDED
    assert order_money(order).charge_refunded == Money(order.charge_total, "USD")
    assert check_ledger().ok


def test_a_refund_after_release_comes_back_from_the_seller(paid, shop):
    order, _payment = paid
    access, _variant, _buyer = shop
    ship_order(access=access, order=order, carrier="SF Express", tracking_number="SF123456")
    confirm_receipt(order=order, actor=order.buyer)
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    refund_order(order=order, amount=Money("20", "CNY"), reason="late complaint", by="operator")
    assert order_money(order).refunded == Money("20", "CNY")
    assert check_ledger().ok


def test_cancelling_a_paid_order_refunds_it_in_full(paid, shop, django_capture_on_commit_callbacks):
    order, payment = paid
    access, variant, _buyer = shop
    before = _stock(variant)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=order, by="store", actor=access.membership.user, reason="Out of stock after all")
    refund = Refund.objects.get()
    assert refund.key == f"cancel:order:{order.pk}" and refund.status == RefundStatus.SUCCEEDED
    assert refund.amount == order.total and not refund.restock
    assert _stock(variant) == before + 2  # once, by the cancellation
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED
    assert order_money(order).escrow == Money(0, "CNY") and check_ledger().ok


class PendingRefunds(SandboxProvider):
    """A gateway that confirms refunds later, by webhook."""

    def refund(self, refund):
        return RefundResult(status="pending", reference=f"sbx_re_{refund.pk}")


class RefusingRefunds(SandboxProvider):
    def refund(self, refund):
        return RefundResult(status="failed", failure_code="gateway_down")


@pytest.fixture
def gateway(monkeypatch):
    def use(provider_class):
        monkeypatch.setitem(providers.PROVIDERS, "sandbox", provider_class)
    return use


def test_a_refund_confirmed_later_by_webhook_settles_then(paid, gateway):
    order, payment = paid
    gateway(PendingRefunds)
    refund = refund_order(order=order, amount=Money("10", "CNY"), reason="", by="store")
    assert refund.status == RefundStatus.PENDING
    assert check_ledger().entries == 2  # owed to the buyer, not paid out yet
    send_event(payment, type="refund.succeeded", reference=refund.reference, event_id="evt_r1")
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and check_ledger().entries == 3
    send_event(payment, type="refund.failed", reference=refund.reference, event_id="evt_r2")  # late, ignored
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED


def test_a_refund_failed_later_alerts_the_operator(paid, gateway):
    from jishi.payments.models import AlertKind, PaymentAlert

    order, payment = paid
    gateway(PendingRefunds)
    refund = refund_order(order=order, amount=Money("10", "CNY"), reason="", by="store")
    send_event(payment, type="refund.failed", reference=refund.reference, event_id="evt_rf", failure_code="closed")
    refund.refresh_from_db()
    assert refund.status == RefundStatus.FAILED and refund.failure_code == "closed"
    assert PaymentAlert.objects.filter(kind=AlertKind.REFUND_FAILED).exists()


def test_a_refund_the_provider_refuses_at_once_changes_nothing(paid, gateway):
    order, _payment = paid
    gateway(RefusingRefunds)
    entries = check_ledger().entries
    with pytest.raises(DomainError) as caught:
        refund_order(order=order, amount=Money("10", "CNY"), reason="", by="store")
    assert caught.value.code == "refund.provider_failed" and caught.value.status == 502
    assert not Refund.objects.exists() and check_ledger().entries == entries


def test_orders_alone_will_not_cancel_a_paid_order_that_holds_money(paid, shop):
    order, _payment = paid
    access, variant, _buyer = shop
    before = _stock(variant)
    with pytest.raises(DomainError) as refused:
        orders.cancel_store_order(access=access, order=order, reason="Out of stock after all")
    assert (refused.value.code, refused.value.status) == ("order.refund_required", 409)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and _stock(variant) == before and not Refund.objects.exists()


def test_a_cancel_whose_refund_the_provider_refuses_leaves_the_order_paid(paid, shop, gateway):
    order, _payment = paid
    access, variant, _buyer = shop
    gateway(RefusingRefunds)
    before, entries = _stock(variant), check_ledger().entries
    with pytest.raises(DomainError) as refused:
        cancel_order(order=order, by="store", actor=access.membership.user, reason="Out of stock after all")
    assert refused.value.code == "refund.provider_failed"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.cancel_reason == ""
    assert _stock(variant) == before and not Refund.objects.exists() and check_ledger().entries == entries
    assert not order.events.filter(to_status=OrderStatus.CANCELLED).exists()


def test_a_paid_order_refunded_in_full_by_the_store_before_shipment_is_cancelled(paid, shop,
                                                                                 django_capture_on_commit_callbacks):
    from jishi.payments.refunds import refund_store_order

    order, _payment = paid
    access, variant, _buyer = shop
    before = _stock(variant)
    with django_capture_on_commit_callbacks(execute=True):
        refund = refund_store_order(access=access, order=order, amount=str(order.total), reason="Cannot ship",
                                    key="full-1")
        again = refund_store_order(access=access, order=order, amount=str(order.total), reason="Cannot ship",
                                   key="full-1")
    order.refresh_from_db()
    assert refund.pk == again.pk and refund.key == "full-1" and refund.amount == order.total
    assert order.status == OrderStatus.CANCELLED and _stock(variant) == before + 2
    assert order_money(order).escrow == Money(0, "CNY") and check_ledger().ok
    kinds = list(order.events.values_list("kind", "by", "to_status"))
    assert kinds[-2:] == [(EventKind.STATUS, "store", OrderStatus.CANCELLED), (EventKind.REFUND, "store", "")]
