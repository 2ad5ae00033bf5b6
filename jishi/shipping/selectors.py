"""Reads for shipping: a store's templates (tenant-scoped), and how lines of many stores can ship to a
country — in a fixed number of queries whatever the number of stores, products and lines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from jishi.core import clock
from jishi.core.errors import DomainError, NotFound
from jishi.core.ids import parse_id
from jishi.core.memo import SharedVersionMemo
from jishi.money.rules import Money
from jishi.shipping.models import Method, ShippingTemplate, Zone
from jishi.shipping.rules import (
    MethodRule,
    ShipLine,
    StoreShipping,
    TemplateRule,
    ZoneRule,
    flat_template,
    quote_store,
)


def _with_zones(queryset):
    return queryset.prefetch_related(Prefetch("zones", queryset=Zone.objects.prefetch_related(
        Prefetch("methods", queryset=Method.objects.order_by("first_amount", "id")))))


def list_templates(*, store) -> list[ShippingTemplate]:
    """The store's templates, the default first, each with its zones and their methods (three queries)."""
    return list(_with_zones(ShippingTemplate.objects.filter(store=store)))


def access_template(*, access, template_id) -> ShippingTemplate:
    """One of ``access.store``'s templates with zones and methods; another store's is not found."""
    number = parse_id(template_id)
    found = _with_zones(ShippingTemplate.objects.filter(store=access.store, pk=number)).first() if number else None
    if found is None:
        raise NotFound("shipping.template_not_found", _("Shipping template not found."))
    return found


def template_choices(*, store) -> list[tuple[int, str]]:
    return list(ShippingTemplate.objects.filter(store=store).order_by("-is_default", "name")
                .values_list("id", "name"))


def to_rule(template: ShippingTemplate) -> TemplateRule:
    currency = template.currency
    return TemplateRule(
        id=template.id, name=template.name, ship_from=template.ship_from, handling_days=template.handling_days,
        currency=currency, zones=tuple(ZoneRule(
            id=zone.id, name=zone.name, countries=frozenset(code.upper() for code in zone.countries or []),
            rest_of_world=zone.is_rest_of_world, methods=tuple(MethodRule(
                id=method.id, kind=method.kind, name=method.name, pricing=method.pricing,
                first=Money(method.first_amount, currency), additional=Money(method.additional_amount, currency),
                free_over=Money(method.free_over, currency) if method.free_over is not None else None,
                days_min=method.days_min, days_max=method.days_max, transport=method.transport)
                for method in zone.methods.all()))
            for zone in template.zones.all()))


@dataclass
class StoreTemplates:
    """A store's templates as rules: by id, and the one its products use unless they name another."""

    store: object
    by_id: dict[int, TemplateRule] = field(default_factory=dict)
    default: TemplateRule | None = None

    def for_product(self, template_id: int | None) -> TemplateRule:
        if template_id is not None and template_id in self.by_id:
            return self.by_id[template_id]
        if self.default is not None:
            return self.default
        # A store that has not set up templates yet ships everywhere at its flat rate, read from the store
        # row as it is now: stores never calls shipping, so nothing here must follow a change of that rate.
        return flat_template(ship_from=self.store.country, currency=self.store.base_currency_id,
                             rate=self.store.shipping_rate)


# Each process keeps the stores' templates as rules, valid while the shared token stays the same (every
# checkout prices shipping, and templates change rarely); ``invalidate_store_templates`` after a change
# commits makes every node reload on its next read.
SHIPPING_TEMPLATES: SharedVersionMemo[dict] = SharedVersionMemo("shipping:templates:token")
MAX_REMEMBERED_STORES = 5000


def invalidate_store_templates() -> None:
    SHIPPING_TEMPLATES.invalidate()


def get_store_templates(stores: Iterable) -> dict[int, StoreTemplates]:
    """Store id → its templates as rules, for ``stores`` (objects with id, country, base currency and
    flat rate): none of the stores' templates read before since the last change costs a query; the
    others three queries whatever their number."""
    found = {store.id: StoreTemplates(store=store) for store in stores}
    if not found:
        return found
    known = SHIPPING_TEMPLATES.get(dict)
    missing = [store_id for store_id in found if store_id not in known]
    if missing:
        if len(known) > MAX_REMEMBERED_STORES:
            known.clear()
        loaded: dict[int, tuple[dict, TemplateRule | None]] = {store_id: ({}, None) for store_id in missing}
        for template in _with_zones(ShippingTemplate.objects.filter(store_id__in=missing)):
            by_id, default = loaded[template.store_id]
            rule = to_rule(template)
            by_id[template.id] = rule
            loaded[template.store_id] = (by_id, rule if template.is_default or default is None else default)
        known.update(loaded)
    for store_id, entry in found.items():
        entry.by_id, entry.default = known[store_id]
    return found


@dataclass(frozen=True)
class LineToShip:
    """A line as shipping sees it: its store, the template its product names (None: the default) and
    what it weighs and costs."""

    store_id: int
    template_id: int | None
    line: ShipLine


def quote_shipping(*, stores: dict[int, object], lines: list[LineToShip], country: str,
                   templates: dict[int, StoreTemplates] | None = None) -> dict[int, StoreShipping]:
    """Store id → how that store's ``lines`` can ship to ``country`` (options cheapest first, or the
    problem). Pass ``templates`` when already loaded; else three queries."""
    templates = get_store_templates(stores.values()) if templates is None else templates
    today = clock.now().date()
    per_store: dict[int, dict[int | None, tuple[TemplateRule, list[ShipLine]]]] = {}
    for item in lines:
        rule = templates[item.store_id].for_product(item.template_id)
        per_store.setdefault(item.store_id, {}).setdefault(rule.id, (rule, []))[1].append(item.line)
    return {store_id: quote_store(groups=list(groups.values()), country=country.upper(), today=today,
                                  currency=stores[store_id].base_currency_id)
            for store_id, groups in per_store.items()}


def problem_message(shipping: StoreShipping, store_name: str) -> str:
    """Why ``store_name`` cannot ship there, for people."""
    from django.utils import translation

    from jishi.core.countries import country_name
    from jishi.shipping.rules import MISSING_WEIGHT

    if shipping.problem == MISSING_WEIGHT:
        return _("%(store)s cannot quote shipping for these items: a weight is missing.") % {"store": store_name}
    return _("%(store)s does not ship to %(country)s.") % {
        "store": store_name,
        "country": country_name(shipping.country, "zh_Hans" if translation.get_language() == "zh-hans" else "en")}


# --- a quote before checkout (``POST /api/v1/shipping/quote``) --------------------------------------

MAX_QUOTE_ITEMS = 100


@dataclass(frozen=True)
class QuotedLine:
    variant_id: int
    quantity: int
    unit_price: Money
    hs_code: str
    weight_grams: int
    origin_country: str = ""

    @property
    def total(self) -> Money:
        return self.unit_price * self.quantity


@dataclass
class StoreQuoteOut:
    """One store's part of a shipping quote: its lines, the items' value, and how they can ship."""

    store: object
    lines: list[QuotedLine]
    shipping: StoreShipping
    message: str = ""

    @property
    def items_total(self) -> Money:
        return sum((line.total for line in self.lines), Money.zero(self.store.base_currency_id))


def _clean_items(raw) -> list[tuple[int, int]]:
    from jishi.cart.rules import MAX_QUANTITY

    if not isinstance(raw, list | tuple) or not raw:
        raise DomainError("shipping.invalid", _("Choose at least one item."), fields={"items": [_("Choose at least one item.")]})
    if len(raw) > MAX_QUOTE_ITEMS:
        message = _("Ask about at most %(max)s items at once.") % {"max": MAX_QUOTE_ITEMS}
        raise DomainError("shipping.invalid", message, fields={"items": [message]})
    merged: dict[int, int] = {}
    fields: dict[str, list[str]] = {}
    for index, item in enumerate(raw):
        item = item if isinstance(item, dict) else {}
        variant_id, quantity = item.get("variant_id"), item.get("quantity", 1)
        if isinstance(variant_id, bool) or not parse_id(variant_id if isinstance(variant_id, int | str) else ""):
            fields[f"items.{index}.variant_id"] = [_("Choose an option of the product.")]
        elif isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
            fields[f"items.{index}.quantity"] = [_("Choose between 1 and %(max)s items.") % {"max": MAX_QUANTITY}]
        else:
            merged[parse_id(variant_id)] = merged.get(parse_id(variant_id), 0) + quantity
    if fields:
        raise DomainError("shipping.invalid", next(iter(fields.values()))[0], fields=fields)
    return list(merged.items())


def quote_items(*, items, country, language: str = "en") -> list[StoreQuoteOut]:
    """How ``items`` (``[{variant_id, quantity}]``) can ship to ``country``, per store in the order the
    stores first appear: constant queries whatever the number of items and stores.

    Raises ``shipping.invalid`` (422: no items, too many, a bad quantity, an unknown country, an item
    not for sale — per field ``items.<n>.<field>``) and ``shipping.missing_weight`` (422, naming the
    items without a weight when their store ships only by weight).
    """
    from jishi.catalog.selectors import get_variants_for_sale
    from jishi.core.countries import is_country

    wanted = _clean_items(items)
    code = str(country or "").strip().upper()
    if not is_country(code):
        raise DomainError("shipping.invalid", _("Choose a country."), fields={"country": [_("Choose a country.")]})
    found = get_variants_for_sale([variant_id for variant_id, _q in wanted], language, thumbnails=False)
    position = {variant_id: index for index, (variant_id, _q) in enumerate(wanted)}
    missing = {f"items.{position[v]}.variant_id": [_("This item is not for sale.")]
               for v, _q in wanted if v not in found or not found[v].is_for_sale}
    if missing:
        raise DomainError("shipping.invalid", next(iter(missing.values()))[0], fields=missing)
    parts: dict[int, StoreQuoteOut] = {}
    to_ship = []
    for variant_id, quantity in wanted:
        item = found[variant_id]
        variant = item.variant
        line = QuotedLine(variant_id=variant_id, quantity=quantity, unit_price=Money(variant.price, variant.currency),
                          hs_code=variant.hs_code, weight_grams=variant.weight_grams,
                          origin_country=variant.origin_country)
        parts.setdefault(item.store.id, StoreQuoteOut(store=item.store, lines=[], shipping=None)).lines.append(line)
        to_ship.append(LineToShip(store_id=item.store.id, template_id=item.product.shipping_template_id,
                                  line=ShipLine(variant_id=variant_id, quantity=quantity,
                                                weight_grams=variant.weight_grams, unit_price=line.unit_price)))
    shipping = quote_shipping(stores={sid: part.store for sid, part in parts.items()}, lines=to_ship, country=code)
    weightless = {f"items.{position[v]}.variant_id": [_("This item has no weight, and its store ships by weight.")]
                  for offer in shipping.values() for v in offer.missing_weight}
    if weightless:
        raise DomainError("shipping.missing_weight", next(iter(weightless.values()))[0], fields=weightless)
    for store_id, part in parts.items():
        part.shipping = shipping[store_id]
        if not part.shipping.can_ship:
            part.message = problem_message(part.shipping, part.store.name)
    return list(parts.values())


def quote_variant(*, variant, store, template_id: int | None, country: str) -> StoreShipping:
    """How one unit of ``variant`` (of a product using ``template_id``) ships to ``country``: three queries."""
    line = ShipLine(variant_id=variant.id, quantity=1, weight_grams=variant.weight_grams,
                    unit_price=Money(variant.price, variant.currency))
    return quote_shipping(stores={store.id: store}, country=country,
                          lines=[LineToShip(store_id=store.id, template_id=template_id, line=line)])[store.id]
