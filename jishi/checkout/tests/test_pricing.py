"""Checkout pricing: per-store totals, one frozen rate per store, a grand total that is the sum of its parts.

The rules are property-tested; the quote built from the catalogue is checked for its errors and for a
constant number of queries.
"""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from jishi.catalog.services import update_variant
from jishi.checkout.rules import PricedLine, build_quote, charge_rate
from jishi.checkout.selectors import clean_lines, quote_lines
from jishi.core.errors import DomainError
from jishi.money.rules import Money, UnknownCurrency, minor_units
from jishi.money.selectors import get_rate_table, list_currency_codes
from jishi.stores.services import update_store
from tests.factories import UserFactory, buy_now, make_product, open_store_for

CODES = ["JPY", "USD", "KWD", "EUR", "CNY", "KRW", "BHD"]
# Units per EUR, as wide as real currencies go (from about 0.3 KWD to tens of thousands of IDR or VND).
rate_values = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=6,
                          allow_nan=False, allow_infinity=False).filter(lambda r: r > 0)
per_eur_tables = st.fixed_dictionaries({code: rate_values for code in CODES if code != "EUR"})


def _in_minor_units(money: Money) -> bool:
    return money.amount.as_tuple().exponent == -minor_units(money.currency)


@st.composite
def checkouts(draw):
    """Lines from 1 to 4 stores, each store in its own currency, priced and shipped in it."""
    stores, lines, store_of, shipping = {}, [], {}, {}
    variant_id = 0
    for store_id in range(1, draw(st.integers(1, 4)) + 1):
        currency = draw(st.sampled_from(CODES))
        places = minor_units(currency)
        stores[store_id] = SimpleNamespace(id=store_id, name=f"Store {store_id}")
        shipping[store_id] = Money(draw(st.decimals(min_value=0, max_value=500, places=places)), currency)
        for _ in range(draw(st.integers(1, 5))):
            variant_id += 1
            price = draw(st.decimals(min_value=0, max_value=100_000, places=places))
            lines.append(PricedLine(variant_id=variant_id, product_id=variant_id, sku=f"SKU-{variant_id}",
                                    title=f"Thing {variant_id}", options={}, unit_price=Money(price, currency),
                                    quantity=draw(st.integers(1, 999))))
            store_of[variant_id] = store_id
    order = draw(st.permutations(lines))  # a cart's lines come in any order across stores
    return {"lines": list(order), "stores": stores, "store_of": store_of, "shipping_rates": shipping}


# --- the rate of each store order ---------------------------------------------------------------------


@given(code=st.sampled_from(CODES), per_eur=per_eur_tables)
def test_the_charge_rate_within_one_currency_is_exactly_one(code, per_eur):
    assert charge_rate(code, code, per_eur) == Decimal(1)


@given(source=st.sampled_from(CODES), target=st.sampled_from(CODES), per_eur=per_eur_tables)
def test_the_charge_rate_between_currencies_is_a_positive_decimal(source, target, per_eur):
    rate = charge_rate(source, target, per_eur)

    assert isinstance(rate, Decimal) and rate > 0
    expected = (Decimal(1) if target == "EUR" else per_eur[target]) / (
        Decimal(1) if source == "EUR" else per_eur[source])
    assert abs(rate - expected) <= Decimal("0.5e-12")


def test_the_charge_rate_goes_through_the_euro():
    per_eur = {"USD": Decimal("1.25"), "CNY": Decimal("8"), "JPY": Decimal("160")}

    assert charge_rate("CNY", "USD", per_eur) == Decimal("0.15625")
    assert charge_rate("EUR", "JPY", per_eur) == Decimal("160")
    assert charge_rate("JPY", "EUR", per_eur) == Decimal("0.00625")
    with pytest.raises(UnknownCurrency):
        charge_rate("KWD", "USD", per_eur)


# --- the quote ----------------------------------------------------------------------------------------


@given(checkout=checkouts(), charge_currency=st.sampled_from(CODES), per_eur=per_eur_tables)
def test_the_total_is_the_sum_of_store_totals_each_rounded_to_the_charge_currency(checkout, charge_currency,
                                                                                     per_eur):
    quote = build_quote(charge_currency=charge_currency, per_eur=per_eur, **checkout)

    assert quote.total == sum((part.charge_total for part in quote.stores), Money.zero(charge_currency))
    assert quote.total.currency == charge_currency and _in_minor_units(quote.total)
    for part in quote.stores:
        assert part.charge_total.currency == charge_currency and _in_minor_units(part.charge_total)
        assert isinstance(part.charge_rate, Decimal) and isinstance(part.charge_total.amount, Decimal)
        assert part.charge_rate == charge_rate(part.currency, charge_currency, per_eur)
        # what the order says it cost is its store total at the frozen rate, rounded half-up once
        assert part.charge_total == Money(part.total.amount * part.charge_rate, charge_currency)
        assert abs(part.charge_total.amount - part.total.amount * part.charge_rate) <= Decimal(1).scaleb(
            -minor_units(charge_currency)) / 2


@given(checkout=checkouts(), charge_currency=st.sampled_from(CODES), per_eur=per_eur_tables)
def test_each_store_is_priced_in_its_own_currency_as_items_plus_shipping(checkout, charge_currency, per_eur):
    quote = build_quote(charge_currency=charge_currency, per_eur=per_eur, **checkout)

    assert [part.store_id for part in quote.stores] == list(dict.fromkeys(
        checkout["store_of"][line.variant_id] for line in checkout["lines"]))
    for part in quote.stores:
        own = [line for line in checkout["lines"] if checkout["store_of"][line.variant_id] == part.store_id]
        assert list(part.lines) == own
        assert part.shipping == checkout["shipping_rates"][part.store_id]
        assert part.items == Money(sum(line.unit_price.amount * line.quantity for line in own), part.currency)
        assert part.total == part.items + part.shipping
        assert {part.items.currency, part.total.currency} == {part.currency}
        assert all(_in_minor_units(amount) for amount in (part.items, part.shipping, part.total))
    assert sum(quote.units.values()) == sum(line.quantity for line in checkout["lines"])


@given(checkout=checkouts(), charge_currency=st.sampled_from(CODES), per_eur=per_eur_tables)
def test_the_quote_keeps_the_rates_of_the_currencies_it_used(checkout, charge_currency, per_eur):
    quote = build_quote(charge_currency=charge_currency, per_eur=per_eur, **checkout)

    used = {part.currency for part in quote.stores} | {charge_currency}
    assert quote.rates == {code: per_eur[code] for code in used - {"EUR"}}
    assert all(isinstance(rate, Decimal) for rate in quote.rates.values())


def test_a_hand_checked_quote_across_three_currencies():
    stores = {1: SimpleNamespace(id=1), 2: SimpleNamespace(id=2), 3: SimpleNamespace(id=3)}
    lines = [PricedLine(1, 1, "TEA", "Green Tea", {}, Money("88.00", "CNY"), 2),
             PricedLine(2, 2, "KNIFE", "Santoku", {}, Money("1200", "JPY"), 1),
             PricedLine(3, 3, "DATES", "Dates", {}, Money("1.250", "KWD"), 3)]
    quote = build_quote(lines=lines, stores=stores, store_of={1: 1, 2: 2, 3: 3},
                        shipping_rates={1: Money("12", "CNY"), 2: Money("500", "JPY"), 3: Money("0.5", "KWD")},
                        charge_currency="USD",
                        per_eur={"USD": Decimal("1.25"), "CNY": Decimal("8"), "JPY": Decimal("160"),
                                 "KWD": Decimal("0.4")})

    assert [part.total for part in quote.stores] == [Money("188", "CNY"), Money("1700", "JPY"), Money("4.25", "KWD")]
    # 29.375 → 29.38, 13.28125 → 13.28, 13.28125 → 13.28: the total adds the rounded parts
    assert [part.charge_total for part in quote.stores] == [Money("29.38", "USD"), Money("13.28", "USD"),
                                                           Money("13.28", "USD")]
    assert quote.total == Money("55.94", "USD")


# --- quoting from the catalogue -----------------------------------------------------------------------


def _shop(name: str, currency: str, *, title: str, price: str, stock: int = 5, shipping: str = "0",
          status: str = "active"):
    store, access = open_store_for(name=name, currency_code=currency)
    update_store(access=access, shipping_rate=shipping)
    product = make_product(access, title=title, price=price, stock=stock, status=status)
    return SimpleNamespace(store=store, access=access, product=product, variant=product.variants.get())


def _quote_refused(**kwargs) -> DomainError:
    with pytest.raises(DomainError) as refused:
        quote_lines(**{"buyer": UserFactory(), "charge_currency": "USD", "language": "en", **kwargs})
    return refused.value


@pytest.mark.django_db
def test_a_quote_prices_the_lines_in_the_store_currency_and_the_charge_currency(rates):
    tea = _shop("Hangzhou Tea", "CNY", title="Green Tea", price="88.00", shipping="12.00")
    knives = _shop("Osaka Knives", "JPY", title="Santoku Knife", price="1200", shipping="500")

    quote = quote_lines(buyer=UserFactory(), lines=[(tea.variant.id, 2), (knives.variant.id, 1)],
                        charge_currency="USD", language="en")

    assert [(part.store_id, part.total, part.charge_total) for part in quote.stores] == [
        (tea.store.id, Money("188", "CNY"), Money("29.38", "USD")),
        (knives.store.id, Money("1700", "JPY"), Money("13.28", "USD"))]
    assert quote.total == Money("42.66", "USD")
    assert quote.units == {tea.variant.id: 2, knives.variant.id: 1}
    assert quote.rates_as_of == get_rate_table().as_of


@pytest.mark.django_db
def test_a_quote_names_each_line_that_cannot_be_bought(rates):
    tea = _shop("Hangzhou Tea", "CNY", title="Green Tea", price="88.00", stock=5)
    draft = _shop("Back Room", "CNY", title="Secret Tea", price="10.00", status="draft")
    empty = _shop("Empty Shelf", "CNY", title="Rare Tea", price="500.00", stock=0)
    flash = _shop("Flash Sale", "CNY", title="Mooncake", price="20.00", stock=50)
    update_variant(access=flash.access, variant=flash.variant, data={"per_buyer_limit": 3})
    buyer = UserFactory()
    buy_now(buyer, flash.variant, 2, charge_currency="CNY")

    error = _quote_refused(buyer=buyer, lines=[(tea.variant.id, 6), (draft.variant.id, 1), (empty.variant.id, 1),
                                               (flash.variant.id, 2), (999_999, 1)])

    assert (error.code, error.status) == ("checkout.unavailable", 409)
    assert error.fields == {
        "lines.0.quantity": ["Only 5 left of Green Tea."],
        "lines.1.variant_id": ["This item is no longer for sale."],
        "lines.2.quantity": ["Out of stock."],
        "lines.3.quantity": ["Limited to 3 per buyer; you may buy 1 more."],
        "lines.4.variant_id": ["This item is no longer for sale."],
    }


@pytest.mark.django_db
def test_a_quote_needs_lines_and_a_supported_currency(rates):
    tea = _shop("Hangzhou Tea", "CNY", title="Green Tea", price="88.00")

    assert _quote_refused(lines=[]).code == "checkout.empty"
    for currency in ("XYZ", "BHD", "", None):
        error = _quote_refused(lines=[(tea.variant.id, 1)], charge_currency=currency)
        assert (error.code, list(error.fields)) == ("checkout.invalid", ["charge_currency"])


@pytest.mark.parametrize("raw, fields", [
    ([], ["lines"]),
    ("1,2", ["lines"]),
    ([{"variant_id": "abc"}], ["lines.0.variant_id"]),
    ([{"variant_id": 1, "quantity": 0}, {"variant_id": 2, "quantity": 1000}],
     ["lines.0.quantity", "lines.1.quantity"]),
    ([{"variant_id": True}, {"variant_id": 3, "quantity": -2}], ["lines.0.variant_id", "lines.1.quantity"]),
    ([{"variant_id": 1}] * 101, ["lines"]),
])
def test_buy_now_lines_are_checked_field_by_field(raw, fields):
    with pytest.raises(DomainError) as refused:
        clean_lines(raw)

    assert refused.value.code == "checkout.invalid" and sorted(refused.value.fields) == sorted(fields)


def test_buy_now_lines_of_one_variant_are_merged():
    assert clean_lines([{"variant_id": 7, "quantity": 2}, {"variant_id": "8"}, {"variant_id": "7", "quantity": "3"}]
                       ) == [(7, 5), (8, 1)]


@pytest.mark.django_db
def test_quoting_takes_the_same_queries_for_1_or_20_lines_from_5_stores(rates):
    currencies = [("CNY", "10.00"), ("JPY", "900"), ("KWD", "1.500"), ("USD", "4.50"), ("CNY", "7.20")]
    shops = [open_store_for(name=f"Store {n}", currency_code=code)[1] for n, (code, _price) in enumerate(currencies)]
    variants = []
    for n in range(20):
        access = shops[n % 5]
        product = make_product(access, title=f"Thing {n}", price=currencies[n % 5][1], stock=50)
        if n == 0:
            update_variant(access=access, variant=product.variants.get(), data={"per_buyer_limit": 10})
        variants.append(product.variants.get())
    buyer = UserFactory()
    get_rate_table(), list_currency_codes()  # the per-process rate table is warm after the first request

    def queries(lines) -> int:
        with CaptureQueriesContext(connection) as captured:
            quote = quote_lines(buyer=buyer, lines=lines, charge_currency="USD", language="en")
        assert sum(quote.units.values()) == sum(q for _v, q in lines)
        assert len(quote.stores) == min(len(lines), 5)
        return len(captured.captured_queries)

    one = queries([(variants[0].id, 1)])
    twenty = queries([(variant.id, 2) for variant in variants])

    assert one == twenty
