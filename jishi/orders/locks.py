"""The locks of an order group and its orders, taken in one order by every app that changes them.

Always the group first, then its orders in primary-key order, then whatever the caller owns (a payment's
refund rows, a refund request). Concurrent payments, cancellations, refunds and sweeps that all go
through here queue on the group instead of deadlocking. Call inside a transaction.
"""

from __future__ import annotations

from jishi.orders.models import Order, OrderGroup


def lock_group(group_id: int) -> OrderGroup:
    """The order group, locked for the rest of the transaction."""
    return OrderGroup.objects.select_for_update().get(pk=group_id)


def lock_orders(group_id: int, *, status: str | None = None) -> list[Order]:
    """The group's orders (those in ``status`` when given), locked in primary-key order. Call after
    ``lock_group``."""
    orders = Order.objects.select_for_update().filter(group_id=group_id)
    if status is not None:
        orders = orders.filter(status=status)
    return list(orders.order_by("id"))


def lock_order(order_id: int) -> Order:
    """The order as it is now, locked after its group."""
    group_id = Order.objects.values_list("group_id", flat=True).get(pk=order_id)
    lock_group(group_id)
    return Order.objects.select_for_update().get(pk=order_id)
