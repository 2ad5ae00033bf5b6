"""Pure rules of payments: which groups may be paid, how a payment's status moves, what a refund may be.

Invariants kept by the services with these: a payment only moves forward (a late "failed" after
"succeeded" changes nothing); money that the provider reports as received is never ignored (a success
after a failure still counts, and is refunded when the order group can no longer take it); a refund is
positive, in the order's currency and never more than what is still refundable.
"""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jishi.core.errors import DomainError
from jishi.money.rules import Money, minor_units, to_decimal
from jishi.orders.models import OrderStatus
from jishi.orders.rules import BUYER, OPERATOR, STORE, SYSTEM
from jishi.payments.models import PaymentStatus

# How far along each status is; an event may only move a payment to a later one.
RANK = {PaymentStatus.CREATED: 0, PaymentStatus.FAILED: 1, PaymentStatus.SUCCEEDED: 2, PaymentStatus.REFUNDED: 3}

# Who decides a refund: the buyer (a refund request the store or the marketplace granted), the store,
# the marketplace's staff, or the system (money a group could not take).
REQUESTERS = frozenset({BUYER, STORE, OPERATOR, SYSTEM})
# Orders a store or the operator may refund on their own initiative: paid, whatever happened since.
REFUNDABLE_ORDER_STATUSES = frozenset({OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED,
                                       OrderStatus.COMPLETED, OrderStatus.REFUNDED})

# The sandbox's test cards: number → failure code ("" succeeds).
TEST_CARDS = {"4242424242424242": "", "4000000000000002": "card_declined", "4000000000009995": "insufficient_funds"}
CANCELLED_BY_SHOPPER = "cancelled_by_shopper"
# What the shopper reads about a failed payment, by its failure code (pages and the API alike).
FAILURE_MESSAGES = {
    "card_declined": gettext_lazy("Your card was declined. Try another card."),
    "insufficient_funds": gettext_lazy("Your card has insufficient funds. Try another card."),
    CANCELLED_BY_SHOPPER: gettext_lazy("You cancelled the payment; your order still awaits it."),
}
RETURN_URL_MAX_LENGTH = 500


def failure_message(code: str) -> str:
    """The shopper's words for a failure code; "" for a payment that did not fail."""
    if not code:
        return ""
    return str(FAILURE_MESSAGES.get(code, _("The payment did not go through.")))


def clean_return_url(raw, *, allowed_hosts) -> str:
    """Where the hosted payment page sends the shopper back: a path on this site, or an http(s) address on
    one of ``allowed_hosts`` (``PAYMENT_RETURN_URL_ALLOWED_HOSTS``), so nobody can use the marketplace's
    payment page to send shoppers to a site of their choosing. "" when none was given."""
    url = str(raw or "").strip()
    if not url:
        return ""
    hosts = {host.strip().lower() for host in allowed_hosts if host.strip()}
    if len(url) > RETURN_URL_MAX_LENGTH or not url_has_allowed_host_and_scheme(url, allowed_hosts=hosts):
        message = _("Use a path on this site or an http(s) address on a host the marketplace allows.")
        raise DomainError("payment.invalid", message, fields={"return_url": [message]})
    return url


def moves_forward(current: str, target: str) -> bool:
    return RANK[target] > RANK[current]


def check_payable(*, group_status: str, amount_due: Money) -> None:
    """Raise ``payment.not_payable`` (409) unless the group awaits payment and something is due."""
    if group_status != "pending_payment" or not amount_due:
        raise DomainError("payment.not_payable",
                          _("This order is not awaiting payment: it was paid, expired or cancelled."), status=409)


def check_refund(*, amount: Money, currency: str, refundable: Money, requested_by: str, reason: str) -> str:
    """Raise ``refund.invalid`` for a refund that cannot be made; returns the cleaned reason."""
    if requested_by not in REQUESTERS:
        raise ValueError(f"unknown requester {requested_by!r}")
    text = str(reason or "").strip()
    if len(text) > 500:
        raise DomainError("refund.invalid", _("Keep the reason under 500 characters."),
                          fields={"reason": [_("Keep the reason under 500 characters.")]})
    if amount.currency != currency:
        message = _("Refund in the order's currency, %(currency)s.") % {"currency": currency}
        raise DomainError("refund.invalid", message, fields={"amount": [message]})
    if amount.amount <= 0:
        message = _("A refund must be more than zero.")
        raise DomainError("refund.invalid", message, fields={"amount": [message]})
    if amount > refundable:
        message = _("At most %(refundable)s of this order can still be refunded.") % {
            "refundable": f"{refundable.currency} {refundable.amount}"}
        raise DomainError("refund.too_much", message, fields={"amount": [message]}, status=409)
    return text


def clean_refund_amount(raw, *, refundable: Money, code: str = "refund.invalid", field: str = "amount") -> Money:
    """A positive amount typed by a person, in the order's currency, no more than is still refundable;
    ``code`` names the error after what is being asked (a refund, a refund request)."""
    def invalid(message: str) -> DomainError:
        return DomainError(code, message, fields={field: [message]})

    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise invalid(_("Enter the amount to refund."))
    try:
        value = to_decimal(raw)
    except (TypeError, ValueError):
        raise invalid(_("Enter the amount as a number, like 12.50.")) from None
    money = Money(value, refundable.currency)
    if money.amount != value:
        raise invalid(_("%(currency)s amounts have at most %(digits)s decimals.") % {
            "currency": refundable.currency, "digits": minor_units(refundable.currency)})
    if money.amount <= 0:
        raise invalid(_("The amount must be more than zero."))
    if money > refundable:
        raise invalid(_("At most %(amount)s %(currency)s can still be refunded.") % {
            "amount": refundable.amount, "currency": refundable.currency})
    return money


def clean_refund_reason(raw) -> str:
    """The reason a store or the operator gives the buyer for a refund of their own."""
    text = str(raw or "").strip()
    if not text:
        message = _("Tell the buyer why you refund.")
        raise DomainError("refund.invalid", message, fields={"reason": [message]})
    if len(text) > 500:
        message = _("Keep it under %(limit)s characters.") % {"limit": 500}
        raise DomainError("refund.invalid", message, fields={"reason": [message]})
    return text


def check_refundable_order(*, order_status: str, refundable: Money) -> None:
    """A store or the operator refunds a paid order, before or after receipt, while money is left."""
    if order_status not in REFUNDABLE_ORDER_STATUSES:
        raise DomainError("refund.not_allowed", _("Only a paid order can be refunded."), status=409)
    if not refundable:
        raise DomainError("refund.nothing_to_refund", _("Nothing is left to refund on this order."), status=409)


def check_stores_trading(*, suspended: list[str]) -> None:
    """A group with an order at a suspended store takes no payment until the store is back or that order
    is cancelled: the shopper would pay into escrow for goods nobody may ship."""
    if suspended:
        raise DomainError("payment.store_suspended", _(
            "%(stores)s is suspended for now, so its order cannot be paid. Cancel that order to pay for the "
            "rest, or wait until the store is back.") % {"stores": ", ".join(sorted(set(suspended)))}, status=409)


def clean_card(raw) -> str:
    """A test card number without spaces, or ``payment.card_invalid`` naming the field."""
    digits = str(raw or "").replace(" ", "").replace("-", "")
    if digits not in TEST_CARDS:
        message = _("Use one of the sandbox test cards listed on this page.")
        raise DomainError("payment.card_invalid", message, fields={"card_number": [message]})
    return digits


def last4(card: str) -> str:
    return card[-4:]
