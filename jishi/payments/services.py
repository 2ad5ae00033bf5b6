"""Writes for payments: starting a payment, the provider's webhooks, and the refund engine.

Invariants kept here:
- a verified webhook event is acted on once: its id is stored in the same transaction as its effect, so a
  replay (or a duplicate racing it) changes nothing; events only move a payment forward;
- money reported as received is checked against the payment and the order group before anything moves; a
  mismatch moves nothing and raises a ``PaymentAlert`` for the operator;
- a payment that succeeds for a group that can no longer take it (expired, cancelled, or paid by another
  payment) is recorded as owed back to the shopper and refunded in full at once;
- every refund goes through the provider and posts its ledger entry in one transaction with its row;
  asking again with the same ``key`` returns the same refund.

Locks, always in this order: payment, order group, orders (as ``orders.services``), refund.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from jishi.catalog.services import release_stock
from jishi.core import clock
from jishi.core.errors import DomainError
from jishi.core.jobs import enqueue
from jishi.ledger import rules as ledger_rules
from jishi.ledger import services as ledger
from jishi.ledger.selectors import order_money
from jishi.money.rules import Money
from jishi.orders import services as orders
from jishi.orders.models import GroupStatus, Order, OrderGroup, OrderLine, OrderStatus
from jishi.orders.selectors import charge_amount_due
from jishi.payments import rules
from jishi.payments.models import (
    AlertKind,
    Payment,
    PaymentAlert,
    PaymentStatus,
    Refund,
    RefundStatus,
    WebhookEvent,
    WebhookOutcome,
)
from jishi.payments.providers import get_provider
from jishi.payments.providers.base import (
    PAYMENT_FAILED,
    PAYMENT_SUCCEEDED,
    REFUND_FAILED,
    REFUND_SUCCEEDED,
    PaymentProvider,
    ProviderEvent,
)

# --- starting a payment -----------------------------------------------------------------------------


def start_payment(*, group: OrderGroup, provider: str | None = None) -> Payment:
    """Open a payment at the provider for what ``group`` still owes; returns it with ``redirect_url``.

    The caller has checked that the group is the shopper's (``orders.selectors.access_order_group``).
    Raises ``payment.not_payable`` (409) unless the group awaits payment and its window is open.
    """
    gateway = get_provider(provider)
    with transaction.atomic():
        locked = OrderGroup.objects.select_for_update().get(pk=group.pk)
        pending = list(Order.objects.filter(group=locked, status=OrderStatus.PENDING_PAYMENT).only("charge_total"))
        due = Money(charge_amount_due(pending), locked.charge_currency)
        if locked.expires_at <= clock.now():
            due = Money.zero(locked.charge_currency)
        rules.check_payable(group_status=locked.status, amount_due=due)
        payment = Payment.objects.create(
            group=locked, provider=gateway.name, amount=due.amount, currency=due.currency,
            token=secrets.token_urlsafe(24), return_url=reverse("web:order_group", args=[locked.pk]))
        redirect = gateway.create_payment(payment)
        payment.reference, payment.redirect_url = redirect.reference[:120], redirect.url[:500]
        payment.save(update_fields=["reference", "redirect_url", "updated_at"])
    return payment


# --- webhooks ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookResult:
    outcome: str  # processed, ignored, refused, or "replay"
    detail: str = ""
    payment_id: int | None = None


REPLAY = "replay"


def receive_webhook(*, provider: str, headers, body: bytes) -> WebhookResult:
    """Verify, dedupe and apply one provider webhook.

    Raises ``payment.unknown_provider`` (404), ``payment.webhook_signature`` / ``payment.webhook_invalid``
    (400) before anything is written, and ``payment.mismatch`` (409) after recording the refused event and
    the operator's alert. A replayed event answers ``outcome="replay"`` and changes nothing.
    """
    gateway = get_provider(provider)
    event = gateway.parse_webhook(headers, body)
    if WebhookEvent.objects.filter(provider=gateway.name, event_id=event.id).exists():
        return WebhookResult(REPLAY)
    try:
        with transaction.atomic():
            result = _apply(gateway, event)
            WebhookEvent.objects.create(provider=gateway.name, event_id=event.id, type=event.type,
                                        outcome=result.outcome, detail=result.detail[:300],
                                        payment_id=result.payment_id, received_at=clock.now())
    except IntegrityError:
        # The same event, delivered twice at once: the other delivery applied it.
        if WebhookEvent.objects.filter(provider=gateway.name, event_id=event.id).exists():
            return WebhookResult(REPLAY)
        raise
    if result.outcome == WebhookOutcome.REFUSED:
        raise DomainError("payment.mismatch", result.detail, status=409)
    return result


def _apply(gateway: PaymentProvider, event: ProviderEvent) -> WebhookResult:
    if event.type in (REFUND_SUCCEEDED, REFUND_FAILED):
        return _refund_event(event)
    payment = (Payment.objects.select_for_update()
               .filter(provider=gateway.name, reference=event.reference).first())
    if payment is None:
        return WebhookResult(WebhookOutcome.IGNORED, "no payment has this reference")
    if event.type == PAYMENT_FAILED:
        if not rules.moves_forward(payment.status, PaymentStatus.FAILED):
            return WebhookResult(WebhookOutcome.IGNORED, f"payment is {payment.status}", payment.pk)
        payment.status, payment.failed_at = PaymentStatus.FAILED, clock.now()
        payment.failure_code, payment.card_last4 = event.failure_code, event.card_last4
        payment.save(update_fields=["status", "failed_at", "failure_code", "card_last4", "updated_at"])
        return WebhookResult(WebhookOutcome.PROCESSED, event.failure_code, payment.pk)
    assert event.type == PAYMENT_SUCCEEDED
    if not rules.moves_forward(payment.status, PaymentStatus.SUCCEEDED):
        return WebhookResult(WebhookOutcome.IGNORED, f"payment is {payment.status}", payment.pk)
    return _payment_succeeded(payment, event)


def _alert(kind: str, message: str, *, payment: Payment | None = None, group_id: int | None = None,
           **details) -> None:
    PaymentAlert.objects.create(kind=kind, message=message[:500], payment=payment,
                                group_id=group_id or (payment.group_id if payment else None),
                                details={key: str(value) for key, value in details.items()})


def _payment_succeeded(payment: Payment, event: ProviderEvent) -> WebhookResult:
    expected = Money(payment.amount, payment.currency)
    group = OrderGroup.objects.select_for_update().get(pk=payment.group_id)
    pending = list(Order.objects.filter(group=group, status=OrderStatus.PENDING_PAYMENT).order_by("id"))
    due = Money(charge_amount_due(pending), group.charge_currency)
    if event.amount != expected or (group.status == GroupStatus.PENDING_PAYMENT and due != expected):
        got = f"{event.amount.currency} {event.amount.amount}" if event.amount else "no amount"
        message = (f"Payment {payment.pk} of group {group.pk}: the provider reported {got}, the payment is for "
                   f"{expected.currency} {expected.amount} and the group owes {due.currency} {due.amount}.")
        _alert(AlertKind.AMOUNT_MISMATCH, message, payment=payment, event_id=event.id, reported=got,
               expected=f"{expected.currency} {expected.amount}", due=f"{due.currency} {due.amount}")
        return WebhookResult(WebhookOutcome.REFUSED, message, payment.pk)
    now = clock.now()
    payment.status, payment.succeeded_at, payment.card_last4 = PaymentStatus.SUCCEEDED, now, event.card_last4
    payment.failure_code = ""
    payment.save(update_fields=["status", "succeeded_at", "card_last4", "failure_code", "updated_at"])
    paid_before = group.status == GroupStatus.PAID
    try:
        orders.mark_paid(group, paid_at=now, reference=payment.reference)
    except DomainError as error:
        if error.code != "order_group.not_payable":
            raise
        return _give_back(payment, expected, AlertKind.LATE_PAYMENT,
                          f"Payment {payment.pk} arrived after group {group.pk} was {group.status}; refunded in full.")
    if paid_before:
        return _give_back(payment, expected, AlertKind.DUPLICATE_PAYMENT,
                          f"Payment {payment.pk} arrived for group {group.pk}, already paid by "
                          f"{group.payment_reference}; refunded in full.")
    ledger.record_capture(payment_id=payment.pk, amount=expected, orders=pending)
    gateway = get_provider(payment.provider)
    gateway.capture(payment)
    return WebhookResult(WebhookOutcome.PROCESSED, "paid", payment.pk)


def _give_back(payment: Payment, amount: Money, kind: str, message: str) -> WebhookResult:
    """Money the group cannot take: owed to the shopper at once, and refunded through the provider."""
    ledger.record_late_payment(payment_id=payment.pk, amount=amount)
    refund = Refund.objects.create(payment=payment, amount=amount.amount, currency=amount.currency,
                                   charge_amount=amount.amount, charge_currency=amount.currency,
                                   reason=kind, requested_by="system", key=f"{kind}:payment:{payment.pk}")
    _send(refund)
    _alert(kind, message, payment=payment, refund_id=refund.pk)
    return WebhookResult(WebhookOutcome.PROCESSED, kind, payment.pk)


def _refund_event(event: ProviderEvent) -> WebhookResult:
    refund = Refund.objects.select_for_update().filter(reference=event.reference).first()
    if refund is None or refund.status != RefundStatus.PENDING:
        return WebhookResult(WebhookOutcome.IGNORED, "no pending refund has this reference")
    if event.type == REFUND_SUCCEEDED:
        _settle(refund)
    else:
        _refund_failed(refund, event.failure_code)
    return WebhookResult(WebhookOutcome.PROCESSED, event.type, refund.payment_id)


# --- refunds ----------------------------------------------------------------------------------------


def _send(refund: Refund) -> None:
    """Ask the provider to pay ``refund`` out; settle it now if the provider says it is done.

    A provider that refuses at once rolls the whole refund back (``refund.provider_failed``, 502)."""
    result = get_provider(refund.payment.provider).refund(refund)
    if result.status == "failed":
        raise DomainError("refund.provider_failed",
                          _("The payment provider refused the refund; nothing was changed. Try again later."),
                          status=502)
    if result.reference:
        refund.reference = result.reference[:120]
        refund.save(update_fields=["reference", "updated_at"])
    if result.status == "succeeded":
        _settle(refund)


def _settle(refund: Refund) -> None:
    ledger.record_refund_settled(refund_id=refund.pk, amount=Money(refund.charge_amount, refund.charge_currency),
                                 order=refund.order)
    refund.status, refund.settled_at = RefundStatus.SUCCEEDED, clock.now()
    refund.save(update_fields=["status", "settled_at", "updated_at"])
    payment = refund.payment
    given_back = (Refund.objects.filter(payment=payment).exclude(status=RefundStatus.FAILED)
                  .aggregate(total=Sum("charge_amount"))["total"] or 0)
    if given_back >= payment.amount and payment.status == PaymentStatus.SUCCEEDED:
        Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.REFUNDED, updated_at=clock.now())


def _refund_failed(refund: Refund, code: str) -> None:
    refund.status, refund.failure_code = RefundStatus.FAILED, code[:40]
    refund.save(update_fields=["status", "failure_code", "updated_at"])
    _alert(AlertKind.REFUND_FAILED,
           f"Refund {refund.pk} of {refund.charge_currency} {refund.charge_amount} failed at the provider "
           f"({code or 'no reason given'}); the shopper is still owed it.", payment=refund.payment,
           refund_id=refund.pk)


def _units_to_restock(order: Order) -> tuple[dict[int, int], dict[int, int]]:
    """The order's units not yet put back on sale by an earlier refund, and each variant's product."""
    units: dict[int, int] = {}
    product_of: dict[int, int] = {}
    for variant_id, product_id, quantity in OrderLine.objects.filter(
            order=order, variant__isnull=False).values_list("variant_id", "product_id", "quantity"):
        units[variant_id] = units.get(variant_id, 0) + quantity
        product_of[variant_id] = product_id
    for done in Refund.objects.filter(order=order, restock=True).values_list("restocked", flat=True):
        for variant_id, quantity in (done or {}).items():
            units[int(variant_id)] = units.get(int(variant_id), 0) - quantity
    return {v: q for v, q in units.items() if q > 0}, product_of


def refund_order(*, order: Order, amount: Money, reason: str, by: str, actor=None, restock: bool = False,
                 key: str = "") -> Refund:
    """Give ``amount`` (in the store's currency) of ``order`` back to its buyer, through the provider.

    ``by`` is who decided: "buyer" (an accepted refund request), "store", "system" or "operator".
    ``restock`` puts the order's units that came back on sale (those not already returned; never for an
    unpaid or cancelled order, whose units came back when it was cancelled). A shipped or delivered order
    refunded in full becomes ``refunded``. The buyer is told by mail after commit. The same non-empty
    ``key`` returns the refund made the first time.

    Locks the order (call inside a transaction that locked its group first, or on its own). Raises
    ``refund.invalid`` (422), ``refund.too_much`` (409), ``refund.not_paid`` (409) when no payment of the
    order's group was captured, ``refund.provider_failed`` (502) when the provider refuses.
    """
    key = str(key or "")[:120]
    if key and (existing := Refund.objects.filter(key=key).first()) is not None:
        return existing
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if key and (existing := Refund.objects.filter(key=key).first()) is not None:
            return existing
        money = order_money(locked)
        reason = rules.check_refund(amount=amount, currency=locked.currency, refundable=money.refundable,
                                    requested_by=by, reason=reason)
        payment = (Payment.objects.filter(group_id=locked.group_id, status__in=(PaymentStatus.SUCCEEDED,
                                                                               PaymentStatus.REFUNDED))
                   .filter(reference=OrderGroup.objects.values("payment_reference").filter(pk=locked.group_id)[:1])
                   .first())
        if payment is None:
            raise DomainError("refund.not_paid", _("This order was not paid online, so it cannot be refunded here."),
                              status=409)
        charged = ledger_rules.charge_share(
            amount, order_total=money.paid, refunded_before=money.refunded,
            charge_total=Money(locked.charge_total, locked.charge_currency), charge_refunded_before=money.charge_refunded)
        if not charged:
            # Converted at the order's rate it rounds to nothing the shopper could receive.
            message = _("This amount is too small to refund in %(currency)s.") % {"currency": charged.currency}
            raise DomainError("refund.invalid", message, fields={"amount": [message]})
        refund = Refund.objects.create(
            payment=payment, order=locked, amount=amount.amount, currency=amount.currency,
            charge_amount=charged.amount, charge_currency=charged.currency, reason=reason, requested_by=by,
            actor=actor, restock=restock, key=key)
        ledger.record_refund(refund_id=refund.pk, order=locked, amount=amount)
        if restock and locked.status not in (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED):
            units, product_of = _units_to_restock(locked)
            if units:
                release_stock(units, product_of=product_of)
                refund.restocked = {str(v): q for v, q in units.items()}
                refund.save(update_fields=["restocked"])
        _send(refund)
        orders.note_refund(order=locked, actor=actor, amount=amount, reason=reason)
        if money.refundable == amount and locked.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            orders.close_refunded(order=locked)
    from jishi.orders.tasks import send_order_mail

    enqueue(send_order_mail, locked.pk, "refunded")
    order.status = locked.status
    return refund


def refund_in_full(*, order: Order, reason: str, by: str, actor=None, key: str = "") -> Refund | None:
    """Refund all that is still refundable of ``order`` (a paid order being cancelled); None when nothing is.
    The units are not restocked here: cancelling before shipment puts them back itself."""
    refundable = order_money(order).refundable
    if not refundable:
        return None
    return refund_order(order=order, amount=refundable, reason=reason, by=by, actor=actor,
                        key=key)
