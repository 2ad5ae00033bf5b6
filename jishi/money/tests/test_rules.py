"""Money as a value: quantization, arithmetic, currency safety, conversion. Property-tested."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jishi.money.rules import CurrencyMismatch, Money, UnknownCurrency, convert, minor_units

CODES = ["USD", "EUR", "JPY", "CNY", "KWD", "GBP", "KRW", "BHD"]
amounts = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), allow_nan=False, allow_infinity=False,
                      places=4)


def test_minor_units_follow_iso_4217():
    assert (minor_units("JPY"), minor_units("USD"), minor_units("KWD"), minor_units("CNY")) == (0, 2, 3, 2)
    assert minor_units("HUF") == 2  # ISO keeps 2 even though prices are shown without decimals


def test_amounts_are_quantized_half_up_to_minor_units():
    assert Money("1.005", "USD").amount == Decimal("1.01")
    assert Money("2.5", "JPY").amount == Decimal("3")
    assert Money("-2.5", "JPY").amount == Decimal("-3")
    assert Money("1.0005", "KWD").amount == Decimal("1.001")


def test_floats_and_garbage_are_refused():
    with pytest.raises(TypeError):
        Money(0.1, "USD")
    with pytest.raises(ValueError):
        Money("ten", "USD")
    with pytest.raises(ValueError):
        Money("NaN", "USD")
    with pytest.raises(UnknownCurrency):
        Money("1", "XYZ")
    with pytest.raises(UnknownCurrency):
        Money("1", "usdollar")


def test_currency_codes_are_normalized():
    assert Money("1", " usd ").currency == "USD"


def test_adding_two_currencies_is_an_error():
    with pytest.raises(CurrencyMismatch):
        Money("1", "USD") + Money("1", "EUR")
    with pytest.raises(CurrencyMismatch):
        _ = Money("1", "USD") < Money("2", "EUR")


def test_money_cannot_be_multiplied_by_money():
    with pytest.raises(TypeError):
        Money("1", "USD") * Money("2", "USD")


@given(a=amounts, b=amounts, code=st.sampled_from(CODES))
def test_addition_is_exact_for_quantized_amounts(a, b, code):
    x, y = Money(a, code), Money(b, code)
    total = x + y
    assert total.amount == x.amount + y.amount
    assert (total - y) == x
    assert total.currency == code


@given(a=amounts, code=st.sampled_from(CODES))
def test_amount_never_has_more_places_than_the_currency(a, code):
    money = Money(a, code)
    assert -money.amount.as_tuple().exponent <= minor_units(code) or money.amount == 0
    assert (-money).amount == -money.amount and -(money * -1) == money


@given(a=amounts, factor=st.integers(min_value=-1000, max_value=1000), code=st.sampled_from(CODES))
def test_integer_multiplication_is_repeated_addition(a, factor, code):
    money = Money(a, code)
    assert (money * factor).amount == money.amount * factor


RATES = {"USD": Decimal("1.1172"), "JPY": Decimal("175.68"), "CNY": Decimal("7.4326"), "GBP": Decimal("0.83380")}


@given(a=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e7"), places=2),
       target=st.sampled_from(["USD", "JPY", "CNY", "GBP", "EUR"]))
def test_conversion_goes_through_eur_and_quantizes_to_the_target(a, target):
    money = Money(a, "CNY")
    converted = convert(money, target, rates_per_eur=RATES)
    assert converted.currency == target
    eur = a / RATES["CNY"]
    expected = eur * (RATES[target] if target != "EUR" else 1)
    assert abs(converted.amount - expected) <= Decimal(1).scaleb(-minor_units(target))


def test_conversion_to_a_currency_without_a_rate_is_an_error():
    with pytest.raises(UnknownCurrency):
        convert(Money("1", "USD"), "KWD", rates_per_eur=RATES)


def test_conversion_to_the_same_currency_is_identity():
    assert convert(Money("9.99", "USD"), "USD", rates_per_eur={}) == Money("9.99", "USD")
