"""Customs papers, pure: what a cross-border order's commercial invoice states, from what the order froze."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from jishi.core.errors import NotFound
from jishi.orders.customs import DAP, DDP, build_declaration, is_cross_border
from jishi.orders.selectors import customs_declaration

PLACED = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
LYON = {"name": "Claire Martin", "line1": "3 Rue de la République", "city": "Lyon", "postal_code": "69001",
        "country": "FR", "phone": ""}


def _line(**changes):
    line = {"sku": "TEA-1", "title": "Dragon Well Green Tea", "options": {"size": "250 g"}, "hs_code": "0902.10",
            "origin_country": "CN", "quantity": 2, "unit_price": Decimal("88.000"), "line_total": Decimal("176.000"),
            "weight_grams": 300}
    return SimpleNamespace(**{**line, **changes})


def _order(lines=None, **changes):
    order = {"id": 42, "created_at": PLACED, "currency": "CNY", "store": SimpleNamespace(name="Hangzhou Tea", country="CN"),
             "ship_from_country": "CN", "destination_country": "FR", "shipping_address": dict(LYON),
             "items_total": Decimal("176.000"), "shipping_total": Decimal("40.000"), "duty_total": Decimal("24.000"),
             "tax_total": Decimal("48.000"), "due_on_delivery": Decimal(0), "carrier": "", "tracking_number": "",
             "landed_cost": {"collection": "checkout", "collected_at_checkout": True, "tax_name": "VAT"}}
    order = SimpleNamespace(**{**order, **changes})
    order.lines = SimpleNamespace(all=lambda: list(lines if lines is not None else [_line()]))
    return order


def test_a_parcel_to_lyon_states_sender_recipient_lines_totals_and_weight():
    paper = build_declaration(_order(), [_line(), _line(sku="TEA-2", title="Oolong", hs_code="", quantity=1,
                                                       unit_price=Decimal("50"), line_total=Decimal("50"),
                                                       weight_grams=0, origin_country="")])
    assert (paper.order_id, paper.placed_at, paper.sender_name, paper.sender_country) == (42, PLACED, "Hangzhou Tea", "CN")
    assert paper.recipient["city"] == "Lyon" and paper.destination_country == "FR"
    first = paper.lines[0]
    assert (first.hs_code, first.origin_country, first.quantity, first.options) == ("0902.10", "CN", 2, {"size": "250 g"})
    assert (str(first.unit_value.amount), str(first.value.amount), first.value.currency) == ("88.00", "176.00", "CNY")
    assert (first.unit_weight_grams, first.weight_grams, first.weight_kg) == (300, 600, Decimal("0.6"))
    assert (paper.units, paper.total_weight_grams) == (3, 600)
    assert str(paper.declared_value.amount) == "216.00"  # items plus shipping; duty and VAT left out
    assert paper.missing_hs_codes and paper.missing_weights and paper.missing_origins


def test_duties_collected_at_checkout_make_it_delivered_duty_paid():
    paper = build_declaration(_order(), [_line()])
    assert paper.terms == DDP and paper.duties_paid
    assert (str(paper.duties_collected.amount), str(paper.taxes_collected.amount)) == ("24.00", "48.00")
    assert not (paper.missing_hs_codes or paper.missing_weights or paper.missing_origins)


def test_duties_left_to_the_recipient_make_it_delivered_at_place_with_the_estimate():
    order = _order(duty_total=Decimal(0), tax_total=Decimal(0), due_on_delivery=Decimal("310.40"),
                   landed_cost={"collection": "on_delivery", "collected_at_checkout": False})
    paper = build_declaration(order, [_line()])
    assert paper.terms == DAP and not paper.duties_paid
    assert str(paper.due_on_delivery.amount) == "310.40" and paper.collection == "on_delivery"


@pytest.mark.parametrize("landed", [
    {"collection": "checkout", "duty_collection": "on_delivery", "collected_at_checkout": True, "terms": "DAP"},
    {"collection": "checkout", "collected_at_checkout": True},  # frozen before the snapshot said its terms
])
def test_a_duty_left_to_the_border_makes_it_delivered_at_place_though_the_tax_was_collected(landed):
    # Australia: GST charged at the sale on items under AUD 1,000 each; the consignment's duty at the border.
    order = _order(duty_total=Decimal(0), due_on_delivery=Decimal("60.00"), landed_cost=landed)
    paper = build_declaration(order, [_line()])
    assert paper.terms == DAP and str(paper.taxes_collected.amount) == "48.00"
    assert str(paper.due_on_delivery.amount) == "60.00"


@pytest.mark.parametrize(("ship_from", "store_country", "to", "crosses"), [
    ("CN", "CN", "FR", True), ("CN", "CN", "CN", False), ("", "CN", "FR", True), ("", "CN", "CN", False),
    ("JP", "CN", "CN", True), ("CN", "CN", "", False)])
def test_only_an_order_leaving_its_ship_from_country_crosses_a_border(ship_from, store_country, to, crosses):
    order = _order(ship_from_country=ship_from, store=SimpleNamespace(name="S", country=store_country),
                   destination_country=to, shipping_address={**LYON, "country": to})
    assert is_cross_border(order) is crosses


def test_a_domestic_order_has_no_customs_declaration():
    with pytest.raises(NotFound) as raised:
        customs_declaration(_order(destination_country="CN", shipping_address={**LYON, "country": "CN"}))
    assert raised.value.code == "order.not_cross_border" and raised.value.status == 404


def test_zero_decimal_currencies_keep_whole_units():
    order = _order(currency="JPY", items_total=Decimal("3000"), shipping_total=Decimal("800"),
                   duty_total=Decimal(0), tax_total=Decimal(0), landed_cost={})
    paper = build_declaration(order, [_line(unit_price=Decimal("1500"), line_total=Decimal("3000"))])
    assert (str(paper.lines[0].value.amount), str(paper.declared_value.amount)) == ("3000", "3800")
    assert paper.terms == DAP
