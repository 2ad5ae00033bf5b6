"""Reads for orders, tenant-scoped: a buyer sees only their own orders, a store's members only the
store's. Loads that miss answer not-found, so outsiders cannot tell whether an order exists."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Prefetch, Sum
from django.utils.translation import gettext as _

from jishi.accounts.rules import is_operator
from jishi.core.errors import NotFound
from jishi.core.ids import parse_id
from jishi.orders.customs import CustomsDeclaration, build_declaration, is_cross_border
from jishi.orders.models import Order, OrderEvent, OrderGroup, OrderLine, OrderStatus
from jishi.orders.rules import OPEN_STATUSES


def _detailed(queryset):
    return queryset.select_related("store", "group").prefetch_related(
        "lines", Prefetch("events", queryset=OrderEvent.objects.select_related("actor").order_by("created_at", "id")))


def _order_not_found() -> NotFound:
    return NotFound("order.not_found", _("Order not found."))


def access_order(*, user, order_id) -> Order:
    """One of ``user``'s own orders, with its lines, events and store."""
    if user is None or not user.is_authenticated:
        raise _order_not_found()
    order = _detailed(Order.objects.filter(buyer=user, pk=parse_id(order_id))).first()
    if order is None:
        raise _order_not_found()
    return order


def access_store_order(*, access, order_id) -> Order:
    """One of ``access.store``'s orders (``access`` from ``stores.selectors.access_store``)."""
    order = _detailed(Order.objects.filter(store=access.store, pk=parse_id(order_id))).first()
    if order is None:
        raise _order_not_found()
    return order


def access_operator_order(*, user, order_id) -> Order:
    """Any order, for the marketplace's staff only (others get not-found), with its lines, events and
    store."""
    if not is_operator(user):
        raise _order_not_found()
    order = _detailed(Order.objects.filter(pk=parse_id(order_id))).first()
    if order is None:
        raise _order_not_found()
    return order


def customs_declaration(order: Order) -> CustomsDeclaration:
    """The commercial invoice / customs declaration of a cross-border ``order`` (from ``access_store_order``,
    whose lines are prefetched: no query per line). A domestic order has none: ``order.not_cross_border``
    (404)."""
    if not is_cross_border(order):
        raise NotFound("order.not_cross_border",
                       _("This order does not cross a border, so it has no customs declaration."))
    return build_declaration(order, list(order.lines.all()))


def access_order_group(*, user, group_id) -> OrderGroup:
    """One of ``user``'s order groups with its orders, their lines and stores."""
    if user is None or not user.is_authenticated:
        raise NotFound("order_group.not_found", _("Order not found."))
    group = (OrderGroup.objects.filter(buyer=user, pk=parse_id(group_id))
             .prefetch_related(Prefetch("orders", queryset=Order.objects.select_related("store").order_by("id")),
                               "orders__lines").first())
    if group is None:
        raise NotFound("order_group.not_found", _("Order not found."))
    return group


def list_buyer_orders(*, user, status: str | None = None):
    queryset = Order.objects.filter(buyer=user).select_related("store")
    if status in OrderStatus.values:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


def list_store_orders(*, store, status: str | None = None):
    queryset = Order.objects.filter(store=store).select_related("store")
    if status in OrderStatus.values:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


def count_store_orders_by_status(*, store) -> dict[str, int]:
    rows = Order.objects.filter(store=store).values("status").annotate(n=Count("id")).order_by()
    return {row["status"]: row["n"] for row in rows}


def attach_lines(orders: list[Order]) -> list[Order]:
    """Give a page of orders their lines in one query (``order.line_list``)."""
    by_order: dict[int, list[OrderLine]] = {o.id: [] for o in orders}
    for line in OrderLine.objects.filter(order_id__in=list(by_order)).order_by("id"):
        by_order[line.order_id].append(line)
    for order in orders:
        order.line_list = by_order[order.id]
    return orders


def units_of(order_ids) -> tuple[dict[int, int], dict[int, int]]:
    """The units of each variant on these orders' lines, and each variant's product (what putting them
    back on sale needs), in one query. Lines whose variant was deleted since are left out."""
    units: dict[int, int] = {}
    product_of: dict[int, int] = {}
    for variant_id, product_id, quantity in OrderLine.objects.filter(
            order_id__in=list(order_ids), variant__isnull=False).values_list("variant_id", "product_id", "quantity"):
        units[variant_id] = units.get(variant_id, 0) + quantity
        product_of[variant_id] = product_id
    return units, product_of


def units_held_by_buyer(*, buyer, variant_ids) -> dict[int, int]:
    """Units of each variant in ``buyer``'s open orders (what a per-buyer limit counts)."""
    ids = [v for v in variant_ids if v]
    if not ids or buyer is None or not buyer.is_authenticated:
        return {}
    rows = (OrderLine.objects.filter(variant_id__in=ids, order__buyer=buyer, order__status__in=OPEN_STATUSES)
            .values("variant_id").annotate(units=Sum("quantity")).order_by())
    return {row["variant_id"]: row["units"] for row in rows}


def units_awaiting_payment(*, variant_ids) -> dict[int, int]:
    """Units of each variant held by unpaid orders: reserved, not yet sold."""
    ids = list(variant_ids)
    if not ids:
        return {}
    rows = (OrderLine.objects.filter(variant_id__in=ids, order__status=OrderStatus.PENDING_PAYMENT)
            .values("variant_id").annotate(units=Sum("quantity")).order_by())
    return {row["variant_id"]: row["units"] for row in rows}


def product_units_awaiting_payment(*, product_ids) -> dict[int, int]:
    """Units of each product held by unpaid orders, in one query (a page of the seller's products)."""
    ids = list(product_ids)
    if not ids:
        return {}
    rows = (OrderLine.objects.filter(product_id__in=ids, order__status=OrderStatus.PENDING_PAYMENT)
            .values("product_id").annotate(units=Sum("quantity")).order_by())
    return {row["product_id"]: row["units"] for row in rows}


def charge_amount_due(orders) -> Decimal:
    """What an order group asks to be paid: its ``orders`` that were not cancelled, in the charge currency."""
    return sum((o.charge_total for o in orders if o.status != OrderStatus.CANCELLED), Decimal(0))


# Units count as sold once paid for, unless the order was cancelled or refunded later.
SOLD_STATUSES = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)


def units_sold(*, product_ids=None) -> dict[int, int]:
    """Units sold of each product that sold any (of ``product_ids``, or of all): what "best selling" ranks
    by. One query."""
    lines = OrderLine.objects.filter(product_id__isnull=False, order__status__in=SOLD_STATUSES)
    if product_ids is not None:
        lines = lines.filter(product_id__in=list(product_ids))
    return dict(lines.values("product_id").annotate(units=Sum("quantity")).order_by()
                .values_list("product_id", "units"))
