"""Seed the destination rules from ``jishi/tax/data/destinations.csv`` as editable defaults in force
from 2026-11-24 (the date the data was compiled)."""

from django.db import migrations


def seed(apps, schema_editor):
    from jishi.tax.seed import default_rules

    DestinationRule = apps.get_model("tax", "DestinationRule")
    known = {field.name for field in DestinationRule._meta.get_fields()}
    for rule in default_rules():
        # Fields added by later migrations are seeded by them.
        rule = {name: value for name, value in rule.items() if name in known}
        DestinationRule.objects.update_or_create(country=rule["country"], effective_from=rule["effective_from"],
                                                 defaults=rule)


def unseed(apps, schema_editor):
    from jishi.tax.seed import EFFECTIVE_FROM

    apps.get_model("tax", "DestinationRule").objects.filter(effective_from=EFFECTIVE_FROM).delete()


class Migration(migrations.Migration):
    dependencies = [("tax", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
