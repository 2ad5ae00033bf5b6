"""Refund request mail: each step tells the other side (the buyer, or every member of the store), each
recipient in their own language. Sent by the ``send_refund_request_mail`` job after the step committed.

The refund itself is announced to the buyer by payments; these messages say what happened to the request.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from jishi.core.jobs import message_id
from jishi.disputes.models import RefundRequest
from jishi.money.formatting import format_money
from jishi.money.rules import Money
from jishi.stores.selectors import list_member_users

BUYER, STORE = "buyer", "store"
# Who hears about each step: the side that did not take it (both when the system or the operator did).
AUDIENCES: dict[str, tuple[str, ...]] = {
    "opened": (STORE,),
    "accepted": (BUYER,),
    "auto_accepted": (BUYER, STORE),
    "refunded": (STORE,),
    "auto_refunded": (BUYER, STORE),
    "rejected": (BUYER,),
    "return_shipped": (STORE,),
    "escalated": (STORE,),
    "withdrawn": (STORE,),
    "decided": (BUYER, STORE),
    "expired": (BUYER, STORE),
}


def _subject(kind: str, request: RefundRequest) -> str:
    number = request.order_id
    return {
        "opened": _("Refund requested for order #%(number)s"),
        "accepted": _("Your refund request for order #%(number)s was accepted"),
        "auto_accepted": _("The refund request for order #%(number)s was accepted automatically"),
        "refunded": _("Order #%(number)s was refunded"),
        "auto_refunded": _("The return for order #%(number)s counts as received: refunded"),
        "rejected": _("Your refund request for order #%(number)s was rejected"),
        "return_shipped": _("The buyer sent the goods of order #%(number)s back"),
        "escalated": _("The refund request for order #%(number)s went to the marketplace"),
        "withdrawn": _("The buyer withdrew the refund request for order #%(number)s"),
        "decided": _("The marketplace decided the refund request for order #%(number)s"),
        "expired": _("The refund request for order #%(number)s is closed"),
    }[kind] % {"number": number}


def _link(request: RefundRequest, audience: str) -> str:
    if audience == BUYER:
        path = reverse("web:order_detail", args=[request.order_id])
    else:
        path = reverse("web:seller_order_detail", args=[request.store.slug, request.order_id])
    return settings.SITE_URL + path


def _message(request: RefundRequest, kind: str, audience: str, recipient) -> EmailMessage:
    language = recipient.preferred_language or request.order.group.language or settings.LANGUAGE_CODE
    with translation.override(language):
        body = render_to_string("disputes/mail/refund_request.txt", {
            "request": request, "kind": kind, "audience": audience, "recipient": recipient,
            "amount": format_money(Money(request.amount, request.currency)),
            "link": _link(request, audience), "site_name": settings.SITE_NAME,
        })
        return EmailMessage(_subject(kind, request), body, None, [recipient.email],
                            headers=message_id("refund-request", request.pk, kind, recipient.pk))


def send_refund_request_mail(*, request_id: int, kind: str) -> int:
    """Mail the other side about step ``kind`` of the request; returns the messages sent."""
    if kind not in AUDIENCES:
        raise ValueError(f"Unknown refund request mail {kind!r}")
    request = (RefundRequest.objects.select_related("buyer", "store", "order", "order__group")
               .filter(pk=request_id).first())
    if request is None:
        return 0
    messages = []
    if BUYER in AUDIENCES[kind]:
        messages.append(_message(request, kind, BUYER, request.buyer))
    if STORE in AUDIENCES[kind]:
        messages += [_message(request, kind, STORE, user) for user in list_member_users(store_id=request.store_id)
                     if user.is_active]
    return get_connection().send_messages(messages) or 0
