"""Demo prices a shopper would believe: drawn log-normally around each leaf category's typical US dollar
price, converted into the store's currency and written the way shops there write them (US$24.99, ¥1,980,
￦29,900, ₹1,499, R$49,90, ¥68).

Pure functions over floats (the generator prices a million products); only the result is a ``Decimal``.
"""

from __future__ import annotations

import math
import random
from decimal import Decimal

from jishi.demo.vocabulary import LEAF_PRICES, PRICED_UNITS
from jishi.money.rules import minor_units

# Draws are kept within this many spreads of the median: a long tail, but no US$900 phone case.
CLIP = 2.2


def leaf_price(slug: str, profile: dict) -> tuple[float, float]:
    """(median USD, spread) of a leaf category; a leaf the demo does not know is priced within its root's
    profile range (its ends are the band's)."""
    if slug in LEAF_PRICES:
        median, spread, _grams = LEAF_PRICES[slug]
        return float(median), float(spread)
    low, high = profile["usd"]
    return math.sqrt(low * high), math.log(high / low) / (2 * CLIP)


def band(median: float, spread: float) -> tuple[float, float]:
    """The lowest and highest USD price a draw can have before the shop rounds it."""
    return median * math.exp(-CLIP * spread), median * math.exp(CLIP * spread)


def draw_usd(rng: random.Random, median: float, spread: float) -> float:
    z = max(-CLIP, min(CLIP, rng.gauss(0.0, 1.0)))
    return median * math.exp(spread * z)


def option_factor(options: dict[str, str], axes: dict[str, list[str]]) -> float:
    """More storage, a bigger screen or a bigger tin costs more: 20 % per step along an axis whose values
    carry a unit; sizes and colours cost the same."""
    factor = 1.0
    for name, value in options.items():
        values = axes.get(name, [])
        if value in values and all(v.endswith(PRICED_UNITS) for v in values):
            factor *= 1 + 0.2 * values.index(value)
    return factor


def _whole(value: float, step: int, minus: float) -> float:
    """The nearest price of the form ``k * step - minus`` (k ≥ 1): 24.99, 1,980, 29,900."""
    return max(step, round((value + minus) / step) * step) - minus


def shop_price(amount: float, currency: str) -> Decimal:
    """``amount`` (in ``currency``) rounded to a price a shop in that currency would write."""
    x = max(amount, 0.01)
    if currency == "JPY":  # ¥330, ¥1,980, ¥12,800
        value = _whole(x, 10, 0) if x < 1000 else _whole(x, 100, 20) if x < 10_000 else _whole(x, 1000, 200)
    elif currency == "KRW":  # ￦4,900, ￦29,900, ￦149,000
        if x < 10_000:
            value = _whole(x, 100, 0) if x < 2000 else _whole(x, 500, 100)
        else:
            value = _whole(x, 1000, 100) if x < 100_000 else _whole(x, 10_000, 1000)
    elif currency == "CNY":  # ¥9.9, ¥39, ¥68, ¥129, ¥1,299
        if x < 20:
            value = _whole(x, 1, 0.1)
        elif x < 100:
            value = _whole(x, 5, 1)
        elif x < 200:
            value = _whole(x, 10, 1 if round(x) % 3 else 2)
        else:
            value = _whole(x, 10, 1) if x < 2000 else _whole(x, 100, 1)
    elif currency == "INR":  # ₹299, ₹1,499, ₹24,999
        value = _whole(x, 50, 1) if x < 1000 else _whole(x, 100, 1) if x < 10_000 else _whole(x, 1000, 1)
    elif currency == "THB":  # ฿89, ฿290, ฿1,290
        value = _whole(x, 10, 1) if x < 1000 else _whole(x, 100, 10)
    elif currency == "BRL":  # R$49,90, R$1.299,90
        value = _whole(x, 1, 0.1) if x < 1000 else _whole(x, 10, 0.1)
    elif minor_units(currency) == 0:  # two or three significant figures
        step = 10 ** max(0, int(math.log10(x)) - 1)
        value = _whole(x, step, 0)
    else:  # $4.99, $7.49, $24.99, $249.99, $1,299
        if x < 10:
            value = max(1, round(x * 2) / 2) - 0.01
        elif x < 200:
            value = _whole(x, 1, 0.01)
        elif x < 1000:
            value = _whole(x, 10, 0.01)
        else:
            value = _whole(x, 50, 1 if round(x / 50) % 2 else 0.01)
    units = max(minor_units(currency), 0)
    return Decimal(f"{value:.{units}f}")
