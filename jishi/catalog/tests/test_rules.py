"""The pure catalogue rules, property-tested: prices, stock, SKUs, option combinations."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jishi.catalog.rules import Invalid, Problems, clean_hs_code, clean_price, clean_sku, clean_stock, clean_variants
from jishi.money.rules import minor_units

CURRENCIES = ["USD", "JPY", "CNY", "KWD", "EUR", "KRW"]


@given(currency=st.sampled_from(CURRENCIES), units=st.integers(min_value=0, max_value=10**11))
def test_a_price_with_the_currencys_decimals_is_kept_exactly(currency, units):
    price = Decimal(units).scaleb(-minor_units(currency))
    if price >= Decimal("1e9"):
        with pytest.raises(Invalid):
            clean_price(str(price), currency)
    else:
        assert clean_price(str(price), currency) == price


@given(currency=st.sampled_from(CURRENCIES), extra=st.integers(min_value=1, max_value=9))
def test_a_price_with_too_many_decimals_is_refused_not_rounded(currency, extra):
    places = minor_units(currency) + 1
    with pytest.raises(Invalid):
        clean_price(f"1.{'0' * (places - 1)}{extra}", currency)


@pytest.mark.parametrize("raw", ["-1", "abc", "NaN", "Infinity", "1e12", None, ""])
def test_bad_prices_are_refused(raw):
    with pytest.raises(Invalid):
        clean_price(raw, "USD")


def test_jpy_prices_have_no_decimals():
    with pytest.raises(Invalid, match="no decimals"):
        clean_price("10.5", "JPY")
    assert clean_price("10.00", "JPY") == Decimal("10")


@given(st.integers(min_value=-10**9, max_value=10**9))
def test_stock_is_a_whole_number_in_range(value):
    if 0 <= value <= 1_000_000:
        assert clean_stock(value) == value and clean_stock(str(value)) == value
    else:
        with pytest.raises(Invalid):
            clean_stock(value)


@pytest.mark.parametrize("raw", ["1.5", 2.5, "ten", True])
def test_stock_must_be_an_integer(raw):
    with pytest.raises(Invalid):
        clean_stock(raw)


def test_skus_and_hs_codes():
    assert clean_sku(" TEE-01.red ") == "TEE-01.red"
    for bad in ("", "has space", "x" * 65, "中文"):
        with pytest.raises(Invalid):
            clean_sku(bad)
    assert clean_hs_code("6109.10 00") == "61091000"
    with pytest.raises(Invalid):
        clean_hs_code("12345")


option_values = st.text(alphabet="abcXYZ", min_size=1, max_size=3)


@given(st.lists(st.tuples(option_values, option_values), min_size=1, max_size=12))
def test_two_variants_never_share_a_combination(combinations):
    variants = [{"sku": f"S{i}", "price": "1", "stock": 1, "options": {"size": a, "colour": b}}
                for i, (a, b) in enumerate(combinations)]
    problems = Problems({})
    clean_variants(variants, option_names=["size", "colour"], currency="USD", problems=problems)
    distinct = len({(a.casefold(), b.casefold()) for a, b in combinations})
    duplicates = [k for k in problems.fields if k.endswith(".options")]
    assert (len(duplicates) == 0) == (distinct == len(combinations))


def test_every_axis_needs_a_value_and_unknown_axes_are_refused():
    problems = Problems({})
    clean_variants([{"sku": "A", "price": "1", "options": {"size": "M", "flavour": "x"}}],
                   option_names=["size", "colour"], currency="USD", problems=problems)
    assert "variants.0.options" in problems.fields and len(problems.fields["variants.0.options"]) == 2
