"""A store's untouched flat template goes: shipping now quotes a store without templates from its own flat rate.

Stores used to open with a "Standard" template that the store settings kept in step with their flat rate.
Shipping now reads that rate (and the store's country and currency) from the store row instead, so a
template that still says exactly what the flat rate says is removed: every quote stays the same to the
cent and the day, and the settings' flat rate applies again. A template that differs in anything (the
seller changed it) stays as it is, and from now on the templates alone decide for that store.
"""

from django.db import migrations
from django.db.models import Count


def _is_the_flat_rate(template, store) -> bool:
    zones = list(template.zones.all())
    if len(zones) != 1 or not zones[0].is_rest_of_world or zones[0].countries:
        return False
    methods = list(zones[0].methods.all())
    if len(methods) != 1:
        return False
    method = methods[0]
    return (template.ship_from == store.country and template.currency == store.base_currency_id
            and template.handling_days == 2 and method.kind == "standard" and method.name == ""
            and method.pricing == "per_item" and method.first_amount == store.shipping_rate
            and method.additional_amount == 0 and method.free_over is None
            and (method.days_min, method.days_max) == (5, 15))


def forwards(apps, schema_editor):
    Store = apps.get_model("stores", "Store")
    ShippingTemplate = apps.get_model("shipping", "ShippingTemplate")
    Product = apps.get_model("catalog", "Product")
    lone = (ShippingTemplate.objects.values("store_id").annotate(n=Count("id"))
            .filter(n=1).values("store_id"))
    for store in Store.objects.filter(pk__in=lone).order_by("id").iterator():
        template = ShippingTemplate.objects.prefetch_related("zones__methods").get(store=store)
        if _is_the_flat_rate(template, store):
            Product.objects.filter(shipping_template=template).update(shipping_template=None)
            template.delete()


def backwards(apps, schema_editor):
    Store = apps.get_model("stores", "Store")
    ShippingTemplate = apps.get_model("shipping", "ShippingTemplate")
    Zone = apps.get_model("shipping", "Zone")
    Method = apps.get_model("shipping", "Method")
    for store in Store.objects.filter(shipping_templates__isnull=True).order_by("id").iterator():
        template = ShippingTemplate.objects.create(store=store, name="Standard", ship_from=store.country,
                                                   handling_days=2, currency=store.base_currency_id, is_default=True)
        zone = Zone.objects.create(template=template, name="Rest of the world", is_rest_of_world=True)
        Method.objects.create(zone=zone, kind="standard", name="", pricing="per_item",
                              first_amount=store.shipping_rate, additional_amount=0, days_min=5, days_max=15)


class Migration(migrations.Migration):

    dependencies = [
        ("shipping", "0002_default_templates"),
        ("catalog", "0005_product_shipping_template"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
