"""Reads of the search index: matches, facet counts, spelling help and completions, as ids and numbers.

The index answers in product ids, leaf category ids and counts; the catalogue turns them into cards,
category facets and suggestions (``catalog.search``). A search costs a fixed number of queries whatever
the page size or the number of matches: the facet groups (or a sample of them), then one page of ids.
Counts are exact up to ``rules.APPROXIMATE_FROM`` matches and estimated from a sample above; a filter
that leaves too little of the sample to mean anything is counted exactly after all. Prices are compared
in the platform currency, the currency of ``SearchDocument.sort_price``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from django.conf import settings

from jishi.money.rules import Money
from jishi.money.selectors import get_rate_table
from jishi.search import rules, text
from jishi.search.backends import get_backend
from jishi.search.backends.base import SearchRequest
from jishi.search.text import Query

MAX_CORRECTED_WORDS = 4
# As you type, relevance ranks only the newest few hundred matches: a two-letter prefix matches half the
# catalogue.
SUGGESTION_WINDOW = 300
# The shortest Latin prefix completed or matched as you type (SQLite's FTS5 indexes prefixes of 2 and 3).
MIN_PREFIX_CHARS = 2


class Prices:
    """Price bands in the shopper's currency and the same amounts in the platform currency."""

    def __init__(self, currency: str):
        table = get_rate_table()
        platform = settings.PLATFORM_CURRENCY
        if not (table.can_convert(currency) and table.can_convert(platform)):
            currency = platform
        self.currency, self.platform, self.table = currency, platform, table
        factor = table.convert(Money(1_000_000, "USD"), currency).amount / 1_000_000 if currency != "USD" else 1
        self.steps = rules.price_steps(Decimal(factor))
        self.platform_steps = [self.to_platform(s) for s in self.steps]

    def to_platform(self, amount: Decimal) -> Decimal:
        if self.currency == self.platform:
            return amount
        return self.table.convert(Money(amount, self.currency), self.platform).amount


@dataclass
class Found:
    """One page of matches: every count of the page, the page's number (the last one when asked past it)
    and its product ids in order."""

    counts: rules.FacetCounts
    number: int
    ids: list[int]


def reading():
    """A context for the statements of one search (PostgreSQL plans them its own way inside)."""
    return get_backend().reading()


def find(query: Query, *, category_ids: frozenset[int] | None = None, country: str | None = None,
         in_stock: bool = False, low: Decimal | None = None, high: Decimal | None = None, prices: Prices,
         sort: str, page: int, per_page: int) -> Found:
    """Page ``page`` of the documents matching ``query`` in these leaf categories (None: all), country and
    stock state, priced from ``low`` (inclusive) below ``high`` in the platform currency, with the counts
    of every facet in ``prices``' bands."""
    if low is not None and high is not None and high < low:
        low, high = high, low
    bounds = rules.group_bounds(prices.platform_steps, low, high)
    filters = rules.Filters(category_ids=category_ids, country=country, in_stock=in_stock, low=low, high=high)
    request = SearchRequest(query=query, category_ids=tuple(sorted(category_ids)) if category_ids is not None
                            else None, country=country, in_stock=in_stock, price_low=low, price_high=high,
                            price_bounds=tuple(bounds), sort=sort, limit=per_page)
    backend = get_backend()
    counts = _counts(backend, request, filters, bounds, prices.platform_steps)
    number = min(page, max(1, -(-counts.total // per_page)))
    ids = []
    if counts.total:
        ids = backend.page(replace(request, offset=(number - 1) * per_page, matches=counts.total))
    return Found(counts=counts, number=number, ids=ids)


def _counts(backend, request: SearchRequest, filters: rules.Filters, bounds: list[Decimal],
            steps: list[Decimal]) -> rules.FacetCounts:
    sample = backend.facet_sample(request)  # None for no words, or too few matches to sample
    if sample is not None:
        counts = rules.facet_counts(sample.groups, filters, bounds, steps)
        if not filters.active or counts.total >= rules.MIN_SAMPLED_TOTAL:
            exact_total = sample.matches if sample.exact and not filters.active else None
            return rules.scaled(counts, sample.matches, sum(g.count for g in sample.groups), total=exact_total)
    return rules.facet_counts(backend.facet_groups(request), filters, bounds, steps)


def correct_spelling(query: Query) -> str | None:
    """The query with each unknown Latin word replaced by the closest known one, or None."""
    backend = get_backend()
    out, changed, asked = [], False, 0
    for word in query.words:
        if (asked < MAX_CORRECTED_WORDS and word.isalpha() and word.isascii() and len(word) >= 3
                and word not in text.QUERY_STOPWORDS):
            asked += 1
            better = backend.closest_word(word)
            if better:
                out.append(better)
                changed = True
                continue
        out.append(word)
    return " ".join(out) if changed else None


def completions(query: Query) -> list[str]:
    """What is typed so far with its last word completed from the vocabulary (a Latin word of at least
    ``MIN_PREFIX_CHARS`` letters still being typed), shortest first."""
    prefix = query.prefix
    if not (prefix and prefix.isascii() and len(prefix) >= MIN_PREFIX_CHARS):
        return []
    head = query.text[: len(query.text) - len(prefix)]
    return [head + word for word in get_backend().completions(prefix) if word != prefix]


def matchable(query: Query) -> Query:
    """A query as you type, as the index can match it. One Latin letter is not a word yet ("men's",
    "red s"): as a prefix it would match every term it starts, half a second on a million products, so
    the products follow the words before it."""
    if query.prefix and query.prefix.isascii() and len(query.prefix) < MIN_PREFIX_CHARS:
        return replace(query, prefix=None)
    return query


def top_matches(query: Query, *, limit: int) -> list[int]:
    """The ``limit`` best matches of a query being typed, among the newest ``SUGGESTION_WINDOW`` matches."""
    return get_backend().page(SearchRequest(query=query, sort="relevance", limit=limit,
                                            matches=SUGGESTION_WINDOW + 1, window=SUGGESTION_WINDOW))
