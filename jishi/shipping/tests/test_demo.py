"""The demo marketplace ships: every store has a default template with zones at home, its region and
the rest of the world."""

import pytest
from django.core.management import call_command

from jishi.catalog.models import Variant
from jishi.shipping.models import ShippingTemplate
from jishi.shipping.selectors import quote_items
from jishi.stores.models import Store

pytestmark = pytest.mark.django_db


def test_demo_stores_get_templates_with_several_zones(capsys):
    call_command("demo", products=60, no_images=True, no_search_index=True)
    stores = Store.objects.count()
    assert ShippingTemplate.objects.filter(is_default=True).count() == stores
    template = ShippingTemplate.objects.filter(store__country="CN").first()
    assert [zone.name for zone in template.zones.all()] == ["Domestic", "Asia Pacific", "Rest of the world"]
    variant = Variant.objects.filter(product__status="active", store__country="CN", stock__gt=0).first()
    for country in ("CN", "JP", "BR"):
        (part,) = quote_items(items=[{"variant_id": variant.id, "quantity": 1}], country=country)
        assert part.shipping.can_ship and part.shipping.cheapest.cost.amount > 0
