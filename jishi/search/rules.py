"""Facet arithmetic and price groups: pure functions, no database.

A backend returns the matches of the text query grouped by (category, country, in stock, price group).
From those groups every count the page shows follows exactly: each facet counts the matches that pass
every *other* filter (so choosing a country still shows how many the other countries have), and the
total counts those that pass them all. Price groups are cut at the facet's round amounts and at the
shopper's own bounds, so a typed price range is exact too.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

# Where the price facet cuts, in US dollars; shown as round amounts in the shopper's currency.
PRICE_STEPS_USD = (10, 25, 50, 100, 250, 500)


def facet_key(category_id: int, country: str, in_stock: bool) -> int:
    """Category, country and stock state packed in one integer (see ``split_facet_key``)."""
    code = (country or "AA").upper()[:2].ljust(2, "A")
    letters = (ord(code[0]) - 65) % 32 * 32 + (ord(code[1]) - 65) % 32
    return (category_id * 1024 + letters) * 2 + bool(in_stock)


def split_facet_key(key: int) -> tuple[int, str, bool]:
    rest, in_stock = divmod(key, 2)
    category_id, letters = divmod(rest, 1024)
    return category_id, chr(65 + letters // 32) + chr(65 + letters % 32), bool(in_stock)


@dataclass
class FacetCounts:
    total: int = 0
    categories: Counter = field(default_factory=Counter)  # leaf category id -> matches
    countries: Counter = field(default_factory=Counter)
    in_stock: int = 0
    prices: list[int] = field(default_factory=list)  # one count per price band (len(steps) + 1)


def round_amount(value: Decimal) -> Decimal:
    """The nearest 1, 2 or 5 times a power of ten (12.7 -> 10, 380 -> 500, 1,730 -> 2,000)."""
    if value <= 0:
        return Decimal(0)
    exponent = value.adjusted()
    scale = Decimal(10) ** exponent
    leading = value / scale
    nice = min((Decimal(1), Decimal(2), Decimal(5), Decimal(10)), key=lambda n: abs(n - leading))
    return (nice * scale).quantize(Decimal(1), rounding=ROUND_HALF_UP) if exponent >= 0 else nice * scale


def price_steps(usd_to_display: Decimal) -> list[Decimal]:
    """Round price-band boundaries in the display currency, strictly increasing."""
    steps: list[Decimal] = []
    for usd in PRICE_STEPS_USD:
        amount = round_amount(Decimal(usd) * usd_to_display)
        if amount > 0 and (not steps or amount > steps[-1]):
            steps.append(amount)
    return steps


def group_bounds(steps: list[Decimal], low: Decimal | None, high: Decimal | None) -> list[Decimal]:
    """Where the database cuts price groups: the band steps and the shopper's bounds, sorted."""
    return sorted({*steps, *(b for b in (low, high) if b is not None)})


@dataclass(frozen=True)
class Filters:
    category_ids: frozenset[int] | None = None
    country: str | None = None
    in_stock: bool = False
    low: Decimal | None = None
    high: Decimal | None = None


def _group_low(bounds: list[Decimal], group: int) -> Decimal | None:
    return bounds[group - 1] if group > 0 else None


def _in_price(bounds: list[Decimal], group: int, low: Decimal | None, high: Decimal | None) -> bool:
    if low is None and high is None:
        return True
    if group < 0:
        return False
    # Group g holds prices in [bounds[g-1], bounds[g]); low and high are among the bounds.
    if low is not None and group < bounds.index(low) + 1:
        return False
    return not (high is not None and group > bounds.index(high))


def facet_counts(groups, filters: Filters, bounds: list[Decimal], steps: list[Decimal]) -> FacetCounts:
    """Every count of the results page from the backend's facet groups."""
    counts = FacetCounts(prices=[0] * (len(steps) + 1))
    for g in groups:
        category = filters.category_ids is None or g.category_id in filters.category_ids
        country = filters.country is None or g.country == filters.country
        stock = not filters.in_stock or g.in_stock
        price = _in_price(bounds, g.price_group, filters.low, filters.high)
        if category and country and stock and price:
            counts.total += g.count
        if country and stock and price:
            counts.categories[g.category_id] += g.count
        if category and stock and price:
            counts.countries[g.country] += g.count
        if category and country and price and g.in_stock:
            counts.in_stock += g.count
        if category and country and stock and g.price_group >= 0:
            low = _group_low(bounds, g.price_group)
            counts.prices[0 if low is None else bisect_right(steps, low)] += g.count
    return counts
