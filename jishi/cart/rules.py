"""Cart rules, pure: how many of a thing may go in a cart and what a line must tell the shopper.

A cart never reserves stock (checkout does, atomically); it only warns. Every time a cart is shown each
line is checked against the current price, stock, per-buyer limit and availability.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from jishi.core.errors import DomainError, field_error

MAX_QUANTITY = 999
MAX_LINES = 200


def clean_quantity(raw, *, field: str = "quantity") -> int:
    if isinstance(raw, bool) or isinstance(raw, float) and not raw.is_integer():
        raise field_error("cart.invalid_quantity", field, _("Enter a whole number of items."))
    try:
        quantity = int(str(raw).strip()) if not isinstance(raw, int) else raw
    except (TypeError, ValueError):
        raise field_error("cart.invalid_quantity", field, _("Enter a whole number of items."))
    if not 1 <= quantity <= MAX_QUANTITY:
        raise field_error("cart.invalid_quantity", field,
                          _("Choose between 1 and %(max)s items.") % {"max": MAX_QUANTITY})
    return quantity


@dataclass(frozen=True)
class LineState:
    """What is true of one cart line right now."""

    quantity: int
    stock: int
    for_sale: bool
    price_now: Decimal
    seen_price: Decimal
    limit_left: int | None = None  # units the buyer may still order under a per-buyer limit

    @property
    def problem(self) -> str | None:
        """Why the line cannot be bought as it is, or None: unavailable, out_of_stock, short, over_limit."""
        if not self.for_sale:
            return "unavailable"
        if self.stock <= 0:
            return "out_of_stock"
        if self.quantity > self.stock:
            return "short"
        if self.limit_left is not None and self.quantity > self.limit_left:
            return "over_limit"
        return None

    @property
    def price_changed(self) -> bool:
        return self.price_now != self.seen_price


def check_room(*, wanted: int, stock: int, limit_left: int | None, field: str = "quantity") -> None:
    """Refuse putting ``wanted`` units of a variant in the cart when the store or a limit cannot honour it."""
    if stock <= 0:
        raise DomainError("cart.out_of_stock", _("This item is out of stock."), status=409,
                          fields={field: [_("This item is out of stock.")]})
    if wanted > stock:
        message = _("Only %(count)s left.") % {"count": stock}
        raise DomainError("cart.insufficient_stock", message, status=409, fields={field: [message]})
    if limit_left is not None and wanted > limit_left:
        message = (_("Limit reached: you may buy %(count)s more of this item.") % {"count": limit_left}
                   if limit_left else _("Limit reached: you have bought as many of this item as one buyer may."))
        raise DomainError("cart.over_limit", message, status=409, fields={field: [message]})
