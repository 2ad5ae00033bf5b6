"""Order mail: to the buyer and to every member of the store, each in their own language.

Sent by the ``send_order_mail`` job after the change committed; one message per recipient.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from jishi.accounts.postal import postal_lines
from jishi.money.formatting import format_money
from jishi.money.rules import Money
from jishi.orders.models import Order
from jishi.stores.selectors import list_member_users

KINDS = ("placed", "paid", "shipped", "received", "auto_confirmed", "cancelled", "refunded")


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
        }[kind] % {"number": number, "store": store}
    return {
        "placed": _("New order #%(number)s for %(store)s (awaiting payment)"),
        "paid": _("Order #%(number)s is paid: please ship it"),
        "shipped": _("Order #%(number)s was shipped"),
        "received": _("The buyer confirmed receipt of order #%(number)s"),
        "auto_confirmed": _("Receipt of order #%(number)s was confirmed automatically"),
        "cancelled": _("Order #%(number)s was cancelled"),
        "refunded": _("A refund was made on order #%(number)s"),
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
            "ship_to": postal_lines(order.shipping_address, language=language) if kind in ("placed", "paid") else [],
        })
        return EmailMessage(_subject(kind, audience, order), body, None, [recipient.email])


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
