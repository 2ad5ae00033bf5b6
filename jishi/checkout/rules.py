"""Checkout pricing, pure: lines grouped per store, each store order's shipping (priced by the store's
shipping templates for the destination, see ``jishi.shipping.rules``; a store that cannot ship there is
set apart), and the conversion of every store total into the shopper's charge currency at one frozen
rate per store.

Each store order is priced in its store's currency; its charge-currency total is that total times the
frozen rate, rounded half-up to the charge currency's minor units. The grand total is the sum of those
rounded totals, so what the shopper pays is exactly the sum of what each order says it cost them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from jishi.money.rules import Money, UnknownCurrency

RATE_PLACES = Decimal("1e-12")
MAX_LINES = 100


def charge_rate(from_currency: str, to_currency: str, per_eur: dict[str, Decimal]) -> Decimal:
    """Units of ``to_currency`` per unit of ``from_currency``, from rates quoted per EUR."""
    if from_currency == to_currency:
        return Decimal(1)

    def per(code: str) -> Decimal:
        if code == "EUR":
            return Decimal(1)
        if code not in per_eur:
            raise UnknownCurrency(f"No exchange rate for {code}.")
        return per_eur[code]

    return (per(to_currency) / per(from_currency)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PricedLine:
    variant_id: int
    product_id: int
    sku: str
    title: str
    options: dict
    unit_price: Money
    quantity: int
    weight_grams: int = 0
    hs_code: str = ""
    origin_country: str = ""
    thumbnail_url: str = ""
    per_buyer_limit: int | None = None
    category_id: int | None = None  # for the commission rate frozen on the order line

    @property
    def total(self) -> Money:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class StoreQuote:
    store: object
    currency: str
    lines: tuple[PricedLine, ...]
    shipping: Money
    charge_currency: str
    charge_rate: Decimal
    # How the part ships (``shipping.rules``): the chosen option, the others offered, where from.
    shipping_kind: str = ""
    shipping_method: str = ""
    shipping_transport: str = ""  # "post" or "courier" (customs rules may differ), "" when mixed or unknown
    ship_from: str = ""
    delivery_from: dt.date | None = None
    delivery_to: dt.date | None = None
    shipping_options: tuple = ()
    # Duties and import taxes to the destination (``tax.rules.LandedCost``); None: not judged.
    landed: object = None

    @property
    def store_id(self) -> int:
        return self.store.id

    @property
    def items(self) -> Money:
        return sum((line.total for line in self.lines), Money.zero(self.currency))

    @property
    def duties(self) -> Money:
        """Duties collected with the order (part of its total)."""
        return self.landed.collected_duty if self.landed is not None else Money.zero(self.currency)

    @property
    def import_taxes(self) -> Money:
        """Import VAT/GST collected with the order (part of its total)."""
        return self.landed.collected_tax if self.landed is not None else Money.zero(self.currency)

    @property
    def due_on_delivery(self) -> Money:
        """The estimate of duties and taxes the buyer pays on delivery: shown, never charged."""
        return self.landed.due_on_delivery if self.landed is not None else Money.zero(self.currency)

    @property
    def due_on_delivery_charge(self) -> Money:
        return self.landed.due_on_delivery_charge if self.landed is not None else Money.zero(self.charge_currency)

    @property
    def total(self) -> Money:
        return self.items + self.shipping + self.duties + self.import_taxes

    @property
    def charge_total(self) -> Money:
        return Money(self.total.amount * self.charge_rate, self.charge_currency)


@dataclass(frozen=True)
class BlockedStore:
    """A store whose lines cannot ship to the destination: not part of the quote's orders or totals."""

    store: object
    lines: tuple[PricedLine, ...]
    shipping: object  # the ``shipping.rules.StoreShipping`` saying why

    @property
    def store_id(self) -> int:
        return self.store.id


@dataclass(frozen=True)
class Quote:
    stores: tuple[StoreQuote, ...]
    charge_currency: str
    rates: dict[str, Decimal] = field(default_factory=dict)
    rates_as_of: dt.datetime | None = None
    country: str = ""  # the destination the shipping was priced for
    region: str = ""  # the destination's province or state, where its taxes differ by region
    blocked: tuple[BlockedStore, ...] = ()

    @property
    def total(self) -> Money:
        return sum((part.charge_total for part in self.stores), Money.zero(self.charge_currency))

    @property
    def units(self) -> dict[int, int]:
        """Variant id → quantity over the whole quote."""
        wanted: dict[int, int] = {}
        for part in self.stores:
            for line in part.lines:
                wanted[line.variant_id] = wanted.get(line.variant_id, 0) + line.quantity
        return wanted

    @property
    def limits(self) -> dict[int, int]:
        """Variant id → per-buyer limit, for the variants that have one."""
        return {line.variant_id: line.per_buyer_limit for part in self.stores for line in part.lines
                if line.per_buyer_limit is not None}

    @property
    def product_of(self) -> dict[int, int]:
        return {line.variant_id: line.product_id for part in self.stores for line in part.lines}


def with_landed_cost(quote: Quote, *, landed: dict[int, object], rates: dict[str, Decimal]) -> Quote:
    """``quote`` with each store part's landed cost (store id → ``tax.rules.LandedCost``) and the rates it
    converted through added to the frozen ``rates``."""
    stores = tuple(replace(part, landed=landed.get(part.store_id)) for part in quote.stores)
    return replace(quote, stores=stores, rates={**quote.rates, **rates})


def build_quote(*, lines: list[PricedLine], stores: dict[int, object], store_of: dict[int, int],
                charge_currency: str, per_eur: dict[str, Decimal], shipping_rates: dict[int, Money] | None = None,
                shipping: dict[int, object] | None = None, methods: dict[int, str] | None = None,
                country: str = "", region: str = "", rates_as_of: dt.datetime | None = None) -> Quote:
    """Group ``lines`` by store (in the order stores first appear) and price each part.

    ``store_of`` maps variant id → store id. Shipping is either ``shipping_rates`` (store id → flat
    charge per order) or ``shipping`` (store id → ``shipping.rules.StoreShipping`` to ``country``), of
    which the option of the kind in ``methods`` (store id → kind) is charged, else the cheapest; a store
    that cannot ship there is set apart in ``Quote.blocked``, outside the orders and the total.
    """
    grouped: dict[int, list[PricedLine]] = {}
    for line in lines:
        grouped.setdefault(store_of[line.variant_id], []).append(line)
    parts, blocked = [], []
    used = {charge_currency}
    for store_id, store_lines in grouped.items():
        currency = store_lines[0].unit_price.currency
        ship = {}
        if shipping is not None:
            offer = shipping[store_id]
            if not offer.can_ship:
                blocked.append(BlockedStore(store=stores[store_id], lines=tuple(store_lines), shipping=offer))
                continue
            option = offer.option((methods or {}).get(store_id)) or offer.cheapest
            ship = {"shipping": option.cost, "shipping_kind": option.kind, "shipping_method": option.name,
                    "shipping_transport": option.transport,
                    "ship_from": offer.ship_from, "delivery_from": option.delivery_from,
                    "delivery_to": option.delivery_to, "shipping_options": offer.options}
        else:
            ship = {"shipping": shipping_rates[store_id]}
        used.add(currency)
        parts.append(StoreQuote(store=stores[store_id], currency=currency, lines=tuple(store_lines),
                                charge_currency=charge_currency,
                                charge_rate=charge_rate(currency, charge_currency, per_eur), **ship))
    rates = {code: per_eur[code] for code in sorted(used) if code in per_eur}
    return Quote(stores=tuple(parts), charge_currency=charge_currency, rates=rates, rates_as_of=rates_as_of,
                 country=country, region=region, blocked=tuple(blocked))
