"""Reads for checkout: price what the shopper is about to buy, and say precisely what stands in the way.

``quote_lines`` checks every requested line (exists, for sale, in stock now, within the per-buyer limit)
and prices the whole checkout in a fixed number of queries; it reserves nothing. The placing service
checks stock again under lock.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from jishi.cart.models import CartLine
from jishi.cart.rules import MAX_QUANTITY
from jishi.catalog.models import ProductStatus
from jishi.catalog.selectors import get_variants_for_sale
from jishi.checkout.rules import MAX_LINES, PricedLine, Quote, build_quote
from jishi.core.errors import DomainError
from jishi.core.ids import parse_id
from jishi.money.rules import Money, UnknownCurrency, normalize_code
from jishi.money.selectors import RateTable, get_rate_table, list_currency_codes
from jishi.orders.selectors import units_held_by_buyer
from jishi.stores.models import StoreStatus


def clean_lines(raw) -> list[tuple[int, int]]:
    """Explicit "buy now" lines ``[{variant_id, quantity}]`` as (variant id, quantity), duplicates merged."""
    if not isinstance(raw, list | tuple) or not raw:
        raise DomainError("checkout.invalid", _("Choose at least one item."), fields={"lines": [_("Choose at least one item.")]})
    if len(raw) > MAX_LINES:
        message = _("Check out at most %(max)s items at once.") % {"max": MAX_LINES}
        raise DomainError("checkout.invalid", message, fields={"lines": [message]})
    fields: dict[str, list[str]] = {}
    merged: dict[int, int] = {}
    for index, item in enumerate(raw):
        item = item if isinstance(item, dict) else {}
        variant_id, quantity = item.get("variant_id"), item.get("quantity", 1)
        if not isinstance(variant_id, int | str) or not str(variant_id).isdigit() or not parse_id(variant_id):
            fields[f"lines.{index}.variant_id"] = [_("Choose an option of the product.")]
            continue
        if isinstance(quantity, bool) or not isinstance(quantity, int | str) or not str(quantity).isdigit() \
                or not 1 <= int(quantity) <= MAX_QUANTITY:
            fields[f"lines.{index}.quantity"] = [_("Choose between 1 and %(max)s items.") % {"max": MAX_QUANTITY}]
            continue
        merged[int(variant_id)] = merged.get(int(variant_id), 0) + int(quantity)
    if fields:
        raise DomainError("checkout.invalid", next(iter(fields.values()))[0], fields=fields)
    return list(merged.items())


def cart_lines(cart) -> list[tuple[int, int]]:
    """What checking out the cart buys: every line not saved for later, except those the cart sets apart
    as unavailable (product withdrawn or store suspended), which are not part of the order."""
    if cart is None:
        return []
    return list(CartLine.objects.filter(cart=cart, saved_for_later=False, variant__product__status=ProductStatus.ACTIVE,
                                        variant__product__store__status=StoreStatus.ACTIVE)
                .order_by("created_at", "id").values_list("variant_id", "quantity"))


def clean_charge_currency(code, rates: RateTable | None = None) -> str:
    try:
        code = normalize_code(code or "")
    except UnknownCurrency:
        code = ""
    if code not in list_currency_codes() or not (rates or get_rate_table()).can_convert(code):
        raise DomainError("checkout.invalid", _("Choose a currency the marketplace supports."),
                          fields={"charge_currency": [_("Choose a currency the marketplace supports.")]})
    return code


def quote_lines(*, buyer, lines: list[tuple[int, int]], charge_currency: str, language: str,
                field_prefix: str = "lines", thumbnails: bool = True) -> Quote:
    """Price ``lines`` (variant id, quantity) for ``buyer`` in ``charge_currency``.

    Raises ``checkout.empty`` (422), ``checkout.unavailable`` (409) naming each line that cannot be
    bought as asked (not for sale, out of stock with what is left, over the per-buyer limit).
    """
    if not lines:
        raise DomainError("checkout.empty", _("Your cart is empty."), fields={field_prefix: [_("Your cart is empty.")]})
    rates = get_rate_table()  # read once: each read asks the shared cache whether the rates changed
    charge_currency = clean_charge_currency(charge_currency, rates)
    items = get_variants_for_sale([variant_id for variant_id, _q in lines], language, thumbnails=thumbnails)
    limited = [v for v, item in items.items() if item.variant.per_buyer_limit is not None]
    held = units_held_by_buyer(buyer=buyer, variant_ids=limited) if limited else {}
    problems: dict[str, list[str]] = {}
    priced: list[PricedLine] = []
    for index, (variant_id, quantity) in enumerate(lines):
        item = items.get(variant_id)
        where = f"{field_prefix}.{index}"
        if item is None or not item.is_for_sale:
            problems[f"{where}.variant_id"] = [_("This item is no longer for sale.")]
            continue
        variant = item.variant
        if not rates.can_convert(variant.currency):
            problems[f"{where}.variant_id"] = [
                _("This store's currency cannot be converted right now; try again later.")]
            continue
        if quantity > variant.stock:
            problems[f"{where}.quantity"] = [
                _("Out of stock.") if variant.stock <= 0 else
                _("Only %(count)s left of %(title)s.") % {"count": variant.stock, "title": item.title}]
            continue
        if variant.per_buyer_limit is not None:
            left = max(0, variant.per_buyer_limit - held.get(variant_id, 0))
            if quantity > left:
                problems[f"{where}.quantity"] = [
                    _("Limited to %(limit)s per buyer; you may buy %(left)s more.") % {
                        "limit": variant.per_buyer_limit, "left": left}]
                continue
        priced.append(PricedLine(
            variant_id=variant.id, product_id=variant.product_id, sku=variant.sku, title=item.title,
            options=variant.options, unit_price=Money(variant.price, variant.currency), quantity=quantity,
            weight_grams=variant.weight_grams, hs_code=variant.hs_code, origin_country=variant.origin_country,
            thumbnail_url=item.thumbnail_url, per_buyer_limit=variant.per_buyer_limit,
            category_id=item.product.category_id))
    if problems:
        raise DomainError("checkout.unavailable", next(iter(problems.values()))[0], status=409, fields=problems)
    stores = {item.store.id: item.store for item in items.values()}
    return build_quote(
        lines=priced, stores=stores, store_of={v: item.store.id for v, item in items.items()},
        shipping_rates={store_id: Money(store.shipping_rate, store.base_currency_id) for store_id, store in stores.items()},
        charge_currency=charge_currency, per_eur=rates.per_eur, rates_as_of=rates.as_of)
