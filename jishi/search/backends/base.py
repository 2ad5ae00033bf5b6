"""What the search app asks of an index, and the SQL both built-in backends share.

A backend stores ``IndexEntry`` rows (the terms of ``search.text`` plus the facet values) and answers a
``SearchRequest`` with one page of product ids and the facet groups of every match. The facet arithmetic
(disjunctive counts, price buckets) is done once, in ``search.rules``, from those groups.

The seam for an external engine (OpenSearch, Meilisearch) is this class: such a backend would push
``IndexEntry`` documents to the engine in ``index``/``remove`` (better from a job than inside the
writing transaction), and answer ``search`` from the engine's own query and aggregations, returning the
same ``SearchHits``. Settings pick it with ``SEARCH_BACKEND`` (a dotted path); nothing else changes.

The SQL of the backends is assembled from their own clauses and ``%s`` placeholders only (hence the
``noqa: S608``): every value a shopper typed travels as a parameter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from jishi.search.rules import facet_key, split_facet_key
from jishi.search.text import Query, similarity

SORTS = ("relevance", "newest", "price_asc", "price_desc", "best_selling")
SPELLING_CANDIDATES = 30
MIN_SIMILARITY = 0.3
# A broad query ("classic") matches tens of thousands of near-equal documents; ranking them all costs more
# than it tells. Relevance then ranks the exact titles and a window of RANK_WINDOW matches (the newest on
# SQLite, the index's first on PostgreSQL), and lists the other matches after them, newest first. Below
# it every match is ranked.
RANK_WINDOW = 2000


@dataclass
class IndexEntry:
    product_id: int
    store_id: int
    category_id: int
    country: str
    in_stock: bool
    sort_price: Decimal | None
    created_at: dt.datetime
    title: list[str]
    body: list[str]
    # Units sold: the index keeps its own count (``services.set_sales``) and fills this in as it writes.
    sales: int = 0


@dataclass(frozen=True)
class SearchRequest:
    query: Query
    category_ids: tuple[int, ...] | None = None
    country: str | None = None
    in_stock: bool = False
    # In the platform currency: low inclusive, high exclusive.
    price_low: Decimal | None = None
    price_high: Decimal | None = None
    # Sorted platform-currency boundaries of the price groups; include price_low and price_high.
    price_bounds: tuple[Decimal, ...] = ()
    sort: str = "relevance"
    offset: int = 0
    limit: int = 24
    # How many documents pass the query and filters (from the facet groups), when known.
    matches: int | None = None
    # How many of the newest matches relevance ranks when there are more (default: RANK_WINDOW).
    window: int | None = None

    @property
    def windowed(self) -> bool:
        return self.matches is not None and self.matches > self.window_size

    @property
    def window_size(self) -> int:
        return self.window or RANK_WINDOW


@dataclass(frozen=True)
class FacetGroup:
    """How many matches share one category, country, stock state and price group (-1: no price)."""

    category_id: int
    country: str
    in_stock: bool
    price_group: int
    count: int


@dataclass
class FacetSample:
    """Facet groups of a sample of the matches, and how many matches (before filters) it stands for."""

    groups: list[FacetGroup]
    matches: int
    # Whether ``matches`` was counted, or estimated from the sample.
    exact: bool


@dataclass
class SearchHits:
    ids: list[int]
    groups: list[FacetGroup] = field(default_factory=list)


class SearchBackend:
    name = "abstract"

    def index(self, entries: list[IndexEntry]) -> None:
        """Add or replace these products' documents."""
        raise NotImplementedError

    def remove(self, product_ids: Iterable[int]) -> None:
        raise NotImplementedError

    def remove_store(self, store_id: int) -> None:
        raise NotImplementedError

    def rebuild(self, batches: Iterable[list[IndexEntry]]) -> None:
        """Replace the whole index with the documents of ``batches`` (inside the caller's transaction)."""
        raise NotImplementedError

    def tidy_after_rebuild(self) -> None:
        """Housekeeping once a rebuild has committed (outside any transaction)."""

    def facet_groups(self, request: SearchRequest) -> list[FacetGroup]:
        """Facet groups of every match of the text query, before any filter (the rules apply them)."""
        raise NotImplementedError

    def page(self, request: SearchRequest) -> list[int]:
        """Ids of one page of matches with every filter applied, in the requested order."""
        raise NotImplementedError

    def reading(self):
        """A context for the statements of one search (PostgreSQL plans them its own way inside)."""
        return nullcontext()

    def facet_sample(self, request: SearchRequest) -> FacetSample | None:
        """The facet groups of a sample of the matches, when more than ``rules.APPROXIMATE_FROM`` documents
        match the words; None when fewer do (or the backend cannot sample), and every match is counted."""
        return None

    def add_words(self, words: Iterable[str]) -> None:
        raise NotImplementedError

    def word_candidates(self, word: str) -> list[str]:
        """Vocabulary words that share trigrams with ``word`` (the spelling fix picks among them)."""
        raise NotImplementedError

    def completions(self, prefix: str, limit: int = 5) -> list[str]:
        raise NotImplementedError

    # --- shared by the backends -------------------------------------------------------------------

    def closest_word(self, word: str) -> str | None:
        """The vocabulary word nearest to ``word`` by pg_trgm's similarity, or None when it is known."""
        candidates = self.word_candidates(word)
        if word in candidates:
            return None
        scored = sorted(((similarity(word, c), -abs(len(c) - len(word)), c) for c in candidates), reverse=True)
        if scored and scored[0][0] >= MIN_SIMILARITY:
            return scored[0][2]
        return None


class SqlBackend(SearchBackend):
    """The parts of the SQL backends that do not depend on the text index."""

    table = "search_searchdocument"

    def _ranked(self, request: SearchRequest, *, limit: int, offset: int) -> list[int]:
        """A page of the ranked matches (all of them, or the window of a broad query)."""
        raise NotImplementedError

    def _ranked_count(self, request: SearchRequest) -> int:
        raise NotImplementedError

    def _unranked(self, request: SearchRequest, *, limit: int, offset: int) -> list[int]:
        """A page of the matches outside the window, newest first."""
        raise NotImplementedError

    def _relevance_page(self, request: SearchRequest) -> list[int]:
        offset, limit = request.offset, request.limit
        if not request.windowed or offset + limit <= request.window_size:
            return self._ranked(request, limit=limit, offset=offset)
        ranked = self._ranked_count(request)
        ids = self._ranked(request, limit=min(limit, ranked - offset), offset=offset) if offset < ranked else []
        if len(ids) < limit:
            ids += self._unranked(request, limit=limit - len(ids), offset=max(0, offset - ranked))
        return ids

    def _filters(self, request: SearchRequest) -> tuple[list[str], list]:
        where, params = [], []
        if request.category_ids is not None:
            ids = list(request.category_ids) or [0]
            where.append(f"d.category_id IN ({', '.join(['%s'] * len(ids))})")
            params.extend(ids)
        if request.country:
            where.append("d.country = %s")
            params.append(request.country)
        if request.in_stock:
            where.append("d.in_stock = %s")
            params.append(True)
        if request.price_low is not None:
            where.append("d.sort_price >= %s")
            params.append(request.price_low)
        if request.price_high is not None:
            where.append("d.sort_price < %s")
            params.append(request.price_high)
        return where, params

    def _price_group_sql(self, request: SearchRequest) -> tuple[str, list]:
        whens = " ".join(f"WHEN d.sort_price < %s THEN {i}" for i in range(len(request.price_bounds)))
        return (f"CASE WHEN d.sort_price IS NULL THEN -1 {whens} ELSE {len(request.price_bounds)} END",
                list(request.price_bounds))

    def _order(self, request: SearchRequest) -> str:
        return {
            "newest": "d.created_at DESC, d.product_id DESC",
            "price_asc": "d.sort_price IS NULL, d.sort_price, d.product_id",
            "price_desc": "d.sort_price IS NULL, d.sort_price DESC, d.product_id DESC",
            "best_selling": "d.sales DESC, d.created_at DESC, d.product_id DESC",
        }.get(request.sort, "d.created_at DESC, d.product_id DESC")

    def _fetch(self, sql: str, params: list) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _execute(self, sql: str, params: list) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    def _executemany(self, sql: str, rows: list) -> None:
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)

    def _groups_sql(self, request: SearchRequest, source: str, where: list[str]) -> tuple[str, list]:
        group_sql, group_params = self._price_group_sql(request)
        return (f"SELECT d.facet_key, {group_sql}, COUNT(*) FROM {source}"  # noqa: S608
                f"{' WHERE ' + ' AND '.join(where) if where else ''} GROUP BY 1, 2", group_params)

    def _groups(self, rows) -> list[FacetGroup]:
        groups = []
        for key, price_group, count in rows:
            category_id, country, in_stock = split_facet_key(key)
            groups.append(FacetGroup(category_id=category_id, country=country, in_stock=in_stock,
                                     price_group=int(price_group), count=count))
        return groups

    def _doc_row(self, e: IndexEntry) -> tuple:
        ops = connection.ops
        return (e.product_id, e.store_id, e.category_id, e.country, e.in_stock,
                ops.adapt_decimalfield_value(e.sort_price, 18, 4), ops.adapt_datetimefield_value(e.created_at),
                e.sales, facet_key(e.category_id, e.country, e.in_stock))

    def completions(self, prefix: str, limit: int = 5) -> list[str]:
        if not prefix:
            return []
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        rows = self._fetch("SELECT word FROM search_searchterm WHERE word >= %s AND word < %s ORDER BY word "
                           "LIMIT 200", [prefix, upper])
        found = [w for (w,) in rows if w.startswith(prefix)]
        return sorted(found, key=lambda w: (len(w), w))[:limit]
