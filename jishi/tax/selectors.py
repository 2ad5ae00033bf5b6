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

from django.db.models import Q
from django.utils.translation import gettext as _

from jishi.core import clock
from jishi.core.countries import is_country
from jishi.core.errors import DomainError
from jishi.core.memo import SharedVersionMemo
from jishi.money.rules import Money, UnknownCurrency
from jishi.tax.models import DestinationRule, DutyRate, OriginRule, RegionalTax, UnionMember
from jishi.tax.rules import (
    CustomsLine,
    DestinationTerms,
    DutyLine,
    LandedCost,
    OriginTerms,
    Prepay,
    RegionTerms,
    exact,
    in_force,
    landed_cost,
    parse_bands,
    parse_hs_prefixes,
    parse_origins,
)

DESTINATION_RULES: SharedVersionMemo[Tables] = SharedVersionMemo("tax:destination-rules:token")


@dataclass(frozen=True)
class Tables:
    """Every version of every table the engine reads, grouped by country (or union) code."""

    rules: dict[str, list[DestinationRule]]
    duty_rates: dict[str, list[DutyRate]]
    origins: dict[str, list[OriginRule]]
    unions: dict[str, list[UnionMember]]  # by union
    regions: dict[str, list[RegionalTax]]


def _grouped(rows, key: str) -> dict[str, list]:
    grouped: dict[str, list] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return dict(grouped)


def _load() -> Tables:
    return Tables(rules=_grouped(DestinationRule.objects.all(), "country"),
                  duty_rates=_grouped(DutyRate.objects.all(), "country"),
                  origins=_grouped(OriginRule.objects.all(), "country"),
                  unions=_grouped(UnionMember.objects.all(), "union"),
                  regions=_grouped(RegionalTax.objects.all(), "country"))


def _between(row, day: dt.date) -> bool:
    return row.effective_from <= day and (row.effective_until is None or day < row.effective_until)


def invalidate_rules() -> None:
    DESTINATION_RULES.invalidate()


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
    return in_force(DESTINATION_RULES.get(_load).rules.get(country, []), _today(at))


def list_rules(*, at=None) -> list[DestinationRule]:
    """Every country's rule in force at ``at``, by country."""
    day = _today(at)
    found = (in_force(versions, day) for _country, versions in sorted(DESTINATION_RULES.get(_load).rules.items()))
    return [rule for rule in found if rule is not None]


def union_of(country: str, *, at=None) -> tuple[str, frozenset[str]]:
    """The customs union ``country`` is in at ``at`` and its members then; ``("", {})`` if none."""
    day = _today(at)
    for union, rows in sorted(DESTINATION_RULES.get(_load).unions.items()):
        members = frozenset(row.country for row in rows if _between(row, day))
        if country in members:
            return union, members
    return "", frozenset()


def union_codes() -> set[str]:
    """The customs unions the tables know (EU)."""
    return set(DESTINATION_RULES.get(_load).unions)


def duty_rates_in_force(country: str, *, at=None) -> list[DutyRate]:
    """The duty-table rows in force for ``country`` — its customs union's where it is in one — by code:
    per code, origins and measure, the latest version begun and not yet ended."""
    union, _members = union_of(country, at=at)
    day = _today(at)
    versions: dict[tuple[str, str, str], list[DutyRate]] = defaultdict(list)
    for row in DESTINATION_RULES.get(_load).duty_rates.get(union or country, []):
        if _between(row, day):
            versions[(row.hs_code, row.measure, row.origins)].append(row)
    # Of a code's versions still running, the latest started is the one in force.
    return [in_force(rows, day) for _key, rows in sorted(versions.items())]


def origin_rules_in_force(country: str, *, at=None) -> list[OriginRule]:
    """The origin rules for ``country`` in force at ``at``: from their ``effective_from`` until the day
    before their ``effective_until``."""
    day = _today(at)
    return [rule for rule in DESTINATION_RULES.get(_load).origins.get(country, []) if _between(rule, day)]


def regional_taxes_in_force(country: str, *, at=None) -> list[RegionalTax]:
    """Each region's tax version in force at ``at`` for ``country``, by code (none: no regional taxes)."""
    day = _today(at)
    by_region: dict[str, list[RegionalTax]] = defaultdict(list)
    for row in DESTINATION_RULES.get(_load).regions.get(country, []):
        by_region[row.region].append(row)
    found = (in_force(versions, day) for _code, versions in sorted(by_region.items()))
    return [row for row in found if row is not None]


def clean_region(country: str, raw, *, at=None, field: str = "region") -> str:
    """The region code of ``raw`` (a code like ``ON`` or a name like ``Ontario``, any case) where
    ``country`` has regional taxes; ``""`` where it has none or ``raw`` is blank (the landed cost then
    says only the national tax is in it); ``tax.unknown_region`` (422) for a region it does not have."""
    text = raw.strip() if isinstance(raw, str) else ""
    regions = regional_taxes_in_force(country, at=at)
    if not regions or not text:
        return ""
    wanted = text.casefold().removeprefix(f"{country.casefold()}-")
    for row in regions:
        if wanted in (row.region.casefold(), row.region_name.casefold()):
            return row.region
    message = _("Choose a state, province or territory of this country, like %(example)s.") % {
        "example": regions[0].region}
    raise DomainError("tax.unknown_region", message, fields={field: [message]})


def origin_terms(rule: OriginRule) -> OriginTerms:
    return OriginTerms(origins=parse_origins(rule.origins), match=rule.match, effective_from=rule.effective_from,
                       transport=rule.transport, vat_rate=rule.vat_rate, vat_de_minimis=rule.vat_de_minimis,
                       duty_de_minimis=rule.duty_de_minimis, default_duty_rate=rule.default_duty_rate,
                       duty_bands=parse_bands(rule.duty_bands))


def get_terms(country: str, *, at=None) -> DestinationTerms | None:
    """The rule in force as the landed-cost engine reads it, with the duty table, the customs union, the
    regional taxes and the origin rules in force."""
    rule = get_rule(country, at=at)
    if rule is None:
        return None
    union, members = union_of(country, at=at)
    return DestinationTerms(
        country=rule.country, currency=rule.currency, thresholds_currency=rule.thresholds_currency,
        tax_name=rule.tax_name, vat_rate=rule.vat_rate, vat_de_minimis=rule.vat_de_minimis,
        duty_de_minimis=rule.duty_de_minimis, collect_at_checkout=rule.collect_at_checkout,
        collect_limit=rule.collect_limit, flat_duty_per_tariff_line=rule.flat_duty_per_tariff_line,
        default_duty_rate=rule.default_duty_rate, regime_vat_rate=rule.regime_vat_rate, threshold_basis=rule.threshold_basis, valuation=rule.valuation,
        tax_base_includes_shipping=rule.tax_base_includes_shipping, effective_from=rule.effective_from,
        duty_table=tuple(DutyLine(hs_code=row.hs_code, rate=row.rate, origins=parse_origins(row.origins),
                                  measure=row.measure) for row in duty_rates_in_force(country, at=at)),
        duty_bands=parse_bands(rule.duty_bands), customs_value_percent=rule.customs_value_percent,
        collect_limit_per_item=rule.collect_limit_per_item, de_minimis_per_item=rule.de_minimis_per_item,
        never_relieved=parse_hs_prefixes(rule.exemption_excludes), border_terms=rule.border_terms,
        union=union, union_members=members,
        regions={row.region: RegionTerms(code=row.region, name=row.region_name, tax_name=row.tax_name,
                                         rate=row.rate, base=row.base, collection=row.collection)
                 for row in regional_taxes_in_force(country, at=at)},
        origin_rules=tuple(origin_terms(origin) for origin in origin_rules_in_force(country, at=at)))


def currencies_for(country: str, *, at=None) -> set[str]:
    """The currencies a landed cost to ``country`` converts through (to freeze their rates)."""
    rule = get_rule(country, at=at)
    return {rule.currency, rule.thresholds_currency} if rule is not None else set()


def landed_cost_for(*, destination: str, ship_from: str, lines: Iterable, shipping: Money,
                    per_eur: dict[str, Decimal], charge_currency: str | None = None,
                    charge_rate: Decimal | None = None, region: str = "", transport: str = "",
                    prepay: str = Prepay.DAP, at=None) -> LandedCost:
    """Duty and import tax of one store's order sent from ``ship_from`` to ``destination``.

    For checkout and the shipping quote (``POST /api/v1/shipping/quote``), once per store:

    - ``destination``, ``ship_from``: ISO country codes (``destination`` is checked: an unknown one
      raises ``tax.unknown_country``, 422);
    - ``lines``: the store's lines, each with ``.total`` (``Money``, store currency) — or ``.value`` —
      and ``.hs_code`` (may be blank: the default duty rate applies), and where known ``.quantity``
      and ``.origin_country``; ``checkout.rules.PricedLine`` fits;
    - ``shipping``: the store order's shipping charge (``Money``, store currency);
    - ``per_eur``: the rates to convert with (units per EUR; ``RateTable.per_eur`` or a quote's
      frozen ``rates``, which must then hold the destination's and its thresholds' currencies:
      ``currencies_for``);
    - ``charge_currency`` / ``charge_rate``: the display or charge currency and units of it per unit of
      the store's currency (default: the store's own currency, rate 1);
    - ``region``: the buyer's province or state (a code or a name; ``clean_region`` checks it:
      ``tax.unknown_region``, 422), ``transport``: the shipping method's (``post``/``courier``), and
      ``prepay``: the store's choice for duties and taxes due at the border (``DDP``/``DAP``).

    Returns a ``tax.rules.LandedCost``: ``duty``/``tax`` (store currency), ``duty_charge``/``tax_charge``
    (charge currency), ``duty_local``/``tax_local`` (destination currency), ``collection`` (``none``,
    ``checkout``, ``on_delivery`` or ``unknown``), ``collected_at_checkout``, ``due_on_delivery``
    and ``snapshot()`` for a JSON answer. Reads no database row once the rules are cached.
    """
    destination = clean_country(destination)
    store_currency = shipping.currency
    if charge_currency is None or charge_currency == store_currency:
        charge_currency, charge_rate = store_currency, Decimal(1)
    customs = [CustomsLine(value=getattr(line, "value", None) or line.total, hs_code=getattr(line, "hs_code", "") or "",
                           quantity=getattr(line, "quantity", 1) or 1, origin=getattr(line, "origin_country", "") or "")
               for line in lines]
    return landed_cost(terms=get_terms(destination, at=at), destination=destination,
                       ship_from=(ship_from or "").upper(), lines=customs, shipping=shipping, per_eur=per_eur,
                       charge_currency=charge_currency, charge_rate=Decimal(charge_rate or 1),
                       region=clean_region(destination, region, at=at), transport=transport, prepay=prepay)


# --- an order's duties and taxes --------------------------------------------------------------------


@dataclass(frozen=True)
class OrderTaxes:
    """The duties and import tax of one placed order as it froze them: what the buyer paid at checkout
    (part of the order's total, the destination's, not the store's) and the estimate of what is due
    from the recipient on delivery (never charged)."""

    duty: Money
    tax: Money
    tax_name: str  # the destination's name for the tax ("VAT", "GST"); empty when none was frozen
    due_on_delivery: Money

    @property
    def collected(self) -> Money:
        return self.duty + self.tax


def order_taxes(order) -> OrderTaxes:
    """``order``'s ``OrderTaxes``, from its frozen columns and landed-cost snapshot. No query."""
    landed = order.landed_cost if isinstance(order.landed_cost, dict) else {}
    code = order.currency
    return OrderTaxes(duty=Money(order.duty_total, code), tax=Money(order.tax_total, code),
                      tax_name=str(landed.get("tax_name") or ""), due_on_delivery=Money(order.due_on_delivery, code))


# --- what is owed to each tax authority -------------------------------------------------------------
#
# How refunds across periods are reported. A period's return declares the duties and taxes collected at
# checkout by payments in the period, less what refunds in the same period gave back of them. A refund in
# a later period of tax collected earlier is a correction of that earlier period: it is reported in the
# return of the period it happened in, listed apart with the order and the day its tax was collected (as
# the EU's IOSS return and most VAT returns take corrections), and earlier returns, once filed, never
# change. What a period owes an authority is never negative: when its corrections are more than its own
# net collection, it owes nothing and the rest is a credit the authority owes back (claimed from it, or
# set against a later return where its rules allow), never set against another authority.


@dataclass(frozen=True)
class TaxCorrection:
    """Tax given back in the period on an order whose tax was collected in an earlier period."""

    order_id: int
    collected_on: dt.date | None  # the day the order was paid, so its tax collected (UTC)
    amount: Money  # in the currency collected
    amount_local: Money | None  # in the destination's currency at the order's frozen rates


@dataclass(frozen=True)
class TaxOwed:
    """Duties and taxes for one destination, in one currency collected (a store's), over a period, and
    the same in the destination's currency at each order's frozen rates (``None`` where an order's rates
    cannot convert it). ``amount`` (owed) is never negative; ``credit`` is what corrections of earlier
    periods left over."""

    country: str
    collected: Money  # collected at checkout by payments in the period
    refunded: Money  # given back by refunds in the period, of tax collected in the period
    corrections: Money  # given back by refunds in the period, of tax collected in earlier periods
    orders: int  # orders whose capture fell in the period
    destination_currency: str = ""
    collected_local: Money | None = None
    refunded_local: Money | None = None
    corrections_local: Money | None = None
    corrected: tuple[TaxCorrection, ...] = ()

    @property
    def net(self) -> Money:
        """Collected less everything given back in the period (negative when corrections are larger)."""
        return self.collected - self.refunded - self.corrections

    @property
    def amount(self) -> Money:
        return max(self.net, Money.zero(self.net.currency))

    @property
    def credit(self) -> Money:
        return max(-self.net, Money.zero(self.net.currency))

    @property
    def net_local(self) -> Money | None:
        if self.collected_local is None or self.refunded_local is None or self.corrections_local is None:
            return None
        return self.collected_local - self.refunded_local - self.corrections_local

    @property
    def amount_local(self) -> Money | None:
        net = self.net_local
        return None if net is None else max(net, Money.zero(net.currency))

    @property
    def credit_local(self) -> Money | None:
        net = self.net_local
        return None if net is None else max(-net, Money.zero(net.currency))


@dataclass(frozen=True)
class AuthorityTotal:
    """What one tax authority is owed for the period, in its own currency (``None`` if unknown): its rows
    netted together, then owed or, when the corrections are larger, a credit."""

    country: str
    currency: str
    amount: Money | None
    credit: Money | None = None


def tax_owed(*, since: dt.datetime, until: dt.datetime) -> list[TaxOwed]:
    """What the platform owes each tax authority for the period from ``since`` (inclusive) to ``until``
    (exclusive), per currency collected, from the ledger's tax-payable accounts (three queries).

    Refunds follow the filing rule above: a refund's tax counts against the period it was given back in —
    as ``refunded`` when the order's tax was collected in the same period, as ``corrections`` (each in
    ``corrected``, with the day its tax was collected) when it was collected earlier — and what a period
    owes is never negative: ``amount`` is at least zero and the rest is ``credit``. Each row is also
    converted into the destination's currency, order by order, at the rates frozen on the order's group
    (rounded half-up once per order and direction)."""
    from jishi.ledger.models import EntryKind
    from jishi.ledger.selectors import tax_payable_moves
    from jishi.orders.models import Order
    from jishi.payments.models import Payment

    moves = tax_payable_moves(since=since, until=until)
    if not moves:
        return []
    shared_captures = {_payment_id(move) for move in moves
                       if move.entry_kind == EntryKind.CAPTURE and move.order_id is None} - {None}
    group_of = dict(Payment.objects.filter(id__in=shared_captures).values_list("id", "group_id"))
    orders = {order.id: order for order in Order.objects.filter(
        Q(id__in={move.order_id for move in moves if move.order_id})
        | Q(group_id__in=set(group_of.values()), paid_at__isnull=False)).select_related("group")}
    paid_by_group: dict[int, list] = defaultdict(list)
    for order in orders.values():
        if order.paid_at is not None:
            paid_by_group[order.group_id].append(order)

    # Per order: (collected in the period, given back in the period) in the store's currency, and the
    # orders whose tax was collected in the period.
    per_order: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    captured: dict[tuple[str, str], set[int]] = defaultdict(set)
    for move in moves:
        key = (move.country, move.amount.currency)
        if move.entry_kind == EntryKind.CAPTURE:
            if move.order_id is not None:
                shares = [(move.order_id, move.amount.amount)]
            else:  # one capture for several orders: each its own duties and taxes (a domestic order has none)
                shares = [(order.id, order.duty_total + order.tax_total)
                          for order in paid_by_group.get(group_of.get(_payment_id(move)), ())
                          if (order.destination_country, order.currency) == key and order.duty_total + order.tax_total]
            for order_id, amount in shares:
                per_order[order_id][0] += amount
                captured[key].add(order_id)
        elif move.order_id is not None:
            per_order[move.order_id][1] -= move.amount.amount
    collected_here = set().union(*captured.values()) if captured else set()

    def new_row(currency: str, collected: Money | None = None) -> dict:
        zero = Money.zero(currency)
        return {"collected": collected or zero, "refunded": zero, "corrections": zero, "corrected": [],
                "code": None, "local": [Decimal(0), Decimal(0), Decimal(0)], "known": True}

    rows = {key: new_row(key[1], collected) for key, collected in _collected(moves).items()}
    for order_id, (collected, given_back) in sorted(per_order.items()):
        order = orders.get(order_id)
        if order is None:
            continue
        row = rows.setdefault((order.destination_country, order.currency), new_row(order.currency))
        code = (order.landed_cost or {}).get("destination_currency") or ""
        row["code"] = code if row["code"] is None else row["code"]
        back = Money(given_back, order.currency)
        collected_local = to_destination(Money(collected, order.currency), code, order.group.rates)
        back_local = to_destination(back, code, order.group.rates)
        in_period = order_id in collected_here
        row["refunded" if in_period else "corrections"] += back
        if back and not in_period:
            paid_on = order.paid_at.astimezone(dt.UTC).date() if order.paid_at else None
            row["corrected"].append(TaxCorrection(order_id=order_id, collected_on=paid_on, amount=back,
                                                  amount_local=back_local))
        if collected_local is None or back_local is None or code != row["code"]:
            row["known"] = False
            continue
        row["local"][0] += collected_local.amount
        row["local"][1 if in_period else 2] += back_local.amount

    owed = []
    for (country, currency), row in sorted(rows.items()):
        code = row["code"] or ""
        known = row["known"] and row["code"] is not None
        collected_local, refunded_local, corrections_local = (
            Money(amount, code) if known else None for amount in row["local"])
        owed.append(TaxOwed(
            country=country, collected=row["collected"], refunded=row["refunded"], corrections=row["corrections"],
            orders=len(captured.get((country, currency), ())), destination_currency=code,
            collected_local=collected_local, refunded_local=refunded_local, corrections_local=corrections_local,
            corrected=tuple(row["corrected"])))
    return owed


def _payment_id(move) -> int | None:
    """The payment a capture entry records (its event key is ``capture:payment:<id>``)."""
    try:
        return int(move.event_key.rsplit(":", 1)[-1])
    except ValueError:
        return None


def _collected(moves) -> dict[tuple[str, str], Money]:
    """Per (country, currency): what captures in the period moved to tax payable."""
    sums: dict[tuple[str, str], Money] = {}
    for move in moves:
        if move.amount.amount > 0:
            key = (move.country, move.amount.currency)
            sums[key] = sums.get(key, Money.zero(move.amount.currency)) + move.amount
    return sums


def to_destination(amount: Money, code: str, rates: dict) -> Money | None:
    """``amount`` in the destination's currency ``code`` at an order group's frozen rates (units per EUR),
    rounded half-up; ``None`` when the rates cannot convert it."""
    if not code:
        return None
    if code == amount.currency:
        return amount
    try:
        return Money(exact(amount.amount, amount.currency, code, rates or {}), code)
    except UnknownCurrency:
        return None


def authority_totals(rows: list[TaxOwed]) -> list[AuthorityTotal]:
    """Per tax authority: its rows netted in its own currency, then owed (never negative) or a credit."""
    nets: dict[str, tuple[str, Money | None]] = {}
    for row in rows:
        net = row.net_local
        if row.country not in nets:
            nets[row.country] = (row.destination_currency, net)
            continue
        currency, found = nets[row.country]
        same = found is not None and net is not None and currency == row.destination_currency
        nets[row.country] = (currency, found + net if same else None)
    totals = []
    for country, (currency, net) in nets.items():
        if net is None:
            totals.append(AuthorityTotal(country, currency, None, None))
        else:
            zero = Money.zero(net.currency)
            totals.append(AuthorityTotal(country, currency, max(net, zero), max(-net, zero)))
    return totals
