"""The signed-in shopper's cart: lines grouped per store, saved for later, and what stands in the way."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.utils import translation
from ninja import Router, Schema, Status

from jishi.accounts.middleware import display_currency_for
from jishi.api.catalog import StoreRef
from jishi.api.schemas import ErrorOut, Quantity
from jishi.cart import services
from jishi.cart.selectors import CartView, LineView, get_cart_view
from jishi.money.rules import Money, quantize

router = Router(tags=["cart"])


class CartLineOut(Schema):
    id: int
    variant_id: int
    product_id: int
    sku: str
    title: str
    options: dict[str, str]
    quantity: int
    unit_price: Decimal
    currency: str
    line_total: Decimal
    seen_price: Decimal
    stock: int
    problem: Literal["unavailable", "out_of_stock", "short", "over_limit"] | None
    notices: list[str]
    thumbnail_url: str | None


class CartGroupOut(Schema):
    store: StoreRef
    lines: list[CartLineOut]
    subtotal: Decimal
    currency: str
    subtotal_display: Decimal | None
    display_currency: str
    can_check_out: bool


class CartOut(Schema):
    groups: list[CartGroupOut]
    saved: list[CartLineOut]
    unavailable: list[CartLineOut]
    count: int
    total_display: Decimal | None
    display_currency: str


class CartLineIn(Schema):
    variant_id: int
    quantity: Quantity = 1


class CartLinePatch(Schema):
    quantity: Quantity | None = None
    saved_for_later: bool | None = None


def display_currency(request) -> str:
    """The shopper's display currency. The middleware chose it before a bearer token named the caller,
    so it is chosen again now that the caller is known (their saved preference counts)."""
    if getattr(request, "display_currency", None) is None:
        return settings.DEFAULT_DISPLAY_CURRENCY
    return display_currency_for(request)


def _money(money: Money | None) -> Decimal | None:
    return None if money is None else quantize(money.amount, money.currency)


def _line_out(view: LineView) -> CartLineOut:
    variant = view.item.variant
    return CartLineOut(
        id=view.id, variant_id=variant.id, product_id=variant.product_id, sku=variant.sku, title=view.item.title,
        options=variant.options or {}, quantity=view.quantity, unit_price=_money(view.unit_price),
        currency=variant.currency, line_total=_money(view.total),
        seen_price=quantize(view.line.seen_price, variant.currency), stock=variant.stock, problem=view.problem,
        notices=view.notices, thumbnail_url=view.item.thumbnail_url or None)


def cart_out(view: CartView) -> CartOut:
    groups = []
    for group in view.groups:
        store, subtotal = group.store, group.subtotal
        groups.append(CartGroupOut(
            store=StoreRef(slug=store.slug, name=store.name, country=store.country),
            lines=[_line_out(line) for line in group.lines], subtotal=_money(subtotal), currency=subtotal.currency,
            subtotal_display=_money(group.subtotal_display), display_currency=view.display_currency,
            can_check_out=group.can_check_out))
    return CartOut(groups=groups, saved=[_line_out(line) for line in view.saved],
                   unavailable=[_line_out(line) for line in view.unavailable], count=view.count,
                   total_display=_money(view.total_display), display_currency=view.display_currency)


def _render(request, cart) -> CartOut:
    view = get_cart_view(cart=cart, language=translation.get_language() or "en",
                         display_currency=display_currency(request))
    return cart_out(view)


@router.get("", response=CartOut)
def get_cart(request):
    """The caller's cart: one group per store (what checkout places as one order each), the lines saved
    for later, and the lines that can no longer be bought. Each line says what changed since it was added."""
    return _render(request, services.get_or_create_user_cart(user=request.auth))


@router.post("/lines", response={201: CartOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def add_line(request, payload: CartLineIn):
    """Put units of a variant in the cart (added to the line already holding it). Stock is not reserved."""
    cart = services.get_or_create_user_cart(user=request.auth)
    services.add_line(cart=cart, variant_id=payload.variant_id, quantity=payload.quantity,
                      language=translation.get_language() or "en")
    return Status(201, _render(request, cart))


@router.patch("/lines/{line_id}", response={200: CartOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def change_line(request, line_id: int, payload: CartLinePatch):
    """Change a line's quantity, or move it to "saved for later" (``saved_for_later: true``) and back."""
    cart = services.get_or_create_user_cart(user=request.auth)
    data = payload.dict(exclude_unset=True)
    services.change_line(cart=cart, line_id=line_id, quantity=data.get("quantity"),
                         saved_for_later=data.get("saved_for_later"))
    return _render(request, cart)


@router.delete("/lines/{line_id}", response={204: None, 404: ErrorOut})
def remove_line(request, line_id: int):
    services.remove_line(cart=services.get_or_create_user_cart(user=request.auth), line_id=line_id)
    return Status(204, None)
