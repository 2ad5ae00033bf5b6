"""Facet arithmetic and price groups: pure functions, no database.

A backend returns the matches of the text query grouped by (category, country, in stock, price group).
From those groups every count the page shows follows exactly: each facet counts the matches that pass
every *other* filter (so choosing a country still shows how many the other countries have), and the
total counts those that pass them all. Price groups are cut at the facet's round amounts and at the
shopper's own bounds, so a typed price range is exact too. A broad query's groups come from a sample of
its matches instead, and ``scaled`` turns the sample's counts into estimates (``APPROXIMATE_FROM``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

# Where the price facet cuts, in US dollars; shown as round amounts in the shopper's currency.
PRICE_STEPS_USD = (10, 25, 50, 100, 250, 500)
# Above this many matches of the words (before filters) the counts are estimated from a sample of the
# matches: exact counts of tens of thousands of matches cost more than the page, and tell no more.
APPROXIMATE_FROM = 5_000
# How many matches the sample aims at (SQLite; PostgreSQL samples one document in 16): the estimates are
# then within a few percent for any facet value holding a tenth of the matches.
SAMPLE_SIZE = 4000
# Sampling keeps a product when the fractional part of ``id * SAMPLE_MULTIPLIER / 2**32`` falls below the
# rate: ids spread evenly over (0, 1) that way (Knuth's multiplicative hash), whatever pattern the ids follow.
SAMPLE_MULTIPLIER = 2654435761
SAMPLE_MODULUS = 2**32
# A filtered total estimated from fewer sampled matches than this is counted exactly instead.
MIN_SAMPLED_TOTAL = 10


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
    # Estimated from a sample of the matches (more than APPROXIMATE_FROM of them); the total too, or exact.
    approximate: bool = False
    approximate_total: bool = False


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

    @property
    def active(self) -> bool:
        return (self.category_ids is not None or self.country is not None or self.in_stock
                or self.low is not None or self.high is not None)


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


def sample_cut(matches: int) -> int:
    """The hash value below which a match is in the sample (see ``SAMPLE_MULTIPLIER``)."""
    return max(1, min(SAMPLE_MODULUS, SAMPLE_MODULUS * SAMPLE_SIZE // max(matches, 1)))


def in_sample(product_id: int, cut: int) -> bool:
    return product_id * SAMPLE_MULTIPLIER % SAMPLE_MODULUS < cut


def estimate(count: int, factor: float) -> int:
    """A sampled count scaled up, to two significant figures (never 0 for something the sample saw)."""
    if count <= 0:
        return 0
    value = count * factor
    if value < 100:
        return max(1, round(value))
    magnitude = 10 ** (len(str(int(value))) - 2)
    return round(value / magnitude) * magnitude


def scaled(sample: FacetCounts, matches: int, sampled: int, *, total: int | None = None) -> FacetCounts:
    """Counts over a sample of ``sampled`` of the ``matches`` scaled to estimates of the full counts.

    ``total`` is the exact total when the caller knows it (no filter chosen: every match counts)."""
    factor = matches / sampled if sampled else 0.0
    return FacetCounts(
        total=total if total is not None else estimate(sample.total, factor),
        categories=Counter({k: estimate(n, factor) for k, n in sample.categories.items() if n}),
        countries=Counter({k: estimate(n, factor) for k, n in sample.countries.items() if n}),
        in_stock=estimate(sample.in_stock, factor), prices=[estimate(n, factor) for n in sample.prices],
        approximate=True, approximate_total=total is None)
