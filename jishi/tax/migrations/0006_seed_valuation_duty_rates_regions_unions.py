"""Seed what the law's value tests need (``data/valuation.csv``), the duty table (``data/duty_rates.csv``),
the provinces' and states' taxes (``data/regional_taxes.csv``) and the EU's members
(``data/customs_unions.csv``); correct the seeded Swiss and US rules (the Swiss platform model, US sales
tax by state) and make CUSMA's Canadian limits courier-only. Only the seeded versions (in force from
2026-11-24) are touched, so an operator's own versions stay as they are."""

from django.db import migrations

CORRECTED = ("threshold_basis", "valuation", "tax_base_includes_shipping", "collect_limit_per_item",
             "de_minimis_per_item", "exemption_excludes", "border_terms")
RECHECKED = ("vat_de_minimis", "collect_at_checkout", "notes")


def seed(apps, schema_editor):
    from jishi.tax.seed import (
        EFFECTIVE_FROM,
        SPECIAL_TERMS,
        default_duty_rates,
        default_regional_taxes,
        default_rules,
        default_union_members,
    )

    DestinationRule = apps.get_model("tax", "DestinationRule")
    for rule in default_rules():
        changes = {name: rule[name] for name in (*CORRECTED, *RECHECKED) if name in rule}
        changes.update(SPECIAL_TERMS.get(rule["country"], {}))
        DestinationRule.objects.filter(country=rule["country"], effective_from=EFFECTIVE_FROM).update(**changes)
    apps.get_model("tax", "OriginRule").objects.filter(country="CA", origins="MX,US",
                                                       effective_from=EFFECTIVE_FROM).update(transport="courier")
    DutyRate = apps.get_model("tax", "DutyRate")
    for row in default_duty_rates():
        DutyRate.objects.update_or_create(country=row["country"], hs_code=row["hs_code"], origins=row["origins"],
                                          measure=row["measure"], effective_from=row["effective_from"], defaults=row)
    RegionalTax = apps.get_model("tax", "RegionalTax")
    for row in default_regional_taxes():
        RegionalTax.objects.update_or_create(country=row["country"], region=row["region"],
                                             effective_from=row["effective_from"], defaults=row)
    UnionMember = apps.get_model("tax", "UnionMember")
    for row in default_union_members():
        UnionMember.objects.update_or_create(union=row["union"], country=row["country"],
                                             effective_from=row["effective_from"], defaults=row)


def unseed(apps, schema_editor):
    from jishi.tax.seed import default_duty_rates, default_regional_taxes

    for row in default_duty_rates():
        apps.get_model("tax", "DutyRate").objects.filter(
            country=row["country"], hs_code=row["hs_code"], origins=row["origins"], measure=row["measure"],
            effective_from=row["effective_from"]).delete()
    for row in default_regional_taxes():
        apps.get_model("tax", "RegionalTax").objects.filter(
            country=row["country"], region=row["region"], effective_from=row["effective_from"]).delete()
    apps.get_model("tax", "UnionMember").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("tax", "0005_valuation_unions_regions_duty_table")]

    operations = [migrations.RunPython(seed, unseed)]
