"""The payment webhook: only a fresh, correctly signed event moves money, once, and only forward."""

import datetime as dt
import json

import pytest
from django.core import mail

from jishi.core import clock
from jishi.ledger.selectors import check_ledger, order_money
from jishi.money.rules import Money
from jishi.orders.models import GroupStatus, OrderStatus
from jishi.orders.services import expire_group
from jishi.payments import deliveries, sandbox
from jishi.payments.models import (
    AlertKind,
    DeliveryStatus,
    Payment,
    PaymentAlert,
    PaymentStatus,
    Refund,
    RefundStatus,
    WebhookDelivery,
    WebhookEvent,
)
from jishi.payments.services import start_payment
from jishi.payments.tests.conftest import WEBHOOK, event_body, post_signed

pytestmark = pytest.mark.django_db


def _nothing_moved(group, payment):
    group.refresh_from_db()
    payment.refresh_from_db()
    assert group.status == GroupStatus.PENDING_PAYMENT and payment.status == PaymentStatus.CREATED
    assert check_ledger().entries == 0


def test_a_signed_success_marks_the_group_paid_and_puts_the_money_in_escrow(client, group):
    payment = start_payment(group=group)
    response = post_signed(client, event_body(payment, card_last4="4242"))
    assert response.status_code == 200, response.content
    assert response.json() == {"received": True, "outcome": "processed"}
    group.refresh_from_db()
    payment.refresh_from_db()
    order = group.orders.get()
    assert group.status == GroupStatus.PAID and group.payment_reference == payment.reference
    assert order.status == OrderStatus.PAID and payment.status == PaymentStatus.SUCCEEDED
    assert payment.card_last4 == "4242"
    assert order_money(order).escrow == Money(order.total, "CNY")
    assert check_ledger().ok


@pytest.mark.parametrize("tamper", ["unsigned", "wrong_secret", "body_changed", "garbage_header"])
def test_a_bad_signature_is_refused_and_changes_nothing(client, group, tamper):
    payment = start_payment(group=group)
    body = event_body(payment)
    if tamper == "unsigned":
        response = client.post(WEBHOOK, data=body, content_type="application/json")
    elif tamper == "wrong_secret":
        response = post_signed(client, body, secret="not-the-secret")
    elif tamper == "garbage_header":
        response = client.post(WEBHOOK, data=body, content_type="application/json", HTTP_JISHI_SIGNATURE="t=x,v1=")
    else:
        stamp = int(clock.now().timestamp())
        from jishi.payments.providers.base import signature

        response = client.post(WEBHOOK, data=body.replace(b'"evt_1"', b'"evt_2"'), content_type="application/json",
                               HTTP_JISHI_SIGNATURE=signature(body, timestamp=stamp))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "payment.webhook_signature"
    _nothing_moved(group, payment)
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize("offset", [dt.timedelta(minutes=-6), dt.timedelta(minutes=6)])
def test_a_signature_outside_five_minutes_is_refused(client, group, offset):
    payment = start_payment(group=group)
    response = post_signed(client, event_body(payment), at=clock.now() + offset)
    assert response.status_code == 400
    _nothing_moved(group, payment)


def test_a_signature_within_five_minutes_is_accepted(client, group):
    payment = start_payment(group=group)
    body = event_body(payment)
    signed_at = clock.now()
    with clock.frozen(signed_at + dt.timedelta(minutes=4, seconds=50)):
        response = post_signed(client, body, at=signed_at)
    assert response.status_code == 200


def test_a_replayed_event_is_answered_and_changes_nothing(client, group, django_capture_on_commit_callbacks):
    payment = start_payment(group=group)
    body = event_body(payment)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_signed(client, body).json()["outcome"] == "processed"
    mail.outbox.clear()
    entries = check_ledger().entries
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_signed(client, body)
        assert response.status_code == 200 and response.json()["outcome"] == "replay"
    assert check_ledger().entries == entries and WebhookEvent.objects.count() == 1
    assert not mail.outbox  # no second "paid" mail


def test_a_duplicate_success_with_another_event_id_changes_nothing(client, group):
    payment = start_payment(group=group)
    post_signed(client, event_body(payment, event_id="evt_a"))
    response = post_signed(client, event_body(payment, event_id="evt_b"))
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    assert check_ledger().entries == 1 and not Refund.objects.exists()


def test_a_failure_after_the_success_changes_nothing(client, group):
    payment = start_payment(group=group)
    post_signed(client, event_body(payment, event_id="evt_ok"))
    response = post_signed(client, event_body(payment, type="payment.failed", event_id="evt_late_fail",
                                              failure_code="card_declined"))
    assert response.json()["outcome"] == "ignored"
    payment.refresh_from_db()
    group.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and group.status == GroupStatus.PAID


def test_a_success_after_a_failure_still_counts(client, group):
    """Events only move forward; money that did arrive is never ignored."""
    payment = start_payment(group=group)
    post_signed(client, event_body(payment, type="payment.failed", event_id="evt_f", failure_code="card_declined"))
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED
    post_signed(client, event_body(payment, event_id="evt_s"))
    payment.refresh_from_db()
    group.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and group.status == GroupStatus.PAID


@pytest.mark.parametrize("amount,currency", [("0.01", None), (None, "EUR"), ("999999", None)])
def test_a_mismatched_amount_or_currency_is_refused_with_an_alert(client, group, amount, currency):
    payment = start_payment(group=group)
    response = post_signed(client, event_body(payment, amount=amount, currency=currency))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "payment.mismatch"
    _nothing_moved(group, payment)
    alert = PaymentAlert.objects.get()
    assert alert.kind == AlertKind.AMOUNT_MISMATCH and alert.payment == payment and not alert.resolved
    # The provider retrying the same event gets a calm answer and nothing more happens.
    assert post_signed(client, event_body(payment, amount=amount, currency=currency)).json()["outcome"] == "replay"
    assert PaymentAlert.objects.count() == 1


def test_a_payment_for_a_group_that_owes_less_now_is_refused(client, shop, rates):
    """Two stores in one group; one order is cancelled after the payment started: the amounts differ."""
    from jishi.orders.services import cancel_order
    from tests.factories import make_product, open_store_for

    access, variant, buyer = shop
    _, other = open_store_for(name="Kyoto Ink", currency_code="JPY")
    brush = make_product(other, title="Brush", price="1999", stock=5).variants.get()
    from jishi.checkout.services import place_order_group
    from tests.factories import AddressFactory

    group = place_order_group(buyer=buyer, charge_currency="USD", address_id=AddressFactory(user=buyer).id,
                              lines=[{"variant_id": variant.id, "quantity": 1}, {"variant_id": brush.id, "quantity": 1}])
    payment = start_payment(group=group)
    cancel_order(order=group.orders.order_by("id").last(), by="buyer")
    assert post_signed(client, event_body(payment)).status_code == 409
    assert PaymentAlert.objects.filter(kind=AlertKind.AMOUNT_MISMATCH).exists()


def test_a_payment_after_the_group_expired_is_refunded_in_full(client, group):
    payment = start_payment(group=group)
    with clock.shifted(dt.timedelta(hours=1)):
        assert expire_group(group.pk)
        response = post_signed(client, event_body(payment))
    assert response.status_code == 200
    payment.refresh_from_db()
    group.refresh_from_db()
    assert group.status == GroupStatus.EXPIRED and payment.status == PaymentStatus.REFUNDED
    refund = Refund.objects.get()
    assert refund.order is None and refund.status == RefundStatus.SUCCEEDED
    assert (refund.charge_amount, refund.charge_currency) == (payment.amount, payment.currency)
    report = check_ledger()
    assert report.ok and report.entries == 2  # owed back at once, then paid out
    assert PaymentAlert.objects.filter(kind=AlertKind.LATE_PAYMENT).exists()


def test_a_second_payment_of_a_paid_group_is_refunded(client, group):
    first, second = start_payment(group=group), start_payment(group=group)
    post_signed(client, event_body(first, event_id="evt_1"))
    post_signed(client, event_body(second, event_id="evt_2"))
    second.refresh_from_db()
    assert second.status == PaymentStatus.REFUNDED
    assert Refund.objects.get().payment == second
    assert order_money(group.orders.get()).paid == Money(group.orders.get().total, "CNY")  # counted once
    assert check_ledger().ok


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'{"id": "e", "type": "payment.succeeded", "data": {}}',
                                  b'{"id": "e", "type": "nope", "data": {"reference": "x"}}',
                                  b'{"id": "e", "type": "payment.succeeded", "data": {"reference": "x", '
                                  b'"amount": "1e999999", "currency": "USD"}}',
                                  b'{"id": "e", "type": "payment.succeeded", "data": {"reference": "x", '
                                  b'"amount": "1.001", "currency": "USD"}}',
                                  b'{"id": "e", "type": "payment.succeeded", "data": {"reference": "x", '
                                  b'"amount": "1", "currency": "XXQ"}}'])
def test_a_signed_but_malformed_body_is_a_clear_400(client, body):
    response = post_signed(client, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "payment.webhook_invalid"


def test_an_unknown_provider_or_reference(client, group):
    payment = start_payment(group=group)
    assert post_signed(client, event_body(payment), provider="paypal").status_code == 404
    response = post_signed(client, event_body(payment, event_id="e9").replace(payment.reference.encode(), b"sbx_nope"))
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    _nothing_moved(group, payment)


# --- deliveries -------------------------------------------------------------------------------------


def test_a_delivery_is_retried_with_backoff_until_the_endpoint_accepts_it(group, settings):
    calls = []

    def flaky(url, headers, body):
        calls.append(clock.now())
        return (503, "down") if len(calls) < 3 else deliveries.post_in_process(url, headers, body)

    settings.PAYMENT_WEBHOOK_TRANSPORT = "jishi.payments.tests.test_webhooks.TRANSPORT"
    globals()["TRANSPORT"] = flaky
    payment = start_payment(group=group)
    sandbox.submit(token=payment.token, action=sandbox.APPROVE, card_number="4242 4242 4242 4242")
    delivery = WebhookDelivery.objects.get()
    start = clock.now()
    assert not deliveries.attempt(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.next_attempt_at - start >= dt.timedelta(seconds=30)
    assert deliveries.retry_due() == 0 and len(calls) == 1  # not due yet
    with clock.shifted(dt.timedelta(seconds=31)):
        assert deliveries.retry_due() == 0
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.next_attempt_at - start >= dt.timedelta(seconds=90)  # 30 s, then 60 s
    with clock.shifted(dt.timedelta(seconds=95)):
        assert deliveries.retry_due() == 1
    delivery.refresh_from_db()
    group.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and group.status == GroupStatus.PAID
    assert deliveries.retry_due() == 0 and len(calls) == 3


def test_a_delivery_that_keeps_failing_gives_up_with_an_alert(group, settings):
    settings.PAYMENT_WEBHOOK_TRANSPORT = "jishi.payments.tests.test_webhooks.DOWN"
    payment = start_payment(group=group)
    sandbox.submit(token=payment.token, action=sandbox.APPROVE, card_number="4242424242424242")
    delivery = WebhookDelivery.objects.get()
    for hours in range(deliveries.MAX_ATTEMPTS):
        with clock.shifted(dt.timedelta(hours=hours)):
            deliveries.retry_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.GAVE_UP and delivery.attempts == deliveries.MAX_ATTEMPTS
    assert PaymentAlert.objects.filter(kind=AlertKind.DELIVERY_FAILED).count() == 1


def DOWN(url, headers, body):  # noqa: N802 (a transport named in settings)
    raise ConnectionRefusedError("nobody listens")


def test_the_delivery_job_runs_after_commit_and_signs_each_attempt(group, django_capture_on_commit_callbacks):
    payment = start_payment(group=group)
    with django_capture_on_commit_callbacks(execute=True):
        sandbox.submit(token=payment.token, action=sandbox.APPROVE, card_number="4242424242424242")
    group.refresh_from_db()
    assert group.status == GroupStatus.PAID
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED and json.loads(delivery.body)["data"]["card_last4"] == "4242"


def test_the_retry_sweep_is_on_the_beat_schedule():
    from jishi.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "jishi.payments.tasks.retry_webhook_deliveries" in tasks


def test_payments_of_the_same_group_do_not_share_a_reference(group):
    a, b = start_payment(group=group), start_payment(group=group)
    assert a.reference != b.reference and Payment.objects.count() == 2
