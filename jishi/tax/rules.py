"""Landed cost, pure: the customs duty and import VAT/GST of one store order sent across a border.

The tax app owns the destination rules (rates, de minimis thresholds, the collection model) and this
arithmetic; checkout adds the result to each store's quote, orders freeze it, the ledger moves what was
collected to the tax authority's account.

How one store order is judged (``landed_cost``):

1. Same ship-from and destination country, or no rule for the destination: nothing is owed.
2. The consignment value is the items plus shipping (without shipping where the rule says so),
   converted into the destination's currency at the order's frozen rates (units per EUR) and rounded
   half-up to that currency's minor units, as a customs declaration states it.
3. Thresholds are stated in the currency of the law (``thresholds_currency``); each is converted into
   the destination's currency the same way. Comparisons are exact: a value *at* a de minimis is under it,
   one minor unit more is above it.
4. Collection: at checkout by the platform when the rule says so and the value is at most the
   collection limit (or there is none); otherwise on delivery, from the buyer — then the amounts are an
   estimate shown before payment and never charged.
5. Duty: a flat amount per distinct tariff line where the rule sets one and tax is collected at checkout
   (the EU's EUR 3 for IOSS consignments); else, above the duty de minimis (always where there is none),
   each line's share of the consignment value times its HS chapter's rate, or the default rate for a
   line without a known chapter (0 where the rule has none).
6. Import tax: above the VAT de minimis, the rate times (consignment value + duty) — the usual
   import-VAT base (customs value plus duty), which is also what IOSS charges on goods plus delivery.
7. Amounts are rounded half-up in the destination's currency, then converted into the store's currency
   (rounded half-up) — what the order charges and the ledger holds — and into the charge currency at the
   store order's frozen charge rate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from jishi.money.rules import Money, UnknownCurrency

HUNDRED = Decimal(100)


class Collection:
    NONE = "none"  # domestic, or no rule for the destination
    CHECKOUT = "checkout"  # charged with the order, paid over by the platform
    ON_DELIVERY = "on_delivery"  # an estimate; the buyer pays the carrier or customs
    UNKNOWN = "unknown"  # a currency involved has no exchange rate: no estimate can be given


@dataclass(frozen=True)
class DestinationTerms:
    """One destination rule as the engine reads it. Amounts are in ``thresholds_currency``; rates are
    percentages; ``None`` means "not set" as the rule's help texts describe."""

    country: str
    currency: str
    thresholds_currency: str
    tax_name: str = ""
    vat_rate: Decimal | None = None
    vat_de_minimis: Decimal | None = None
    duty_de_minimis: Decimal | None = None
    collect_at_checkout: bool = False
    collect_limit: Decimal | None = None
    flat_duty_per_tariff_line: Decimal | None = None
    default_duty_rate: Decimal | None = None
    value_includes_shipping: bool = True
    effective_from: dt.date | None = None
    duty_rates: dict[str, Decimal] = field(default_factory=dict)  # HS chapter → rate, in force

    def duty_rate(self, hs_code: str) -> Decimal:
        chapter = hs_chapter(hs_code)
        if chapter and chapter in self.duty_rates:
            return self.duty_rates[chapter]
        return self.default_duty_rate or Decimal(0)


@dataclass(frozen=True)
class CustomsLine:
    """What customs sees of an order line: its value in the store's currency and its HS code."""

    value: Money
    hs_code: str = ""


@dataclass(frozen=True)
class LandedCost:
    """Duty and import tax of one store order, in the destination's, the store's and the charge currency."""

    destination: str
    collection: str
    store_currency: str
    charge_currency: str
    destination_currency: str = ""
    tax_name: str = ""
    value: Money | None = None  # the consignment value, destination currency
    duty_local: Money | None = None
    tax_local: Money | None = None
    duty: Money | None = None  # store currency
    tax: Money | None = None
    duty_charge: Money | None = None  # charge currency
    tax_charge: Money | None = None
    rule_effective_from: dt.date | None = None

    def __post_init__(self):
        for name, code in (("duty", self.store_currency), ("tax", self.store_currency),
                           ("duty_charge", self.charge_currency), ("tax_charge", self.charge_currency)):
            if getattr(self, name) is None:
                object.__setattr__(self, name, Money.zero(code))

    @property
    def collected_at_checkout(self) -> bool:
        return self.collection == Collection.CHECKOUT

    @property
    def total(self) -> Money:
        return self.duty + self.tax

    @property
    def collected(self) -> Money:
        """What the order charges for duty and tax (store currency)."""
        return self.total if self.collected_at_checkout else Money.zero(self.store_currency)

    @property
    def collected_duty(self) -> Money:
        return self.duty if self.collected_at_checkout else Money.zero(self.store_currency)

    @property
    def collected_tax(self) -> Money:
        return self.tax if self.collected_at_checkout else Money.zero(self.store_currency)

    @property
    def due_on_delivery(self) -> Money:
        """The estimate of what the buyer pays on delivery (store currency); never charged."""
        return self.total if self.collection == Collection.ON_DELIVERY else Money.zero(self.store_currency)

    @property
    def due_on_delivery_charge(self) -> Money:
        if self.collection != Collection.ON_DELIVERY:
            return Money.zero(self.charge_currency)
        return self.duty_charge + self.tax_charge

    def snapshot(self) -> dict:
        """The breakdown as an order freezes it (decimal strings beside their currencies)."""
        def amount(money: Money | None) -> str | None:
            return str(money.amount) if money is not None else None

        return {
            "destination": self.destination, "collection": self.collection, "tax_name": self.tax_name,
            "destination_currency": self.destination_currency, "value": amount(self.value),
            "duty_local": amount(self.duty_local), "tax_local": amount(self.tax_local),
            "currency": self.store_currency, "duty": amount(self.duty), "tax": amount(self.tax),
            "charge_currency": self.charge_currency, "duty_charge": amount(self.duty_charge),
            "tax_charge": amount(self.tax_charge), "collected_at_checkout": self.collected_at_checkout,
            "due_on_delivery": amount(self.due_on_delivery),
            "due_on_delivery_charge": amount(self.due_on_delivery_charge),
            "rule_effective_from": self.rule_effective_from.isoformat() if self.rule_effective_from else None,
        }


def hs_chapter(hs_code: str) -> str:
    digits = "".join(ch for ch in (hs_code or "") if ch.isdigit())
    return digits[:2] if len(digits) >= 2 else ""


def _per(code: str, per_eur: dict[str, Decimal]) -> Decimal:
    if code == "EUR":
        return Decimal(1)
    if code not in per_eur:
        raise UnknownCurrency(f"No exchange rate for {code}.")
    return Decimal(per_eur[code])


def exact(amount: Decimal, from_currency: str, to_currency: str, per_eur: dict[str, Decimal]) -> Decimal:
    """``amount`` converted through EUR, not rounded (so sums round once)."""
    if from_currency == to_currency:
        return amount
    return amount / _per(from_currency, per_eur) * _per(to_currency, per_eur)


def threshold(amount: Decimal | None, terms: DestinationTerms, per_eur: dict[str, Decimal]) -> Money | None:
    """A legal threshold in the destination's currency, rounded half-up to its minor units."""
    if amount is None:
        return None
    return Money(exact(Decimal(amount), terms.thresholds_currency, terms.currency, per_eur), terms.currency)


def tariff_lines(lines: Iterable[CustomsLine]) -> int:
    """Distinct tariff lines of a parcel: one per HS code; a line without a code counts on its own."""
    codes, unnamed = set(), 0
    for line in lines:
        digits = "".join(ch for ch in line.hs_code if ch.isdigit())
        if digits:
            codes.add(digits[:6])
        else:
            unnamed += 1
    return len(codes) + unnamed


def none(*, destination: str, store_currency: str, charge_currency: str, collection: str = Collection.NONE) -> LandedCost:
    return LandedCost(destination=destination, collection=collection, store_currency=store_currency,
                      charge_currency=charge_currency)


def landed_cost(*, terms: DestinationTerms | None, destination: str, ship_from: str, lines: list[CustomsLine],
                shipping: Money, per_eur: dict[str, Decimal], charge_currency: str,
                charge_rate: Decimal) -> LandedCost:
    """The landed cost of one store order (see the module docstring for the rules, in order).

    ``lines`` and ``shipping`` are in the store's currency; ``per_eur`` the order's frozen rates;
    ``charge_rate`` units of the charge currency per unit of the store's currency.
    """
    store_currency = shipping.currency
    if terms is None or not destination or destination == ship_from:
        return none(destination=destination, store_currency=store_currency, charge_currency=charge_currency)
    try:
        return _judge(terms, lines, shipping, per_eur, charge_currency, Decimal(charge_rate))
    except UnknownCurrency:
        return none(destination=destination, store_currency=store_currency, charge_currency=charge_currency,
                    collection=Collection.UNKNOWN)


def _judge(terms: DestinationTerms, lines: list[CustomsLine], shipping: Money, per_eur, charge_currency: str,
           charge_rate: Decimal) -> LandedCost:
    local, store_currency = terms.currency, shipping.currency
    goods = [exact(line.value.amount, store_currency, local, per_eur) for line in lines]
    goods_total = sum(goods, Decimal(0))
    value_exact = goods_total + (exact(shipping.amount, store_currency, local, per_eur)
                                 if terms.value_includes_shipping else Decimal(0))
    value = Money(value_exact, local)

    limit = threshold(terms.collect_limit, terms, per_eur)
    at_checkout = terms.collect_at_checkout and (limit is None or value <= limit)
    collection = Collection.CHECKOUT if at_checkout else Collection.ON_DELIVERY

    duty_de_minimis = threshold(terms.duty_de_minimis, terms, per_eur)
    flat = threshold(terms.flat_duty_per_tariff_line, terms, per_eur)
    if at_checkout and flat is not None:
        duty = flat * tariff_lines(lines) if value else Money.zero(local)
    elif duty_de_minimis is None or value > duty_de_minimis:
        # Each line carries its share of the consignment value (shipping spread by goods value).
        scale = value.amount / goods_total if goods_total else Decimal(0)
        duty = Money(sum((amount * scale * terms.duty_rate(line.hs_code) / HUNDRED
                          for amount, line in zip(goods, lines, strict=True)), Decimal(0)), local)
    else:
        duty = Money.zero(local)

    vat_de_minimis = threshold(terms.vat_de_minimis, terms, per_eur) or Money.zero(local)
    if terms.vat_rate and value > vat_de_minimis:
        tax = Money((value.amount + duty.amount) * terms.vat_rate / HUNDRED, local)
    else:
        tax = Money.zero(local)

    duty_store = Money(exact(duty.amount, local, store_currency, per_eur), store_currency)
    tax_store = Money(exact(tax.amount, local, store_currency, per_eur), store_currency)
    return LandedCost(
        destination=terms.country, collection=collection, store_currency=store_currency,
        charge_currency=charge_currency, destination_currency=local, tax_name=terms.tax_name, value=value,
        duty_local=duty, tax_local=tax, duty=duty_store, tax=tax_store,
        duty_charge=Money(duty_store.amount * charge_rate, charge_currency),
        tax_charge=Money(tax_store.amount * charge_rate, charge_currency),
        rule_effective_from=terms.effective_from)


def in_force(versions: list, at: dt.date):
    """The version in force on ``at``: the latest ``effective_from`` on or before it (None if none yet)."""
    best = None
    for version in versions:
        if version.effective_from <= at and (best is None or version.effective_from > best.effective_from):
            best = version
    return best
