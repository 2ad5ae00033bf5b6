"""Writes for orders: placing an order group, the status moves of each store's order, and timers.

Invariants kept here:
- every status change goes through ``_move``, which checks ``rules.TRANSITIONS``, changes the row only if
  it is still in the status that was checked (a conditional UPDATE: of two racing moves one wins, the
  other gets ``order.illegal_transition``), and writes an ``OrderEvent``;
- ``mark_paid`` is the only way an order becomes paid;
- units reserved at placement go back on sale exactly once, when an order is cancelled or expires
  before shipment;
- every event records who acted (``by``, and the person as ``actor``) and what happened (``kind``): a
  status move, or a refund, which moves no status;
- an order whose money the ledger still holds is cancelled only by the refund engine
  (``payments.refunds.cancel_order``), which refunds it in the same transaction: orders never moves
  money out on its own;
- while a refund request runs (``refund_hold``) receipt is not confirmed, by the buyer or the timer;
- locks are taken in one order everywhere (``orders.locks``: order group, orders; then variants,
  products), so concurrent payments, cancellations and sweeps cannot deadlock;
- mail goes out through the job system only after commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from jishi.catalog.services import release_stock, reserve_stock
from jishi.core import clock
from jishi.core.errors import DomainError
from jishi.core.jobs import enqueue
from jishi.ledger.rules import order_commission
from jishi.ledger.selectors import commission_rate_resolver, order_money
from jishi.ledger.services import record_release
from jishi.money.rules import Money
from jishi.orders.locks import lock_group, lock_order, lock_orders
from jishi.orders.models import EventKind, GroupStatus, Order, OrderEvent, OrderGroup, OrderLine, OrderStatus
from jishi.orders.rules import (
    BUYER,
    STORE,
    SYSTEM,
    authority,
    check_move,
    clean_reason,
    clean_tracking,
    returns_stock,
)
from jishi.orders.selectors import units_of

EXPIRED_NOTE = "expired"
REINSTATED_NOTE = "reinstated"  # the first event of an order placed again for a payment approved in time


def _notify(order_ids, kind: str) -> None:
    """One job for the orders of one change (a checkout's, a payment's, a sweep's), not one per order."""
    order_ids = list(order_ids)
    if len(order_ids) == 1:
        enqueue("jishi.orders.tasks.send_order_mail", order_ids[0], kind)
    elif order_ids:
        enqueue("jishi.orders.tasks.send_orders_mail", order_ids, kind)


# --- placing ----------------------------------------------------------------------------------------


def create_order_group(*, buyer, quote, address: dict, language: str) -> OrderGroup:
    """Write the order group, one order per store, their frozen lines and first events.

    Call inside the checkout's placing transaction, after stock was reserved. ``quote`` is a priced
    ``checkout.rules.Quote``; ``address`` the cleaned shipping address.
    """
    now = clock.now()
    group = OrderGroup.objects.create(
        buyer=buyer, charge_currency=quote.charge_currency, charge_total=quote.total.amount,
        rates={code: str(rate) for code, rate in quote.rates.items()}, rates_as_of=quote.rates_as_of,
        language=language, expires_at=now + dt.timedelta(minutes=settings.ORDER_PAYMENT_WINDOW_MINUTES),
        created_at=now, updated_at=now)
    orders = Order.objects.bulk_create([
        Order(group=group, store_id=part.store_id, buyer=buyer, currency=part.currency,
              items_total=part.items.amount, shipping_total=part.shipping.amount, total=part.total.amount,
              shipping_method=part.shipping_method[:80], shipping_kind=part.shipping_kind,
              ship_from_country=part.ship_from, delivery_from=part.delivery_from, delivery_to=part.delivery_to,
              charge_currency=quote.charge_currency, charge_rate=part.charge_rate,
              charge_total=part.charge_total.amount, shipping_address=address, created_at=now, updated_at=now,
              destination_country=quote.country or str(address.get("country", ""))[:2],
              duty_total=part.duties.amount, tax_total=part.import_taxes.amount,
              due_on_delivery=part.due_on_delivery.amount,
              landed_cost=part.landed.snapshot() if part.landed is not None else {})
        for part in quote.stores])
    commission_rate = commission_rate_resolver()  # the operator's rates, frozen on each line
    for order, part in zip(orders, quote.stores, strict=True):
        order.store = part.store
        order.line_list = [
            OrderLine(order=order, variant_id=line.variant_id, product_id=line.product_id, sku=line.sku,
                      title=line.title[:200], options=line.options, currency=line.unit_price.currency,
                      unit_price=line.unit_price.amount, quantity=line.quantity, line_total=line.total.amount,
                      weight_grams=line.weight_grams, hs_code=line.hs_code, origin_country=line.origin_country,
                      commission_rate=commission_rate(line.category_id))
            for line in part.lines]
    OrderLine.objects.bulk_create([line for order in orders for line in order.line_list])
    OrderEvent.objects.bulk_create([OrderEvent(order=order, by=BUYER, actor=buyer, from_status="",
                                               to_status=OrderStatus.PENDING_PAYMENT, created_at=now)
                                    for order in orders])
    # What was written, as written: each order with its store and ``line_list`` (as
    # ``selectors.attach_lines`` gives them), so the caller can answer without reading it all back.
    group.placed_orders = orders
    _notify([order.id for order in orders], "placed")
    return group


# --- status moves -----------------------------------------------------------------------------------


def _move(order: Order, target: str, *, by: str, actor=None, note: str = "", **fields) -> str:
    """Move one order to ``target`` if ``by`` may, recording the event; returns the status it left."""
    check_move(order.status, target, authority(by))
    current, now = order.status, clock.now()
    changed = Order.objects.filter(pk=order.pk, status=current).update(status=target, updated_at=now, **fields)
    if not changed:
        # Someone moved it first: judge the move again from where the order is now.
        order.status = Order.objects.values_list("status", flat=True).get(pk=order.pk)
        check_move(order.status, target, authority(by))
        raise DomainError("order.conflict", _("The order changed meanwhile; try again."), status=409)
    OrderEvent.objects.create(order=order, kind=EventKind.STATUS, by=by, actor=actor, from_status=current,
                              to_status=target, note=note[:500], created_at=now)
    order.status, order.updated_at = target, now
    for name, value in fields.items():
        setattr(order, name, value)
    return current


def _return_units(order_ids) -> None:
    units, product_of = units_of(order_ids)
    release_stock(units, product_of=product_of)


def mark_paid(order_group: OrderGroup, *, paid_at: dt.datetime | None = None, reference: str = "",
              mail: str = "paid") -> OrderGroup:
    """The one door to ``paid``: the group's unpaid orders become paid together, and ``mail`` (an order mail
    kind) tells the buyer and the stores.

    Paying a group that is already paid changes nothing (a repeated notice). Raises
    ``order_group.not_payable`` (409) when the group expired or was cancelled.
    """
    now = paid_at or clock.now()
    with transaction.atomic():
        group = lock_group(order_group.pk)
        if group.status == GroupStatus.PAID:
            return group
        if group.status != GroupStatus.PENDING_PAYMENT:
            raise DomainError("order_group.not_payable",
                              _("This order can no longer be paid: it expired or was cancelled."), status=409)
        group.status, group.paid_at, group.payment_reference = GroupStatus.PAID, now, reference[:120]
        group.updated_at = clock.now()
        group.save(update_fields=["status", "paid_at", "payment_reference", "updated_at"])
        orders = lock_orders(group.pk, status=OrderStatus.PENDING_PAYMENT)
        for order in orders:
            _move(order, OrderStatus.PAID, by=SYSTEM, paid_at=now)
    _notify([o.id for o in orders], mail)
    return group


def tell_payment_returned(*, group_id: int) -> None:
    """A payment reached this group after it expired and cannot be kept (approved too late, or its units are
    gone): the buyer and the stores of its expired orders are told the payment goes back in full."""
    _notify(Order.objects.filter(group_id=group_id, status=OrderStatus.CANCELLED, cancel_reason=EXPIRED_NOTE)
            .values_list("id", flat=True), "payment_returned")


class _UnitsGone(Exception):
    """Raised inside ``reinstate_expired_group``'s savepoint to undo the units it took."""


# What a reinstated order copies from the expired one it replaces (everything the buyer agreed to).
_PLACED_FIELDS = ("store_id", "buyer_id", "currency", "items_total", "shipping_total", "shipping_method",
                  "shipping_kind", "ship_from_country", "delivery_from", "delivery_to", "total", "charge_currency",
                  "charge_rate", "charge_total", "destination_country", "duty_total", "tax_total",
                  "due_on_delivery", "landed_cost", "shipping_address")
_LINE_FIELDS = ("variant_id", "product_id", "sku", "title", "options", "currency", "unit_price", "quantity",
                "line_total", "weight_grams", "hs_code", "origin_country", "commission_rate")


def reinstate_expired_group(*, group_id: int, approved_at: dt.datetime) -> list[Order] | None:
    """A payment the provider approved within the payment window reached a group that expired meanwhile (its
    notice came late): take the units again and place the expired orders afresh, as new orders of the same
    group awaiting that payment, at the prices, shipping and taxes agreed — finished orders stay finished, so
    the cancelled ones stay as they are, each new order's first event naming the one it replaces.

    Returns the new orders (the caller marks the group paid), or None when the approval was not in time or
    some units are gone (then nothing changed and the caller refunds the payment)."""
    now = clock.now()
    with transaction.atomic():
        group = lock_group(group_id)
        if group.status != GroupStatus.EXPIRED or approved_at > group.expires_at:
            return None
        expired = [o for o in lock_orders(group.pk, status=OrderStatus.CANCELLED) if o.cancel_reason == EXPIRED_NOTE]
        lines = list(OrderLine.objects.filter(order__in=expired).order_by("id"))
        if not expired or any(line.variant_id is None for line in lines):
            return None
        units, product_of = units_of([o.id for o in expired])
        try:
            with transaction.atomic():
                if reserve_stock(units, product_of=product_of):
                    raise _UnitsGone
                orders = Order.objects.bulk_create([
                    Order(group=group, status=OrderStatus.PENDING_PAYMENT, created_at=now, updated_at=now,
                          **{name: getattr(old, name) for name in _PLACED_FIELDS}) for old in expired])
                replaces = {old.id: new for old, new in zip(expired, orders, strict=True)}
                OrderLine.objects.bulk_create([
                    OrderLine(order=replaces[line.order_id], **{name: getattr(line, name) for name in _LINE_FIELDS})
                    for line in lines])
                OrderEvent.objects.bulk_create([
                    OrderEvent(order=new, by=SYSTEM, from_status="", to_status=OrderStatus.PENDING_PAYMENT,
                               note=f"{REINSTATED_NOTE}:{old_id}", created_at=now)
                    for old_id, new in replaces.items()])
                OrderGroup.objects.filter(pk=group.pk).update(status=GroupStatus.PENDING_PAYMENT, updated_at=now)
        except _UnitsGone:
            return None
    return orders


def cancel_order(*, order: Order, by: str, actor=None, reason: str = "", refund_by_caller: bool = False) -> Order:
    """Cancel before payment (buyer, store, system) or before shipment (store, system; the operator with
    the system's powers). Units go back on sale; when every order of an unpaid group is cancelled the
    group is too.

    An order whose money the ledger holds is cancelled only together with its refund: the refund engine
    (``payments.refunds.cancel_order``) locks the order, refunds it and passes ``refund_by_caller=True``,
    all in its transaction. Raises ``order.refund_required`` (409) otherwise, ``order.illegal_transition``
    (409) when the order is past that point, ``order.invalid`` for a reason that is missing (the store
    must give one) or too long.
    """
    reason = clean_reason(reason, required=by == STORE)
    check_move(order.status, OrderStatus.CANCELLED, authority(by))
    with transaction.atomic():
        locked = lock_order(order.pk)
        if not refund_by_caller and locked.status == OrderStatus.PAID and order_money(locked).refundable:
            raise DomainError("order.refund_required",
                              _("This order was paid: cancel it with its refund, so the buyer gets the money back."),
                              status=409)
        order.status = locked.status
        left = _move(order, OrderStatus.CANCELLED, by=by, actor=actor, note=reason, cancelled_at=clock.now(),
                     cancel_reason=reason)
        if returns_stock(left, OrderStatus.CANCELLED):
            _return_units([order.id])
        group = OrderGroup.objects.get(pk=order.group_id)
        if (group.status == GroupStatus.PENDING_PAYMENT
                and not group.orders.exclude(status=OrderStatus.CANCELLED).exists()):
            OrderGroup.objects.filter(pk=group.pk).update(status=GroupStatus.CANCELLED, updated_at=clock.now())
    _notify([order.id], "cancelled")
    return order


def cancel_store_order(*, access, order: Order, reason: str) -> Order:
    """A store member with the ``cancel_orders`` role cancels an unpaid order, or a paid one that holds
    no money (a paid order with money goes through ``payments.refunds.cancel_store_order``)."""
    access.require("cancel_orders")
    return cancel_order(order=order, by=STORE, actor=access.membership.user, reason=reason)


def note_refund(*, order: Order, amount: Money, by: str, actor=None, reason: str = "") -> None:
    """Record a refund of ``amount`` (in the order's currency) in the order's history, decided by ``by``
    (``actor`` the person), and tell the buyer by mail after commit. A refund is no status move."""
    OrderEvent.objects.create(order=order, kind=EventKind.REFUND, by=by, actor=actor, amount=amount.amount,
                              currency=amount.currency, note=reason[:500], created_at=clock.now())
    _notify([order.id], "refunded")


def close_refunded(*, order: Order) -> Order:
    """A shipped or delivered order whose money all went back to the buyer is closed as refunded."""
    _move(order, OrderStatus.REFUNDED, by=SYSTEM, auto_confirm_at=None, refund_hold=False)
    return order


def ship_order(*, access, order: Order, carrier: str, tracking_number: str) -> Order:
    """The store hands a paid order to a carrier; receipt is confirmed automatically after
    ``ORDER_AUTO_CONFIRM_DAYS`` unless the buyer confirms it first."""
    access.require("fulfil_orders")
    check_move(order.status, OrderStatus.SHIPPED, STORE)
    carrier, tracking = clean_tracking(carrier=carrier, tracking_number=tracking_number)
    now = clock.now()
    with transaction.atomic():
        _move(order, OrderStatus.SHIPPED, by=STORE, actor=access.membership.user,
              note=f"{carrier} {tracking}", carrier=carrier, tracking_number=tracking, shipped_at=now,
              auto_confirm_at=now + dt.timedelta(days=settings.ORDER_AUTO_CONFIRM_DAYS))
    _notify([order.id], "shipped")
    return order


def confirm_receipt(*, order: Order, by: str = BUYER, actor=None) -> Order:
    """The goods arrived: the order is delivered, then completed, and its escrow is released to the store
    less the commission. ``by=SYSTEM`` is the automatic confirmation when the protection window ends.
    Raises ``order.refund_request_open`` (409) while a refund request holds the order."""
    check_move(order.status, OrderStatus.DELIVERED, by)
    now = clock.now()
    note = _("Confirmed automatically %(days)s days after shipment.") % {
        "days": settings.ORDER_AUTO_CONFIRM_DAYS} if by == SYSTEM else ""
    with transaction.atomic():
        if lock_order(order.pk).refund_hold:
            # Releasing escrow now would decide the request behind the store's and the operator's back.
            raise DomainError("order.refund_request_open",
                              _("A refund request on this order is still running: withdraw it before confirming "
                                "receipt."), status=409)
        _move(order, OrderStatus.DELIVERED, by=by, actor=actor, note=note, delivered_at=now)
        _move(order, OrderStatus.COMPLETED, by=SYSTEM, completed_at=now)
        # Escrow goes to the seller, less the commission at the rates frozen on the lines.
        record_release(order=order, commission_total=order_commission(order.lines.all(), order.currency))
    _notify([order.id], "auto_confirmed" if by == SYSTEM else "received")
    return order


def hold_for_refund(*, order: Order) -> dt.timedelta | None:
    """A refund request was opened: the order is held (receipt is not confirmed, escrow stays) until
    ``end_refund_hold``. Returns the time that was left of the protection window (``None`` when none was
    running). Call inside the caller's transaction, with the order locked."""
    left = order.auto_confirm_at - clock.now() if order.auto_confirm_at else None
    Order.objects.filter(pk=order.pk).update(auto_confirm_at=None, refund_hold=True, updated_at=clock.now())
    order.auto_confirm_at, order.refund_hold = None, True
    return left


def end_refund_hold(*, order: Order, resume_at: dt.datetime | None) -> None:
    """The refund request ended: the hold lifts and, while the order is still shipped, receipt is
    confirmed automatically at ``resume_at`` unless the buyer confirms it first."""
    Order.objects.filter(pk=order.pk).update(refund_hold=False, updated_at=clock.now())
    order.refund_hold = False
    if resume_at is None:
        return
    Order.objects.filter(pk=order.pk, status=OrderStatus.SHIPPED).update(auto_confirm_at=resume_at)
    order.auto_confirm_at = resume_at


# --- timers -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueReport:
    expired_groups: int
    confirmed_orders: int


def expect_approval(*, group_id: int, approved_at: dt.datetime) -> bool:
    """The payment provider approved a payment of this group at ``approved_at``, and its notice (the
    webhook) is on its way: if that was within the payment window, the window's sweep waits
    ``PAYMENT_APPROVAL_GRACE_MINUTES`` for it before expiring the group, so a shopper who paid in time
    keeps the order however late the notice comes. True when the group now waits."""
    until = approved_at + dt.timedelta(minutes=settings.PAYMENT_APPROVAL_GRACE_MINUTES)
    return bool(OrderGroup.objects.filter(pk=group_id, status=GroupStatus.PENDING_PAYMENT,
                                          expires_at__gte=approved_at)
                .update(approval_expected_until=until, updated_at=clock.now()))


def _awaits_approval(group: OrderGroup, now: dt.datetime) -> bool:
    return group.approval_expected_until is not None and group.approval_expected_until > now


def expire_group(group_id: int) -> bool:
    """Cancel an unpaid group whose payment window closed and put its units back, once (not while an
    approval given in time is on its way: ``expect_approval``)."""
    now = clock.now()
    with transaction.atomic():
        group = lock_group(group_id)
        if group.status != GroupStatus.PENDING_PAYMENT or group.expires_at > now or _awaits_approval(group, now):
            return False
        OrderGroup.objects.filter(pk=group.pk).update(status=GroupStatus.EXPIRED, updated_at=now)
        orders = lock_orders(group.pk, status=OrderStatus.PENDING_PAYMENT)
        for order in orders:
            _move(order, OrderStatus.CANCELLED, by=SYSTEM, note=EXPIRED_NOTE, cancelled_at=now,
                  cancel_reason=EXPIRED_NOTE)
        _return_units([o.id for o in orders])
    _notify([o.id for o in orders], "cancelled")
    return True


def process_due(*, batch: int = 500) -> DueReport:
    """Expire unpaid groups and confirm receipt of shipped orders whose time has come.

    Idempotent and safe to run on several nodes at once: each item changes under a conditional update,
    so a second sweep finds nothing left to do. Runs every minute (Celery beat, or the embedded sweeper).
    """
    now = clock.now()
    due_groups = list(OrderGroup.objects.filter(status=GroupStatus.PENDING_PAYMENT, expires_at__lte=now)
                      .exclude(approval_expected_until__gt=now)
                      .order_by("expires_at").values_list("id", flat=True)[:batch])
    expired = sum(1 for group_id in due_groups if expire_group(group_id))
    confirmed = 0
    # A running refund request holds the protection window open (``hold_for_refund``).
    for order in Order.objects.filter(status=OrderStatus.SHIPPED, auto_confirm_at__lte=now,
                                      refund_hold=False).order_by("auto_confirm_at")[:batch]:
        try:
            confirm_receipt(order=order, by=SYSTEM)
        except DomainError:
            continue  # the buyer confirmed (or another sweep did) in the meantime
        confirmed += 1
    return DueReport(expired_groups=expired, confirmed_orders=confirmed)

