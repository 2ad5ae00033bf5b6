"""Seed what the CSV's notes describe and its columns cannot hold, on the seeded rule versions (in force
from 2026-11-24): Brazil's duty bands, Japan's customs value at 60 % of the price, Norway's per-item
limit, and the origin rules for Canada (CUSMA), Korea (KORUS) and Mexico (USMCA)."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

# The seed as it stood when this migration was written (later migrations change it; ``jishi.tax.seed``
# holds the current one).
EFFECTIVE_FROM = dt.date(2026, 11, 24)
SPECIAL_TERMS = {
    "BR": {"duty_bands": [{"above": "0", "rate": "20", "deduct": "0"}, {"above": "50", "rate": "60", "deduct": "20"},
                          {"above": "3000", "rate": "60", "deduct": "0"}],
           "default_duty_rate": None},
    "JP": {"customs_value_percent": Decimal(60)},
    "NO": {"limits_per_item": True},
}
ORIGIN_RULES = [
    {"country": "CA", "origins": "MX,US", "match": "made_in", "vat_de_minimis": Decimal(40),
     "duty_de_minimis": Decimal(150),
     "notes": "CUSMA-origin goods from the US or Mexico by courier: tax-free up to CAD 40 and duty-free up to "
              "CAD 150.", "source": "CBSA D8-2-16 / CUSMA de minimis"},
    {"country": "KR", "origins": "US", "match": "shipped_from", "vat_de_minimis": Decimal(200),
     "duty_de_minimis": Decimal(200),
     "notes": "Personal-use imports shipped from the US (KORUS): exempt from duty and VAT up to USD 200.",
     "source": "Korea Customs Service personal import clearance rules (verify)"},
    {"country": "MX", "origins": "CA,US", "match": "made_in", "vat_rate": Decimal(0),
     "duty_de_minimis": Decimal(50),
     "duty_bands": [{"above": "50", "rate": "17", "deduct": "0"}, {"above": "117", "rate": "19", "deduct": "0"}],
     "notes": "USMCA-origin goods from the US or Canada: no duty or IVA up to USD 50, a single global rate "
              "(duty and IVA together, shown as duty) of 17 % from USD 50 to 117 and 19 % above.",
     "source": "SAT Reglas Generales de Comercio Exterior 2025; USMCA de minimis commitments"},
]


def default_origin_rules():
    return [{**rule, "effective_from": EFFECTIVE_FROM} for rule in ORIGIN_RULES]


def seed(apps, schema_editor):
    DestinationRule = apps.get_model("tax", "DestinationRule")
    OriginRule = apps.get_model("tax", "OriginRule")
    for country, changes in SPECIAL_TERMS.items():
        DestinationRule.objects.filter(country=country, effective_from=EFFECTIVE_FROM).update(**changes)
    for rule in default_origin_rules():
        OriginRule.objects.update_or_create(country=rule["country"], origins=rule["origins"],
                                            effective_from=rule["effective_from"], defaults=rule)


def unseed(apps, schema_editor):
    DestinationRule = apps.get_model("tax", "DestinationRule")
    for country, changes in SPECIAL_TERMS.items():
        defaults = {name: DestinationRule._meta.get_field(name).get_default() for name in changes}
        DestinationRule.objects.filter(country=country, effective_from=EFFECTIVE_FROM).update(**defaults)
    apps.get_model("tax", "OriginRule").objects.filter(effective_from=EFFECTIVE_FROM).delete()


class Migration(migrations.Migration):
    dependencies = [("tax", "0003_origin_rules_and_special_terms")]

    operations = [migrations.RunPython(seed, unseed)]
