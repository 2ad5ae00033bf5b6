"""Every store made before shipping templates gets a default template charging its old flat rate:
"Standard", shipping from the store's country to the rest of the world, one standard method per order."""

from django.db import migrations


def create_defaults(apps, schema_editor):
    Store = apps.get_model("stores", "Store")
    ShippingTemplate = apps.get_model("shipping", "ShippingTemplate")
    Zone = apps.get_model("shipping", "Zone")
    Method = apps.get_model("shipping", "Method")
    for store in Store.objects.exclude(shipping_templates__isnull=False).order_by("id").iterator():
        template = ShippingTemplate.objects.create(store=store, name="Standard", ship_from=store.country,
                                                   handling_days=2, currency=store.base_currency_id, is_default=True)
        zone = Zone.objects.create(template=template, name="Rest of the world", is_rest_of_world=True)
        Method.objects.create(zone=zone, kind="standard", name="", pricing="per_item",
                              first_amount=store.shipping_rate, additional_amount=0, days_min=5, days_max=15)


class Migration(migrations.Migration):

    dependencies = [
        ("shipping", "0001_initial"),
        ("stores", "0002_store_shipping_rate"),
    ]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
