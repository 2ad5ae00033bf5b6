"""Checkout pricing, pure: lines grouped per store, a flat shipping charge per store order, and the
conversion of every store total into the shopper's charge currency at one frozen rate per store.

Each store order is priced in its store's currency; its charge-currency total is that total times the
frozen rate, rounded half-up to the charge currency's minor units. The grand total is the sum of those
rounded totals, so what the shopper pays is exactly the sum of what each order says it cost them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
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

    @property
    def store_id(self) -> int:
        return self.store.id

    @property
    def items(self) -> Money:
        return sum((line.total for line in self.lines), Money.zero(self.currency))

    @property
    def total(self) -> Money:
        return self.items + self.shipping

    @property
    def charge_total(self) -> Money:
        return Money(self.total.amount * self.charge_rate, self.charge_currency)


@dataclass(frozen=True)
class Quote:
    stores: tuple[StoreQuote, ...]
    charge_currency: str
    rates: dict[str, Decimal] = field(default_factory=dict)
    rates_as_of: dt.datetime | None = None

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


def build_quote(*, lines: list[PricedLine], stores: dict[int, object], store_of: dict[int, int],
                shipping_rates: dict[int, Money], charge_currency: str, per_eur: dict[str, Decimal],
                rates_as_of: dt.datetime | None = None) -> Quote:
    """Group ``lines`` by store (in the order stores first appear) and price each part.

    ``store_of`` maps variant id → store id; ``shipping_rates`` store id → flat charge per order.
    """
    grouped: dict[int, list[PricedLine]] = {}
    for line in lines:
        grouped.setdefault(store_of[line.variant_id], []).append(line)
    parts = []
    used = {charge_currency}
    for store_id, store_lines in grouped.items():
        currency = store_lines[0].unit_price.currency
        used.add(currency)
        parts.append(StoreQuote(store=stores[store_id], currency=currency, lines=tuple(store_lines),
                                shipping=shipping_rates[store_id], charge_currency=charge_currency,
                                charge_rate=charge_rate(currency, charge_currency, per_eur)))
    rates = {code: per_eur[code] for code in sorted(used) if code in per_eur}
    return Quote(stores=tuple(parts), charge_currency=charge_currency, rates=rates, rates_as_of=rates_as_of)
