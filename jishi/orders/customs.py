"""Customs papers, pure: the commercial invoice / customs declaration of one cross-border order.

Everything comes from what the order froze at placement — the store's name and country, where it ships
from, the shipping address, each line's title, options, HS code, origin, price and weight, and the landed
cost — so the papers never change when a product, a price or a tax rule changes later. No database work
here: ``orders.selectors.customs_declaration`` hands in an order whose lines are already loaded.

- An order is cross-border when the country it ships from (the store's country for orders placed before
  shipping templates) differs from the shipping address's country; only those have customs papers.
- The declared value is the items plus shipping in the order's (the store's) currency: the invoice total
  carriers ask for. Duties and import taxes are not part of it.
- The terms of delivery follow the frozen landed cost: when everything owed was collected at checkout the
  parcel goes "delivered duty paid" (DDP); when anything is left to the border — a duty the sale's regime
  does not cover, say — it goes "delivered at place" (DAP) and the recipient pays that on delivery.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from jishi.money.rules import Money

DDP = "DDP"  # duties and import taxes collected at checkout and paid over by the platform
DAP = "DAP"  # anything owed is due from the recipient on delivery
GRAMS_PER_KG = Decimal(1000)


@dataclass(frozen=True)
class DeclarationLine:
    sku: str
    title: str
    options: dict[str, str]
    hs_code: str
    origin_country: str
    quantity: int
    unit_value: Money
    value: Money
    unit_weight_grams: int
    weight_grams: int

    @property
    def weight_kg(self) -> Decimal:
        return Decimal(self.weight_grams) / GRAMS_PER_KG

    @property
    def unit_weight_kg(self) -> Decimal:
        return Decimal(self.unit_weight_grams) / GRAMS_PER_KG


@dataclass(frozen=True)
class CustomsDeclaration:
    order_id: int
    placed_at: dt.datetime
    currency: str
    sender_name: str
    sender_country: str
    ship_from_country: str
    recipient: dict[str, str]
    destination_country: str
    lines: tuple[DeclarationLine, ...]
    items_value: Money
    shipping: Money
    declared_value: Money
    terms: str
    collection: str
    tax_name: str
    duties_collected: Money
    taxes_collected: Money
    due_on_delivery: Money
    carrier: str = ""
    tracking_number: str = ""

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def total_weight_grams(self) -> int:
        return sum(line.weight_grams for line in self.lines)

    @property
    def total_weight_kg(self) -> Decimal:
        return Decimal(self.total_weight_grams) / GRAMS_PER_KG

    @property
    def duties_paid(self) -> bool:
        return self.terms == DDP

    @property
    def missing_hs_codes(self) -> bool:
        return any(not line.hs_code for line in self.lines)

    @property
    def missing_weights(self) -> bool:
        return any(not line.weight_grams for line in self.lines)

    @property
    def missing_origins(self) -> bool:
        return any(not line.origin_country for line in self.lines)


def ship_from(order) -> str:
    """Where ``order`` ships from: frozen at placement, or the store's country for older orders."""
    return (order.ship_from_country or order.store.country or "").upper()


def destination(order) -> str:
    address = order.shipping_address if isinstance(order.shipping_address, dict) else {}
    return str(order.destination_country or address.get("country") or "").upper()


def is_cross_border(order) -> bool:
    origin, to = ship_from(order), destination(order)
    return bool(origin and to and origin != to)


def _text(value) -> str:
    return "" if value is None else str(value)


def build_declaration(order, lines) -> CustomsDeclaration:
    """The customs declaration of ``order`` from its already-loaded ``lines`` (call only when cross-border)."""
    code = order.currency
    address = order.shipping_address if isinstance(order.shipping_address, dict) else {}
    out = tuple(DeclarationLine(
        sku=line.sku, title=line.title, options={str(k): _text(v) for k, v in (line.options or {}).items()},
        hs_code=line.hs_code, origin_country=line.origin_country, quantity=line.quantity,
        unit_value=Money(line.unit_price, code), value=Money(line.line_total, code),
        unit_weight_grams=line.weight_grams, weight_grams=line.weight_grams * line.quantity) for line in lines)
    items, shipping = Money(order.items_total, code), Money(order.shipping_total, code)
    landed = order.landed_cost if isinstance(order.landed_cost, dict) else {}
    terms = landed.get("terms")
    if terms not in (DDP, DAP):  # frozen before the landed cost said so
        collected = bool(landed.get("collected_at_checkout")) or bool(order.duty_total or order.tax_total)
        terms = DDP if collected and not order.due_on_delivery else DAP
    return CustomsDeclaration(
        order_id=order.id, placed_at=order.created_at, currency=code, sender_name=order.store.name,
        sender_country=order.store.country, ship_from_country=ship_from(order),
        recipient={name: _text(value) for name, value in address.items()}, destination_country=destination(order),
        lines=out, items_value=items, shipping=shipping, declared_value=items + shipping,
        terms=terms, collection=_text(landed.get("collection")),
        tax_name=_text(landed.get("tax_name")), duties_collected=Money(order.duty_total, code),
        taxes_collected=Money(order.tax_total, code), due_on_delivery=Money(order.due_on_delivery, code),
        carrier=order.carrier, tracking_number=order.tracking_number)
