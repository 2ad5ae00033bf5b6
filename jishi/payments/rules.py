"""Pure rules of payments: which groups may be paid, how a payment's status moves, what a refund may be.

Invariants kept by the services with these: a payment only moves forward (a late "failed" after
"succeeded" changes nothing); money that the provider reports as received is never ignored (a success
after a failure still counts, and is refunded when the order group can no longer take it); a refund is
positive, in the order's currency and never more than what is still refundable.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from jishi.core.errors import DomainError
from jishi.money.rules import Money
from jishi.payments.models import PaymentStatus

# How far along each status is; an event may only move a payment to a later one.
RANK = {PaymentStatus.CREATED: 0, PaymentStatus.FAILED: 1, PaymentStatus.SUCCEEDED: 2, PaymentStatus.REFUNDED: 3}

REQUESTERS = frozenset({"buyer", "store", "system", "operator"})

# The sandbox's test cards: number → failure code ("" succeeds).
TEST_CARDS = {"4242424242424242": "", "4000000000000002": "card_declined", "4000000000009995": "insufficient_funds"}


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


def clean_card(raw) -> str:
    """A test card number without spaces, or ``payment.card_invalid`` naming the field."""
    digits = str(raw or "").replace(" ", "").replace("-", "")
    if digits not in TEST_CARDS:
        message = _("Use one of the sandbox test cards listed on this page.")
        raise DomainError("payment.card_invalid", message, fields={"card_number": [message]})
    return digits


def last4(card: str) -> str:
    return card[-4:]
