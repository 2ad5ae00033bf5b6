"""Reads of the tax app: the destination rules in force, the landed cost of a store order, and the
report of what is owed to each tax authority.

The rules are a small table read on every quote: all their versions are kept per process
(``SharedVersionMemo``; the admin and the services invalidate it), and the version in force is picked
in Python for the moment asked, so a quote costs no query once the memo is warm.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from jishi.core import clock
from jishi.core.countries import is_country
from jishi.core.errors import DomainError
from jishi.core.memo import SharedVersionMemo
from jishi.money.rules import Money
from jishi.tax.models import DestinationRule, DutyRate
from jishi.tax.rules import CustomsLine, DestinationTerms, LandedCost, in_force, landed_cost

_RULES: SharedVersionMemo[tuple[dict, dict]] = SharedVersionMemo("tax:destination-rules:token")


def _load() -> tuple[dict[str, list[DestinationRule]], dict[str, dict[str, list[DutyRate]]]]:
    rules: dict[str, list[DestinationRule]] = defaultdict(list)
    for rule in DestinationRule.objects.all():
        rules[rule.country].append(rule)
    rates: dict[str, dict[str, list[DutyRate]]] = defaultdict(lambda: defaultdict(list))
    for rate in DutyRate.objects.all():
        rates[rate.country][rate.hs_chapter].append(rate)
    return dict(rules), {country: dict(chapters) for country, chapters in rates.items()}


def invalidate_rules() -> None:
    _RULES.invalidate()


def _today(at: dt.datetime | dt.date | None) -> dt.date:
    if at is None:
        at = clock.now()
    return at.astimezone(dt.UTC).date() if isinstance(at, dt.datetime) else at


def clean_country(code, *, field: str = "country") -> str:
    """An ISO 3166-1 alpha-2 code, upper case; ``tax.unknown_country`` (422) otherwise."""
    code = code.strip().upper() if isinstance(code, str) else ""
    if not is_country(code):
        message = _("Choose a country by its two-letter code, like FR.")
        raise DomainError("tax.unknown_country", message, fields={field: [message]})
    return code


def get_rule(country: str, *, at=None) -> DestinationRule | None:
    """The destination rule in force for ``country`` at ``at`` (now by default), or None."""
    rules, _rates = _RULES.get(_load)
    return in_force(rules.get(country, []), _today(at))


def list_rules(*, at=None) -> list[DestinationRule]:
    """Every country's rule in force at ``at``, by country."""
    rules, _rates = _RULES.get(_load)
    day = _today(at)
    found = (in_force(versions, day) for _country, versions in sorted(rules.items()))
    return [rule for rule in found if rule is not None]


def duty_rates_in_force(country: str, *, at=None) -> dict[str, Decimal]:
    _rules, rates = _RULES.get(_load)
    day = _today(at)
    chosen = {chapter: in_force(versions, day) for chapter, versions in rates.get(country, {}).items()}
    return {chapter: rate.rate for chapter, rate in chosen.items() if rate is not None}


def get_terms(country: str, *, at=None) -> DestinationTerms | None:
    """The rule in force as the landed-cost engine reads it, with the HS-chapter duty rates."""
    rule = get_rule(country, at=at)
    if rule is None:
        return None
    return DestinationTerms(
        country=rule.country, currency=rule.currency, thresholds_currency=rule.thresholds_currency,
        tax_name=rule.tax_name, vat_rate=rule.vat_rate, vat_de_minimis=rule.vat_de_minimis,
        duty_de_minimis=rule.duty_de_minimis, collect_at_checkout=rule.collect_at_checkout,
        collect_limit=rule.collect_limit, flat_duty_per_tariff_line=rule.flat_duty_per_tariff_line,
        default_duty_rate=rule.default_duty_rate, value_includes_shipping=rule.value_includes_shipping,
        effective_from=rule.effective_from, duty_rates=duty_rates_in_force(country, at=at))


def currencies_for(country: str, *, at=None) -> set[str]:
    """The currencies a landed cost to ``country`` converts through (to freeze their rates)."""
    rule = get_rule(country, at=at)
    return {rule.currency, rule.thresholds_currency} if rule is not None else set()


def landed_cost_for(*, destination: str, ship_from: str, lines: Iterable, shipping: Money,
                    per_eur: dict[str, Decimal], charge_currency: str | None = None,
                    charge_rate: Decimal | None = None, at=None) -> LandedCost:
    """Duty and import tax of one store's order sent from ``ship_from`` to ``destination``.

    For checkout and the shipping quote (``POST /api/v1/shipping/quote``), once per store:

    - ``destination``, ``ship_from``: ISO country codes (``destination`` is checked: an unknown one
      raises ``tax.unknown_country``, 422);
    - ``lines``: the store's lines, each with ``.total`` (``Money``, store currency) — or ``.value`` —
      and ``.hs_code`` (may be blank: the default duty rate applies); ``checkout.rules.PricedLine``
      fits;
    - ``shipping``: the store order's shipping charge (``Money``, store currency);
    - ``per_eur``: the rates to convert with (units per EUR; ``RateTable.per_eur`` or a quote's
      frozen ``rates``, which must then hold the destination's and its thresholds' currencies:
      ``currencies_for``);
    - ``charge_currency`` / ``charge_rate``: the display or charge currency and units of it per unit of
      the store's currency (default: the store's own currency, rate 1).

    Returns a ``tax.rules.LandedCost``: ``duty``/``tax`` (store currency), ``duty_charge``/``tax_charge``
    (charge currency), ``duty_local``/``tax_local`` (destination currency), ``collection`` (``none``,
    ``checkout``, ``on_delivery`` or ``unknown``), ``collected_at_checkout``, ``due_on_delivery``
    and ``snapshot()`` for a JSON answer. Reads no database row once the rules are cached.
    """
    destination = clean_country(destination)
    store_currency = shipping.currency
    if charge_currency is None or charge_currency == store_currency:
        charge_currency, charge_rate = store_currency, Decimal(1)
    customs = [CustomsLine(value=getattr(line, "value", None) or line.total, hs_code=getattr(line, "hs_code", "") or "")
               for line in lines]
    return landed_cost(terms=get_terms(destination, at=at), destination=destination,
                       ship_from=(ship_from or "").upper(), lines=customs, shipping=shipping, per_eur=per_eur,
                       charge_currency=charge_currency, charge_rate=Decimal(charge_rate or 1))


# --- what is owed to each tax authority -------------------------------------------------------------


@dataclass(frozen=True)
class TaxOwed:
    """Duties and taxes collected for one destination, in one currency, over a period."""

    country: str
    amount: Money  # collected less refunded
    collected: Money
    refunded: Money
    orders: int


def tax_owed(*, since: dt.datetime, until: dt.datetime) -> list[TaxOwed]:
    """What the platform collected at checkout for each tax authority between ``since`` (inclusive) and
    ``until`` (exclusive), from the ledger's tax-payable accounts, net of the refunds in the period; the
    count of orders whose capture fell in the period. Two queries."""
    from jishi.ledger.selectors import tax_payable_movements
    from jishi.orders.models import Order

    moves = tax_payable_movements(since=since, until=until)
    counts = dict(((country, currency), count) for country, currency, count in (
        Order.objects.filter(paid_at__gte=since, paid_at__lt=until)
        .filter(Q(duty_total__gt=0) | Q(tax_total__gt=0))
        .values_list("destination_country", "currency").annotate(count=Count("id"))
        .values_list("destination_country", "currency", "count")))
    return [TaxOwed(country=country, amount=collected - refunded, collected=collected, refunded=refunded,
                    orders=counts.get((country, collected.currency), 0))
            for country, collected, refunded in moves]

