"""Writes for payments: starting a payment and the provider's webhooks (refunds: ``payments.refunds``).

Invariants kept here:
- a verified webhook event is acted on once: its id is stored in the same transaction as its effect, so a
  replay (or a duplicate racing it) changes nothing; events only move a payment forward;
- money reported as received is checked against the payment and the order group before anything moves; a
  mismatch moves nothing and raises a ``PaymentAlert`` for the operator;
- a payment the provider approved within the payment window counts however late its notice comes: the
  group waits for it (``orders.services.expect_approval``) and is paid as of the approval;
- a payment that succeeds for a group that can no longer take it (expired, cancelled, or paid by another
  payment) is recorded as owed back to the shopper and refunded in full at once;
- a refund event from the provider settles or fails a pending refund once.

Locks, always in this order: payment, order group, orders (``orders.locks``), refund.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from jishi.core import clock
from jishi.core.errors import DomainError
from jishi.ledger import services as ledger
from jishi.money.rules import Money
from jishi.orders import services as orders
from jishi.orders.locks import lock_group
from jishi.orders.models import GroupStatus, Order, OrderGroup, OrderStatus
from jishi.orders.rules import SYSTEM
from jishi.orders.selectors import charge_amount_due
from jishi.payments import refunds, rules
from jishi.payments.alerts import raise_alert
from jishi.payments.models import (
    AlertKind,
    Payment,
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
from jishi.stores.models import StoreStatus

# --- starting a payment -----------------------------------------------------------------------------


def start_payment(*, group: OrderGroup, provider: str | None = None, return_url: str = "") -> Payment:
    """Open a payment at the provider for what ``group`` still owes; returns it with ``redirect_url``.

    The caller has checked that the group is the shopper's (``orders.selectors.access_order_group``). The
    provider's page sends the shopper back to ``return_url`` (checked against
    ``PAYMENT_RETURN_URL_ALLOWED_HOSTS``: ``payment.invalid``, 422), else to the group's page. Raises
    ``payment.not_payable`` (409) unless the group awaits payment and its window is open, and
    ``payment.store_suspended`` (409) while one of its stores is suspended.
    """
    back = rules.clean_return_url(return_url, allowed_hosts=settings.PAYMENT_RETURN_URL_ALLOWED_HOSTS)
    gateway = get_provider(provider)
    with transaction.atomic():
        locked = lock_group(group.pk)
        pending = list(Order.objects.filter(group=locked, status=OrderStatus.PENDING_PAYMENT)
                       .select_related("store").only("charge_total", "store__name", "store__status"))
        due = Money(charge_amount_due(pending), locked.charge_currency)
        if locked.expires_at <= clock.now():
            due = Money.zero(locked.charge_currency)
        rules.check_payable(group_status=locked.status, amount_due=due)
        rules.check_stores_trading(suspended=[o.store.name for o in pending if o.store.status != StoreStatus.ACTIVE])
        payment = Payment.objects.create(
            group=locked, provider=gateway.name, amount=due.amount, currency=due.currency,
            token=secrets.token_urlsafe(24), return_url=back or reverse("web:order_group", args=[locked.pk]))
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


def _payment_succeeded(payment: Payment, event: ProviderEvent) -> WebhookResult:
    expected = Money(payment.amount, payment.currency)
    group = lock_group(payment.group_id)
    pending = list(Order.objects.filter(group=group, status=OrderStatus.PENDING_PAYMENT).order_by("id"))
    due = Money(charge_amount_due(pending), group.charge_currency)
    if event.amount != expected or (group.status == GroupStatus.PENDING_PAYMENT and due != expected):
        got = f"{event.amount.currency} {event.amount.amount}" if event.amount else "no amount"
        message = (f"Payment {payment.pk} of group {group.pk}: the provider reported {got}, the payment is for "
                   f"{expected.currency} {expected.amount} and the group owes {due.currency} {due.amount}.")
        raise_alert(AlertKind.AMOUNT_MISMATCH, message, payment=payment, event_id=event.id, reported=got,
               expected=f"{expected.currency} {expected.amount}", due=f"{due.currency} {due.amount}")
        return WebhookResult(WebhookOutcome.REFUSED, message, payment.pk)
    now = clock.now()
    # Succeeded when the provider approved it, not when its notice arrived (a notice may come late).
    approved_at = min(event.occurred_at, now) if event.occurred_at else now
    payment.status, payment.succeeded_at, payment.card_last4 = PaymentStatus.SUCCEEDED, approved_at, event.card_last4
    payment.failure_code = ""
    payment.save(update_fields=["status", "succeeded_at", "card_last4", "failure_code", "updated_at"])
    paid_before = group.status == GroupStatus.PAID
    mail = "paid"
    if group.status == GroupStatus.EXPIRED:  # a notice that came late: was the payment approved in time?
        placed_again = orders.reinstate_expired_group(group_id=group.pk, approved_at=approved_at)
        if placed_again is not None:
            pending, mail = placed_again, "reinstated"
        else:
            orders.tell_payment_returned(group_id=group.pk)
    try:
        orders.mark_paid(group, paid_at=now, reference=payment.reference, mail=mail)
    except DomainError as error:
        if error.code != "order_group.not_payable":
            raise
        in_time = "approved in time, " if approved_at <= group.expires_at else ""
        return _give_back(payment, expected, AlertKind.LATE_PAYMENT,
                          f"Payment {payment.pk} ({in_time}approved {approved_at:%Y-%m-%d %H:%M:%S} UTC) arrived after "
                          f"group {group.pk} was {group.status}; refunded in full.")
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
                                   reason=kind, requested_by=SYSTEM, key=f"{kind}:payment:{payment.pk}")
    refunds.send(refund)
    raise_alert(kind, message, payment=payment, refund_id=refund.pk)
    return WebhookResult(WebhookOutcome.PROCESSED, kind, payment.pk)


def _refund_event(event: ProviderEvent) -> WebhookResult:
    refund = Refund.objects.select_for_update().filter(reference=event.reference).first()
    if refund is None or refund.status != RefundStatus.PENDING:
        return WebhookResult(WebhookOutcome.IGNORED, "no pending refund has this reference")
    if event.type == REFUND_SUCCEEDED:
        refunds.settle(refund)
    else:
        refunds.fail(refund, event.failure_code)
    return WebhookResult(WebhookOutcome.PROCESSED, event.type, refund.payment_id)
