"""Locale-aware display of money, numbers and dates with Babel."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from django.utils import translation

from jishi.money.rules import Money, minor_units

_BABEL_LOCALES = {"en": "en_US", "zh-hans": "zh_Hans_CN"}


def babel_locale(language: str | None = None) -> str:
    return _BABEL_LOCALES.get((language or translation.get_language() or "en").lower(), "en_US")


def format_money(money: Money, language: str | None = None) -> str:
    return format_currency(money.amount, money.currency, locale=babel_locale(language),
                           currency_digits=False, format_type="standard",
                           decimal_quantization=True, group_separator=True,
                           **_digits(money.currency))


def _digits(code: str) -> dict:
    # Babel shows CLDR digits (e.g. 0 for HUF); show the ISO minor units the amount is stored in.
    units = minor_units(code)
    pattern = "¤#,##0" + ("." + "0" * units if units else "")
    return {"format": pattern}


def format_number(value, language: str | None = None) -> str:
    return format_decimal(value, locale=babel_locale(language))


def format_day(value: dt.date | dt.datetime, language: str | None = None) -> str:
    return format_date(value, format="medium", locale=babel_locale(language))


def format_moment(value: dt.datetime, language: str | None = None, tzinfo=None) -> str:
    return format_datetime(value, format="medium", tzinfo=tzinfo, locale=babel_locale(language))
