"""Reads for carts: the cart as the shopper sees it, checked against today's prices, stock and limits.

Built in a fixed number of queries whatever the cart holds: the lines, their variants with product and
store, titles and thumbnails, and (only when a line has a per-buyer limit) the buyer's open orders.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils.translation import gettext as _

from jishi.cart.models import Cart, CartLine
from jishi.cart.rules import LineState
from jishi.catalog.models import ProductStatus
from jishi.catalog.selectors import VariantForSale, get_variants_for_sale
from jishi.money.formatting import format_money
from jishi.money.rules import Money
from jishi.money.selectors import get_rate_table
from jishi.orders.selectors import units_held_by_buyer
from jishi.stores.models import StoreStatus


def get_cart(*, user=None, token: str | None = None) -> Cart | None:
    """The signed-in user's cart, else the anonymous cart with ``token``; None when there is none yet."""
    if user is not None and user.is_authenticated:
        return Cart.objects.filter(user=user).first()
    if token:
        return Cart.objects.filter(token=token, user__isnull=True).first()
    return None


def count_items(*, cart: Cart | None = None, user=None, token: str | None = None) -> int:
    """Units that can be checked out (the number in the header): not saved for later, and not of
    withdrawn products or suspended stores. Give the cart, or its owner (a user, or an anonymous
    cart's token): either way one query."""
    lines = CartLine.objects.filter(saved_for_later=False, variant__product__status=ProductStatus.ACTIVE,
                                    variant__product__store__status=StoreStatus.ACTIVE)
    if cart is not None:
        lines = lines.filter(cart=cart)
    elif user is not None and user.is_authenticated:
        lines = lines.filter(cart__user=user)
    elif token:
        lines = lines.filter(cart__token=token, cart__user__isnull=True)
    else:
        return 0
    return lines.aggregate(n=Sum("quantity"))["n"] or 0


@dataclass
class LineView:
    line: CartLine
    item: VariantForSale
    state: LineState

    @property
    def id(self) -> int:
        return self.line.id

    @property
    def quantity(self) -> int:
        return self.line.quantity

    @property
    def unit_price(self) -> Money:
        return Money(self.state.price_now, self.item.variant.currency)

    @property
    def total(self) -> Money:
        return self.unit_price * self.line.quantity

    @property
    def problem(self) -> str | None:
        return self.state.problem

    @property
    def notices(self) -> list[str]:
        """What changed since the shopper added the line, in their language."""
        state, notes = self.state, []
        if state.price_changed:
            notes.append(_("Price changed from %(was)s to %(now)s.") % {
                "was": format_money(Money(state.seen_price, self.item.variant.currency)),
                "now": format_money(self.unit_price)})
        problem = state.problem
        if problem == "unavailable":
            notes.append(_("No longer available: the product was withdrawn or its store is closed."))
        elif problem == "out_of_stock":
            notes.append(_("Out of stock."))
        elif problem == "short":
            notes.append(_("Only %(count)s left.") % {"count": state.stock})
        elif problem == "over_limit":
            notes.append(_("Limited to %(count)s more per buyer.") % {"count": state.limit_left})
        elif state.stock <= 5:
            notes.append(_("Only %(count)s left.") % {"count": state.stock})
        return notes


@dataclass
class StoreGroup:
    store: object
    lines: list[LineView]
    display_currency: str
    rates: object

    @property
    def subtotal(self) -> Money:
        return sum((line.total for line in self.lines), Money.zero(self.store.base_currency_id))

    @property
    def subtotal_display(self) -> Money | None:
        """The subtotal converted to the shopper's display currency, when it differs and a rate is known."""
        subtotal = self.subtotal
        if (self.display_currency == subtotal.currency or not self.rates.can_convert(self.display_currency)
                or not self.rates.can_convert(subtotal.currency)):
            return None
        return self.rates.convert(subtotal, self.display_currency)

    @property
    def can_check_out(self) -> bool:
        return all(line.problem is None for line in self.lines)


@dataclass
class CartView:
    cart: Cart | None
    display_currency: str
    groups: list[StoreGroup] = field(default_factory=list)
    saved: list[LineView] = field(default_factory=list)
    unavailable: list[LineView] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(line.quantity for group in self.groups for line in group.lines)

    @property
    def is_empty(self) -> bool:
        return not (self.groups or self.saved or self.unavailable)

    @property
    def can_check_out(self) -> bool:
        return bool(self.groups) and all(group.can_check_out for group in self.groups)

    @property
    def total_display(self) -> Money | None:
        """Everything in the cart, in the display currency (approximate: checkout fixes the rate)."""
        rates = get_rate_table()
        if not self.groups or not rates.can_convert(self.display_currency):
            return None
        total = Money.zero(self.display_currency)
        for group in self.groups:
            if not rates.can_convert(group.subtotal.currency):
                return None
            total += rates.convert(group.subtotal, self.display_currency)
        return total


def get_cart_view(*, cart: Cart | None, language: str, display_currency: str) -> CartView:
    view = CartView(cart=cart, display_currency=display_currency)
    if cart is None:
        return view
    lines = list(CartLine.objects.filter(cart=cart).order_by("created_at", "id"))
    items = get_variants_for_sale([line.variant_id for line in lines], language)
    limited = [v_id for v_id, item in items.items() if item.variant.per_buyer_limit is not None]
    held = units_held_by_buyer(buyer=cart.user, variant_ids=limited) if limited and cart.user_id else {}
    rates = get_rate_table()
    groups: dict[int, StoreGroup] = {}
    for line in lines:
        item = items[line.variant_id]
        variant = item.variant
        limit_left = (max(0, variant.per_buyer_limit - held.get(variant.id, 0))
                      if variant.per_buyer_limit is not None else None)
        state = LineState(quantity=line.quantity, stock=variant.stock, for_sale=item.is_for_sale,
                          price_now=variant.price, seen_price=line.seen_price, limit_left=limit_left)
        line_view = LineView(line=line, item=item, state=state)
        if not item.is_for_sale:
            view.unavailable.append(line_view)
        elif line.saved_for_later:
            view.saved.append(line_view)
        else:
            store = item.store
            groups.setdefault(store.id, StoreGroup(store=store, lines=[], display_currency=display_currency,
                                                   rates=rates)).lines.append(line_view)
    view.groups = list(groups.values())
    return view
