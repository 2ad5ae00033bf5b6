"""Checkout: turn a cart (or "buy now" lines) into one order group and one order per store, atomically.

The write path is kept short, as the design asks: everything is read, validated and priced first;
then one transaction locks the buyer (only when a per-buyer limit applies), writes the orders, and
takes the hot rows last and in primary-key order — one conditional ``UPDATE … WHERE stock >= q`` per
variant, then the products' stock summaries — just before it commits, so they are held as briefly as
possible. Mail and jobs run after commit. If any line cannot be reserved nothing is placed (the orders
roll back with the rest), and the error names each such line with what is left.
"""

from __future__ import annotations

import time

from django.db import OperationalError
from django.utils.translation import gettext as _

from jishi.accounts.models import User
from jishi.accounts.rules import ADDRESS_FIELDS, clean_address
from jishi.accounts.selectors import get_address_fields
from jishi.accounts.services import create_address
from jishi.cart.selectors import get_cart
from jishi.cart.services import remove_ordered_lines
from jishi.catalog.services import reserve_stock
from jishi.checkout.rules import Quote
from jishi.checkout.selectors import cart_lines, clean_lines, clean_methods, quote_lines
from jishi.core.errors import DomainError
from jishi.core.ids import parse_id
from jishi.core.transactions import atomic_part, in_atomic_whole
from jishi.orders.models import OrderGroup
from jishi.orders.selectors import units_held_by_buyer
from jishi.orders.services import create_order_group
from jishi.shipping.selectors import problem_message
from jishi.tax.selectors import regional_taxes_in_force

LOCK_RETRIES = 3
# PostgreSQL: deadlock_detected, serialization_failure.
CONTENTION_SQLSTATES = frozenset({"40P01", "40001"})


def resolve_address(*, buyer, address_id=None, address: dict | None = None) -> dict:
    """The shipping address as frozen into orders: one from the buyer's book, or a new one (checked)."""
    if address_id not in (None, ""):
        number = parse_id(address_id)
        found = get_address_fields(user=buyer, address_id=number, fields=ADDRESS_FIELDS) if number else None
        if found is None:
            raise DomainError("checkout.invalid", _("Choose one of your addresses."),
                              fields={"address_id": [_("Choose one of your addresses.")]})
        return {name: found[name] for name in ADDRESS_FIELDS}
    if not address:
        raise DomainError("checkout.invalid", _("Choose or enter a shipping address."),
                          fields={"address": [_("Choose or enter a shipping address.")]})
    cleaned, problems = clean_address(address)
    if problems:
        raise DomainError("checkout.invalid", next(iter(problems.values()))[0],
                          fields={f"address.{name}": messages for name, messages in problems.items()})
    return cleaned


def require_region(address: dict) -> None:
    """An address in a country whose taxes differ by province or state must name one (its tax is
    charged or estimated with the order); ``checkout.invalid`` as ``address.region`` otherwise."""
    country = str(address.get("country") or "").upper()
    if country and regional_taxes_in_force(country) and not str(address.get("region") or "").strip():
        message = _("Enter the state, province or territory: taxes there depend on it.")
        raise DomainError("checkout.invalid", message, fields={"address.region": [message]})


def _out_of_stock(quote: Quote, short: dict[int, int], wanted: list[tuple[int, int]]) -> DomainError:
    # Fields name each line by its position in what was asked for (as quote_lines does), not in the
    # quote, which groups lines by store.
    position_of = {variant_id: position for position, (variant_id, _quantity) in enumerate(wanted)}
    fields = {}
    for part in quote.stores:
        for line in part.lines:
            if line.variant_id in short:
                left = short[line.variant_id]
                fields[f"lines.{position_of[line.variant_id]}.quantity"] = [
                    _("Out of stock.") if left <= 0 else
                    _("Only %(count)s left of %(title)s.") % {"count": left, "title": line.title}]
    return DomainError("checkout.out_of_stock", next(iter(fields.values()))[0], status=409, fields=fields)


def _check_limits_under_lock(buyer, quote: Quote) -> None:
    """Count the buyer's open orders again while holding their row, so two checkouts by one buyer
    cannot both slip under a flash-sale limit."""
    User.objects.select_for_update().filter(pk=buyer.pk).first()
    held = units_held_by_buyer(buyer=buyer, variant_ids=list(quote.limits))
    for variant_id, limit in quote.limits.items():
        if held.get(variant_id, 0) + quote.units[variant_id] > limit:
            raise DomainError("checkout.over_limit",
                              _("Limited to %(limit)s per buyer; you may buy %(left)s more.") % {
                                  "limit": limit, "left": max(0, limit - held.get(variant_id, 0))}, status=409)


def _cannot_ship(quote: Quote) -> DomainError:
    fields = {f"stores.{part.store_id}": [problem_message(part.shipping, part.store.name)] for part in quote.blocked}
    return DomainError("checkout.cannot_ship", next(iter(fields.values()))[0], status=409, fields=fields)


def place_order_group(*, buyer, charge_currency: str, language: str = "en", lines=None, address_id=None,
                      address: dict | None = None, save_address: bool = False, methods=None,
                      skip_unshippable: bool = False) -> OrderGroup:
    """Place one order group for ``buyer``: explicit ``lines`` ("buy now"), or else the cart.

    Shipping is priced for the address's country; ``methods`` (``{store_id: kind}``) picks a store's
    shipping, else its cheapest is taken. When a store cannot ship there, nothing is placed and
    ``checkout.cannot_ship`` (409) names each such store (``stores.<id>``) — unless ``skip_unshippable``:
    then the other stores' orders are placed and that store's lines stay in the cart (the web checkout
    does this after showing the shopper which part is blocked). With no store able to ship, 409 always.

    Raises ``checkout.invalid`` (422, per-field), ``checkout.empty`` (422), ``checkout.unavailable`` /
    ``checkout.out_of_stock`` / ``checkout.over_limit`` (409, naming each line), ``checkout.cannot_ship``
    (409, naming each store), ``checkout.busy`` (503) when the database stayed locked. Lines bought from
    the cart leave it in the same transaction.
    """
    from_cart = lines is None
    cart = get_cart(user=buyer) if from_cart else None
    wanted = cart_lines(cart) if from_cart else clean_lines(lines)
    shipping_address = resolve_address(buyer=buyer, address_id=address_id, address=address)
    # Orders keep no pictures: pricing for placing skips the thumbnails' query.
    require_region(shipping_address)
    quote = quote_lines(buyer=buyer, lines=wanted, charge_currency=charge_currency, language=language,
                        thumbnails=False, country=shipping_address.get("country"), methods=clean_methods(methods),
                        region=shipping_address.get("region", ""), region_field="address.region")
    if quote.blocked and (not skip_unshippable or not quote.stores):
        raise _cannot_ship(quote)

    def place() -> OrderGroup:
        with atomic_part():
            if quote.limits:
                _check_limits_under_lock(buyer, quote)
            if save_address and address_id in (None, ""):
                create_address(user=buyer, data=shipping_address)
            group = create_order_group(buyer=buyer, quote=quote, address=shipping_address, language=language)
            if from_cart:
                remove_ordered_lines(cart=cart, variant_ids=list(quote.units))
            # The stock rows are the ones every checkout of a hot SKU queues for: take them last, so each
            # is held only from here to the commit. When one is short, the rows written above roll back.
            short = reserve_stock(quote.units, product_of=quote.product_of)
            if short:
                raise _out_of_stock(quote, short, wanted)
        return group

    if in_atomic_whole():
        # Inside a transaction that rolls back whole (an idempotent request): no savepoint, and no retry
        # here, since a failed statement spoils the whole transaction; its owner retries it whole.
        return place()
    return retry_when_locked(place)


def retry_when_locked(write):
    """Retry a write the database refused for contention, then tell the shopper to try again (503).

    SQLite has one write lock and answers "database is locked" when it stays busy past the timeout;
    PostgreSQL may pick a victim of a deadlock or a serialization conflict. Either way nothing was
    written, so the whole placing transaction can run again.
    """
    for attempt in range(LOCK_RETRIES + 1):
        try:
            return write()
        except OperationalError as error:
            if not is_contention(error):
                raise
            if attempt == LOCK_RETRIES:
                raise DomainError("checkout.busy", _("The marketplace is very busy; please try again."), status=503)
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def is_contention(error: OperationalError) -> bool:
    """A write that lost to another one and may simply be tried again."""
    if "database is locked" in str(error):
        return True
    return getattr(error.__cause__, "sqlstate", None) in CONTENTION_SQLSTATES
