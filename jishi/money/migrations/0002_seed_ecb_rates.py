"""Install EUR and the ECB reference currencies with the rates bundled in the currency_converter
package, so a fresh install can price and convert without any network access."""

from django.db import migrations


def seed(apps, schema_editor):
    from babel.numbers import get_currency_name

    from jishi.money.rules import minor_units
    from jishi.money.services import read_bundled_ecb_rates

    Currency = apps.get_model("money", "Currency")
    ExchangeRate = apps.get_model("money", "ExchangeRate")
    as_of, rates = read_bundled_ecb_rates()
    for code in ["EUR", *rates]:
        Currency.objects.get_or_create(code=code, defaults={"name": get_currency_name(code, locale="en"),
                                                            "minor_units": minor_units(code)})
    ExchangeRate.objects.bulk_create([
        ExchangeRate(currency_id=code, rate=rate, as_of=as_of, source="ECB", created_at=as_of)
        for code, rate in rates.items()
    ])


class Migration(migrations.Migration):
    dependencies = [("money", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
