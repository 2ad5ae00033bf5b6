"""Writes for carts: lines in, quantities changed, lines saved for later, and the merge at sign-in.

A cart never reserves stock; it refuses quantities the store cannot honour right now (stock and the
per-buyer limit) so shoppers learn early, and checkout checks again under lock. Anonymous carts are
keyed by a random token kept in the browser session; signing in merges them into the account's cart.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jishi.cart.models import Cart, CartLine
from jishi.cart.rules import MAX_LINES, MAX_QUANTITY, check_room, clean_quantity
from jishi.catalog.selectors import get_variants_for_sale
from jishi.core import clock
from jishi.core.errors import DomainError, NotFound, field_error
from jishi.core.ids import parse_id
from jishi.orders.selectors import units_held_by_buyer

ABANDONED_AFTER = dt.timedelta(days=30)


def get_or_create_user_cart(*, user) -> Cart:
    cart = Cart.objects.filter(user=user).first()
    if cart is not None:
        return cart
    try:
        with transaction.atomic():
            return Cart.objects.create(user=user)
    except IntegrityError:
        return Cart.objects.get(user=user)


def create_anonymous_cart() -> Cart:
    return Cart.objects.create(token=secrets.token_urlsafe(32))


def _limit_left(buyer, variant) -> int | None:
    if variant.per_buyer_limit is None:
        return None
    held = units_held_by_buyer(buyer=buyer, variant_ids=[variant.id]).get(variant.id, 0)
    return max(0, variant.per_buyer_limit - held)


def _line(cart: Cart, line_id) -> CartLine:
    line = CartLine.objects.select_related("variant").filter(cart=cart, pk=parse_id(line_id)).first()
    if line is None:
        raise NotFound("cart.line_not_found", _("This item is not in your cart."))
    return line


def _parse_variant_id(raw) -> int:
    variant_id = parse_id(raw) if isinstance(raw, int) or (isinstance(raw, str) and raw.strip().isdigit()) else 0
    if not variant_id:
        raise field_error("cart.invalid", "variant_id", _("Choose an option of the product."))
    return variant_id


def add_line(*, cart: Cart, variant_id, quantity=1, language: str = "en") -> CartLine:
    """Put ``quantity`` units of a variant in the cart (added to a line already there).

    Raises ``cart.invalid`` / ``cart.invalid_quantity`` (422), ``cart.not_for_sale`` (404),
    ``cart.out_of_stock`` / ``cart.insufficient_stock`` / ``cart.over_limit`` / ``cart.full`` (409).
    """
    variant_id = _parse_variant_id(variant_id)
    quantity = clean_quantity(quantity)
    item = get_variants_for_sale([variant_id], language).get(variant_id)
    if item is None or not item.is_for_sale:
        raise DomainError("cart.not_for_sale", _("This item is not for sale."), status=404,
                          fields={"variant_id": [_("This item is not for sale.")]})
    variant = item.variant
    with transaction.atomic():
        existing = CartLine.objects.select_for_update().filter(cart=cart, variant=variant).first()
        wanted = quantity + (existing.quantity if existing else 0)
        if wanted > MAX_QUANTITY:
            raise field_error("cart.invalid_quantity", "quantity",
                              _("Choose between 1 and %(max)s items.") % {"max": MAX_QUANTITY})
        check_room(wanted=wanted, stock=variant.stock, limit_left=_limit_left(cart.user, variant))
        now = clock.now()
        if existing is not None:
            CartLine.objects.filter(pk=existing.pk).update(quantity=wanted, saved_for_later=False, updated_at=now)
            existing.quantity, existing.saved_for_later = wanted, False
            line = existing
        else:
            if CartLine.objects.filter(cart=cart).count() >= MAX_LINES:
                raise DomainError("cart.full", _("A cart holds at most %(max)s different items.") % {"max": MAX_LINES},
                                  status=409)
            line = CartLine.objects.create(cart=cart, variant=variant, quantity=quantity, seen_price=variant.price)
        Cart.objects.filter(pk=cart.pk).update(updated_at=now)
    return line


def change_line(*, cart: Cart, line_id, quantity=None, saved_for_later: bool | None = None) -> CartLine:
    """Set a line's quantity and/or move it to "saved for later" and back.

    Raises ``cart.line_not_found`` (404), ``cart.invalid_quantity`` (422) and, for a larger quantity than
    the store can honour, ``cart.insufficient_stock`` / ``cart.over_limit`` (409).
    """
    line = _line(cart, line_id)
    changes: dict = {}
    if quantity is not None:
        changes["quantity"] = clean_quantity(quantity)
        if changes["quantity"] > line.quantity:
            check_room(wanted=changes["quantity"], stock=line.variant.stock,
                       limit_left=_limit_left(cart.user, line.variant))
    if saved_for_later is not None:
        if not isinstance(saved_for_later, bool):
            raise field_error("cart.invalid", "saved_for_later", _("Choose yes or no."))
        changes["saved_for_later"] = saved_for_later
    if changes:
        CartLine.objects.filter(pk=line.pk).update(updated_at=clock.now(), **changes)
        for name, value in changes.items():
            setattr(line, name, value)
    return line


def remove_line(*, cart: Cart, line_id) -> None:
    line = _line(cart, line_id)
    CartLine.objects.filter(pk=line.pk).delete()


def remove_lines(*, cart: Cart, line_ids) -> int:
    """Remove several lines at once (the unavailable ones, or what was just ordered)."""
    deleted, _counts = CartLine.objects.filter(cart=cart, pk__in=list(line_ids)).delete()
    return deleted


def remove_ordered_lines(*, cart: Cart, variant_ids) -> int:
    """After checkout: the lines just ordered leave the cart (lines saved for later stay)."""
    deleted, _counts = CartLine.objects.filter(cart=cart, saved_for_later=False, variant_id__in=list(variant_ids)).delete()
    return deleted


def merge_carts(*, source: Cart | None, user) -> Cart:
    """At sign-in: move an anonymous cart's lines into the account's cart, then drop the anonymous cart.

    A variant in both keeps the larger quantity (the same item added on two devices is one purchase,
    not two); lines keep their "saved for later" state from the account's cart when both have them.
    """
    target = get_or_create_user_cart(user=user)
    if source is None or source.pk == target.pk or source.user_id is not None:
        return target
    with transaction.atomic():
        theirs = {line.variant_id: line for line in CartLine.objects.filter(cart=target)}
        moved, raised = [], []
        for line in CartLine.objects.filter(cart=source):
            mine = theirs.get(line.variant_id)
            if mine is None:
                moved.append(line.pk)
            elif line.quantity > mine.quantity:
                mine.quantity, mine.updated_at = line.quantity, clock.now()
                raised.append(mine)
        room = max(0, MAX_LINES - len(theirs))
        CartLine.objects.filter(pk__in=moved[:room]).update(cart=target)
        CartLine.objects.bulk_update(raised, ["quantity", "updated_at"])
        source.delete()
    return target


def purge_abandoned_carts() -> int:
    """Anonymous carts untouched for 30 days belong to sessions that are gone."""
    cutoff = clock.now() - ABANDONED_AFTER
    _deleted, counts = Cart.objects.filter(user__isnull=True, updated_at__lt=cutoff).delete()
    return counts.get(Cart._meta.label, 0)
