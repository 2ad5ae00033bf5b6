"""A store opens with a flat default template, and its flat rate setting stays that template's rate."""

from decimal import Decimal

import pytest

from jishi.checkout.selectors import quote_lines
from jishi.shipping.models import ShippingTemplate
from jishi.shipping.services import update_template
from jishi.shipping.tests.conftest import TEMPLATE
from jishi.stores.services import update_store
from tests.factories import make_product, open_store_for

pytestmark = pytest.mark.django_db


def _flat(store):
    template = ShippingTemplate.objects.get(store=store, is_default=True)
    method = template.zones.get(is_rest_of_world=True).methods.get()
    return template, method


def _shipping(access, country: str):
    variant = make_product(access, title="Green Tea", price="88.00", stock=5, sku_prefix="T").variants.get()
    quote = quote_lines(buyer=None, lines=[(variant.id, 3)], charge_currency=access.store.base_currency_id,
                        language="en", thumbnails=False, country=country)
    return quote.stores[0].shipping


def test_a_new_store_opens_with_a_flat_default_template(rates):
    store, _access = open_store_for(name="Osaka Ramen", country="JP", currency_code="JPY")
    template, method = _flat(store)
    assert (template.ship_from, template.currency, template.is_default) == ("JP", "JPY", True)
    assert (method.kind, method.pricing, method.first_amount, method.additional_amount) == (
        "standard", "per_item", Decimal("0"), Decimal("0"))
    assert store.events.filter(kind="store.opened").count() == 1


def test_the_flat_rate_setting_is_what_the_default_template_charges(rates):
    store, access = open_store_for(name="Hangzhou Tea", country="CN", currency_code="CNY")
    update_store(access=access, shipping_rate="12.50")
    assert _flat(store)[1].first_amount == Decimal("12.50")
    # once per order (three items), to any country, through the template
    assert _shipping(access, "FR").amount == Decimal("12.50")
    update_store(access=access, country="HK")
    assert _flat(store)[0].ship_from == "HK"


def test_a_template_the_seller_shaped_is_not_touched_by_the_settings(rates):
    store, access = open_store_for(name="Hangzhou Tea", country="CN", currency_code="CNY")
    template, _method = _flat(store)
    update_template(access=access, template_id=template.id, data=TEMPLATE)
    before = sorted(ShippingTemplate.objects.filter(store=store).values_list(
        "zones__methods__kind", "zones__methods__first_amount"))
    update_store(access=access, shipping_rate="99.00", country="HK")
    after = sorted(ShippingTemplate.objects.filter(store=store).values_list(
        "zones__methods__kind", "zones__methods__first_amount"))
    assert after == before and ShippingTemplate.objects.get(pk=template.pk).ship_from == "CN"
