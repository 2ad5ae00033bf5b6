"""Shipping arithmetic, pure: which zone of a template serves a country, what a method costs for some
lines, and when the parcel should arrive. No database; amounts are ``Money`` in the template's currency.

Rules kept here (and tested table by table in ``tests/test_rules.py``):

- a zone that names the destination country beats the template's rest-of-world zone; with neither the
  template cannot ship there;
- per item: ``first`` for the first unit, ``additional`` for each further unit of the lines shipped
  together;
- per weight: the lines' total weight is billed in whole kilograms, each started kilogram counting
  (1 g → 1 kg, 1000 g → 1 kg, 1001 g → 2 kg): ``first`` for the first, ``additional`` for each further
  one. A line without a weight cannot be priced per weight (that method is not offered);
- free shipping when the items' subtotal (the lines shipped under that template, in the store currency)
  reaches the method's threshold — "from", so exactly the threshold ships free;
- delivery dates count business days (Monday to Friday) from today: first the template's handling
  time, then the method's days; public holidays are not known and not skipped;
- lines of one store under several templates ship as separate parcels: the store is offered the kinds
  (economy / standard / express) every one of its templates offers to the destination, costs added up,
  the latest dates kept; the cheapest is chosen unless the shopper picks another.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jishi.money.rules import Money

PER_ITEM, PER_WEIGHT = "per_item", "per_weight"
POST, COURIER = "post", "courier"  # how a parcel crosses the border (customs rules may differ)
KIND_ORDER = {"economy": 0, "standard": 1, "express": 2}
MAX_HANDLING_DAYS = 60
MAX_DELIVERY_DAYS = 120

# Why a store's lines cannot ship to a country.
NO_ZONE = "no_zone"  # no zone of the template names the country and there is no rest of the world
MISSING_WEIGHT = "missing_weight"  # only per-weight methods, and a line has no weight
NO_METHOD = "no_method"  # the zone has no method, or the store's templates have no kind in common


@dataclass(frozen=True)
class MethodRule:
    id: int
    kind: str
    name: str
    pricing: str
    first: Money
    additional: Money
    free_over: Money | None
    days_min: int
    days_max: int
    transport: str = "courier"  # "post" or "courier": how the parcel crosses the border


@dataclass(frozen=True)
class ZoneRule:
    id: int
    name: str
    countries: frozenset[str]
    rest_of_world: bool
    methods: tuple[MethodRule, ...]


@dataclass(frozen=True)
class TemplateRule:
    id: int | None  # None: the flat rate of a store that has no template yet
    name: str
    ship_from: str
    handling_days: int
    currency: str
    zones: tuple[ZoneRule, ...]


@dataclass(frozen=True)
class ShipLine:
    variant_id: int
    quantity: int
    weight_grams: int
    unit_price: Money


class MissingWeight(ValueError):
    def __init__(self, variant_ids: list[int]):
        super().__init__("A line has no weight.")
        self.variant_ids = variant_ids


def flat_template(*, ship_from: str, currency: str, rate) -> TemplateRule:
    """What a store without templates charges: its one flat rate per order, to every country."""
    amount = Money(rate, currency)
    method = MethodRule(id=0, kind="standard", name="", pricing=PER_ITEM, first=amount,
                        additional=Money.zero(currency), free_over=None, days_min=5, days_max=15)
    return TemplateRule(id=None, name="", ship_from=ship_from, handling_days=2, currency=currency,
                        zones=(ZoneRule(id=0, name="", countries=frozenset(), rest_of_world=True, methods=(method,)),))


def zone_for(template: TemplateRule, country: str) -> ZoneRule | None:
    country = (country or "").upper()
    for zone in template.zones:
        if not zone.rest_of_world and country in zone.countries:
            return zone
    return next((zone for zone in template.zones if zone.rest_of_world), None)


def billable_kg(weight_grams: int) -> int:
    """Whole kilograms billed for ``weight_grams``: every started kilogram counts, at least one."""
    return max(1, -(-weight_grams // 1000))


def method_cost(method: MethodRule, lines: list[ShipLine]) -> Money:
    """What ``method`` charges for ``lines`` shipped together. Raises ``MissingWeight`` for a per-weight
    method when a line has no weight."""
    currency = method.first.currency
    subtotal = sum((line.unit_price * line.quantity for line in lines), Money.zero(currency))
    if method.pricing == PER_WEIGHT:
        missing = [line.variant_id for line in lines if line.weight_grams <= 0]
        if missing:
            raise MissingWeight(missing)
        units = billable_kg(sum(line.weight_grams * line.quantity for line in lines))
    else:
        units = sum(line.quantity for line in lines)
    if method.free_over is not None and subtotal >= method.free_over:
        return Money.zero(currency)
    return method.first + method.additional * max(0, units - 1)


def add_business_days(start: dt.date, days: int) -> dt.date:
    """``days`` business days (Monday to Friday) after ``start``; a weekend start counts from Monday."""
    date = start
    while days > 0:
        date += dt.timedelta(days=1)
        if date.weekday() < 5:
            days -= 1
    return date


@dataclass(frozen=True)
class Option:
    """One way the store's lines can ship: its cost in the store currency and when they arrive."""

    kind: str
    name: str
    cost: Money
    days_min: int  # business days from today, handling included
    days_max: int
    delivery_from: dt.date
    delivery_to: dt.date
    method_ids: tuple[int, ...]
    transport: str = ""  # "post" or "courier" when every parcel goes that way, else ""

    @property
    def is_free(self) -> bool:
        return not self.cost


@dataclass(frozen=True)
class StoreShipping:
    """How one store's lines can go to one country: the options, cheapest first, or why they cannot."""

    country: str
    ship_from: str
    options: tuple[Option, ...] = ()
    problem: str | None = None
    missing_weight: tuple[int, ...] = ()

    @property
    def can_ship(self) -> bool:
        return self.problem is None

    @property
    def cheapest(self) -> Option | None:
        return self.options[0] if self.options else None

    def option(self, kind: str | None) -> Option | None:
        """The option of ``kind``, else the cheapest."""
        return next((option for option in self.options if option.kind == kind), None) if kind else self.cheapest


def _group_options(template: TemplateRule, lines: list[ShipLine], country: str
                   ) -> tuple[dict[str, tuple[MethodRule, Money]], str | None, list[int]]:
    zone = zone_for(template, country)
    if zone is None:
        return {}, NO_ZONE, []
    priced, missing = {}, []
    for method in zone.methods:
        try:
            priced[method.kind] = (method, method_cost(method, lines))
        except MissingWeight as error:
            missing.extend(error.variant_ids)
    if not priced:
        return {}, (MISSING_WEIGHT if missing else NO_METHOD), sorted(set(missing))
    return priced, None, []


def quote_store(*, groups: list[tuple[TemplateRule, list[ShipLine]]], country: str, today: dt.date,
                currency: str) -> StoreShipping:
    """Price one store's lines (grouped by the template each product uses) to ``country``."""
    ship_from = groups[0][0].ship_from if groups else ""
    per_group = []
    for template, lines in groups:
        if template.currency != currency:
            return StoreShipping(country=country, ship_from=ship_from, problem=NO_METHOD)
        priced, problem, missing = _group_options(template, lines, country)
        if problem:
            return StoreShipping(country=country, ship_from=ship_from, problem=problem, missing_weight=tuple(missing))
        per_group.append((template, priced))
    kinds = set.intersection(*(set(priced) for _t, priced in per_group)) if per_group else set()
    if not kinds:
        return StoreShipping(country=country, ship_from=ship_from, problem=NO_METHOD)
    options = []
    for kind in kinds:
        chosen = [(template, *priced[kind]) for template, priced in per_group]
        cost = sum((cost for _t, _m, cost in chosen), Money.zero(currency))
        days_min = max(template.handling_days + method.days_min for template, method, _c in chosen)
        days_max = max(template.handling_days + method.days_max for template, method, _c in chosen)
        name = chosen[0][1].name if len(chosen) == 1 else ""
        transports = {method.transport for _t, method, _c in chosen}
        options.append(Option(kind=kind, name=name, cost=cost, days_min=days_min, days_max=days_max,
                              delivery_from=add_business_days(today, days_min),
                              delivery_to=add_business_days(today, days_max),
                              method_ids=tuple(method.id for _t, method, _c in chosen),
                              transport=transports.pop() if len(transports) == 1 else ""))
    options.sort(key=lambda option: (option.cost.amount, KIND_ORDER.get(option.kind, 9)))
    return StoreShipping(country=country, ship_from=ship_from, options=tuple(options))


# --- checking what a seller enters ------------------------------------------------------------------

MAX_ZONES = 50
MAX_NAME = 80


@dataclass(frozen=True)
class CleanMethod:
    kind: str
    name: str
    pricing: str
    first_amount: object
    additional_amount: object
    free_over: object | None
    days_min: int
    days_max: int
    transport: str = COURIER


@dataclass(frozen=True)
class CleanZone:
    name: str
    countries: tuple[str, ...]
    is_rest_of_world: bool
    methods: tuple[CleanMethod, ...]


@dataclass(frozen=True)
class CleanTemplate:
    name: str
    ship_from: str
    handling_days: int
    zones: tuple[CleanZone, ...]


class Problems(dict):
    """Field path → messages, in the order found."""

    def add(self, where: str, message: str) -> None:
        self.setdefault(where, []).append(message)


def _whole(raw, where: str, low: int, high: int, problems: Problems, message: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str) or not str(raw).strip().isdigit() \
            or not low <= int(raw) <= high:
        problems.add(where, message)
        return low
    return int(raw)


def _amount(raw, where: str, currency: str, problems: Problems, message: str, *, optional: bool = False):
    from jishi.money.rules import quantize, to_decimal

    if optional and (raw is None or str(raw).strip() == ""):
        return None
    try:
        value = to_decimal(raw if raw is not None else "")
    except (TypeError, ValueError):
        problems.add(where, message)
        return None
    if value < 0 or value >= 10**12 or quantize(value, currency) != value:
        problems.add(where, message)
        return None
    return quantize(value, currency)


def clean_template(raw: dict, *, currency: str, is_country, texts: dict[str, str]) -> tuple[CleanTemplate | None, Problems]:
    """Check a whole template as entered (``{name, ship_from, handling_days, zones: [{name, countries,
    is_rest_of_world, methods: [{kind, name, pricing, transport, first_amount, additional_amount,
    free_over, days_min, days_max}]}]}``). ``texts`` holds the translated messages (this module knows no language).
    Returns the cleaned template, or None and the problems by field path."""
    problems = Problems()
    raw = raw if isinstance(raw, dict) else {}
    name = str(raw.get("name") or "").strip()
    if not 1 <= len(name) <= MAX_NAME:
        problems.add("name", texts["name"])
    ship_from = str(raw.get("ship_from") or "").strip().upper()
    if not is_country(ship_from):
        problems.add("ship_from", texts["country"])
    handling = _whole(raw.get("handling_days", 1), "handling_days", 0, MAX_HANDLING_DAYS, problems, texts["handling"])
    zones_raw = raw.get("zones") or []
    if not isinstance(zones_raw, list | tuple) or not zones_raw:
        problems.add("zones", texts["zones"])
        zones_raw = []
    if len(zones_raw) > MAX_ZONES:
        problems.add("zones", texts["too_many_zones"])
        zones_raw = []
    zones, seen_countries, rest_of_world = [], {}, 0
    for z, zone in enumerate(zones_raw):
        zone = zone if isinstance(zone, dict) else {}
        at = f"zones.{z}"
        zone_name = str(zone.get("name") or "").strip()
        if not 1 <= len(zone_name) <= MAX_NAME:
            problems.add(f"{at}.name", texts["name"])
        is_rest = bool(zone.get("is_rest_of_world"))
        rest_of_world += is_rest
        codes_raw = zone.get("countries") or []
        if isinstance(codes_raw, str):
            codes_raw = codes_raw.replace(",", " ").split()
        codes = []
        for code in codes_raw if isinstance(codes_raw, list | tuple) else [None]:
            code = str(code or "").strip().upper()
            if not is_country(code):
                problems.add(f"{at}.countries", texts["countries"] % {"code": code or "?"})
            elif code in seen_countries and seen_countries[code] != z:
                problems.add(f"{at}.countries", texts["country_twice"] % {"code": code})
            elif code not in codes:
                seen_countries[code] = z
                codes.append(code)
        if not is_rest and not codes and f"{at}.countries" not in problems:
            problems.add(f"{at}.countries", texts["no_countries"])
        methods_raw = zone.get("methods") or []
        if not isinstance(methods_raw, list | tuple) or not methods_raw:
            problems.add(f"{at}.methods", texts["methods"])
            methods_raw = []
        methods, kinds = [], set()
        for m, method in enumerate(methods_raw):
            method = method if isinstance(method, dict) else {}
            where = f"{at}.methods.{m}"
            kind = method.get("kind")
            if kind not in KIND_ORDER:
                problems.add(f"{where}.kind", texts["kind"])
            elif kind in kinds:
                problems.add(f"{where}.kind", texts["kind_twice"])
            kinds.add(kind)
            pricing = method.get("pricing", PER_ITEM)
            if pricing not in (PER_ITEM, PER_WEIGHT):
                problems.add(f"{where}.pricing", texts["pricing"])
            transport = method.get("transport") or COURIER
            if transport not in (POST, COURIER):
                problems.add(f"{where}.transport", texts["transport"])
            method_name = str(method.get("name") or "").strip()
            if len(method_name) > MAX_NAME:
                problems.add(f"{where}.name", texts["name"])
            first = _amount(method.get("first_amount"), f"{where}.first_amount", currency, problems, texts["amount"])
            additional = _amount(method.get("additional_amount", "0"), f"{where}.additional_amount", currency,
                                 problems, texts["amount"])
            free_over = _amount(method.get("free_over"), f"{where}.free_over", currency, problems, texts["amount"],
                                optional=True)
            days_min = _whole(method.get("days_min"), f"{where}.days_min", 0, MAX_DELIVERY_DAYS, problems, texts["days"])
            days_max = _whole(method.get("days_max"), f"{where}.days_max", 0, MAX_DELIVERY_DAYS, problems, texts["days"])
            if days_max < days_min and f"{where}.days_max" not in problems:
                problems.add(f"{where}.days_max", texts["days_order"])
            methods.append(CleanMethod(kind=kind, name=method_name, pricing=pricing, first_amount=first,
                                       additional_amount=additional, free_over=free_over, days_min=days_min,
                                       days_max=days_max, transport=transport))
        zones.append(CleanZone(name=zone_name, countries=tuple(codes) if not is_rest else (), is_rest_of_world=is_rest,
                               methods=tuple(methods)))
    if rest_of_world > 1:
        problems.add("zones", texts["one_rest"])
    if problems:
        return None, problems
    return CleanTemplate(name=name, ship_from=ship_from, handling_days=handling, zones=tuple(zones)), problems
