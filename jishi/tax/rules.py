"""Landed cost, pure: the customs duty and import VAT/GST of one store order sent across a border.

The tax app owns the destination rules (rates, de minimis thresholds, the collection model) and this
arithmetic; checkout adds the result to each store's quote, orders freeze it, the ledger moves what was
collected to the tax authority's account.

How one store order is judged (``landed_cost``):

1. Same ship-from and destination country, or no rule for the destination: nothing is owed.
2. An origin rule in force for the destination replaces some of its terms when the goods ship from
   one of its origins (and, where it says so, are all made in them): a trade agreement's de minimis
   (CUSMA for Canada, KORUS for Korea, USMCA tiers for Mexico).
3. The consignment value is the goods' customs value (their price, or the rule's share of it: 60 % in
   Japan for personal imports) plus shipping (left out where the rule says so), converted into the
   destination's currency at the order's frozen rates (units per EUR) and rounded half-up to that
   currency's minor units, as a customs declaration states it.
4. Thresholds are stated in the currency of the law (``thresholds_currency``); each is converted into
   the destination's currency the same way. Comparisons are exact: a value *at* a de minimis is under it,
   one minor unit more is above it. Where the rule's limits are per item (Norway's VOEC), the collection
   limit and the duty de minimis are compared with the dearest single item instead of the consignment.
5. Collection: at checkout by the platform when the rule says so and the value is at most the
   collection limit (or there is none); otherwise on delivery, from the buyer — then the amounts are an
   estimate shown before payment and never charged.
6. Duty: a flat amount per distinct tariff line where the rule sets one and tax is collected at checkout
   (the EU's EUR 3 for IOSS consignments); else, above the duty de minimis (always where there is none),
   either the duty band the value falls in (the rate of the whole value less the band's deduction:
   Brazil's 20 % up to USD 50 and 60 % less USD 20 above) or each line's share of the consignment value
   times its HS chapter's rate, or the default rate for a line without a known chapter (0 where the rule
   has none).
7. Import tax: above the VAT de minimis, the rate times (consignment value + duty) — the usual
   import-VAT base (customs value plus duty), which is also what IOSS charges on goods plus delivery.
8. Amounts are rounded half-up in the destination's currency, then converted into the store's currency
   (rounded half-up) — what the order charges and the ledger holds — and into the charge currency at the
   store order's frozen charge rate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.utils.translation import gettext as _

from jishi.money.rules import Money, UnknownCurrency
from jishi.tax.models import OriginMatch

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class DutyBand:
    """Above ``above`` (thresholds currency), duty is ``rate`` % of the whole value less ``deduct``."""

    above: Decimal
    rate: Decimal
    deduct: Decimal = Decimal(0)


class BadBands(ValueError):
    """Duty bands the engine cannot read; the message says why, for the operator's form."""


def parse_bands(raw) -> tuple[DutyBand, ...]:
    """Duty bands from their stored form (a list of ``{"above", "rate", "deduct"}``), sorted by ``above``.
    Raises ``BadBands`` for anything else: amounts must be decimal numbers, not negative, rates at most
    100 %, and no two bands may start at the same amount."""
    if raw in (None, "", []):
        return ()
    if not isinstance(raw, list):
        raise BadBands(_('Write a list of bands, like [{"above": "50", "rate": "60", "deduct": "20"}].'))
    bands = []
    for band in raw:
        if not isinstance(band, dict) or not {"above", "rate"} <= set(band) or set(band) - {"above", "rate", "deduct"}:
            raise BadBands(_('Each band needs "above" and "rate", and may have "deduct"; nothing else.'))
        try:
            values = [Decimal(str(band[key])) for key in ("above", "rate")] + [Decimal(str(band.get("deduct", 0)))]
        except (ArithmeticError, ValueError, TypeError):
            raise BadBands(_("Band amounts and rates must be decimal numbers, like 60 or 12.5.")) from None
        if any(not value.is_finite() or value < 0 for value in values) or values[1] > HUNDRED:
            raise BadBands(_("Band amounts cannot be negative and rates cannot exceed 100."))
        bands.append(DutyBand(*values))
    bands.sort(key=lambda band: band.above)
    if len({band.above for band in bands}) != len(bands):
        raise BadBands(_("Two bands cannot start at the same amount."))
    return tuple(bands)


def bands_out(bands: Iterable[DutyBand]) -> list[dict]:
    """Bands as they are stored (decimal strings), as the admin writes them."""
    return [{"above": str(band.above), "rate": str(band.rate), "deduct": str(band.deduct)} for band in bands]


def parse_origins(raw: str) -> frozenset[str]:
    """``"US, mx"`` → ``{"US", "MX"}`` (codes are checked by the caller)."""
    return frozenset(code.strip().upper() for code in (raw or "").replace(";", ",").split(",") if code.strip())


@dataclass(frozen=True)
class OriginTerms:
    """What an origin rule changes in a destination's terms; ``None`` (or no bands) keeps the rule's."""

    origins: frozenset[str]
    match: str = OriginMatch.SHIPPED_FROM
    effective_from: dt.date | None = None
    vat_rate: Decimal | None = None
    vat_de_minimis: Decimal | None = None
    duty_de_minimis: Decimal | None = None
    default_duty_rate: Decimal | None = None
    duty_bands: tuple[DutyBand, ...] = ()

    def applies(self, ship_from: str, lines: Iterable[CustomsLine]) -> bool:
        if ship_from not in self.origins:
            return False
        # "Made in": every line made in one of the origins (a line without an origin: where it ships from).
        return self.match != OriginMatch.MADE_IN or all((line.origin or ship_from) in self.origins for line in lines)

    def label(self) -> dict:
        return {"origins": sorted(self.origins), "match": self.match,
                "effective_from": self.effective_from.isoformat() if self.effective_from else None}


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
    duty_bands: tuple[DutyBand, ...] = ()
    customs_value_percent: Decimal = HUNDRED
    limits_per_item: bool = False
    origin_rules: tuple[OriginTerms, ...] = ()  # in force; the engine picks the one that applies

    def for_origin(self, ship_from: str, lines: list[CustomsLine]) -> tuple[DestinationTerms, OriginTerms | None]:
        """These terms as they apply to goods shipped from ``ship_from``: changed by the origin rule that
        applies (the latest in force), if any."""
        found = [rule for rule in self.origin_rules if rule.applies(ship_from, lines)]
        if not found:
            return self, None
        rule = max(found, key=lambda rule: rule.effective_from or dt.date.min)
        changes = {name: getattr(rule, name) for name in ("vat_rate", "vat_de_minimis", "duty_de_minimis",
                                                          "default_duty_rate") if getattr(rule, name) is not None}
        if rule.duty_bands:
            changes["duty_bands"] = rule.duty_bands
        return replace(self, **changes), rule

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
    quantity: int = 1
    origin: str = ""  # country of origin (made in), blank if not stated


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
    origin_rule: dict | None = None  # the origin rule applied (``OriginTerms.label``), if any

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
            "origin_rule": self.origin_rule,
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
        return _judge(terms, lines, ship_from, shipping, per_eur, charge_currency, Decimal(charge_rate))
    except UnknownCurrency:
        return none(destination=destination, store_currency=store_currency, charge_currency=charge_currency,
                    collection=Collection.UNKNOWN)


def _judge(terms: DestinationTerms, lines: list[CustomsLine], ship_from: str, shipping: Money, per_eur,
           charge_currency: str, charge_rate: Decimal) -> LandedCost:
    terms, origin_rule = terms.for_origin(ship_from, lines)
    local, store_currency = terms.currency, shipping.currency
    share = Decimal(terms.customs_value_percent) / HUNDRED
    goods = [exact(line.value.amount, store_currency, local, per_eur) * share for line in lines]
    goods_total = sum(goods, Decimal(0))
    value_exact = goods_total + (exact(shipping.amount, store_currency, local, per_eur)
                                 if terms.value_includes_shipping else Decimal(0))
    value = Money(value_exact, local)
    # What the collection limit and the duty de minimis are measured against.
    if terms.limits_per_item:
        measured = Money(max((amount / max(line.quantity, 1) for amount, line in zip(goods, lines, strict=True)),
                             default=Decimal(0)), local)
    else:
        measured = value

    limit = threshold(terms.collect_limit, terms, per_eur)
    at_checkout = terms.collect_at_checkout and (limit is None or measured <= limit)
    collection = Collection.CHECKOUT if at_checkout else Collection.ON_DELIVERY

    duty_de_minimis = threshold(terms.duty_de_minimis, terms, per_eur)
    flat = threshold(terms.flat_duty_per_tariff_line, terms, per_eur)
    if at_checkout and flat is not None:
        duty = flat * tariff_lines(lines) if value else Money.zero(local)
    elif duty_de_minimis is not None and measured <= duty_de_minimis:
        duty = Money.zero(local)
    elif terms.duty_bands:
        duty = _banded_duty(terms, value, per_eur)
    else:
        # Each line carries its share of the consignment value (shipping spread by goods value).
        scale = value.amount / goods_total if goods_total else Decimal(0)
        duty = Money(sum((amount * scale * terms.duty_rate(line.hs_code) / HUNDRED
                          for amount, line in zip(goods, lines, strict=True)), Decimal(0)), local)

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
        rule_effective_from=terms.effective_from, origin_rule=origin_rule.label() if origin_rule else None)


def _banded_duty(terms: DestinationTerms, value: Money, per_eur) -> Money:
    """The band the value falls in (the last whose ``above`` it exceeds): its rate of the whole value less
    its deduction, never below zero; nothing below the first band."""
    band = None
    for candidate in terms.duty_bands:
        if value > threshold(candidate.above, terms, per_eur):
            band = candidate
    if band is None:
        return Money.zero(value.currency)
    deduct = exact(band.deduct, terms.thresholds_currency, terms.currency, per_eur)
    return Money(max(value.amount * band.rate / HUNDRED - deduct, Decimal(0)), value.currency)


def in_force(versions: list, at: dt.date):
    """The version in force on ``at``: the latest ``effective_from`` on or before it (None if none yet)."""
    best = None
    for version in versions:
        if version.effective_from <= at and (best is None or version.effective_from > best.effective_from):
            best = version
    return best
