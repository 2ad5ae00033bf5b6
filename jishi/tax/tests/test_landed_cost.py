"""Landed cost, table-driven over the seeded destination rules: just below, at and just above each
threshold, thresholds stated in another currency, and rounding in zero-decimal currencies."""

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
    OriginTerms,
    hs_chapter,
    landed_cost,
    parse_bands,
    parse_origins,
    tariff_lines,
)
from jishi.tax.seed import default_origin_rules, default_rules

D = Decimal
# Units per EUR, round enough to check by hand.
PER_EUR = {"USD": D("1.25"), "CNY": D("8"), "JPY": D("160"), "GBP": D("0.85"), "PLN": D("4.25"),
           "SEK": D("11"), "KRW": D("1500"), "AUD": D("1.6"), "CAD": D("1.5"), "BRL": D("6"), "SGD": D("1.5"),
           "CHF": D("0.95"), "NOK": D("11.5"), "IDR": D("18000"), "NZD": D("1.8"), "HKD": D("10"),
           "MXN": D("21.25")}

_SEED = {row["country"]: row for row in default_rules()}
_ORIGIN_SEED = default_origin_rules()


def origin_terms(row: dict) -> OriginTerms:
    return OriginTerms(origins=parse_origins(row["origins"]), match=row["match"], effective_from=row["effective_from"],
                       **{name: row.get(name) for name in ("vat_rate", "vat_de_minimis", "duty_de_minimis",
                                                           "default_duty_rate")},
                       duty_bands=parse_bands(row.get("duty_bands")))


def terms(country: str, **changes) -> DestinationTerms:
    """The seeded rule of ``country`` as the engine reads it, with its seeded origin rules."""
    row = _SEED[country]
    fields = {name: row[name] for name in (
        "country", "currency", "thresholds_currency", "tax_name", "vat_rate", "vat_de_minimis", "duty_de_minimis",
        "collect_at_checkout", "collect_limit", "flat_duty_per_tariff_line", "default_duty_rate",
        "value_includes_shipping", "effective_from")}
    fields.update(duty_bands=parse_bands(row.get("duty_bands")), limits_per_item=row.get("limits_per_item", False),
                  customs_value_percent=row.get("customs_value_percent", D(100)),
                  origin_rules=tuple(origin_terms(o) for o in _ORIGIN_SEED if o["country"] == country))
    return replace(DestinationTerms(**fields), **changes)


def judge(country, items, shipping="0", *, currency=None, hs=("6109",), ship_from="CN", charge="EUR", rule=None):
    rule = rule or terms(country)
    currency = currency or rule.currency
    lines = [CustomsLine(Money(D(items) / len(hs), currency), code) for code in hs]
    rate = (PER_EUR.get(charge, D(1)) / PER_EUR.get(currency, D(1))) if currency != "EUR" else PER_EUR.get(charge, D(1))
    return landed_cost(terms=rule, destination=country, ship_from=ship_from, lines=lines,
                       shipping=Money(shipping, currency), per_eur=PER_EUR, charge_currency=charge,
                       charge_rate=D(1) if charge == currency else rate)


CHECKOUT, DELIVERY = Collection.CHECKOUT, Collection.ON_DELIVERY

# country, items, shipping (destination currency), collection, duty, tax (destination currency)
CASES = [
    # EU (IOSS up to EUR 150): at the limit the flat EUR 3 per tariff line and VAT on value + duty are
    # collected; a cent above, nothing is collected and VAT is due on import (no default duty rate).
    ("FR", "140.00", "10.00", CHECKOUT, "3.00", "30.60"),
    ("FR", "140.01", "10.00", DELIVERY, "0.00", "30.00"),
    ("FR", "139.99", "10.00", CHECKOUT, "3.00", "30.60"),
    ("DE", "150.00", "0", CHECKOUT, "3.00", "29.07"),
    ("DE", "150.01", "0", DELIVERY, "0.00", "28.50"),
    # UK: VAT at checkout up to GBP 135, no duty at or below it.
    ("GB", "125.00", "10.00", CHECKOUT, "0.00", "27.00"),
    ("GB", "125.01", "10.00", DELIVERY, "0.00", "27.00"),
    # Australia: GST at checkout up to AUD 1,000; above it 5 % duty and GST on value + duty, on delivery.
    ("AU", "1000.00", "0", CHECKOUT, "0.00", "100.00"),
    ("AU", "1000.01", "0", DELIVERY, "50.00", "105.00"),
    # Japan (zero decimals): the customs value is 60 % of the price (shipping counts in full), rounded to
    # whole yen; nothing at or below JPY 10,000; above, 10 % consumption tax on delivery.
    ("JP", "16666", "0", DELIVERY, "0", "0"),  # 9,999.6 → 10,000
    ("JP", "16667", "0", DELIVERY, "0", "0"),  # 10,000.2 → 10,000
    ("JP", "16668", "0", DELIVERY, "0", "1000"),  # 10,000.8 → 10,001
    ("JP", "15000", "1000", DELIVERY, "0", "0"),  # 9,000 + 1,000
    ("JP", "15000", "1001", DELIVERY, "0", "1000"),
    ("JP", "15000", "1005", DELIVERY, "0", "1001"),  # 1000.5 rounds half-up
    # Canada: CAD 20 for duty and tax.
    ("CA", "15.00", "5.00", DELIVERY, "0.00", "0.00"),
    ("CA", "15.01", "5.00", DELIVERY, "0.00", "1.00"),
    # Korea (KRW, zero decimals): thresholds are USD 150 = KRW 180,000 at these rates.
    ("KR", "180000", "0", DELIVERY, "0", "0"),
    ("KR", "180001", "0", DELIVERY, "14400", "19440"),
    # Poland: thresholds are EUR 150 = PLN 637.50 and EUR 3 = PLN 12.75.
    ("PL", "637.50", "0", CHECKOUT, "12.75", "149.56"),
    ("PL", "637.51", "0", DELIVERY, "0.00", "146.63"),
    # Switzerland: no VAT at or below CHF 62; platforms collect it above, with no upper limit.
    ("CH", "62.00", "0", CHECKOUT, "0.00", "0.00"),
    ("CH", "62.01", "0", CHECKOUT, "0.00", "5.02"),
    # Norway (VOEC): the value leaves shipping out; the limit is per item (here one item).
    ("NO", "3000.00", "100.00", CHECKOUT, "0.00", "750.00"),
    ("NO", "3000.01", "100.00", DELIVERY, "0.00", "750.00"),
    # Brazil (Remessa Conforme, USD 1 = BRL 4.80): import tax 20 % up to USD 50 = BRL 240, 60 % less
    # USD 20 = BRL 96 above, collected up to USD 3,000 = BRL 14,400; 60 % above it, due on import; then
    # 17 % ICMS on value + import tax.
    ("BR", "239.99", "0", CHECKOUT, "48.00", "48.96"),
    ("BR", "240.00", "0", CHECKOUT, "48.00", "48.96"),
    ("BR", "240.01", "0", CHECKOUT, "48.01", "48.96"),  # 144.006 − 96 = 48.006
    ("BR", "14400.00", "0", CHECKOUT, "8544.00", "3900.48"),
    ("BR", "14400.01", "0", DELIVERY, "8640.01", "3916.80"),
    # Singapore: GST at checkout up to SGD 400; above, 0 % duty and 9 % GST on delivery.
    ("SG", "400.00", "0", CHECKOUT, "0.00", "36.00"),
    ("SG", "400.01", "0", DELIVERY, "0.00", "36.00"),
    # Indonesia: USD 3 = IDR 43,200; above it 7.5 % duty and 11 % VAT.
    ("ID", "43200.00", "0", DELIVERY, "0.00", "0.00"),
    ("ID", "43300.00", "0", DELIVERY, "3247.50", "5120.23"),
    # New Zealand: GST at checkout up to NZD 1,000.
    ("NZ", "1000.00", "0", CHECKOUT, "0.00", "150.00"),
    ("NZ", "1000.01", "0", DELIVERY, "0.00", "150.00"),
    # Hong Kong: a free port.
    ("HK", "5000.00", "0", DELIVERY, "0.00", "0.00"),
]


@pytest.mark.parametrize(("country", "items", "shipping", "collection", "duty", "tax"), CASES)
def test_landed_cost_by_destination(country, items, shipping, collection, duty, tax):
    cost = judge(country, items, shipping)

    assert cost.collection == collection
    assert cost.duty_local == Money(duty, cost.destination_currency)
    assert cost.tax_local == Money(tax, cost.destination_currency)
    assert str(cost.duty_local.amount) == duty and str(cost.tax_local.amount) == tax


# country, ship from, made in, items, shipping (destination currency), collection, duty, tax, origin rule applied
ORIGIN_CASES = [
    # Korea, shipped from the US (KORUS): USD 200 = KRW 240,000 instead of USD 150 = KRW 180,000.
    ("KR", "US", "", "240000", "0", DELIVERY, "0", "0", True),
    ("KR", "US", "", "240001", "0", DELIVERY, "19200", "25920", True),  # 8 % = 19,200.08; 10 % of 259,201
    ("KR", "US", "CN", "240000", "0", DELIVERY, "0", "0", True),  # where it ships from is what counts
    ("KR", "CN", "", "180001", "0", DELIVERY, "14400", "19440", False),
    ("KR", "CN", "", "240000", "0", DELIVERY, "19200", "25920", False),
    # Canada, CUSMA goods from the US or Mexico: tax-free up to CAD 40 (GST 5 %), duty-free up to CAD 150.
    ("CA", "US", "", "35.00", "5.00", DELIVERY, "0.00", "0.00", True),
    ("CA", "US", "US", "35.01", "5.00", DELIVERY, "0.00", "2.00", True),
    ("CA", "MX", "MX", "34.99", "5.00", DELIVERY, "0.00", "0.00", True),
    ("CA", "US", "CN", "35.00", "5.00", DELIVERY, "0.00", "2.00", False),  # not CUSMA goods: CAD 20
    ("CA", "CN", "", "20.00", "0", DELIVERY, "0.00", "0.00", False),
    ("CA", "CN", "", "20.01", "0", DELIVERY, "0.00", "1.00", False),
    # Mexico, USMCA goods (USD 1 = MXN 17): nothing up to USD 50 = MXN 850, a 17 % global rate up to
    # USD 117 = MXN 1,989, 19 % above; from elsewhere, IVA 16 % from the first peso.
    ("MX", "US", "", "850.00", "0", DELIVERY, "0.00", "0.00", True),
    ("MX", "US", "", "850.01", "0", DELIVERY, "144.50", "0.00", True),
    ("MX", "CA", "CA", "1989.00", "0", DELIVERY, "338.13", "0.00", True),
    ("MX", "US", "US", "1989.01", "0", DELIVERY, "377.91", "0.00", True),
    ("MX", "US", "CN", "850.00", "0", DELIVERY, "0.00", "136.00", False),
    ("MX", "CN", "", "850.00", "0", DELIVERY, "0.00", "136.00", False),
]


@pytest.mark.parametrize(("country", "ship_from", "made_in", "items", "shipping", "collection", "duty", "tax",
                          "applied"), ORIGIN_CASES)
def test_origin_rules_change_the_thresholds_for_goods_from_trade_partners(country, ship_from, made_in, items,
                                                                          shipping, collection, duty, tax, applied):
    rule = terms(country)
    line = CustomsLine(Money(items, rule.currency), "6109", origin=made_in)
    cost = landed_cost(terms=rule, destination=country, ship_from=ship_from, lines=[line],
                       shipping=Money(shipping, rule.currency), per_eur=PER_EUR, charge_currency=rule.currency,
                       charge_rate=D(1))

    assert cost.collection == collection
    assert str(cost.duty_local.amount) == duty and str(cost.tax_local.amount) == tax
    assert (cost.origin_rule is not None) == applied
    if applied:
        assert ship_from in cost.origin_rule["origins"] and cost.snapshot()["origin_rule"] == cost.origin_rule


def test_an_origin_rule_applies_only_while_in_force_and_the_latest_wins():
    import datetime as dt

    old = OriginTerms(origins=frozenset({"US"}), effective_from=dt.date(2026, 1, 1), vat_de_minimis=D(200),
                      duty_de_minimis=D(200))
    new = replace(old, effective_from=dt.date(2026, 6, 1), vat_de_minimis=D(100), duty_de_minimis=D(100))
    rule = terms("KR", origin_rules=(old, new))
    # USD 100 = KRW 120,000: under the newer rule's limit, at it nothing; a won above, duty and VAT.
    at = judge("KR", "120000", ship_from="US", rule=rule)
    above = judge("KR", "120001", ship_from="US", rule=rule)
    assert not at.total and above.duty_local == Money(9600, "KRW")
    assert above.origin_rule["effective_from"] == "2026-06-01"


def test_norways_limit_is_per_item_not_per_consignment():
    rule = terms("NO")

    def cost(*lines):
        return landed_cost(terms=rule, destination="NO", ship_from="CN", lines=list(lines),
                           shipping=Money("200.00", "NOK"), per_eur=PER_EUR, charge_currency="NOK", charge_rate=D(1))

    # Three items of NOK 2,000 (NOK 6,000 together) and one of NOK 3,000: each is under the limit.
    under = cost(CustomsLine(Money("6000.00", "NOK"), "6109", quantity=3), CustomsLine(Money("3000.00", "NOK"), "9503"))
    assert under.collection == CHECKOUT and under.tax_local == Money("2250.00", "NOK")
    assert under.duty_local == Money("0.00", "NOK")
    # One item a øre above the limit sends the parcel through import.
    over = cost(CustomsLine(Money("6000.00", "NOK"), "6109", quantity=3), CustomsLine(Money("3000.01", "NOK"), "9503"))
    assert over.collection == DELIVERY and not over.collected
    # A line of two items worth NOK 6,000.02 is two items of NOK 3,000.01.
    assert cost(CustomsLine(Money("6000.02", "NOK"), "6109", quantity=2)).collection == DELIVERY
    assert cost(CustomsLine(Money("6000.00", "NOK"), "6109", quantity=2)).collection == CHECKOUT


def test_what_is_collected_is_charged_and_what_is_due_on_delivery_is_not():
    at_checkout, on_delivery = judge("FR", "100.00"), judge("FR", "200.00")

    assert at_checkout.collected == Money("23.60", "EUR") and not at_checkout.due_on_delivery
    assert not on_delivery.collected and on_delivery.due_on_delivery == Money("40.00", "EUR")


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
    cost = judge("JP", "900.00", "50.00", currency="CNY", charge="USD")

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
    cost = judge("KR", "200005")
    assert cost.duty_local == Money(16000, "KRW") and cost.tax_local == Money(21601, "KRW")


def test_hs_chapter_rates_beat_the_default_and_lines_without_a_code_take_the_default():
    rule = terms("AU", duty_rates={"61": D("10"), "85": D("0")})
    lines = [CustomsLine(Money("600.00", "AUD"), "6109.10"), CustomsLine(Money("400.00", "AUD"), "8517"),
             CustomsLine(Money("200.00", "AUD"), "")]
    cost = landed_cost(terms=rule, destination="AU", ship_from="CN", lines=lines, shipping=Money(0, "AUD"),
                       per_eur=PER_EUR, charge_currency="AUD", charge_rate=D(1))

    # 10 % of 600 + 0 % of 400 + the default 5 % of 200.
    assert cost.duty_local == Money("70.00", "AUD")


def test_shipping_is_spread_over_the_lines_for_duty():
    rule = terms("AU", duty_rates={"61": D("10")})
    lines = [CustomsLine(Money("900.00", "AUD"), "6109"), CustomsLine(Money("100.00", "AUD"), "9503")]
    cost = landed_cost(terms=rule, destination="AU", ship_from="CN", lines=lines, shipping=Money("100.00", "AUD"),
                       per_eur=PER_EUR, charge_currency="AUD", charge_rate=D(1))

    # Value 1,100: the T-shirts carry 990 at 10 %, the toys 110 at the default 5 %.
    assert cost.duty_local == Money("104.50", "AUD")


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
    assert cost.collected_at_checkout == (value <= 150)
    assert cost.duty_local == Money(3 if value <= 150 else 0, "EUR")
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
