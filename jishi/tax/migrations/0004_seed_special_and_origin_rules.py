"""Seed what the CSV's notes describe and its columns cannot hold, on the seeded rule versions (in force
from 2026-11-24): Brazil's duty bands, Japan's customs value at 60 % of the price, Norway's per-item
limit, and the origin rules for Canada (CUSMA), Korea (KORUS) and Mexico (USMCA)."""

from django.db import migrations


def seed(apps, schema_editor):
    from jishi.tax.seed import EFFECTIVE_FROM, SPECIAL_TERMS, default_origin_rules

    DestinationRule = apps.get_model("tax", "DestinationRule")
    OriginRule = apps.get_model("tax", "OriginRule")
    for country, changes in SPECIAL_TERMS.items():
        DestinationRule.objects.filter(country=country, effective_from=EFFECTIVE_FROM).update(**changes)
    for rule in default_origin_rules():
        OriginRule.objects.update_or_create(country=rule["country"], origins=rule["origins"],
                                            effective_from=rule["effective_from"], defaults=rule)


def unseed(apps, schema_editor):
    from jishi.tax.seed import EFFECTIVE_FROM, SPECIAL_TERMS

    DestinationRule = apps.get_model("tax", "DestinationRule")
    for country, changes in SPECIAL_TERMS.items():
        defaults = {name: DestinationRule._meta.get_field(name).get_default() for name in changes}
        DestinationRule.objects.filter(country=country, effective_from=EFFECTIVE_FROM).update(**defaults)
    apps.get_model("tax", "OriginRule").objects.filter(effective_from=EFFECTIVE_FROM).delete()


class Migration(migrations.Migration):
    dependencies = [("tax", "0003_origin_rules_and_special_terms")]

    operations = [migrations.RunPython(seed, unseed)]
