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
from jishi.checkout.rules import MAX_LINES, PricedLine, Quote, build_quote, with_landed_cost
from jishi.core.countries import is_country
from jishi.core.errors import DomainError
from jishi.core.ids import parse_id
from jishi.money.rules import Money, UnknownCurrency, normalize_code
from jishi.money.selectors import RateTable, get_rate_table, list_currency_codes
from jishi.orders.selectors import units_held_by_buyer
from jishi.shipping.rules import KIND_ORDER, ShipLine
from jishi.shipping.selectors import LineToShip, get_store_templates, quote_shipping
from jishi.stores.models import StoreStatus
from jishi.tax.selectors import clean_region, currencies_for, landed_cost_for


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


def clean_country(code, *, field: str = "country") -> str:
    code = str(code or "").strip().upper()
    if not is_country(code):
        raise DomainError("checkout.invalid", _("Choose a country."), fields={field: [_("Choose a country.")]})
    return code


def clean_methods(raw) -> dict[int, str]:
    """The shipping chosen per store, ``{store_id: kind}`` (economy, standard or express)."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        raise DomainError("checkout.invalid", _("Choose economy, standard or express."),
                          fields={"methods": [_("Choose economy, standard or express.")]})
    chosen, fields = {}, {}
    for store_id, kind in raw.items():
        if not parse_id(store_id) or kind not in KIND_ORDER:
            fields[f"methods.{store_id}"] = [_("Choose economy, standard or express.")]
            continue
        chosen[parse_id(store_id)] = kind
    if fields:
        raise DomainError("checkout.invalid", next(iter(fields.values()))[0], fields=fields)
    return chosen


def quote_lines(*, buyer, lines: list[tuple[int, int]], charge_currency: str, language: str,
                field_prefix: str = "lines", thumbnails: bool = True, country: str | None = None,
                methods: dict[int, str] | None = None, region: str = "", region_field: str = "region") -> Quote:
    """Price ``lines`` (variant id, quantity) for ``buyer`` in ``charge_currency``, shipped to
    ``country`` (default: the buyer's country; with neither, each store's own country) and its ``region``
    (a province or state, for its taxes) by the shipping kind ``methods`` names per store id (default:
    each store's cheapest).

    Raises ``checkout.empty`` (422), ``checkout.invalid`` (422: no or unknown country, a kind the store
    does not offer there, as ``methods.<store id>``), ``tax.unknown_region`` (422, as ``region_field``:
    a region the country does not have), ``checkout.unavailable`` (409) naming each line
    that cannot be bought as asked (not for sale, out of stock with what is left, over the per-buyer
    limit). Stores that cannot ship to the country are set apart in ``Quote.blocked``.
    """
    if not lines:
        raise DomainError("checkout.empty", _("Your cart is empty."), fields={field_prefix: [_("Your cart is empty.")]})
    country = country or getattr(buyer, "country", "")
    country = clean_country(country) if country else ""
    region = clean_region(country, region, field=region_field) if country else ""
    methods = methods or {}
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
    to_ship = [LineToShip(store_id=items[line.variant_id].store.id,
                          template_id=items[line.variant_id].product.shipping_template_id,
                          line=ShipLine(variant_id=line.variant_id, quantity=line.quantity,
                                        weight_grams=line.weight_grams, unit_price=line.unit_price))
               for line in priced]
    if country:
        shipping = quote_shipping(stores=stores, country=country, lines=to_ship)
    else:
        # No destination yet (a shopper without address or country): each store as shipping at home.
        templates, shipping = get_store_templates(stores.values()), {}
        for home in {store.country for store in stores.values()}:
            shipping.update(quote_shipping(stores=stores, country=home, templates=templates,
                                           lines=[item for item in to_ship if stores[item.store_id].country == home]))
    wrong = {f"methods.{store_id}": [_("%(store)s does not offer that shipping to this address.") % {
        "store": stores[store_id].name}] for store_id, kind in methods.items()
        if store_id in shipping and shipping[store_id].can_ship and shipping[store_id].option(kind) is None}
    if wrong:
        raise DomainError("checkout.invalid", next(iter(wrong.values()))[0], fields=wrong)
    quote = build_quote(
        lines=priced, stores=stores, store_of={v: item.store.id for v, item in items.items()},
        shipping=shipping, methods=methods, country=country, region=region,
        charge_currency=charge_currency, per_eur=rates.per_eur, rates_as_of=rates.as_of)
    return add_landed_cost(quote, per_eur=rates.per_eur)


def add_landed_cost(quote: Quote, *, per_eur) -> Quote:
    """Each store part's duties and import taxes to ``quote.country`` (``tax.selectors.landed_cost_for``),
    with the destination's rates frozen beside the others. No query once the rules are cached."""
    if not quote.country:
        return quote
    landed = {part.store_id: landed_cost_for(
        destination=quote.country, ship_from=part.ship_from or part.store.country, lines=part.lines,
        shipping=part.shipping, per_eur=per_eur, charge_currency=part.charge_currency,
        charge_rate=part.charge_rate, region=quote.region, transport=part.shipping_transport,
        prepay=part.store.import_terms) for part in quote.stores}
    used = currencies_for(quote.country)
    return with_landed_cost(quote, landed=landed, rates={code: per_eur[code] for code in sorted(used) if code in per_eur})
