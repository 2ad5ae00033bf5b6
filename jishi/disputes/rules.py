"""Buyer protection, pure: the refund request's state machine, its deadlines and input checks.

    open ──accept──▶ accepted ──return──▶ return_shipped ──confirm──▶ refunded
      │   (goods back)    │                     │
      │                   └─(no return in time)─┴──reject──┐
      ├──accept (no goods back)──────────────────────────▶ refunded
      └──reject──▶ rejected ──escalate──▶ escalated ──decide──▶ refunded / closed
                       └──(not escalated in time)──▶ closed        └──decide (refund on return)──▶ accepted

The store answers within ``REFUND_RESPONSE_DAYS`` and silence accepts (the system acts for it); the buyer
sends goods back within ``REFUND_RETURN_DAYS``; the store confirms a return within
``REFUND_RETURN_CONFIRM_DAYS`` and silence confirms; the buyer escalates within ``REFUND_ESCALATION_DAYS``.
The buyer may withdraw a request that is not yet with the marketplace. Any other move is refused with
``refund_request.illegal_transition`` (409).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jishi.core.errors import DomainError
from jishi.disputes.models import RefundReason
from jishi.disputes.models import RefundRequestStatus as S
from jishi.money.rules import Money
from jishi.orders.models import OrderStatus
from jishi.orders.rules import BUYER, OPERATOR, STORE, SYSTEM
from jishi.payments.rules import clean_refund_amount

TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (S.OPEN, S.ACCEPTED): frozenset({STORE, SYSTEM}),
    (S.OPEN, S.REFUNDED): frozenset({STORE, SYSTEM}),
    (S.OPEN, S.REJECTED): frozenset({STORE}),
    (S.OPEN, S.CLOSED): frozenset({BUYER}),
    (S.ACCEPTED, S.RETURN_SHIPPED): frozenset({BUYER}),
    (S.ACCEPTED, S.CLOSED): frozenset({BUYER, SYSTEM}),
    (S.RETURN_SHIPPED, S.REFUNDED): frozenset({STORE, SYSTEM}),
    (S.RETURN_SHIPPED, S.REJECTED): frozenset({STORE}),
    (S.REJECTED, S.ESCALATED): frozenset({BUYER}),
    (S.REJECTED, S.CLOSED): frozenset({BUYER, SYSTEM}),
    (S.ESCALATED, S.REFUNDED): frozenset({OPERATOR}),
    # The marketplace grants a refund that follows the goods' return (the buyer asked to send them back).
    (S.ESCALATED, S.ACCEPTED): frozenset({OPERATOR}),
    (S.ESCALATED, S.CLOSED): frozenset({OPERATOR}),
}

# Before receipt is confirmed: paid, on its way, or delivered but not yet completed.
REQUESTABLE_ORDER_STATUSES = frozenset({OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED})
# A paused protection window resumes with at least this much time, so the buyer can still react.
MIN_RESUMED_WINDOW = dt.timedelta(days=1)


def can_move(current: str, target: str, by: str) -> bool:
    return by in TRANSITIONS.get((current, target), frozenset())


def check_move(current: str, target: str, by: str) -> None:
    """Raise ``refund_request.illegal_transition`` (409) unless ``by`` may move a request to ``target``."""
    if can_move(current, target, by):
        return
    raise DomainError("refund_request.illegal_transition",
                      _("A refund request that is “%(current)s” cannot become “%(target)s”.") % {
                          "current": S(current).label, "target": S(target).label},
                      status=409, fields={"status": [S(current).label]})


def moves_for(current: str, by: str) -> list[str]:
    return [target for (source, target), actors in TRANSITIONS.items() if source == current and by in actors]


# What each side can do to a request, named as the API and the pages name it: the statuses it can be
# done from, and (for the state machine) the status it leads to.
ACTIONS: dict[str, tuple[str, frozenset[str], str | None]] = {
    "accept": (STORE, frozenset({S.OPEN}), None),  # accepted or refunded, by ``accepted_target``
    "reject": (STORE, frozenset({S.OPEN, S.RETURN_SHIPPED}), S.REJECTED),
    "confirm_return": (STORE, frozenset({S.RETURN_SHIPPED}), S.REFUNDED),
    "return": (BUYER, frozenset({S.ACCEPTED}), S.RETURN_SHIPPED),
    "escalate": (BUYER, frozenset({S.REJECTED}), S.ESCALATED),
    "withdraw": (BUYER, frozenset({S.OPEN, S.ACCEPTED, S.REJECTED}), S.CLOSED),
    "decide": (OPERATOR, frozenset({S.ESCALATED}), None),
}

# How the error above names an action with more than one outcome.
ACTION_WORDS = {"accept": gettext_lazy("accepted"), "decide": gettext_lazy("decided")}


def actions_for(status: str, by: str) -> list[str]:
    """The actions ``by`` may take on a request in ``status`` now (what the pages offer as buttons)."""
    return [name for name, (side, sources, _target) in ACTIONS.items() if side == by and status in sources]


def check_action(current: str, action: str) -> None:
    """Raise ``refund_request.illegal_transition`` (409) unless ``action`` can be taken in ``current``
    (confirming a return needs goods on their way back, even though accepting also leads to a refund)."""
    _side, sources, target = ACTIONS[action]
    if current in sources:
        return
    if target is None:  # an action with more than one outcome: name the action, not one of them
        message = _("A refund request that is “%(current)s” cannot be %(action)s now.") % {
            "current": S(current).label, "action": ACTION_WORDS[action]}
    else:
        message = _("A refund request that is “%(current)s” cannot become “%(target)s”.") % {
            "current": S(current).label, "target": S(target).label}
    raise DomainError("refund_request.illegal_transition", message, status=409,
                      fields={"status": [S(current).label]})


def due_after(status: str, now: dt.datetime) -> dt.datetime | None:
    """The deadline of the step a request enters (``None`` for a step nobody has to take by a date)."""
    days = {S.OPEN: settings.REFUND_RESPONSE_DAYS, S.ACCEPTED: settings.REFUND_RETURN_DAYS,
            S.RETURN_SHIPPED: settings.REFUND_RETURN_CONFIRM_DAYS, S.REJECTED: settings.REFUND_ESCALATION_DAYS}.get(status)
    return now + dt.timedelta(days=days) if days is not None else None


def accepted_target(goods_return: bool) -> str:
    """Accepting sends the buyer to return the goods, or refunds at once when nothing comes back."""
    return S.ACCEPTED if goods_return else S.REFUNDED


def resumed_auto_confirm(*, now: dt.datetime, left: dt.timedelta | None,
                         current: dt.datetime | None) -> dt.datetime | None:
    """When receipt is confirmed automatically after a request closed without a full refund: the time
    that was left when it paused (or the window the order got when it shipped during the request), and
    never less than ``MIN_RESUMED_WINDOW`` from now."""
    if left is not None:
        return now + max(left, MIN_RESUMED_WINDOW)
    if current is not None:
        return max(current, now + MIN_RESUMED_WINDOW)
    return None


def _invalid(field: str, message: str) -> DomainError:
    return DomainError("refund_request.invalid", message, fields={field: [message]})


def clean_amount(raw, *, refundable: Money, field: str = "amount") -> Money:
    """A positive amount in the order's store currency, no more than is still refundable."""
    return clean_refund_amount(raw, refundable=refundable, code="refund_request.invalid", field=field)


def clean_reason(raw) -> str:
    value = str(raw or "").strip()
    if value not in RefundReason.values:
        raise _invalid("reason", _("Choose a reason."))
    return value


def clean_text(raw, *, field: str, required: bool, limit: int = 1000, message: str = "") -> str:
    text = str(raw or "").strip()
    if required and not text:
        raise _invalid(field, message or _("Tell us why."))
    if len(text) > limit:
        raise _invalid(field, _("Keep it under %(limit)s characters.") % {"limit": limit})
    return text


def check_requestable(*, order_status: str, refundable: Money) -> None:
    """A buyer asks for money back only before receipt is confirmed, and only while some is left."""
    if order_status not in REQUESTABLE_ORDER_STATUSES:
        raise DomainError("refund_request.not_allowed",
                          _("A refund can be requested only for a paid order whose receipt is not yet confirmed."),
                          status=409)
    if not refundable:
        raise DomainError("refund_request.nothing_to_refund", _("Nothing is left to refund on this order."),
                          status=409)
