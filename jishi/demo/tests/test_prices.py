"""Demo prices are written the way shops in each currency write them, and stay close to what they convert from."""

import random
from decimal import Decimal

import pytest

from jishi.catalog.selectors import get_category_tree
from jishi.demo.prices import band, draw_usd, leaf_price, option_factor, shop_price
from jishi.demo.vocabulary import LEAF_PRICES, PROFILES

# Roughly what one US dollar buys, to sweep each currency over the demo's price range.
PER_USD = {"USD": 1, "EUR": 0.9, "GBP": 0.75, "AUD": 1.42, "CAD": 1.4, "SGD": 1.28, "CNY": 6.65, "JPY": 157,
           "KRW": 1335, "INR": 95, "BRL": 5.43, "THB": 33.7}


@pytest.mark.parametrize(("amount", "currency", "price"), [
    (23.7, "USD", "23.99"), (3.3, "USD", "3.49"), (241, "EUR", "239.99"), (1234, "USD", "1249.00"),
    (1979, "JPY", "1980"), (12_650, "JPY", "12800"), (333, "JPY", "330"),
    (30_120, "KRW", "29900"), (4_400, "KRW", "4400"), (151_000, "KRW", "149000"),
    (9.7, "CNY", "9.90"), (68.4, "CNY", "69.00"), (1_310, "CNY", "1309.00"),
    (1_503, "INR", "1499.00"), (24_800, "INR", "24999.00"), (49.6, "BRL", "49.90"), (1_288, "THB", "1290.00"),
])
def test_prices_end_the_way_shops_write_them(amount, currency, price):
    assert shop_price(amount, currency) == Decimal(price)


@pytest.mark.parametrize("currency", sorted(PER_USD))
def test_a_shop_price_stays_within_a_few_percent_of_the_amount(currency):
    usd = 2.0
    while usd < 5000:
        local = usd * PER_USD[currency]
        price = shop_price(local, currency)
        assert price > 0
        assert abs(float(price) - local) / local < 0.16, (currency, local, price)
        if currency in ("JPY", "KRW"):
            assert price == price.to_integral_value()
        usd *= 1.017


def test_draws_spread_log_normally_around_the_median_and_stay_in_the_band():
    rng = random.Random(3)
    draws = sorted(draw_usd(rng, 12, 0.45) for _ in range(4000))
    low, high = band(12, 0.45)
    assert low <= draws[0] and draws[-1] <= high
    assert 11 < draws[len(draws) // 2] < 13  # the median
    assert draws[len(draws) // 10] < 8 and draws[-len(draws) // 10] > 18  # and a real spread


def test_more_storage_costs_more_but_a_bigger_shirt_does_not():
    axes = {"storage": ["128 GB", "256 GB", "1 TB"], "size": ["S", "M", "XL"], "colour": ["Black", "Red"]}
    assert option_factor({"storage": "128 GB", "colour": "Red"}, axes) == 1
    assert option_factor({"storage": "1 TB"}, axes) > option_factor({"storage": "256 GB"}, axes) > 1
    assert option_factor({"size": "XL"}, axes) == 1


@pytest.mark.django_db
def test_every_leaf_category_has_its_own_price_range():
    tree = get_category_tree()
    leaves = [c for c in tree.by_id.values() if not tree.children.get(c.id)]
    assert {leaf.slug for leaf in leaves} <= set(LEAF_PRICES)
    # A leaf an operator adds later is priced from its root's range.
    median, spread = leaf_price("left-handed-scissors", PROFILES["general"])
    low, high = band(median, spread)
    assert (round(low, 6), round(high, 6)) == (5, 300)
