"""Checkout with shipping templates: the address's country prices each store's shipping, a store that
cannot ship there blocks only its own part, and each order freezes how it ships."""

import datetime as dt
from decimal import Decimal

import pytest

from jishi.api.tests.test_api_errors import assert_error
from jishi.cart import services as cart_services
from jishi.cart.models import CartLine
from jishi.checkout.selectors import quote_lines
from jishi.checkout.services import place_order_group
from jishi.core import clock
from jishi.core.errors import DomainError
from jishi.money.rules import Money
from jishi.orders.models import Order
from jishi.shipping.tests.conftest import shop
from tests.factories import AddressFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)


@pytest.fixture
def knives(rates):
    """A store in Osaka without templates: its flat rate, to everywhere."""
    made = shop("Osaka Knives", "JPY", "JP", template=None, price="12000")
    made.store.shipping_rate = 1500
    made.store.save(update_fields=["shipping_rate"])
    return made


def _cart(buyer, *variants):
    cart = cart_services.get_or_create_user_cart(user=buyer.user)
    for variant in variants:
        cart_services.add_line(cart=cart, variant_id=variant.id, quantity=2)
    return cart


def test_shipping_is_priced_for_the_address_country_cheapest_unless_chosen(tea, knives, buyer):
    lines = [(tea.variant.id, 2), (knives.variant.id, 1)]
    to_japan = quote_lines(buyer=buyer.user, lines=lines, charge_currency="USD", language="en", country="JP")
    assert [(p.shipping, p.shipping_kind) for p in to_japan.stores] == [
        (Money("25", "CNY"), "standard"), (Money("1500", "JPY"), "standard")]
    express = quote_lines(buyer=buyer.user, lines=lines, charge_currency="USD", language="en", country="JP",
                          methods={tea.store.id: "express"})
    assert express.stores[0].shipping == Money("70", "CNY") and express.stores[0].total == Money("246", "CNY")
    # Europe: economy by weight (2 × 500 g = 1 kg → 40) beats express.
    to_france = quote_lines(buyer=buyer.user, lines=lines, charge_currency="USD", language="en", country="FR")
    assert (to_france.stores[0].shipping, to_france.stores[0].shipping_kind) == (Money("40", "CNY"), "economy")
    with pytest.raises(DomainError) as refused:
        quote_lines(buyer=buyer.user, lines=lines, charge_currency="USD", language="en", country="JP",
                    methods={tea.store.id: "economy"})
    assert refused.value.code == "checkout.invalid" and f"methods.{tea.store.id}" in refused.value.fields


def test_the_order_freezes_its_shipping_method_cost_and_dates(tea, buyer):
    address = AddressFactory(user=buyer.user, country="KR")
    with clock.frozen(MONDAY):
        group = place_order_group(buyer=buyer.user, charge_currency="CNY", address_id=address.id,
                                  lines=[{"variant_id": tea.variant.id, "quantity": 3}],
                                  methods={str(tea.store.id): "express"})
    order = Order.objects.get(group=group)
    assert (order.shipping_total, order.shipping_kind, order.ship_from_country) == (Decimal("80"), "express", "CN")
    assert (order.delivery_from, order.delivery_to) == (dt.date(2026, 11, 25), dt.date(2026, 11, 26))
    assert order.total == Decimal("344")
    # Later template changes do not touch the placed order.
    tea.template.zones.get(name="Japan and Korea").methods.update(first_amount=999)
    order.refresh_from_db()
    assert order.shipping_total == Decimal("80")


def test_a_cart_with_one_store_that_cannot_ship_blocks_only_that_store(tea, knives, buyer):
    cart = _cart(buyer, tea.variant, knives.variant)
    brazil = AddressFactory(user=buyer.user, country="BR")  # the tea store ships to Asia and Europe only
    quote = quote_lines(buyer=buyer.user, lines=[(tea.variant.id, 2), (knives.variant.id, 2)],
                        charge_currency="USD", language="en", country="BR")
    assert [part.store_id for part in quote.stores] == [knives.store.id]
    assert [part.store_id for part in quote.blocked] == [tea.store.id]
    assert quote.units == {knives.variant.id: 2}  # only the shippable part reserves stock

    with pytest.raises(DomainError) as refused:
        place_order_group(buyer=buyer.user, charge_currency="USD", address_id=brazil.id)
    assert refused.value.code == "checkout.cannot_ship" and refused.value.status == 409
    assert refused.value.fields == {f"stores.{tea.store.id}": ["Hangzhou Tea does not ship to Brazil."]}
    assert not Order.objects.exists() and CartLine.objects.filter(cart=cart).count() == 2

    group = place_order_group(buyer=buyer.user, charge_currency="USD", address_id=brazil.id, skip_unshippable=True)
    assert [order.store_id for order in group.orders.all()] == [knives.store.id]
    # The blocked store's lines stay in the cart, to buy with another address.
    assert list(CartLine.objects.filter(cart=cart).values_list("variant_id", flat=True)) == [tea.variant.id]
    tea.variant.refresh_from_db()
    assert tea.variant.stock == 20


def test_nothing_is_placed_when_no_store_can_ship(tea, buyer):
    brazil = AddressFactory(user=buyer.user, country="BR")
    with pytest.raises(DomainError) as refused:
        place_order_group(buyer=buyer.user, charge_currency="USD", address_id=brazil.id, skip_unshippable=True,
                          lines=[{"variant_id": tea.variant.id, "quantity": 1}])
    assert refused.value.code == "checkout.cannot_ship" and not Order.objects.exists()


def test_the_api_checkout_names_the_store_that_cannot_ship_and_can_skip_it(client, tea, knives, buyer):
    _cart(buyer, tea.variant, knives.variant)
    brazil = AddressFactory(user=buyer.user, country="BR")
    refused = client.post("/api/v1/checkout", {"address_id": brazil.id}, content_type="application/json",
                          **buyer.auth)
    error = assert_error(refused, 409, "checkout.cannot_ship")
    assert list(error["fields"]) == [f"stores.{tea.store.id}"]
    bad_kind = client.post("/api/v1/checkout", {"address_id": brazil.id, "methods": {str(knives.store.id): "rocket"}},
                           content_type="application/json", **buyer.auth)
    assert bad_kind.status_code == 422
    placed = client.post("/api/v1/checkout", {"address_id": brazil.id, "skip_unshippable": True,
                                              "methods": {str(knives.store.id): "standard"}},
                         content_type="application/json", **buyer.auth)
    assert placed.status_code == 201, placed.content
    assert [o["store"]["slug"] for o in placed.json()["orders"]] == [knives.store.slug]


def test_stores_made_before_templates_get_a_default_charging_their_flat_rate(knives):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("jishi.shipping.migrations.0002_default_templates")
    migration.create_defaults(apps, None)
    migration.create_defaults(apps, None)  # a store that has templates is left alone

    template = knives.store.shipping_templates.get()
    zone = template.zones.get()
    method = zone.methods.get()
    assert (template.name, template.ship_from, template.currency, template.is_default) == ("Standard", "JP", "JPY", True)
    assert zone.is_rest_of_world and (method.kind, method.pricing) == ("standard", "per_item")
    assert (method.first_amount, method.additional_amount) == (Decimal("1500"), Decimal("0"))
