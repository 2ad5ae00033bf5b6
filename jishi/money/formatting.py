"""Locale-aware display of money, numbers and dates with Babel."""

from __future__ import annotations

import datetime as dt
import functools

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, parse_pattern
from django.utils import translation

from jishi.money.rules import Money, minor_units

_BABEL_LOCALES = {"en": "en_US", "zh-hans": "zh_Hans_CN"}


def babel_locale(language: str | None = None) -> str:
    return _BABEL_LOCALES.get((language or translation.get_language() or "en").lower(), "en_US")


def format_money(money: Money, language: str | None = None) -> str:
    # What ``babel.numbers.format_currency`` does, with the locale and the pattern parsed once (a listing
    # shows dozens of prices; parsing them each time was half the cost).
    return _pattern(money.currency).apply(money.amount, _locale(babel_locale(language)), currency=money.currency,
                                          currency_digits=False, decimal_quantization=True, group_separator=True)


@functools.cache
def _locale(name: str) -> Locale:
    return Locale.parse(name)


@functools.lru_cache(maxsize=512)
def _pattern(code: str):
    # Babel shows CLDR digits (e.g. 0 for HUF); show the ISO minor units the amount is stored in.
    units = minor_units(code)
    return parse_pattern("¤#,##0" + ("." + "0" * units if units else ""))


def format_number(value, language: str | None = None) -> str:
    return format_decimal(value, locale=babel_locale(language))


def format_day(value: dt.date | dt.datetime, language: str | None = None) -> str:
    return format_date(value, format="medium", locale=babel_locale(language))


def format_moment(value: dt.datetime, language: str | None = None, tzinfo=None) -> str:
    return format_datetime(value, format="medium", tzinfo=tzinfo, locale=babel_locale(language))
