"""Landed cost, the engine's own behaviour over the seeded rules: origin rules in force, per-item limits,
what is collected and what is due, thresholds in another currency, rounding, the duty table and the
EU's limit as a property. The worked cases per destination are in ``test_worked_cases.py``."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jishi.ledger.rules import tax_share
from jishi.money.rules import Money
from jishi.tax.rules import (
    Collection,
    CustomsLine,
    DestinationTerms,
    DutyLine,
    OriginTerms,
    hs_chapter,
    landed_cost,
    tariff_lines,
)
from jishi.tax.selectors import get_terms

D = Decimal
# Units per EUR, round enough to check by hand.
PER_EUR = {"USD": D("1.25"), "CNY": D("8"), "JPY": D("160"), "GBP": D("0.85"), "PLN": D("4.25"),
           "SEK": D("11"), "KRW": D("1500"), "AUD": D("1.6"), "CAD": D("1.5"), "BRL": D("6"), "SGD": D("1.5"),
           "CHF": D("0.95"), "NOK": D("11.5"), "IDR": D("18000"), "NZD": D("1.8"), "HKD": D("10"),
           "MXN": D("21.25")}

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 12, 7)


def terms(country: str, **changes) -> DestinationTerms:
    """The seeded rule of ``country`` in force on ``ON`` as the engine reads it (from the database, as
    the migrations seeded it), with ``changes``."""
    return replace(get_terms(country, at=ON), **changes)


def judge(country, items, shipping="0", *, currency=None, hs=("6109",), ship_from="CN", charge="EUR", rule=None):
    rule = rule or terms(country)
    currency = currency or rule.currency
    lines = [CustomsLine(Money(D(items) / len(hs), currency), code) for code in hs]
    rate = (PER_EUR.get(charge, D(1)) / PER_EUR.get(currency, D(1))) if currency != "EUR" else PER_EUR.get(charge, D(1))
    return landed_cost(terms=rule, destination=country, ship_from=ship_from, lines=lines,
                       shipping=Money(shipping, currency), per_eur=PER_EUR, charge_currency=charge,
                       charge_rate=D(1) if charge == currency else rate)


CHECKOUT, DELIVERY = Collection.CHECKOUT, Collection.ON_DELIVERY

def test_an_origin_rule_applies_only_while_in_force_and_the_latest_wins():
    import datetime as dt

    old = OriginTerms(origins=frozenset({"US"}), effective_from=dt.date(2026, 1, 1), vat_de_minimis=D(200),
                      duty_de_minimis=D(200))
    new = replace(old, effective_from=dt.date(2026, 6, 1), vat_de_minimis=D(100), duty_de_minimis=D(100))
    rule = terms("KR", origin_rules=(old, new))
    # USD 100 = KRW 120,000: under the newer rule's limit, at it nothing; a won above, duty and VAT.
    at = judge("KR", "120000", ship_from="US", rule=rule, hs=("9503",))
    above = judge("KR", "120001", ship_from="US", rule=rule, hs=("9503",))  # toys: 8 %
    assert not at.total and above.duty_local == Money(9600, "KRW")
    assert above.origin_rule["effective_from"] == "2026-06-01"


def test_norways_limit_is_per_item_not_per_consignment():
    rule = terms("NO")

    def cost(*lines):
        return landed_cost(terms=rule, destination="NO", ship_from="CN", lines=list(lines),
                           shipping=Money("200.00", "NOK"), per_eur=PER_EUR, charge_currency="NOK", charge_rate=D(1))

    # Three items of NOK 2,000 (NOK 6,000 together) and one of NOK 3,000: each is under the limit. VAT is
    # on the price with the shipping: 25 % of 9,200.
    under = cost(CustomsLine(Money("6000.00", "NOK"), "6109", quantity=3), CustomsLine(Money("3000.00", "NOK"), "9503"))
    assert under.collection == CHECKOUT and under.tax_local == Money("2300.00", "NOK")
    assert under.duty_local == Money("0.00", "NOK")
    # One item a øre above the limit sends the parcel through import.
    over = cost(CustomsLine(Money("6000.00", "NOK"), "6109", quantity=3), CustomsLine(Money("3000.01", "NOK"), "9503"))
    assert over.collection == DELIVERY and not over.collected
    # A line of two items worth NOK 6,000.02 is two items of NOK 3,000.01.
    assert cost(CustomsLine(Money("6000.02", "NOK"), "6109", quantity=2)).collection == DELIVERY
    assert cost(CustomsLine(Money("6000.00", "NOK"), "6109", quantity=2)).collection == CHECKOUT


def test_what_is_collected_is_charged_and_what_is_due_on_delivery_is_not():
    at_checkout, on_delivery = judge("FR", "100.00"), judge("FR", "200.00")

    # IOSS: EUR 3 and 20 % of 103. Above EUR 150: 12 % duty on the T-shirts and 20 % of 224, on delivery.
    assert at_checkout.collected == Money("23.60", "EUR") and not at_checkout.due_on_delivery
    assert not on_delivery.collected and on_delivery.due_on_delivery == Money("68.80", "EUR")
    assert on_delivery.incoterm == "DAP" and at_checkout.incoterm == "DDP"


def test_the_same_country_or_no_rule_owes_nothing():
    assert judge("FR", "500.00", ship_from="FR").collection == Collection.NONE
    nothing = landed_cost(terms=None, destination="AQ", ship_from="CN", lines=[CustomsLine(Money(5, "EUR"))],
                          shipping=Money(0, "EUR"), per_eur=PER_EUR, charge_currency="EUR", charge_rate=D(1))
    assert nothing.collection == Collection.NONE and not nothing.total


def test_a_threshold_in_another_currency_moves_with_the_rate():
    # EUR 150 is PLN 637.50 at 4.25 and PLN 675.00 at 4.50.
    dearer = {**PER_EUR, "PLN": D("4.50")}
    rule = terms("PL")
    line = [CustomsLine(Money("675.00", "PLN"), "6109")]
    at = landed_cost(terms=rule, destination="PL", ship_from="CN", lines=line, shipping=Money(0, "PLN"),
                     per_eur=dearer, charge_currency="PLN", charge_rate=D(1))
    above = landed_cost(terms=rule, destination="PL", ship_from="CN", lines=[CustomsLine(Money("675.01", "PLN"))],
                        shipping=Money(0, "PLN"), per_eur=dearer, charge_currency="PLN", charge_rate=D(1))

    assert at.collection == CHECKOUT and at.duty_local == Money("13.50", "PLN")
    assert above.collection == DELIVERY


def test_a_store_in_another_currency_is_judged_in_the_destinations_and_charged_in_its_own():
    # A CNY store sells to Japan (20 JPY per CNY): CNY 900 of goods count 60 % = JPY 10,800, plus CNY 50
    # shipping = JPY 1,000: JPY 11,800.
    cost = judge("JP", "900.00", "50.00", currency="CNY", charge="USD", hs=("9503",))  # toys: no duty

    assert cost.value == Money(11800, "JPY")
    assert cost.tax_local == Money(1180, "JPY")
    assert cost.tax == Money("59.00", "CNY")  # back in the store's currency
    assert cost.tax_charge == Money("9.22", "USD")  # 59 × 0.15625 = 9.21875, half-up
    assert cost.collection == DELIVERY and cost.due_on_delivery == Money("59.00", "CNY")


def test_zero_decimal_store_currency_rounds_to_whole_units():
    # A JPY store sells to France: JPY 20,000 = EUR 125.00; VAT 20 % of 128.00 = 25.60 = JPY 4,096.
    cost = judge("FR", "20000", currency="JPY", charge="JPY")

    assert cost.collection == CHECKOUT
    assert cost.duty == Money(480, "JPY") and cost.tax == Money(4096, "JPY")
    assert cost.duty.amount == D("480") and cost.tax.amount.as_tuple().exponent == 0


def test_krw_rounding_half_up():
    # KRW 200,005 above the USD 150 threshold: duty 8 % = 16,000.4 → 16,000; VAT 10 % of 216,005 = 21,600.5 → 21,601.
    cost = judge("KR", "200005", hs=("9503",))  # toys: 8 %
    assert cost.duty_local == Money(16000, "KRW") and cost.tax_local == Money(21601, "KRW")


def test_hs_chapter_rates_beat_the_default_and_lines_without_a_code_take_the_default():
    rule = terms("AU", duty_table=(DutyLine("61", D("10")), DutyLine("85", D("0"))))
    lines = [CustomsLine(Money("600.00", "AUD"), "6109.10"), CustomsLine(Money("400.00", "AUD"), "8517"),
             CustomsLine(Money("200.00", "AUD"), "")]
    cost = landed_cost(terms=rule, destination="AU", ship_from="CN", lines=lines, shipping=Money(0, "AUD"),
                       per_eur=PER_EUR, charge_currency="AUD", charge_rate=D(1))

    # 10 % of 600 + 0 % of 400 + the default 5 % of 200.
    assert cost.duty_local == Money("70.00", "AUD")


def test_shipping_is_spread_over_the_lines_for_duty():
    rule = terms("GB", duty_table=(DutyLine("61", D("10")), DutyLine("95", D("5"))))
    lines = [CustomsLine(Money("900.00", "GBP"), "6109"), CustomsLine(Money("100.00", "GBP"), "9503")]
    cost = landed_cost(terms=rule, destination="GB", ship_from="CN", lines=lines, shipping=Money("100.00", "GBP"),
                       per_eur=PER_EUR, charge_currency="GBP", charge_rate=D(1))

    # CIF value 1,100: the T-shirts carry 990 at 10 %, the toys 110 at 5 %.
    assert cost.duty_local == Money("104.50", "GBP")
    # FOB (Australia): the shipping stays out of the value for duty: 10 % of 1,800 + 5 % of 200.
    au = landed_cost(terms=terms("AU", duty_table=rule.duty_table), destination="AU", ship_from="CN",
                     lines=[replace(line, value=Money(line.value.amount * 2, "AUD")) for line in lines],
                     shipping=Money("100.00", "AUD"), per_eur=PER_EUR, charge_currency="AUD", charge_rate=D(1))
    assert au.duty_local == Money("190.00", "AUD")


def test_flat_duty_counts_distinct_tariff_lines():
    assert tariff_lines([CustomsLine(Money(1, "EUR"), "610910"), CustomsLine(Money(1, "EUR"), "6109.10.00"),
                         CustomsLine(Money(1, "EUR"), "9503"), CustomsLine(Money(1, "EUR")),
                         CustomsLine(Money(1, "EUR"))]) == 4
    assert judge("FR", "100.00", hs=("6109", "9503", "6109")).duty_local == Money("6.00", "EUR")


def test_a_destination_currency_without_a_rate_gives_no_estimate_rather_than_failing():
    cost = judge("FR", "100.00", currency="EUR", rule=terms("FR", currency="XOF", thresholds_currency="XOF"))
    assert cost.collection == Collection.UNKNOWN and not cost.total


def test_hs_chapter():
    assert hs_chapter("6109.10") == "61" and hs_chapter("") == "" and hs_chapter("9") == ""

cents = st.integers(min_value=1, max_value=40_000).map(lambda n: D(n) / 100)


@given(items=cents, shipping=cents)
def test_the_eu_rule_collects_exactly_up_to_the_limit_and_never_owes_a_negative(items, shipping):
    cost = judge("FR", str(items), str(shipping))
    value = items + shipping
    # The limit tests the goods' intrinsic value; duty (EUR 3, or 12 % on T-shirts above the limit, on the
    # CIF value) and VAT are on a base with the shipping.
    assert cost.collected_at_checkout == (items <= 150)
    assert cost.duty_local == (Money(3, "EUR") if items <= 150 else Money(value * D("0.12"), "EUR"))
    assert cost.tax_local == Money((value + cost.duty_local.amount) * D("0.2"), "EUR")
    assert cost.collected + cost.due_on_delivery == cost.total and cost.total.amount >= 0


@given(paid_cents=st.integers(min_value=100, max_value=10**7), tax_permille=st.integers(min_value=0, max_value=500),
       cuts=st.lists(st.integers(min_value=1, max_value=10**6), max_size=6))
def test_refunds_give_back_all_the_tax_and_never_more(paid_cents, tax_permille, cuts):
    paid = Money(D(paid_cents) / 100, "EUR")
    tax = Money(paid.amount * tax_permille / 1000, "EUR")
    refunded, tax_back = Money.zero("EUR"), Money.zero("EUR")
    for cut in [*cuts, paid_cents]:
        amount = min(Money(D(cut) / 100, "EUR"), paid - refunded)
        if not amount:
            break
        part = tax_share(amount, paid=paid, refunded_before=refunded, tax_collected=tax, tax_refunded_before=tax_back)
        assert Money.zero("EUR") <= part <= amount
        refunded, tax_back = refunded + amount, tax_back + part
        assert tax_back <= tax
    assert refunded == paid and tax_back == tax
