"""The order state machine, pure: which moves exist and who may make them.

    pending_payment ──paid──▶ paid ──shipped──▶ shipped ──delivered──▶ delivered ──▶ completed
          │                    │
          └──────cancelled◀────┘

Only the system marks an order paid (``services.mark_paid``, called by payments) or completes it; the
buyer cancels before payment and confirms receipt; the store cancels before shipment and ships; the
system also expires unpaid orders and confirms receipt when the protection window ends. Any other
move is refused with ``order.illegal_transition`` (409). The marketplace's staff (``OPERATOR``) move an
order only through a decision on its money (a refund), with the system's powers; the order's history
still names them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from jishi.core.errors import DomainError
from jishi.orders.models import Actor, OrderStatus

# Who acts on an order, one vocabulary for orders, payments and buyer protection.
BUYER, STORE, OPERATOR, SYSTEM = Actor.BUYER.value, Actor.STORE.value, Actor.OPERATOR.value, Actor.SYSTEM.value

TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID): frozenset({SYSTEM}),
    (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED): frozenset({BUYER, STORE, SYSTEM}),
    (OrderStatus.PAID, OrderStatus.SHIPPED): frozenset({STORE}),
    (OrderStatus.PAID, OrderStatus.CANCELLED): frozenset({STORE, SYSTEM}),
    (OrderStatus.SHIPPED, OrderStatus.DELIVERED): frozenset({BUYER, SYSTEM}),
    (OrderStatus.DELIVERED, OrderStatus.COMPLETED): frozenset({SYSTEM}),
    # Refunded in full after shipment (payments.refunds.refund_order).
    (OrderStatus.SHIPPED, OrderStatus.REFUNDED): frozenset({SYSTEM}),
    (OrderStatus.DELIVERED, OrderStatus.REFUNDED): frozenset({SYSTEM}),
}

# Orders that still hold their units against a per-buyer limit.
OPEN_STATUSES = frozenset({OrderStatus.PENDING_PAYMENT, OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED})


def can_move(current: str, target: str, by: str) -> bool:
    return by in TRANSITIONS.get((current, target), frozenset())


def check_move(current: str, target: str, by: str) -> None:
    """Raise ``order.illegal_transition`` unless ``by`` may move an order from ``current`` to ``target``."""
    if can_move(current, target, by):
        return
    raise DomainError("order.illegal_transition",
                      _("An order that is “%(current)s” cannot become “%(target)s”.") % {
                          "current": OrderStatus(current).label, "target": OrderStatus(target).label},
                      status=409, fields={"status": [OrderStatus(current).label]})


def authority(by: str) -> str:
    """The side of the table whose moves ``by`` may make: the operator's are the system's."""
    return SYSTEM if by == OPERATOR else by


def moves_for(current: str, by: str) -> list[str]:
    """The statuses ``by`` may move an order in ``current`` to (what the pages offer as buttons)."""
    return [target for (source, target), actors in TRANSITIONS.items() if source == current and by in actors]


def returns_stock(current: str, target: str) -> bool:
    """Cancelling before shipment puts the reserved units back on sale."""
    return target == OrderStatus.CANCELLED and current in (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID)


def clean_tracking(*, carrier, tracking_number) -> tuple[str, str]:
    carrier = str(carrier or "").strip()
    tracking = str(tracking_number or "").strip().replace(" ", "")
    fields: dict[str, list[str]] = {}
    if not 2 <= len(carrier) <= 64:
        fields["carrier"] = [_("Name the carrier (2 to 64 characters).")]
    if not (4 <= len(tracking) <= 64 and all(ch.isascii() and (ch.isalnum() or ch in "-_/.") for ch in tracking)):
        fields["tracking_number"] = [_("Enter the tracking number (4 to 64 letters and digits).")]
    if fields:
        raise DomainError("order.invalid", next(iter(fields.values()))[0], fields=fields)
    return carrier, tracking


def clean_reason(reason, *, required: bool) -> str:
    text = str(reason or "").strip()
    if required and not text:
        raise DomainError("order.invalid", _("Give the buyer a reason."), fields={"reason": [_("Give the buyer a reason.")]})
    if len(text) > 500:
        raise DomainError("order.invalid", _("Keep the reason under 500 characters."),
                          fields={"reason": [_("Keep the reason under 500 characters.")]})
    return text
