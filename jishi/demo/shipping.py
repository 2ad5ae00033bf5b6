"""Demo shipping templates: each demo store ships at home, to its region and to the rest of the world,
priced from its old flat rate (about US$6). Called by ``jishi demo`` after the stores exist."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from jishi.money.rules import quantize
from jishi.shipping.models import Method, ShippingTemplate, Transport, Zone
from jishi.stores.models import Store

REGIONS = {
    "Asia Pacific": ["CN", "HK", "TW", "JP", "KR", "SG", "TH", "MY", "VN", "ID", "PH", "IN", "AU", "NZ"],
    "Europe": ["DE", "FR", "GB", "IT", "ES", "NL", "BE", "AT", "IE", "PT", "SE", "DK", "PL", "CH", "NO", "FI"],
    "Americas": ["US", "CA", "MX", "BR", "AR", "CL", "CO"],
}


def _region_of(country: str) -> tuple[str, list[str]]:
    for name, countries in REGIONS.items():
        if country in countries:
            return name, [code for code in countries if code != country]
    return "Region", []


def give_stores_templates(stores=None) -> int:
    """A default template for every store that has none; returns how many were made."""
    stores = list(stores if stores is not None else Store.objects.filter(shipping_templates__isnull=True))
    if not stores:
        return 0
    with transaction.atomic():
        templates = ShippingTemplate.objects.bulk_create([
            ShippingTemplate(store=store, name="Standard", ship_from=store.country, handling_days=1 + store.id % 3,
                             currency=store.base_currency_id, is_default=True) for store in stores])
        zones, plans = [], []
        for store, template in zip(stores, templates, strict=True):
            rate = Decimal(store.shipping_rate) or Decimal(5)

            def amount(factor: str, code: str = store.base_currency_id, rate: Decimal = rate) -> Decimal:
                return quantize(rate * Decimal(factor), code)

            region, neighbours = _region_of(store.country)
            zones.append(Zone(template=template, name="Domestic", countries=[store.country], position=0))
            plans.append([("standard", "per_item", amount("0.5"), amount("0.1"), amount("20"), 2, 4),
                          ("express", "per_item", amount("1.5"), amount("0.3"), None, 1, 2)])
            if neighbours:
                zones.append(Zone(template=template, name=region, countries=neighbours, position=1))
                plans.append([("standard", "per_item", amount("1"), amount("0.3"), amount("40"), 5, 9),
                              ("express", "per_weight", amount("3"), amount("1"), None, 2, 4)])
            zones.append(Zone(template=template, name="Rest of the world", is_rest_of_world=True, position=2))
            plans.append([("economy", "per_weight", amount("1.5"), amount("0.8"), None, 12, 30),
                          ("standard", "per_item", amount("2.5"), amount("0.5"), None, 7, 15)])
        zones = Zone.objects.bulk_create(zones)
        Method.objects.bulk_create([
            # Economy goes by post, the rest by courier: customs limits differ for the two (Canada's CUSMA).
            Method(zone=zone, kind=kind, pricing=pricing, first_amount=first, additional_amount=additional,
                   free_over=free_over, days_min=low, days_max=high,
                   transport=Transport.POST if kind == "economy" else Transport.COURIER)
            for zone, plan in zip(zones, plans, strict=True)
            for kind, pricing, first, additional, free_over, low, high in plan])
    return len(templates)
