"""Order mail: to the buyer and to every member of the store, each in their own language.

Sent by the ``send_order_mail`` job after the change committed; one message per recipient. When a store
is suspended, ``store_suspended_mail`` tells each buyer with open orders there, once, what happens to them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jishi.accounts.postal import postal_lines
from jishi.core.jobs import message_id
from jishi.money.formatting import format_day, format_money
from jishi.money.rules import Money
from jishi.orders.models import Order, OrderStatus
from jishi.orders.rules import OPEN_STATUSES
from jishi.stores.selectors import list_member_users

KINDS = ("placed", "paid", "shipped", "received", "auto_confirmed", "cancelled", "refunded", "reinstated",
         "payment_returned")


def _subject(kind: str, audience: str, order: Order) -> str:
    number = order.pk
    store = order.store.name
    if audience == "buyer":
        return {
            "placed": _("Your order #%(number)s from %(store)s is placed"),
            "paid": _("Payment received for your order #%(number)s"),
            "shipped": _("Your order #%(number)s from %(store)s is on its way"),
            "received": _("You confirmed receipt of order #%(number)s"),
            "auto_confirmed": _("Receipt of order #%(number)s was confirmed automatically"),
            "cancelled": _("Your order #%(number)s was cancelled"),
            "refunded": _("Money from your order #%(number)s is on its way back to you"),
            "reinstated": _("You paid in time: your order from %(store)s is back as order #%(number)s"),
            "payment_returned": _("Your payment for order #%(number)s goes back to you in full"),
        }[kind] % {"number": number, "store": store}
    return {
        "placed": _("New order #%(number)s for %(store)s (awaiting payment)"),
        "paid": _("Order #%(number)s is paid: please ship it"),
        "shipped": _("Order #%(number)s was shipped"),
        "received": _("The buyer confirmed receipt of order #%(number)s"),
        "auto_confirmed": _("Receipt of order #%(number)s was confirmed automatically"),
        "cancelled": _("Order #%(number)s was cancelled"),
        "refunded": _("A refund was made on order #%(number)s"),
        "reinstated": _("Order #%(number)s is paid: please ship it"),
        "payment_returned": _("A late payment for expired order #%(number)s was returned"),
    }[kind] % {"number": number, "store": store}


def _link(order: Order, audience: str) -> str:
    if audience == "buyer":
        path = reverse("web:order_detail", args=[order.pk])
    else:
        path = reverse("web:seller_order_detail", args=[order.store.slug, order.pk])
    return settings.SITE_URL + path


def _refunded(order: Order) -> str:
    """How much of the order went back to the buyer so far."""
    from jishi.ledger.selectors import order_money

    return format_money(order_money(order).refunded)


def _message(order: Order, kind: str, audience: str, recipient) -> EmailMessage:
    language = recipient.preferred_language or order.group.language or settings.LANGUAGE_CODE
    with translation.override(language):
        body = render_to_string("orders/mail/order.txt", {
            "order": order, "kind": kind, "audience": audience, "recipient": recipient,
            "lines": [(line, format_money(Money(line.line_total, line.currency))) for line in order.lines.all()],
            "total": format_money(Money(order.total, order.currency)),
            "shipping": format_money(Money(order.shipping_total, order.currency)),
            "duties": format_money(Money(order.duty_total, order.currency)) if order.duty_total else "",
            "import_taxes": format_money(Money(order.tax_total, order.currency)) if order.tax_total else "",
            "due_on_delivery": format_money(Money(order.due_on_delivery, order.currency)) if order.due_on_delivery else "",
            "link": _link(order, audience), "site_name": settings.SITE_NAME,
            "refunded": _refunded(order) if kind == "refunded" else "",
            "ship_to": postal_lines(order.shipping_address, language=language)
            if kind in ("placed", "paid", "reinstated") else [],
        })
        return EmailMessage(_subject(kind, audience, order), body, None, [recipient.email],
                            headers=message_id("order", order.pk, kind, recipient.pk))


def send_order_mail(*, order_id: int, kind: str) -> int:
    """Mail the buyer and the store's members about ``kind`` happening to the order; returns messages sent."""
    if kind not in KINDS:
        raise ValueError(f"Unknown order mail {kind!r}")
    order = (Order.objects.select_related("buyer", "store", "group").prefetch_related("lines")
             .filter(pk=order_id).first())
    if order is None:
        return 0
    messages = [_message(order, kind, "buyer", order.buyer)]
    messages += [_message(order, kind, "store", user) for user in list_member_users(store_id=order.store_id)
                 if user.is_active]
    return get_connection().send_messages(messages) or 0


def _suspension_message(orders: list[Order]) -> EmailMessage:
    buyer, store = orders[0].buyer, orders[0].store
    language = buyer.preferred_language or orders[0].group.language or settings.LANGUAGE_CODE
    with translation.override(language):
        body = render_to_string("orders/mail/store_suspended.txt", {
            "recipient": buyer, "store": store, "site_name": settings.SITE_NAME,
            "response_days": settings.REFUND_RESPONSE_DAYS,
            "paid": any(order.status != OrderStatus.PENDING_PAYMENT for order in orders),
            "orders": [{"order": order, "total": format_money(Money(order.total, order.currency)),
                        "link": _link(order, "buyer"),
                        "confirms_on": format_day(order.auto_confirm_at) if order.auto_confirm_at else ""}
                       for order in orders],
        })
        subject = ngettext("%(store)s is suspended: what happens to your order",
                           "%(store)s is suspended: what happens to your orders", len(orders)) % {"store": store.name}
        return EmailMessage(subject, body, None, [buyer.email], headers=message_id("suspended", store.pk, buyer.pk))


def store_suspended_mail(*, store_id: int, buyer_id: int | None = None) -> dict[int, EmailMessage]:
    """Buyer id → the one message telling that buyer what happens to their open orders at a store that was
    just suspended, in their language (only ``buyer_id``'s when given). Two queries, whatever the number.

    The mail says what the code does to a suspended store's orders, so keep it in step with it: the store
    can still ship a paid order, or cancel it, which refunds it in full (``payments.refunds``); the money
    stays in escrow until receipt is confirmed, by the buyer or when the protection window ends
    (``services.confirm_receipt``); a suspended store is not paid out (``ledger.payouts``); and buyer
    protection (``disputes``) runs as for any other order.
    """
    orders = Order.objects.filter(store_id=store_id, status__in=OPEN_STATUSES)
    if buyer_id is not None:
        orders = orders.filter(buyer_id=buyer_id)
    per_buyer: dict[int, list[Order]] = {}
    for order in orders.select_related("buyer", "store", "group").order_by("buyer_id", "id"):
        per_buyer.setdefault(order.buyer_id, []).append(order)
    return {buyer: _suspension_message(found) for buyer, found in per_buyer.items()}
