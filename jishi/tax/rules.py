"""Landed cost, pure: the customs duty and import VAT/GST of one store order sent across a border.

The tax app owns the destination rules (rates, de minimis thresholds, the collection model) and this
arithmetic; checkout adds the result to each store's quote, orders freeze it, the ledger moves what was
collected to the tax authority's account. One function per step, in the order a customs officer takes
them (``landed_cost`` calls them in turn):

1. ``is_import``: same country, both in one customs union (the EU), or no rule for the destination —
   nothing is imported, nothing owed (a German store's parcel to Lyon is an intra-EU distance sale: VAT
   is the seller's own, through the OSS, and in its price).
2. ``DestinationTerms.for_origin``: an origin rule in force replaces some terms when the goods ship from
   one of its origins (and, where it says so, are all made there, and go by its transport): CUSMA for
   Canada by courier, KORUS for Korea, USMCA tiers for Mexico.
3. ``customs_values``: every amount is converted into the destination's currency at the order's frozen
   rates (units per EUR), unrounded until each figure is stated. A line's *intrinsic value* is its
   price; its *customs value* is the rule's share of it (60 % in Japan for personal imports) plus, where
   valuation is CIF, its share of the shipping (spread by price); FOB leaves transport out (US, Canada,
   Australia, New Zealand).
4. ``measured``: what the limits are compared with — the intrinsic value of the goods or their customs
   value (``threshold_basis``), of the whole consignment or of the dearest single item, separately for
   the collection limit and for the de minimis (Norway's VOEC: both per item; Australia: the collection
   limit per item). Thresholds are stated in the currency of the law and converted the same way; a value
   *at* a threshold is under it, one minor unit more is above it.
5. ``under_regime``: tax is charged at checkout by the platform when the rule has a point-of-sale regime
   (IOSS, UK, VOEC, LVG …) and the measured value is within its limit (or it has none).
6. ``duty``: under the regime with a flat duty, that amount per distinct tariff line (the EU's EUR 3).
   Otherwise the lines the duty de minimis does not relieve — all of them above it, or only those the
   rule never relieves (Japan's knitwear, footwear, leather bags) below it — pay the duty band the value
   falls in (Brazil), or each its customs value times its rate: the longest HS code of the table that
   matches, for its origin, plus any additional duty on goods made there (Section 301 on Chinese goods
   into the US); the rule's default rate where no code matches; *unrated* (reported, not zero) where
   the table has no rate and the rule no default.
7. ``import_tax``: the lines the VAT de minimis does not relieve are taxed at the rate (the regime's own
   where it has one: China's cross-border e-commerce charges 70 % of the VAT) on their base:
   customs value, plus the shipping where the tax base counts it and valuation left it out, plus their
   duty. A region's tax (Canada's HST/PST/QST, a US state's sales tax) adds its rate on the same base,
   or on the goods' price for a sales tax.
8. ``collections``: what the regime covers is collected at checkout (duty too when the consignment as a
   whole is within it); what is due at the border is prepaid at checkout when the store ships DDP (and
   the destination allows it), otherwise due from the buyer on delivery — an estimate, never charged. A
   state's marketplace-facilitator sales tax is collected at checkout wherever it applies.
9. Amounts are rounded half-up in the destination's currency, then converted into the store's currency
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


def parse_hs_prefixes(raw: str) -> tuple[str, ...]:
    """``"61, 6403.12"`` → ``("61", "640312")``: HS codes or their first digits, digits only."""
    found = ("".join(ch for ch in part if ch.isdigit()) for part in (raw or "").replace(";", ",").split(","))
    return tuple(sorted({code for code in found if code}))


def hs_digits(hs_code: str) -> str:
    return "".join(ch for ch in (hs_code or "") if ch.isdigit())


def hs_chapter(hs_code: str) -> str:
    digits = hs_digits(hs_code)
    return digits[:2] if len(digits) >= 2 else ""


@dataclass(frozen=True)
class OriginTerms:
    """What an origin rule changes in a destination's terms; ``None`` (or no bands) keeps the rule's."""

    origins: frozenset[str]
    match: str = OriginMatch.SHIPPED_FROM
    effective_from: dt.date | None = None
    transport: str = ""  # only for goods sent by this transport; blank = any
    vat_rate: Decimal | None = None
    vat_de_minimis: Decimal | None = None
    duty_de_minimis: Decimal | None = None
    default_duty_rate: Decimal | None = None
    duty_bands: tuple[DutyBand, ...] = ()

    def applies(self, ship_from: str, lines: Iterable[CustomsLine], transport: str = "") -> bool:
        if ship_from not in self.origins or (self.transport and transport != self.transport):
            return False
        # "Made in": every line made in one of the origins (a line without an origin: where it ships from).
        return self.match != OriginMatch.MADE_IN or all((line.origin or ship_from) in self.origins for line in lines)

    def label(self) -> dict:
        return {"origins": sorted(self.origins), "match": self.match, "transport": self.transport,
                "effective_from": self.effective_from.isoformat() if self.effective_from else None}


@dataclass(frozen=True)
class DutyLine:
    """One row of a duty table: goods whose HS code starts with ``hs_code``, made in ``origins`` (empty:
    anywhere), pay ``rate`` % — or, with a ``measure``, that much more on top of their rate."""

    hs_code: str
    rate: Decimal
    origins: frozenset[str] = frozenset()
    measure: str = ""

    def matches(self, digits: str, origin: str) -> bool:
        return digits.startswith(self.hs_code) and (not self.origins or origin in self.origins)


@dataclass(frozen=True)
class Rate:
    """A line's duty rate and how it was found: ``source`` is ``table``, ``default`` or ``unrated``."""

    percent: Decimal | None
    source: str
    measures: tuple[str, ...] = ()


def duty_rate(table: Iterable[DutyLine], default: Decimal | None, hs_code: str, origin: str) -> Rate:
    """The rate of goods with ``hs_code`` made in ``origin``: the longest matching code of the table (an
    origin's own row before the general one of the same length), plus, per additional measure, its
    longest matching row; the default where the table has no row for the code; ``None`` where neither."""
    digits = hs_digits(hs_code)
    found = [row for row in table if digits and row.matches(digits, origin)]
    base = max((row for row in found if not row.measure), default=None,
               key=lambda row: (len(row.hs_code), bool(row.origins)))
    extra: dict[str, DutyLine] = {}
    for row in found:
        if row.measure and (row.measure not in extra or len(row.hs_code) > len(extra[row.measure].hs_code)):
            extra[row.measure] = row
    added = sum((row.rate for row in extra.values()), Decimal(0))
    if base is not None:
        return Rate(base.rate + added, "table", tuple(sorted(extra)))
    if default is not None:
        return Rate(Decimal(default) + added, "default", tuple(sorted(extra)))
    return Rate(None, "unrated")


@dataclass(frozen=True)
class RegionTerms:
    """A province's or state's tax on top of the national one (``RegionalTax`` as the engine reads it)."""

    code: str
    name: str
    tax_name: str
    rate: Decimal
    base: str = "import"  # "import": the national tax's base; "sale": the goods' price
    collection: str = "with_national"  # or "checkout", "not_collected"


class Collection:
    NONE = "none"  # nothing imported (domestic, one customs union), or no rule for the destination
    CHECKOUT = "checkout"  # charged with the order, paid over by the platform
    ON_DELIVERY = "on_delivery"  # an estimate; the buyer pays the carrier or customs
    UNKNOWN = "unknown"  # a currency involved has no exchange rate: no estimate can be given


class Remark:
    """Why a figure is what it is, where the answer is not the plain reading of the rule (machine codes
    in the snapshot; pages and the API say them in words)."""

    CUSTOMS_UNION = "customs_union"  # both countries in one customs union: not an import
    UNRATED = "duty_unrated"  # some lines have no duty rate: their duty is not in the figure
    HS_CODE_MISSING = "hs_code_missing"  # some lines have no HS code, so no duty rate could be found
    DEFAULT_RATE = "default_duty_rate"  # some lines took the destination's default rate
    ORIGIN_ASSUMED = "origin_assumed"  # a line without a country of origin counted as made where it ships from
    REGION_MISSING = "region_missing"  # no province/state given: only the national tax is in the figure
    REGIONAL_NOT_COLLECTED = "regional_not_collected"  # the region's tax is the buyer's to self-assess
    NEVER_RELIEVED = "never_relieved"  # goods the de minimis never relieves were taxed below it
    PREPAID = "prepaid"  # the store ships DDP: what is due at the border is collected at checkout


class Prepay:
    """Who pays what is due at the border, as the store chose (``DDP``) or by default (``DAP``)."""

    DDP = "DDP"
    DAP = "DAP"


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
    regime_vat_rate: Decimal | None = None  # the rate under the point-of-sale regime, if not ``vat_rate``
    threshold_basis: str = "goods"  # or "customs_value"
    valuation: str = "cif"  # or "fob"
    tax_base_includes_shipping: bool = True
    effective_from: dt.date | None = None
    duty_table: tuple[DutyLine, ...] = ()  # in force
    duty_bands: tuple[DutyBand, ...] = ()
    customs_value_percent: Decimal = HUNDRED
    collect_limit_per_item: bool = False
    de_minimis_per_item: bool = False
    never_relieved: tuple[str, ...] = ()  # HS prefixes the de minimis does not relieve
    border_terms: str = "any"  # "any", "dap" or "ddp"
    union: str = ""  # the customs union the destination is in (EU), if any
    union_members: frozenset[str] = frozenset()  # its members in force
    regions: dict[str, RegionTerms] = field(default_factory=dict)  # in force, by code
    origin_rules: tuple[OriginTerms, ...] = ()  # in force; the engine picks the one that applies

    def for_origin(self, ship_from: str, lines: list[CustomsLine],
                   transport: str = "") -> tuple[DestinationTerms, OriginTerms | None]:
        """These terms as they apply to goods shipped from ``ship_from`` by ``transport``: changed by the
        origin rule that applies (the latest in force), if any."""
        found = [rule for rule in self.origin_rules if rule.applies(ship_from, lines, transport)]
        if not found:
            return self, None
        rule = max(found, key=lambda rule: rule.effective_from or dt.date.min)
        changes = {name: getattr(rule, name) for name in ("vat_rate", "vat_de_minimis", "duty_de_minimis",
                                                          "default_duty_rate") if getattr(rule, name) is not None}
        if rule.duty_bands:
            changes["duty_bands"] = rule.duty_bands
        return replace(self, **changes), rule

    def rate_of(self, line: CustomsLine, ship_from: str) -> Rate:
        return duty_rate(self.duty_table, self.default_duty_rate, line.hs_code, line.origin or ship_from)

    def always_dutiable(self, line: CustomsLine) -> bool:
        digits = hs_digits(line.hs_code)
        return bool(digits) and any(digits.startswith(prefix) for prefix in self.never_relieved)


@dataclass(frozen=True)
class CustomsLine:
    """What customs sees of an order line: its value in the store's currency and its HS code."""

    value: Money
    hs_code: str = ""
    quantity: int = 1
    origin: str = ""  # country of origin (made in), blank if not stated


@dataclass(frozen=True)
class LandedCost:
    """Duty and import tax of one store order, in the destination's, the store's and the charge currency.
    ``collection`` says how the tax is collected, ``duty_collection`` the duty."""

    destination: str
    collection: str
    store_currency: str
    charge_currency: str
    destination_currency: str = ""
    tax_name: str = ""
    value: Money | None = None  # the customs value of the consignment, destination currency
    duty_local: Money | None = None
    tax_local: Money | None = None
    duty: Money | None = None  # store currency
    tax: Money | None = None
    duty_charge: Money | None = None  # charge currency
    tax_charge: Money | None = None
    rule_effective_from: dt.date | None = None
    origin_rule: dict | None = None  # the origin rule applied (``OriginTerms.label``), if any
    duty_collection: str = ""  # blank: as ``collection``
    measured: Money | None = None  # what the collection limit was compared with
    tax_base: Money | None = None
    region: dict | None = None  # {"code", "name", "rate", "tax_local"} where a region's tax applied
    unrated: tuple[str, ...] = ()  # HS codes with no duty rate
    remarks: tuple[str, ...] = ()
    prepay: str = Prepay.DAP

    def __post_init__(self):
        for name, code in (("duty", self.store_currency), ("tax", self.store_currency),
                           ("duty_charge", self.charge_currency), ("tax_charge", self.charge_currency)):
            if getattr(self, name) is None:
                object.__setattr__(self, name, Money.zero(code))
        if not self.duty_collection:
            object.__setattr__(self, "duty_collection", self.collection)

    @property
    def collected_at_checkout(self) -> bool:
        """Whether anything is collected at checkout (duty or tax)."""
        return Collection.CHECKOUT in (self.collection, self.duty_collection) and bool(self.collected)

    @property
    def total(self) -> Money:
        return self.duty + self.tax

    @property
    def collected_duty(self) -> Money:
        return self.duty if self.duty_collection == Collection.CHECKOUT else Money.zero(self.store_currency)

    @property
    def collected_tax(self) -> Money:
        return self.tax if self.collection == Collection.CHECKOUT else Money.zero(self.store_currency)

    @property
    def collected(self) -> Money:
        """What the order charges for duty and tax (store currency)."""
        return self.collected_duty + self.collected_tax

    @property
    def due_on_delivery(self) -> Money:
        """The estimate of what the buyer pays on delivery (store currency); never charged."""
        return self.total - self.collected

    @property
    def due_on_delivery_charge(self) -> Money:
        due = Money.zero(self.charge_currency)
        if self.duty_collection == Collection.ON_DELIVERY:
            due += self.duty_charge
        if self.collection == Collection.ON_DELIVERY:
            due += self.tax_charge
        return due

    @property
    def duty_unestimated(self) -> bool:
        """Some goods have no duty rate here and their duty is left to the border: more may be due."""
        return Remark.UNRATED in self.remarks and self.duty_collection == Collection.ON_DELIVERY

    @property
    def incoterm(self) -> str:
        """DDP when something was collected and the buyer owes nothing on delivery (not even an unestimated
        duty); DAP otherwise."""
        return "DDP" if self.collected and not self.due_on_delivery and not self.duty_unestimated else "DAP"

    def snapshot(self) -> dict:
        """The breakdown as an order freezes it (decimal strings beside their currencies)."""
        def amount(money: Money | None) -> str | None:
            return str(money.amount) if money is not None else None

        return {
            "destination": self.destination, "collection": self.collection,
            "duty_collection": self.duty_collection, "tax_name": self.tax_name,
            "destination_currency": self.destination_currency, "value": amount(self.value),
            "measured": amount(self.measured), "tax_base": amount(self.tax_base),
            "duty_local": amount(self.duty_local), "tax_local": amount(self.tax_local),
            "currency": self.store_currency, "duty": amount(self.duty), "tax": amount(self.tax),
            "charge_currency": self.charge_currency, "duty_charge": amount(self.duty_charge),
            "tax_charge": amount(self.tax_charge), "collected_at_checkout": self.collected_at_checkout,
            "due_on_delivery": amount(self.due_on_delivery),
            "due_on_delivery_charge": amount(self.due_on_delivery_charge),
            "duty_unestimated": self.duty_unestimated, "terms": self.incoterm,
            "prepay": self.prepay, "region": self.region, "unrated": list(self.unrated),
            "remarks": list(self.remarks),
            "rule_effective_from": self.rule_effective_from.isoformat() if self.rule_effective_from else None,
            "origin_rule": self.origin_rule,
        }


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
        digits = hs_digits(line.hs_code)
        if digits:
            codes.add(digits[:6])
        else:
            unnamed += 1
    return len(codes) + unnamed


def none(*, destination: str, store_currency: str, charge_currency: str, collection: str = Collection.NONE,
         remarks: tuple[str, ...] = ()) -> LandedCost:
    return LandedCost(destination=destination, collection=collection, store_currency=store_currency,
                      charge_currency=charge_currency, remarks=remarks)


# --- the steps ---------------------------------------------------------------------------------------


def is_import(terms: DestinationTerms | None, destination: str, ship_from: str) -> bool:
    """Step 1: goods cross a customs border — different countries, not both in the destination's union."""
    if terms is None or not destination or destination == ship_from:
        return False
    return not (terms.union and destination in terms.union_members and ship_from in terms.union_members)


@dataclass(frozen=True)
class Values:
    """Step 3, per line in the destination's currency, unrounded: ``price`` (intrinsic value), ``freight``
    (its share of the shipping, spread by price) and ``customs`` (its customs value)."""

    price: tuple[Decimal, ...]
    freight: tuple[Decimal, ...]
    customs: tuple[Decimal, ...]

    @property
    def customs_total(self) -> Decimal:
        return sum(self.customs, Decimal(0))


def customs_values(terms: DestinationTerms, lines: list[CustomsLine], shipping: Money, per_eur) -> Values:
    local, store = terms.currency, shipping.currency
    price = tuple(exact(line.value.amount, store, local, per_eur) for line in lines)
    total = sum(price, Decimal(0))
    shipping_local = exact(shipping.amount, store, local, per_eur)
    if total:
        freight = tuple(shipping_local * amount / total for amount in price)
    else:  # goods worth nothing: the shipping sits on the first line
        freight = tuple(shipping_local if index == 0 else Decimal(0) for index in range(len(price)))
    share = Decimal(terms.customs_value_percent) / HUNDRED
    with_freight = terms.valuation == "cif"
    customs = tuple(amount * share + (carriage if with_freight else Decimal(0))
                    for amount, carriage in zip(price, freight, strict=True))
    return Values(price=price, freight=freight, customs=customs)


def measured(terms: DestinationTerms, lines: list[CustomsLine], values: Values, *, per_item: bool) -> Money:
    """Step 4: the value a limit is compared with — goods or customs value, consignment or dearest item."""
    amounts = values.price if terms.threshold_basis == "goods" else values.customs
    if per_item:
        return Money(max((amount / max(line.quantity, 1) for amount, line in zip(amounts, lines, strict=True)),
                         default=Decimal(0)), terms.currency)
    return Money(sum(amounts, Decimal(0)), terms.currency)


def under_regime(terms: DestinationTerms, measure: Money, per_eur) -> bool:
    """Step 5: the point-of-sale regime applies (tax charged at checkout by the platform)."""
    limit = threshold(terms.collect_limit, terms, per_eur)
    return terms.collect_at_checkout and (limit is None or measure <= limit)


@dataclass(frozen=True)
class Duty:
    """Step 6's answer: the duty of each line (destination currency, unrounded; a flat duty sits on the
    consignment), the HS codes left unrated (and whether a line without one was), and whether a default rate
    or the never-relieved list was used."""

    per_line: tuple[Decimal, ...]
    flat: Decimal = Decimal(0)
    unrated: tuple[str, ...] = ()
    uncoded: bool = False
    used_default: bool = False
    never_relieved: bool = False

    @property
    def total(self) -> Decimal:
        return sum(self.per_line, Decimal(0)) + self.flat


def duty(terms: DestinationTerms, lines: list[CustomsLine], values: Values, ship_from: str, *, regime: bool,
         relief: Money, per_eur) -> Duty:
    nothing = tuple(Decimal(0) for _line in lines)
    flat = threshold(terms.flat_duty_per_tariff_line, terms, per_eur)
    if regime and flat is not None:
        return Duty(per_line=nothing, flat=flat.amount * tariff_lines(lines) if values.customs_total else Decimal(0))
    de_minimis = threshold(terms.duty_de_minimis, terms, per_eur)
    relieved = de_minimis is not None and relief <= de_minimis
    dutiable = [not relieved or terms.always_dutiable(line) for line in lines]
    if not any(dutiable):
        return Duty(per_line=nothing)
    if terms.duty_bands:
        # One rate for the consignment's value: spread over the dutiable lines by customs value.
        base = sum((amount for amount, due in zip(values.customs, dutiable, strict=True) if due), Decimal(0))
        banded = _banded_duty(terms, base, per_eur)
        return Duty(per_line=tuple(banded * amount / base if due and base else Decimal(0)
                                   for amount, due in zip(values.customs, dutiable, strict=True)),
                    never_relieved=relieved)
    per_line, unrated, used_default = [], set(), False
    for line, amount, due in zip(lines, values.customs, dutiable, strict=True):
        if not due:
            per_line.append(Decimal(0))
            continue
        rate = terms.rate_of(line, ship_from)
        if rate.percent is None:
            unrated.add(hs_digits(line.hs_code))
            per_line.append(Decimal(0))
            continue
        used_default = used_default or rate.source == "default"
        per_line.append(amount * rate.percent / HUNDRED)
    return Duty(per_line=tuple(per_line), unrated=tuple(sorted(unrated - {""})), uncoded="" in unrated,
                used_default=used_default, never_relieved=relieved)


@dataclass(frozen=True)
class ImportTax:
    """Step 7's answer (destination currency, rounded): the base, the national and the regional tax."""

    base: Money
    national: Money
    regional: Money
    never_relieved: bool = False


def import_tax(terms: DestinationTerms, lines: list[CustomsLine], values: Values, duties: Duty, *,
               relief: Money, region: RegionTerms | None, regime: bool, duty_in_base: bool = True,
               per_eur) -> ImportTax:
    local = terms.currency
    rate = terms.regime_vat_rate if regime and terms.regime_vat_rate is not None else terms.vat_rate
    de_minimis = threshold(terms.vat_de_minimis, terms, per_eur) or Money.zero(local)
    relieved = relief <= de_minimis
    taxed = [not relieved or terms.always_dutiable(line) for line in lines]
    share = Decimal(terms.customs_value_percent) / HUNDRED
    # The flat duty belongs to the whole parcel: it is taxed with it when any line is.
    with_duty = Decimal(1) if duty_in_base else Decimal(0)
    base_exact = (duties.flat * with_duty if any(taxed) else Decimal(0)) + sum(
        (price * share + (freight if terms.tax_base_includes_shipping else Decimal(0)) + line_duty * with_duty
         for price, freight, line_duty, due in zip(values.price, values.freight, duties.per_line, taxed, strict=True)
         if due), Decimal(0))
    base = Money(base_exact, local)
    national = Money(base_exact * rate / HUNDRED if rate else 0, local)
    regional = Money.zero(local)
    if region is not None and region.collection != "not_collected":
        # A sales tax is on the goods' price (no customs relief applies to it); others follow the import.
        regional_base = sum(values.price, Decimal(0)) if region.base == "sale" else base_exact
        regional = Money(regional_base * region.rate / HUNDRED, local)
    return ImportTax(base=base, national=national, regional=regional,
                     never_relieved=relieved and any(taxed))


def at_the_border(terms: DestinationTerms, prepay: str) -> str:
    """How what the border asks is collected: prepaid at checkout (DDP, where the destination allows it or
    requires it) or by the carrier on delivery."""
    if terms.border_terms == "ddp" or (terms.border_terms != "dap" and prepay == Prepay.DDP):
        return Collection.CHECKOUT
    return Collection.ON_DELIVERY


def collections(terms: DestinationTerms, *, regime: bool, regime_covers_duty: bool, prepay: str,
                region: RegionTerms | None) -> tuple[str, str]:
    """Step 8: how the tax and how the duty are collected (``Collection`` values)."""
    border = at_the_border(terms, prepay)
    if regime:
        tax_collection = Collection.CHECKOUT
    elif region is not None and region.collection == "checkout" and not terms.vat_rate:
        tax_collection = Collection.CHECKOUT  # a marketplace facilitator's sales tax, where there is no VAT
    else:
        tax_collection = border
    return tax_collection, Collection.CHECKOUT if regime and regime_covers_duty else border


def landed_cost(*, terms: DestinationTerms | None, destination: str, ship_from: str, lines: list[CustomsLine],
                shipping: Money, per_eur: dict[str, Decimal], charge_currency: str, charge_rate: Decimal,
                region: str = "", transport: str = "", prepay: str = Prepay.DAP) -> LandedCost:
    """The landed cost of one store order (see the module docstring for the rules, in order).

    ``lines`` and ``shipping`` are in the store's currency; ``per_eur`` the order's frozen rates;
    ``charge_rate`` units of the charge currency per unit of the store's currency; ``region`` the
    buyer's province or state code (checked by the caller), ``transport`` the shipping method's
    (``post``/``courier``), ``prepay`` the store's choice for what is due at the border.
    """
    store_currency = shipping.currency
    if not is_import(terms, destination, ship_from):
        union = terms is not None and destination != ship_from and terms.union and ship_from in terms.union_members
        return none(destination=destination, store_currency=store_currency, charge_currency=charge_currency,
                    remarks=(Remark.CUSTOMS_UNION,) if union else ())
    try:
        return _judge(terms, lines, ship_from, shipping, per_eur, charge_currency, Decimal(charge_rate),
                      region=region, transport=transport, prepay=prepay)
    except UnknownCurrency:
        return none(destination=destination, store_currency=store_currency, charge_currency=charge_currency,
                    collection=Collection.UNKNOWN)


def _judge(terms: DestinationTerms, lines: list[CustomsLine], ship_from: str, shipping: Money, per_eur,
           charge_currency: str, charge_rate: Decimal, *, region: str, transport: str, prepay: str) -> LandedCost:
    terms, origin_rule = terms.for_origin(ship_from, lines, transport)
    local, store_currency = terms.currency, shipping.currency
    values = customs_values(terms, lines, shipping, per_eur)
    collect_measure = measured(terms, lines, values, per_item=terms.collect_limit_per_item)
    relief = measured(terms, lines, values, per_item=terms.de_minimis_per_item)
    regime = under_regime(terms, collect_measure, per_eur)
    # Duty rides with the regime when the consignment is within it as a whole, or when duty relief is judged
    # item by item too (Norway); Australia's limit is per item but its duty relief per consignment.
    regime_covers_duty = regime and (not terms.collect_limit_per_item or terms.de_minimis_per_item or under_regime(
        terms, measured(terms, lines, values, per_item=False), per_eur))
    duties = duty(terms, lines, values, ship_from, regime=regime, relief=relief, per_eur=per_eur)
    region_terms = terms.regions.get(region) if region else None
    # Tax charged at the sale is on its price: a duty the regime leaves to the border is not in it.
    taxes = import_tax(terms, lines, values, duties, relief=relief, region=region_terms, regime=regime,
                       duty_in_base=not regime or regime_covers_duty, per_eur=per_eur)
    tax_collection, duty_collection = collections(terms, regime=regime, regime_covers_duty=regime_covers_duty,
                                                  prepay=prepay, region=region_terms)

    duty_local = Money(duties.total, local)
    tax_local = taxes.national + taxes.regional
    duty_store = Money(exact(duty_local.amount, local, store_currency, per_eur), store_currency)
    tax_store = Money(exact(tax_local.amount, local, store_currency, per_eur), store_currency)
    remarks = _remarks(terms, lines, duties, taxes, region_terms, prepaid=not regime and at_the_border(
        terms, prepay) == Collection.CHECKOUT)
    return LandedCost(
        destination=terms.country, collection=tax_collection, duty_collection=duty_collection,
        store_currency=store_currency, charge_currency=charge_currency, destination_currency=local,
        tax_name=region_terms.tax_name if region_terms and region_terms.collection != "not_collected" else terms.tax_name,
        value=Money(values.customs_total, local), measured=collect_measure, tax_base=taxes.base,
        duty_local=duty_local, tax_local=tax_local, duty=duty_store, tax=tax_store,
        duty_charge=Money(duty_store.amount * charge_rate, charge_currency),
        tax_charge=Money(tax_store.amount * charge_rate, charge_currency),
        rule_effective_from=terms.effective_from, origin_rule=origin_rule.label() if origin_rule else None,
        region=({"code": region_terms.code, "name": region_terms.name, "rate": str(region_terms.rate),
                 "collection": region_terms.collection, "tax_local": str(taxes.regional.amount)}
                if region_terms else None),
        unrated=duties.unrated, remarks=remarks, prepay=prepay)


def _remarks(terms, lines, duties: Duty, taxes: ImportTax, region_terms, *, prepaid: bool) -> tuple[str, ...]:
    remarks = []
    if duties.unrated or duties.uncoded:
        remarks.append(Remark.UNRATED)
    if duties.uncoded:
        remarks.append(Remark.HS_CODE_MISSING)
    if duties.used_default:
        remarks.append(Remark.DEFAULT_RATE)
    if any(not line.origin for line in lines) and (terms.duty_table or terms.origin_rules):
        remarks.append(Remark.ORIGIN_ASSUMED)
    if terms.regions and not region_terms:
        remarks.append(Remark.REGION_MISSING)
    if region_terms is not None and region_terms.collection == "not_collected":
        remarks.append(Remark.REGIONAL_NOT_COLLECTED)
    if (duties.never_relieved and duties.total) or (taxes.never_relieved and (taxes.national or taxes.regional)):
        remarks.append(Remark.NEVER_RELIEVED)
    if prepaid and (duties.total or taxes.national):
        remarks.append(Remark.PREPAID)
    return tuple(remarks)


def _banded_duty(terms: DestinationTerms, value: Decimal, per_eur) -> Decimal:
    """The band the value falls in (the last whose ``above`` it exceeds): its rate of the whole value less
    its deduction, never below zero; nothing below the first band."""
    stated = Money(value, terms.currency)
    band = None
    for candidate in terms.duty_bands:
        if stated > threshold(candidate.above, terms, per_eur):
            band = candidate
    if band is None:
        return Decimal(0)
    deduct = exact(band.deduct, terms.thresholds_currency, terms.currency, per_eur)
    return max(value * band.rate / HUNDRED - deduct, Decimal(0))


def in_force(versions: list, at: dt.date):
    """The version in force on ``at``: the latest ``effective_from`` on or before it (None if none yet)."""
    best = None
    for version in versions:
        if version.effective_from <= at and (best is None or version.effective_from > best.effective_from):
            best = version
    return best
