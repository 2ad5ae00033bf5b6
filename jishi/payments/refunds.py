"""The refund engine: every way money goes back to a buyer passes here.

Who may refund an order (this module and ``payments.rules`` answer it; nobody else decides):
- a store member whose role allows ``refund_orders`` (owner, manager): ``refund_store_order``;
- a store member whose role allows ``cancel_orders``: a paid order cancelled before shipment is refunded
  in full with it, ``cancel_store_order``;
- the marketplace's staff: ``refund_order_as_operator``, and their decisions on escalated refund
  requests (``disputes.services`` calls ``refund_order`` / ``cancel_order`` with ``by=OPERATOR``);
- buyer protection, for a request the store (or its silence) accepted: ``by=BUYER``, from
  ``disputes.services``;
- the system, for money an order group could not take (``payments.services``).

Invariants kept here:
- a paid order refunded in full before it ships is cancelled with its refund, its units back on sale;
- a refund asks the provider and posts its ledger entry in one transaction with its row; a provider that
  refuses at once (``refund.provider_failed``, 502) rolls back everything the caller did in that
  transaction, a cancellation included;
- asking again with the same non-empty ``key`` returns the refund made the first time;
- a unit goes back on sale at most once: a cancelled order's units come back with the cancellation, a
  restocking refund puts back only those no earlier refund put back;
- a shipped or delivered order whose money all went back is closed as refunded.

Locks: the order group, then the order (``orders.locks``), then refund and payment rows.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from jishi.accounts.rules import is_operator
from jishi.catalog.services import release_stock
from jishi.core import clock
from jishi.core.errors import DomainError, NotFound, PermissionDenied
from jishi.ledger import rules as ledger_rules
from jishi.ledger import services as ledger
from jishi.ledger.selectors import order_money
from jishi.money.rules import Money
from jishi.orders import services as orders
from jishi.orders.locks import lock_order
from jishi.orders.models import Order, OrderGroup, OrderStatus
from jishi.orders.rules import OPERATOR, STORE
from jishi.orders.selectors import units_of
from jishi.payments import rules
from jishi.payments.alerts import raise_alert
from jishi.payments.models import AlertKind, Payment, PaymentStatus, Refund, RefundStatus
from jishi.payments.providers import get_provider

# --- the provider's side ----------------------------------------------------------------------------


def send(refund: Refund) -> None:
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
        settle(refund)


def settle(refund: Refund) -> None:
    """The provider paid ``refund`` out: the debt to the shopper leaves with the cash."""
    ledger.record_refund_settled(refund_id=refund.pk, amount=Money(refund.charge_amount, refund.charge_currency),
                                 order=refund.order)
    refund.status, refund.settled_at = RefundStatus.SUCCEEDED, clock.now()
    refund.save(update_fields=["status", "settled_at", "updated_at"])
    payment = refund.payment
    given_back = (Refund.objects.filter(payment=payment).exclude(status=RefundStatus.FAILED)
                  .aggregate(total=Sum("charge_amount"))["total"] or 0)
    if given_back >= payment.amount and payment.status == PaymentStatus.SUCCEEDED:
        Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.REFUNDED, updated_at=clock.now())


def fail(refund: Refund, code: str) -> None:
    """The provider gave up on ``refund`` later: the shopper is still owed it, and the operator is told."""
    refund.status, refund.failure_code = RefundStatus.FAILED, code[:40]
    refund.save(update_fields=["status", "failure_code", "updated_at"])
    raise_alert(AlertKind.REFUND_FAILED,
                f"Refund {refund.pk} of {refund.charge_currency} {refund.charge_amount} failed at the provider "
                f"({code or 'no reason given'}); the shopper is still owed it.", payment=refund.payment,
                refund_id=refund.pk)


# --- the engine -------------------------------------------------------------------------------------


def _units_to_restock(order: Order) -> tuple[dict[int, int], dict[int, int]]:
    """The order's units not yet put back on sale by an earlier refund, and each variant's product."""
    units, product_of = units_of([order.pk])
    for done in Refund.objects.filter(order=order, restock=True).values_list("restocked", flat=True):
        for variant_id, quantity in (done or {}).items():
            units[int(variant_id)] = units.get(int(variant_id), 0) - quantity
    return {v: q for v, q in units.items() if q > 0}, product_of


def _captured_payment(order: Order) -> Payment:
    payment = (Payment.objects.filter(group_id=order.group_id, status__in=(PaymentStatus.SUCCEEDED,
                                                                          PaymentStatus.REFUNDED))
               .filter(reference=OrderGroup.objects.values("payment_reference").filter(pk=order.group_id)[:1])
               .first())
    if payment is None:
        raise DomainError("refund.not_paid", _("This order was not paid online, so it cannot be refunded here."),
                          status=409)
    return payment


def refund_order(*, order: Order, amount: Money, reason: str, by: str, actor=None, restock: bool = False,
                 key: str = "", decided_by: str | None = None) -> Refund:
    """Give ``amount`` (in the store's currency) of ``order`` back to its buyer, through the provider.

    ``by`` is who asked for it (``payments.rules.REQUESTERS``: the buyer, for a refund request that was
    granted); ``decided_by`` who granted it when that is someone else (the store, or the system for its
    silence), as the order's history names them; ``actor`` the person. ``restock`` puts the
    order's units that came back on sale (those not already returned; never for an unpaid or cancelled
    order, whose units came back when it was cancelled). The order's history records the refund and the
    buyer is told by mail after commit. The same non-empty ``key`` returns the refund made the first time.

    Raises ``refund.invalid`` (422), ``refund.too_much`` (409), ``refund.not_paid`` (409) when no payment
    of the order's group was captured, ``refund.provider_failed`` (502) when the provider refuses.
    """
    key = str(key or "")[:120]
    if key and (existing := Refund.objects.filter(key=key).first()) is not None:
        return existing
    with transaction.atomic():
        locked = lock_order(order.pk)
        if key and (existing := Refund.objects.filter(key=key).first()) is not None:
            return existing
        money = order_money(locked)
        reason = rules.check_refund(amount=amount, currency=locked.currency, refundable=money.refundable,
                                    requested_by=by, reason=reason)
        payment = _captured_payment(locked)
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
        send(refund)
        orders.note_refund(order=locked, amount=amount, by=decided_by or by, actor=actor, reason=reason)
        if money.refundable == amount and locked.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            orders.close_refunded(order=locked)
    order.status = locked.status
    return refund


def refund_in_full(*, order: Order, reason: str, by: str, actor=None, key: str = "") -> Refund | None:
    """Refund all that is still refundable of ``order``; ``None`` when nothing is. Units are not put back
    here (a cancellation puts them back itself)."""
    refundable = order_money(order).refundable
    if not refundable:
        return None
    return refund_order(order=order, amount=refundable, reason=reason, by=by, actor=actor, key=key)


def cancel_order(*, order: Order, by: str, actor=None, reason: str = "") -> Refund | None:
    """Cancel ``order`` (``orders.services.cancel_order``'s rules) and, when it was paid, refund the buyer
    in full in the same transaction; returns that refund (``None`` for an unpaid order). A provider that
    refuses the refund leaves the order as it was."""
    with transaction.atomic():
        was_paid = lock_order(order.pk).status == OrderStatus.PAID
        orders.cancel_order(order=order, by=by, actor=actor, reason=reason, refund_by_caller=True)
        if not was_paid:
            return None
        return refund_in_full(order=order, reason=order.cancel_reason, by=by, actor=actor,
                              key=f"cancel:order:{order.pk}")


def cancel_store_order(*, access, order: Order, reason: str) -> Refund | None:
    """A store member with the ``cancel_orders`` role cancels one of the store's orders before shipment,
    refunding a paid one in full. Raises what ``cancel_order`` raises and ``store.role_required`` (403)."""
    if order.store_id != access.store.id:
        raise NotFound("order.not_found", _("Order not found."))
    access.require("cancel_orders")
    return cancel_order(order=order, by=STORE, actor=access.membership.user, reason=reason)


# --- refunds on the store's or the operator's own initiative ----------------------------------------


def require_operator(user) -> None:
    """Raise ``refund_request.operator_only`` (403) for anyone but the marketplace's staff."""
    if not is_operator(user):
        raise PermissionDenied("refund_request.operator_only", _("Only the marketplace's staff may decide."))


def _initiative_refund(*, order: Order, amount, reason, by: str, actor, restock: bool, key: str) -> Refund:
    key = str(key or "")[:120]
    if key and (existing := Refund.objects.filter(key=key).first()) is not None:
        return existing  # asked again: answered before the order's new state is judged
    left = order_money(order).refundable
    rules.check_refundable_order(order_status=order.status, refundable=left)
    money = rules.clean_refund_amount(amount, refundable=left)
    reason = rules.clean_refund_reason(reason)
    if money == left and order.status == OrderStatus.PAID:
        # Everything back before shipment: the order is cancelled with its refund and its units go back
        # on sale, so the store does not ship goods nobody paid for.
        with transaction.atomic():
            refund = cancel_order(order=order, by=by, actor=actor, reason=reason)
            if key:
                Refund.objects.filter(pk=refund.pk).update(key=key)
                refund.key = key
        return refund
    return refund_order(order=order, amount=money, reason=reason, by=by, actor=actor, restock=bool(restock),
                        key=key)


def refund_store_order(*, access, order: Order, amount, reason: str, restock: bool = False,
                       key: str = "") -> Refund:
    """The store gives ``amount`` (store currency) of a paid order back, optionally putting the units back
    on sale. Needs the ``refund_orders`` role (``store.role_required``, 403); raises ``refund.invalid``
    (422) for a bad amount or a missing reason, ``refund.not_allowed`` / ``refund.nothing_to_refund``
    (409), and what ``refund_order`` raises."""
    if order.store_id != access.store.id:
        raise NotFound("order.not_found", _("Order not found."))
    access.require("refund_orders")
    return _initiative_refund(order=order, amount=amount, reason=reason, by=STORE, actor=access.membership.user,
                              restock=restock, key=key)


def refund_order_as_operator(*, operator, order: Order, amount, reason: str, restock: bool = False,
                             key: str = "") -> Refund:
    """The marketplace refunds a paid order on its own initiative (staff only: ``refund_request.operator_only``,
    403); otherwise as ``refund_store_order``."""
    require_operator(operator)
    return _initiative_refund(order=order, amount=amount, reason=reason, by=OPERATOR, actor=operator,
                              restock=restock, key=key)
