"""Reads for money: the active currencies and the current rate table, cached per rate version."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Subquery

from jishi.core.memo import SharedVersionMemo
from jishi.money.models import Currency, ExchangeRate
from jishi.money.rules import Money, convert

RATES: SharedVersionMemo[RateTable] = SharedVersionMemo("money:rates:token")
CODES: SharedVersionMemo[list[str]] = SharedVersionMemo("money:rates:token")


@dataclass(frozen=True)
class RateTable:
    """Current units-per-EUR for each active currency, with the time of the newest snapshot."""

    per_eur: dict[str, Decimal]
    as_of: dt.datetime | None

    def convert(self, money: Money, to_currency: str) -> Money:
        return convert(money, to_currency, rates_per_eur=self.per_eur)

    def can_convert(self, code: str) -> bool:
        return code == "EUR" or code in self.per_eur


def list_currencies(*, active_only: bool = True) -> list[Currency]:
    queryset = Currency.objects.all()
    if active_only:
        queryset = queryset.filter(is_active=True)
    return list(queryset)


def list_currency_codes() -> list[str]:
    """Active currency codes; rebuilt with the rate table when currencies or rates change."""
    return CODES.get(lambda: list(Currency.objects.filter(is_active=True).values_list("code", flat=True)))


def list_current_rates() -> list[ExchangeRate]:
    newest = ExchangeRate.objects.filter(currency=OuterRef("currency")).order_by("-as_of", "-id")
    return list(
        ExchangeRate.objects.filter(id=Subquery(newest.values("id")[:1]), currency__is_active=True)
        .select_related("currency").order_by("currency_id")
    )


def _build_rate_table() -> RateTable:
    rates = list_current_rates()
    return RateTable(per_eur={r.currency_id: r.rate for r in rates}, as_of=max((r.as_of for r in rates), default=None))


def get_rate_table() -> RateTable:
    """The current rates; built once per process and rebuilt after ``invalidate_rates``."""
    return RATES.get(_build_rate_table)

