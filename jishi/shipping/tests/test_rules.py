"""Shipping arithmetic, table by table: zones, per item, per weight, free shipping, delivery dates."""

import datetime as dt
from decimal import Decimal

import pytest

from jishi.money.rules import Money
from jishi.shipping.rules import (
    MISSING_WEIGHT,
    NO_ZONE,
    MethodRule,
    MissingWeight,
    ShipLine,
    TemplateRule,
    ZoneRule,
    add_business_days,
    billable_kg,
    clean_template,
    method_cost,
    quote_store,
    zone_for,
)


def method(kind="standard", pricing="per_item", first="10", additional="2", free_over=None, days=(3, 7),
           currency="CNY", id=1, name=""):
    return MethodRule(id=id, kind=kind, name=name, pricing=pricing, first=Money(first, currency),
                      additional=Money(additional, currency),
                      free_over=Money(free_over, currency) if free_over is not None else None,
                      days_min=days[0], days_max=days[1])


def zone(name, countries=(), rest=False, methods=()):
    return ZoneRule(id=hash(name) % 1000, name=name, countries=frozenset(countries), rest_of_world=rest,
                    methods=tuple(methods))


def line(quantity=1, grams=500, price="50", currency="CNY", variant_id=1):
    return ShipLine(variant_id=variant_id, quantity=quantity, weight_grams=grams, unit_price=Money(price, currency))


def template(*zones, handling=1, currency="CNY", id=1, ship_from="CN"):
    return TemplateRule(id=id, name="T", ship_from=ship_from, handling_days=handling, currency=currency, zones=zones)


ASIA = zone("Asia", ["JP", "KR"], methods=[method(first="20")])
EUROPE = zone("Europe", ["FR", "DE"], methods=[method(first="60")])
WORLD = zone("World", rest=True, methods=[method(first="99")])


@pytest.mark.parametrize(("zones", "country", "expected"), [
    ((ASIA, EUROPE, WORLD), "JP", "Asia"),
    ((ASIA, EUROPE, WORLD), "fr", "Europe"),  # codes are compared in upper case
    ((ASIA, EUROPE, WORLD), "BR", "World"),  # rest of the world catches the others
    ((WORLD, ASIA), "KR", "Asia"),  # a named country beats rest of world whatever the order
    ((ASIA, EUROPE), "BR", None),  # no rest of world: cannot ship
    ((), "JP", None),
])
def test_the_zone_naming_the_country_beats_the_rest_of_the_world(zones, country, expected):
    found = zone_for(template(*zones), country)
    assert (found.name if found else None) == expected


@pytest.mark.parametrize(("quantities", "first", "additional", "expected"), [
    ([1], "10", "2", "10.00"),
    ([2], "10", "2", "12.00"),
    ([3, 2], "10", "2", "18.00"),  # five items across two lines: 10 + 4 × 2
    ([4], "12.5", "0", "12.50"),  # a flat charge per order
    ([1], "0", "0", "0.00"),
])
def test_per_item_charges_the_first_item_and_each_additional_one(quantities, first, additional, expected):
    lines = [line(quantity=q, variant_id=n) for n, q in enumerate(quantities)]
    assert method_cost(method(first=first, additional=additional), lines) == Money(expected, "CNY")


@pytest.mark.parametrize(("grams", "kg"), [(1, 1), (999, 1), (1000, 1), (1001, 2), (2000, 2), (2001, 3), (10500, 11)])
def test_every_started_kilogram_is_billed(grams, kg):
    assert billable_kg(grams) == kg


@pytest.mark.parametrize(("lines", "expected"), [
    ([line(grams=300)], "30.00"),  # under a kilo: the first kilo
    ([line(grams=1000)], "30.00"),
    ([line(grams=1001)], "38.00"),  # a started second kilo
    ([line(quantity=3, grams=700)], "46.00"),  # 2.1 kg → 3 kg: 30 + 2 × 8
    ([line(grams=600, variant_id=1), line(grams=600, variant_id=2)], "38.00"),  # weights add up first
])
def test_per_weight_charges_the_first_kilo_and_each_additional_one(lines, expected):
    assert method_cost(method(pricing="per_weight", first="30", additional="8"), lines) == Money(expected, "CNY")


def test_a_line_without_weight_cannot_be_priced_per_weight_but_can_per_item():
    lines = [line(grams=500, variant_id=1), line(grams=0, variant_id=7)]
    with pytest.raises(MissingWeight) as raised:
        method_cost(method(pricing="per_weight"), lines)
    assert raised.value.variant_ids == [7]
    assert method_cost(method(pricing="per_item"), lines) == Money("12", "CNY")


@pytest.mark.parametrize(("subtotal_units", "expected"), [
    (3, "12.00"),  # 150.00 < 200: charged, 10 + 2 × 1
    (4, "0.00"),  # exactly the threshold: free
    (5, "0.00"),
])
def test_free_shipping_from_the_threshold(subtotal_units, expected):
    lines = [line(quantity=subtotal_units, price="50")]
    assert method_cost(method(first="10", additional="1", free_over="200"), lines) == Money(expected, "CNY")


def test_zero_decimal_currencies_stay_whole():
    cost = method_cost(method(first="500", additional="150", currency="JPY"), [line(quantity=3, currency="JPY")])
    assert cost == Money("800", "JPY") and cost.amount == Decimal("800")


@pytest.mark.parametrize(("start", "days", "expected"), [
    (dt.date(2026, 11, 23), 0, dt.date(2026, 11, 23)),  # Monday
    (dt.date(2026, 11, 23), 4, dt.date(2026, 11, 27)),  # Monday + 4 → Friday
    (dt.date(2026, 11, 23), 5, dt.date(2026, 11, 30)),  # skips the weekend
    (dt.date(2026, 11, 27), 1, dt.date(2026, 11, 30)),  # Friday + 1 → Monday
    (dt.date(2026, 11, 28), 1, dt.date(2026, 11, 30)),  # Saturday + 1 → Monday
    (dt.date(2026, 11, 23), 10, dt.date(2026, 12, 7)),
])
def test_delivery_dates_count_business_days(start, days, expected):
    assert add_business_days(start, days) == expected


def test_a_store_quote_offers_each_kind_cheapest_first_with_handling_in_the_dates():
    zones = zone("Europe", ["FR"], methods=[
        method(kind="express", first="120", days=(2, 4), id=3),
        method(kind="economy", first="25", days=(10, 20), id=1, name="Post"),
        method(kind="standard", first="60", days=(5, 8), id=2)])
    monday = dt.date(2026, 11, 23)
    shipping = quote_store(groups=[(template(zones, handling=2), [line()])], country="FR", today=monday,
                           currency="CNY")
    assert shipping.can_ship and [o.kind for o in shipping.options] == ["economy", "standard", "express"]
    cheapest = shipping.cheapest
    assert (cheapest.cost, cheapest.name, cheapest.days_min, cheapest.days_max) == (Money("25", "CNY"), "Post", 12, 22)
    assert cheapest.delivery_from == dt.date(2026, 12, 9) and cheapest.delivery_to == dt.date(2026, 12, 23)
    assert shipping.option("express").cost == Money("120", "CNY")


def test_a_store_that_cannot_ship_there_says_why():
    monday = dt.date(2026, 11, 23)
    nowhere = quote_store(groups=[(template(ASIA), [line()])], country="BR", today=monday, currency="CNY")
    assert not nowhere.can_ship and nowhere.problem == NO_ZONE and nowhere.cheapest is None
    heavy = zone("Asia", ["JP"], methods=[method(pricing="per_weight")])
    weightless = quote_store(groups=[(template(heavy), [line(grams=0, variant_id=9)])], country="JP",
                             today=monday, currency="CNY")
    assert weightless.problem == MISSING_WEIGHT and weightless.missing_weight == (9,)


def test_lines_under_two_templates_add_up_and_keep_the_latest_dates():
    monday = dt.date(2026, 11, 23)
    light = template(zone("W", rest=True, methods=[method(kind="standard", first="10", days=(3, 5)),
                                                   method(kind="express", first="40", days=(1, 2), id=2)]), id=1)
    bulky = template(zone("W", rest=True, methods=[method(kind="standard", first="30", days=(6, 9), id=3)]),
                     handling=3, id=2)
    shipping = quote_store(groups=[(light, [line(variant_id=1)]), (bulky, [line(variant_id=2)])], country="US",
                           today=monday, currency="CNY")
    # Only the kind both templates offer is possible; the costs add up.
    assert [(o.kind, o.cost, o.days_min, o.days_max) for o in shipping.options] == [
        ("standard", Money("40", "CNY"), 9, 12)]


TEXTS = {key: key for key in ("name", "country", "handling", "zones", "too_many_zones", "no_countries", "methods",
                              "kind", "kind_twice", "pricing", "amount", "days", "days_order", "one_rest")}
TEXTS.update(countries="bad %(code)s", country_twice="twice %(code)s")


def _clean(data, currency="CNY"):
    return clean_template(data, currency=currency, is_country=lambda c: c in {"CN", "JP", "FR", "DE", "US"},
                          texts=TEXTS)


GOOD = {"name": "Main", "ship_from": "cn", "handling_days": 2, "zones": [
    {"name": "Japan", "countries": "JP, jp", "methods": [
        {"kind": "standard", "pricing": "per_weight", "first_amount": "30", "additional_amount": "8.5",
         "days_min": 3, "days_max": 6}]},
    {"name": "World", "is_rest_of_world": True, "methods": [
        {"kind": "economy", "first_amount": "80", "free_over": "500", "days_min": 10, "days_max": 25}]}]}


def test_a_good_template_is_cleaned():
    cleaned, problems = _clean(GOOD)
    assert not problems
    assert cleaned.ship_from == "CN" and cleaned.zones[0].countries == ("JP",)
    assert cleaned.zones[1].methods[0].free_over == Decimal("500.00")


@pytest.mark.parametrize(("change", "field", "message"), [
    (lambda d: d.update(name=""), "name", "name"),
    (lambda d: d.update(ship_from="XX"), "ship_from", "country"),
    (lambda d: d.update(handling_days="-1"), "handling_days", "handling"),
    (lambda d: d.update(zones=[]), "zones", "zones"),
    (lambda d: d["zones"][0].update(countries="JP QQ"), "zones.0.countries", "bad QQ"),
    (lambda d: d["zones"][0].update(countries=""), "zones.0.countries", "no_countries"),
    (lambda d: d["zones"][1].update(is_rest_of_world=False, countries="JP"), "zones.1.countries", "twice JP"),
    (lambda d: d["zones"][0].update(is_rest_of_world=True), "zones", "one_rest"),
    (lambda d: d["zones"][0].update(methods=[]), "zones.0.methods", "methods"),
    (lambda d: d["zones"][0]["methods"][0].update(kind="teleport"), "zones.0.methods.0.kind", "kind"),
    (lambda d: d["zones"][0]["methods"][0].update(pricing="per_mood"), "zones.0.methods.0.pricing", "pricing"),
    (lambda d: d["zones"][0]["methods"][0].update(first_amount="-1"), "zones.0.methods.0.first_amount", "amount"),
    (lambda d: d["zones"][0]["methods"][0].update(first_amount="1.234"), "zones.0.methods.0.first_amount", "amount"),
    (lambda d: d["zones"][0]["methods"][0].update(first_amount="abc"), "zones.0.methods.0.first_amount", "amount"),
    (lambda d: d["zones"][0]["methods"][0].update(days_min=9), "zones.0.methods.0.days_max", "days_order"),
    (lambda d: d["zones"][0]["methods"][0].update(days_max=500), "zones.0.methods.0.days_max", "days"),
    (lambda d: d["zones"][0]["methods"].append(dict(d["zones"][0]["methods"][0])), "zones.0.methods.1.kind",
     "kind_twice"),
])
def test_bad_templates_are_refused_field_by_field(change, field, message):
    import copy

    data = copy.deepcopy(GOOD)
    change(data)
    cleaned, problems = _clean(data)
    assert cleaned is None and message in problems[field]


def test_amounts_in_a_zero_decimal_currency_must_be_whole():
    import copy

    data = copy.deepcopy(GOOD)
    data["zones"][0]["methods"][0]["first_amount"] = "500.5"
    assert "zones.0.methods.0.first_amount" in _clean(data, currency="JPY")[1]
    data["zones"][0]["methods"][0]["first_amount"] = "500"
    data["zones"][0]["methods"][0]["additional_amount"] = "100"
    data["zones"][1]["methods"][0]["first_amount"] = "800"
    data["zones"][1]["methods"][0]["free_over"] = "5000"
    assert not _clean(data, currency="JPY")[1]
