"""Writes for money: currencies and FX rate snapshots.

Rates are snapshots (1 EUR = rate units) that are never edited; each change adds one, so what an
order was priced with stays nameable. After a change the cached rate table is invalidated.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from importlib import resources

from babel.numbers import get_currency_name
from django.db import transaction
from django.utils.translation import gettext as _

from jishi.core import clock
from jishi.core.errors import DomainError, field_error
from jishi.core.jobs import enqueue
from jishi.money.models import Currency, ExchangeRate
from jishi.money.rules import UnknownCurrency, minor_units, normalize_code, to_decimal
from jishi.money.selectors import RATES


def invalidate_rates() -> None:
    RATES.invalidate()


def ensure_currency(code: str) -> Currency:
    code = normalize_code(code)
    currency, _created = Currency.objects.get_or_create(
        code=code, defaults={"name": get_currency_name(code, locale="en"), "minor_units": minor_units(code)})
    return currency


def set_rate(*, currency: str, rate, as_of: dt.datetime | None = None, source: str = "operator") -> ExchangeRate:
    """Record a new snapshot 1 EUR = ``rate`` ``currency``.

    Raises DomainError ``money.unknown_currency`` or ``money.invalid_rate``.
    """
    try:
        code = normalize_code(currency)
    except UnknownCurrency as exc:
        raise field_error("money.unknown_currency", "currency", str(exc))
    if code == "EUR":
        raise field_error("money.invalid_rate", "currency", _("EUR is the base of every rate; it is always 1."))
    try:
        value = to_decimal(rate)
    except (TypeError, ValueError):
        raise field_error("money.invalid_rate", "rate", _("Enter a number."))
    if value <= 0 or value >= Decimal("1e12"):
        raise field_error("money.invalid_rate", "rate", _("A rate must be positive and below one trillion."))
    with transaction.atomic():
        snapshot = ExchangeRate.objects.create(currency=ensure_currency(code), rate=value,
                                               as_of=as_of or clock.now(), source=source[:64])
        transaction.on_commit(invalidate_rates)
    return snapshot


def record_rate_change(*, currency: str, rate, as_of: dt.datetime | None = None,
                       source: str = "operator") -> ExchangeRate:
    """Record a rate and, after commit, re-rank products priced in that currency.

    The catalogue sorts prices across stores in the platform currency, so a rate change moves them. Money
    sits below the catalogue, so it asks for that work by the job's name and never imports it; the job
    runs after the rate table is invalidated, so it reads the new rate.
    """
    snapshot = set_rate(currency=currency, rate=rate, as_of=as_of, source=source)
    enqueue("jishi.catalog.tasks.refresh_sort_prices")
    return snapshot


def read_bundled_ecb_rates() -> tuple[dt.datetime, dict[str, Decimal]]:
    """The European Central Bank reference rates shipped inside the ``currency_converter`` package."""
    text = resources.files("currency_converter").joinpath("eurofxref.csv").read_text()
    header, values = list(csv.reader(io.StringIO(text)))[:2]
    day = dt.datetime.strptime(values[0].strip(), "%d %B %Y")
    # ECB publishes at 16:00 CET; 15:00 UTC is close enough for a reference timestamp.
    as_of = day.replace(hour=15, tzinfo=dt.UTC)
    rates = {code.strip(): Decimal(value.strip()) for code, value in zip(header[1:], values[1:], strict=False)
             if code.strip() and value.strip()}
    return as_of, rates


@transaction.atomic
def seed_currencies_and_rates() -> int:
    """Install EUR and every ECB currency with the bundled reference rates. Safe to run again."""
    as_of, rates = read_bundled_ecb_rates()
    for code in ["EUR", *rates]:
        ensure_currency(code)
    have = set(ExchangeRate.objects.filter(as_of=as_of, source="ECB").values_list("currency_id", flat=True))
    ExchangeRate.objects.bulk_create([
        ExchangeRate(currency_id=code, rate=rate, as_of=as_of, source="ECB")
        for code, rate in rates.items() if code not in have
    ])
    transaction.on_commit(invalidate_rates)
    return len(rates)


def set_currency_active(*, code: str, active: bool) -> Currency:
    updated = Currency.objects.filter(code=code).update(is_active=active)
    if not updated:
        raise DomainError("money.unknown_currency", _("Unknown currency."), status=404)
    invalidate_rates()
    return Currency.objects.get(code=code)
