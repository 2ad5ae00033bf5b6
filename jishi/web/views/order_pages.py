"""The two order pages — the buyer's and the store's — rendered for every view that shows them: the order
views themselves, and the refund forms posted from those pages, which come back to them with their errors.

Every amount on them comes from the app that owns it: the order's frozen columns for what was priced,
``tax`` for the duties and taxes collected, the ledger for what was refunded and what the store keeps
(``ledger.selectors.seller_share``). Nothing here computes money.
"""

from __future__ import annotations

from django.shortcuts import render

from jishi.disputes import rules, selectors
from jishi.ledger.selectors import order_money, seller_share
from jishi.money.rules import Money
from jishi.orders.customs import is_cross_border
from jishi.orders.models import OrderStatus
from jishi.orders.rules import BUYER, STORE, moves_for
from jishi.orders.selectors import count_store_orders_by_status
from jishi.payments.rules import REFUNDABLE_ORDER_STATUSES
from jishi.tax.selectors import order_taxes
from jishi.web.forms.refunds import (
    ConfirmReturnForm,
    EscalateForm,
    RefundForm,
    RefundRequestForm,
    RejectForm,
    ReturnForm,
)
from jishi.web.forms.trade import CancelForm, CancelOrderForm, ShipForm
from jishi.web.timeline import order_timeline

# Offered as suggestions while typing; any carrier name is accepted.
CARRIERS = ("SF Express", "China Post", "EMS", "JD Logistics", "ZTO Express", "YTO Express", "YunExpress", "Cainiao",
            "DHL", "FedEx", "UPS")


def with_money(found):
    """A refund request with its amounts as ``Money`` for the templates."""
    found.amount_money = Money(found.amount, found.currency)
    found.refunded_money = Money(found.refunded_amount, found.currency) if found.refunded_amount is not None else None
    return found


def with_lines(order):
    """The order with its lines (and their frozen prices as ``Money``) listed for the templates."""
    currency = order.currency
    order.items_money = Money(order.items_total, currency)
    order.shipping_money = Money(order.shipping_total, currency)
    order.total_money = Money(order.total, currency)
    lines = list(order.lines.all())
    for line in lines:
        line.unit_money = Money(line.unit_price, line.currency)
        line.total_money = Money(line.line_total, line.currency)
    order.line_list = lines
    order.units = sum(line.quantity for line in lines)
    return order


# --- the buyer's order page -------------------------------------------------------------------------


def buyer_refund_context(order, *, forms: dict | None = None) -> dict:
    """What the buyer's order page shows of buyer protection, and the forms it offers."""
    forms = forms or {}
    found = [with_money(r) for r in selectors.list_order_refund_requests(order=order)]
    current = selectors.current_refund_request(found)
    active = current is not None and current.active
    refundable = selectors.refundable(order) if order.status in rules.REQUESTABLE_ORDER_STATUSES else None
    can_request = not active and bool(refundable)
    return {
        "refund_requests": found, "refund_request": current, "refund_active": active,
        "refund_actions": rules.actions_for(current.status, rules.BUYER) if active else [],
        "can_request_refund": can_request, "refundable": refundable,
        "request_form": forms.get("request_form") or RefundRequestForm(
            initial={"amount": refundable.amount if refundable else ""}),
        "return_form": forms.get("return_form") or ReturnForm(),
        "escalate_form": forms.get("escalate_form") or EscalateForm(),
        "refund_form_open": bool(forms),
    }


def render_buyer_order(request, order, *, refund_forms: dict | None = None, status: int = 200):
    """The buyer's page of ``order`` (one of theirs, from ``orders.selectors.access_order``)."""
    moves = moves_for(order.status, BUYER)
    refunds = buyer_refund_context(order, forms=refund_forms)
    money = order_money(order)
    return render(request, "web/orders/detail.html", {
        **refunds,
        "order": order, "group": order.group,
        "steps": order_timeline(order, audience="buyer", refund_requests=refunds["refund_requests"]),
        "lines": list(order.lines.all()),
        "can_cancel": OrderStatus.CANCELLED in moves,
        "can_confirm": OrderStatus.DELIVERED in moves and not refunds["refund_active"],
        "cancel_form": CancelOrderForm(), "awaiting_payment": order.status == OrderStatus.PENDING_PAYMENT,
        "charge_total": Money(order.charge_total, order.charge_currency),
        # What went back to the buyer so far, in the order's currency and in the one they paid in.
        "refunded": money.refunded, "charge_refunded": money.charge_refunded,
    }, status=status)


# --- the store's order page -------------------------------------------------------------------------


def store_refund_context(access, order, *, forms: dict | None = None) -> dict:
    """What the seller centre's order page shows of buyer protection, and the forms it offers."""
    forms = forms or {}
    found = [with_money(r) for r in selectors.list_order_refund_requests(order=order)]
    current = selectors.current_refund_request(found)
    active = current is not None and current.active
    may_refund = access.can("refund_orders")
    refundable = selectors.refundable(order) if order.status in REFUNDABLE_ORDER_STATUSES else None
    return {
        "refund_requests": found, "refund_request": current,
        "refund_actions": rules.actions_for(current.status, rules.STORE) if active and may_refund else [],
        "can_refund": may_refund and bool(refundable), "refundable": refundable,
        "reject_form": forms.get("reject_form") or RejectForm(),
        "confirm_form": forms.get("confirm_form") or ConfirmReturnForm(),
        "refund_form": forms.get("refund_form") or RefundForm(),
        "refund_form_open": "refund_form" in forms,
    }


def render_store_order(request, access, order, *, ship_form=None, cancel_form=None, refund_forms: dict | None = None,
                       status: int = 200):
    """The seller centre's page of ``order`` (one of ``access.store``'s, from
    ``orders.selectors.access_store_order``), with the forms posted back to it when they had errors."""
    moves = moves_for(order.status, STORE)
    can_ship = OrderStatus.SHIPPED in moves and access.can("fulfil_orders")
    can_cancel = OrderStatus.CANCELLED in moves and access.can("cancel_orders")
    action_errors = [message for form in (ship_form, cancel_form) if form is not None
                     for message in form.non_field_errors()]
    refunds = store_refund_context(access, order, forms=refund_forms)
    return render(request, "web/seller/orders/detail.html", {
        **refunds,
        "access": access, "order": with_lines(order), "taxes": order_taxes(order), "share": seller_share(order),
        "timeline": order_timeline(order, audience="store", refund_requests=refunds["refund_requests"]),
        "address": order.shipping_address if isinstance(order.shipping_address, dict) else {},
        "can_ship": can_ship, "can_cancel": can_cancel, "action_errors": action_errors,
        "ship_form": ship_form or ShipForm(), "cancel_form": cancel_form or CancelForm(), "carriers": CARRIERS,
        "order_counts": count_store_orders_by_status(store=access.store), "cross_border": is_cross_border(order),
    }, status=status)
