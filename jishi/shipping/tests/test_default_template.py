"""A store ships at its flat rate from the moment it opens, until its seller makes a template; the flat rate
setting is what it charges then, and a template the seller made is never touched by the settings."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from jishi.catalog.models import Product
from jishi.checkout.selectors import quote_lines
from jishi.shipping.models import ShippingTemplate
from jishi.shipping.selectors import invalidate_store_templates, list_templates
from jishi.shipping.services import create_template
from jishi.shipping.tests.conftest import TEMPLATE
from jishi.stores.services import update_store
from tests.factories import make_product, open_store_for

pytestmark = pytest.mark.django_db

legacy = importlib.import_module("jishi.shipping.migrations.0002_default_templates")
migration = importlib.import_module("jishi.shipping.migrations.0003_flat_rate_from_the_store")


def _variant(access):
    return make_product(access, title="Green Tea", price="88.00", stock=5, sku_prefix=f"T{access.store.id}"
                        ).variants.get()


def _shipping(variant, country: str):
    quote = quote_lines(buyer=None, lines=[(variant.id, 3)], charge_currency=variant.currency,
                        language="en", thumbnails=False, country=country)
    return quote.stores[0]


def test_a_new_store_ships_at_once_at_its_flat_rate(rates):
    store, access = open_store_for(name="Osaka Ramen", country="JP", currency_code="JPY")
    shipping = _shipping(_variant(access), "FR")
    assert (shipping.shipping.amount, shipping.shipping_kind, shipping.ship_from) == (Decimal("0"), "standard", "JP")
    assert list_templates(store=store) == []  # the seller's shipping page offers to make the first one
    assert store.events.filter(kind="store.opened").count() == 1


def test_the_flat_rate_setting_is_what_a_store_without_templates_charges(rates):
    _store, access = open_store_for(name="Hangzhou Tea", country="CN", currency_code="CNY")
    variant = _variant(access)
    update_store(access=access, shipping_rate="12.50")
    # once per order (three items), to any country
    assert _shipping(variant, "FR").shipping.amount == Decimal("12.50")
    assert _shipping(variant, "US").shipping.amount == Decimal("12.50")
    update_store(access=access, country="HK")
    assert _shipping(variant, "FR").ship_from == "HK"


def test_a_template_the_seller_made_is_not_touched_by_the_settings(rates):
    store, access = open_store_for(name="Hangzhou Tea", country="CN", currency_code="CNY")
    variant = _variant(access)
    create_template(access=access, data=TEMPLATE)
    before = sorted(ShippingTemplate.objects.filter(store=store).values_list(
        "ship_from", "zones__methods__kind", "zones__methods__first_amount"))
    update_store(access=access, shipping_rate="99.00", country="HK")
    after = sorted(ShippingTemplate.objects.filter(store=store).values_list(
        "ship_from", "zones__methods__kind", "zones__methods__first_amount"))
    assert after == before
    # The template decides now: Japan by its standard method (20, then 5 per further item), not 99 per order.
    shipping = _shipping(variant, "JP")
    assert (shipping.shipping.amount, shipping.ship_from) == (Decimal("30.00"), "CN")
    blocked = quote_lines(buyer=None, lines=[(variant.id, 1)], charge_currency="CNY", language="en",
                          thumbnails=False, country="US").blocked
    assert [part.store.id for part in blocked] == [store.id]  # and it names no rest of the world


def test_stores_opened_with_a_flat_template_go_back_to_their_flat_rate_and_quote_the_same(rates):
    untouched, untouched_access = open_store_for(name="Hangzhou Tea", country="CN", currency_code="CNY")
    changed, changed_access = open_store_for(name="Osaka Knives", country="JP", currency_code="JPY")
    update_store(access=untouched_access, shipping_rate="12.50")
    update_store(access=changed_access, shipping_rate="1500")
    legacy.create_defaults(apps, None)  # what every store opened before now has
    tea, knife = _variant(untouched_access), _variant(changed_access)
    flat = ShippingTemplate.objects.get(store=untouched)
    Product.objects.filter(pk=tea.product_id).update(shipping_template=flat)  # a product names it
    ShippingTemplate.objects.filter(store=changed).update(handling_days=4)  # the seller changed this one
    before = [(_shipping(tea, "FR").shipping, _shipping(tea, "FR").delivery_to),
              (_shipping(knife, "FR").shipping, _shipping(knife, "FR").delivery_to)]

    migration.forwards(apps, None)
    invalidate_store_templates()  # as the restart after a deploy drops every process's copy

    assert not ShippingTemplate.objects.filter(store=untouched).exists()
    assert ShippingTemplate.objects.get(store=changed).handling_days == 4
    assert [(_shipping(tea, "FR").shipping, _shipping(tea, "FR").delivery_to),
            (_shipping(knife, "FR").shipping, _shipping(knife, "FR").delivery_to)] == before
    update_store(access=untouched_access, shipping_rate="20.00")  # and the setting applies again
    assert _shipping(tea, "FR").shipping.amount == Decimal("20.00")
