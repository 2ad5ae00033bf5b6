"""PostgreSQL: a ``tsvector`` column on the document table with a GIN index, and pg_trgm for spelling.

The vector is written as a literal of the terms ``search.text`` made (titles at weight A, the rest at
D), not through ``to_tsvector``: no text search configuration stems or splits them again, so the index
holds exactly what the SQLite backend holds. Queries are ``tsquery`` literals built the same way, every
lexeme quoted. Relevance is ``ts_rank`` (A counts ten times D), an exact title first.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import replace
from functools import lru_cache

from django.db import connection, transaction

from jishi.search import rules
from jishi.search.backends.base import SPELLING_CANDIDATES, FacetSample, IndexEntry, SearchRequest, SqlBackend
from jishi.search.text import Query

MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 255
# Vectors are padded to this size so that they are stored out of line (see ``_pad``).
OUT_OF_LINE_FROM = 2100
FILLER = "~"
# How many matches of a broad query are ranked (see ``base.RANK_WINDOW``).
RANK_WINDOW = 500
# Above this many matches a sorted page may walk the sort's index (see ``page``).
SORT_BY_INDEX_FROM = 20_000
# One document in SAMPLE_EVERY (``rules.in_sample``) carries this lexeme: a broad search counts its facets
# over the matches that have it.
SAMPLE_EVERY = 16
SAMPLE_LEXEME = "~sample"
# Every document also carries its category and its store's country as lexemes, so a search for a common
# word narrowed to one country or category is answered by the GIN index alone: testing the filter
# columns instead would read the row of every match of the word (64,000 for "cozy") to keep a few
# hundred. Stock stays a column filter: most products are in stock, and checkout flips it in place.
CATEGORY_LEXEME = "~category:{}"
COUNTRY_LEXEME = "~country:{}"
_SAMPLE_CUT = rules.SAMPLE_MODULUS // SAMPLE_EVERY
# The settings of a search's transaction (see ``reading``), one statement to set and one to restore.
SEARCH_SETTINGS = "SELECT set_config('enable_seqscan', 'off', true), set_config('plan_cache_mode', 'force_custom_plan', true)"
RESTORE_SETTINGS = ("SELECT set_config(name, reset_val, true) FROM pg_settings "
                    "WHERE name IN ('enable_seqscan', 'plan_cache_mode')")
_DOC_COLUMNS = "product_id, store_id, category_id, country, in_stock, sort_price, created_at, sales, facet_key, document"
_INSERT = (f"INSERT INTO search_searchdocument ({_DOC_COLUMNS}) "  # noqa: S608
           "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s::tsvector)")


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _stored_size(positions: dict[str, list[str]]) -> int:
    """About the bytes PostgreSQL stores for such a vector (headers, then per lexeme an entry, its text
    aligned to two bytes, and two bytes per position)."""
    size = 8
    for term, at in positions.items():
        length = len(term.encode())
        size += 4 + length + length % 2 + 2 + 2 * len(set(at))
    return size


def _pad(positions: dict[str, list[str]]) -> None:
    """Filler positions under lexemes no query can produce (``~`` never starts a term), up to
    ``OUT_OF_LINE_FROM`` bytes.

    PostgreSQL moves a value out of its row only when the row passes about 2 kB (a compile-time
    threshold; ``toast_tuple_target`` cannot lower it). A product's vector is about 1 kB, and inline it
    would sit in every row a search reads for its facet columns: seven rows to a page instead of some
    seventy, ten times the pages for a broad query. Padded past the threshold, every vector is stored
    out of line (the column's storage is EXTERNAL) and the row keeps a pointer. ``@@`` never reads the
    filler, and ``ts_rank`` without normalisation does not count the document's length."""
    number = 0
    while (size := _stored_size(positions)) < OUT_OF_LINE_FROM:
        count = min(MAX_POSITIONS_PER_LEXEME, max(1, (OUT_OF_LINE_FROM - size) // 2))
        positions[f"{FILLER}{number}"] = _filler(count)
        number += 1


@lru_cache(maxsize=MAX_POSITIONS_PER_LEXEME + 1)
def _filler(count: int) -> list[str]:
    return [str(i) for i in range(1, count + 1)]


def vector_literal(title: list[str], body: list[str], *, filters: tuple[str, ...] = (), sampled: bool = False) -> str:
    """The vector of a document: its terms with positions, then the position-less ``filters`` (see
    ``filter_lexemes``) and the sample's lexeme."""
    positions: dict[str, list[str]] = {}
    for index, (term, weight) in enumerate([*((t, "A") for t in title), *((t, "") for t in body)], start=1):
        held = positions.setdefault(term, [])
        if len(held) < MAX_POSITIONS_PER_LEXEME:
            held.append(f"{min(index, MAX_POSITION)}{weight}")
    _pad(positions)
    bare = [*filters, *([SAMPLE_LEXEME] if sampled else [])]
    return " ".join([*(f"{_lexeme(term)}:{','.join(at)}" for term, at in positions.items()),
                     *(_lexeme(term) for term in bare)])


def filter_lexemes(category_id: int, country: str) -> tuple[str, ...]:
    return CATEGORY_LEXEME.format(category_id), COUNTRY_LEXEME.format(country)


def filtered_query_literal(request: SearchRequest) -> str:
    """The words of ``request`` and its category and country filters, as one ``tsquery``."""
    parts = [f"({query_literal(request.query)})"]
    if request.category_ids is not None:
        # No category at all matches nothing, like ``category_id IN (0)``.
        ids = request.category_ids or (0,)
        parts.append("(" + " | ".join(_lexeme(CATEGORY_LEXEME.format(i)) for i in ids) + ")")
    if request.country:
        parts.append(_lexeme(COUNTRY_LEXEME.format(request.country)))
    return " & ".join(parts)


def query_literal(query: Query) -> str:
    parts = [_lexeme(t) for t in query.required]
    if query.prefix:
        parts.append(_lexeme(query.prefix) + ":*")
    return " & ".join(parts)


class PostgresBackend(SqlBackend):
    name = "postgresql-tsvector"

    @contextmanager
    def reading(self):
        """Searches without sequential scans, each statement planned for its own values.

        The planner prices ``@@`` as a cheap test, but here every test reads an out-of-line vector: a
        scan of the table "until 300 match" would read gigabytes where the GIN index reads a few pages.
        Every search has the index to start from. And a search's statements come back with other words
        and bounds (the connection prepares them after a few runs): a generic plan, made without the
        values, cannot tell a rare word from a common one. "Cozy" from Japan at 10-200 EUR ranked its
        page in 55 ms through one, and in 7 ms planned for its values (a million products)."""
        nested = connection.in_atomic_block
        with transaction.atomic():
            self._execute(SEARCH_SETTINGS, [])
            yield
            # Inside someone else's transaction the settings would outlive this block (a failure rolls
            # the savepoint, and the settings with it, back).
            if nested:
                self._execute(RESTORE_SETTINGS, [])

    def _rows(self, entries: list[IndexEntry]) -> list[tuple]:
        return [(*self._doc_row(e), vector_literal(e.title, e.body, filters=filter_lexemes(e.category_id, e.country),
                                                   sampled=rules.in_sample(e.product_id, _SAMPLE_CUT)))
                for e in entries]

    def index(self, entries: list[IndexEntry]) -> None:
        self._executemany(_INSERT + " ON CONFLICT (product_id) DO UPDATE SET store_id = EXCLUDED.store_id, "
                          "category_id = EXCLUDED.category_id, country = EXCLUDED.country, "
                          "in_stock = EXCLUDED.in_stock, sort_price = EXCLUDED.sort_price, "
                          "created_at = EXCLUDED.created_at, sales = EXCLUDED.sales, facet_key = EXCLUDED.facet_key, "
                          "document = EXCLUDED.document",
                          self._rows(entries))

    def remove(self, product_ids: Iterable[int]) -> None:
        ids = list(product_ids)
        if ids:
            self._execute("DELETE FROM search_searchdocument WHERE product_id = ANY(%s)", [ids])

    def remove_store(self, store_id: int) -> None:
        self._execute("DELETE FROM search_searchdocument WHERE store_id = %s", [store_id])

    def rebuild(self, batches: Iterable[list[IndexEntry]]) -> None:
        # Loading without the GIN index and building it once is several times faster than keeping it up
        # to date row by row; readers see the old index until the caller's transaction commits.
        self._execute("SET LOCAL maintenance_work_mem = '512MB'", [])
        self._execute("DROP INDEX IF EXISTS search_document_text", [])
        self._execute("DELETE FROM search_searchdocument", [])
        for batch in batches:
            self._executemany(_INSERT, self._rows(batch))
        # The foreign keys are checked at commit; an index cannot be built over rows still owing that check.
        self._execute("SET CONSTRAINTS ALL IMMEDIATE", [])
        self._execute("SET CONSTRAINTS ALL DEFERRED", [])
        self._execute("CREATE INDEX search_document_text ON search_searchdocument USING gin (document)", [])
        self._execute("ANALYZE search_searchdocument", [])

    def tidy_after_rebuild(self) -> None:
        # The replaced rows are dead until vacuumed: searches would read their pages too, and the
        # visibility map that lets the planner skip pages is only set by VACUUM.
        self._execute("VACUUM (ANALYZE) search_searchdocument", [])

    def _groups_matching(self, request: SearchRequest, literal: str | None):
        """The facet groups of the documents matching the ``tsquery`` ``literal`` (all of them: None)."""
        where = [] if literal is None else ["d.document @@ %s::tsquery"]
        sql, group_params = self._groups_sql(request, "search_searchdocument d", where)
        return self._groups(self._fetch(sql, [*group_params, *([] if literal is None else [literal])]))

    def facet_groups(self, request: SearchRequest):
        return self._groups_matching(request, None if request.query.is_empty else query_literal(request.query))

    def facet_sample(self, request: SearchRequest) -> FacetSample | None:
        # Counting every match would read every match's row: the sample's lexeme narrows the index scan
        # to the sampled documents, and their number estimates the whole.
        if request.query.is_empty:
            return None
        groups = self._groups_matching(request, f"({query_literal(request.query)}) & {_lexeme(SAMPLE_LEXEME)}")
        matches = sum(g.count for g in groups) * SAMPLE_EVERY
        if matches <= rules.APPROXIMATE_FROM:
            return None
        return FacetSample(groups=groups, matches=matches, exact=False)

    def _clauses(self, request: SearchRequest) -> tuple[list[str], list]:
        if request.query.is_empty:
            return self._filters(request)
        # Category and country travel in the text query (see ``CATEGORY_LEXEME``).
        filters, filter_params = self._filters(replace(request, category_ids=None, country=None))
        return ["d.document @@ %s::tsquery", *filters], [filtered_query_literal(request), *filter_params]

    def _window(self, request: SearchRequest, clauses: list[str], params: list) -> tuple[str, list]:
        """The ranked set of a broad query: the first matches the index hands back, and exact titles.

        Not the newest, as on SQLite: ordering tens of thousands of matches by key reads all their rows
        (or walks the key backwards through the whole table), while the first few thousand from the GIN
        bitmap cost a few milliseconds. A subquery to join on, so the window's rows are fetched by key."""
        inner = " AND ".join(clauses)
        window = (f"(SELECT d.product_id FROM search_searchdocument d WHERE {inner} "  # noqa: S608
                  f"LIMIT {int(request.window_size)})")
        window_params = list(params)
        if request.query.exact:
            window += (" UNION (SELECT d.product_id FROM search_searchdocument d "  # noqa: S608
                       f"WHERE d.document @@ %s::tsquery AND {inner})")
            window_params += [_lexeme(request.query.exact), *params]
        return window, window_params

    def _ranked(self, request: SearchRequest, *, limit: int, offset: int) -> list[int]:
        clauses, params = self._clauses(request)
        order = "ts_rank('{0.1, 0.2, 0.4, 1.0}', d.document, %s::tsquery) DESC, d.product_id DESC"
        order_params = [query_literal(request.query)]
        if request.query.exact:
            order = "d.document @@ %s::tsquery DESC, " + order
            order_params.insert(0, _lexeme(request.query.exact))
        if request.windowed:
            # Only the window's rows are read (and their vectors detoasted) for ranking.
            window, window_params = self._window(request, clauses, params)
            sql = (f"SELECT d.product_id FROM ({window}) w JOIN search_searchdocument d ON d.product_id = w.product_id "  # noqa: S608
                   f"ORDER BY {order} LIMIT %s OFFSET %s")
            return [row[0] for row in self._fetch(sql, [*window_params, *order_params, limit, offset])]
        sql = (f"SELECT d.product_id FROM search_searchdocument d WHERE {' AND '.join(clauses)} "  # noqa: S608
               f"ORDER BY {order} LIMIT %s OFFSET %s")
        return [row[0] for row in self._fetch(sql, [*params, *order_params, limit, offset])]

    def _ranked_count(self, request: SearchRequest) -> int:
        clauses, params = self._clauses(request)
        window, window_params = self._window(request, clauses, params)
        return self._fetch(f"SELECT COUNT(*) FROM ({window}) w", window_params)[0][0]  # noqa: S608

    def _unranked(self, request: SearchRequest, *, limit: int, offset: int) -> list[int]:
        clauses, params = self._clauses(request)
        window, window_params = self._window(request, clauses, params)
        sql = (f"SELECT d.product_id FROM search_searchdocument d WHERE {' AND '.join(clauses)} "  # noqa: S608
               f"AND d.product_id NOT IN ({window}) ORDER BY d.product_id DESC LIMIT %s OFFSET %s")
        return [row[0] for row in self._fetch(sql, [*params, *window_params, limit, offset])]

    def page(self, request: SearchRequest) -> list[int]:
        if request.sort == "relevance" and not request.query.is_empty:
            # Ranking reads each ranked document's vector out of line: a smaller window than SQLite's.
            return self._relevance_page(request if request.window else replace(request, window=RANK_WINDOW))
        clauses, params = self._clauses(request)
        source = f"search_searchdocument d{' WHERE ' + ' AND '.join(clauses) if clauses else ''}"
        if not request.query.is_empty and (request.matches or 0) <= SORT_BY_INDEX_FROM:
            # Few matches: fetch them from the GIN index and sort them. Walking the sort's index instead
            # would test (and read the vector of) every document it passes until a page of them matched.
            # OFFSET 0 keeps the planner from choosing that walk for the LIMIT.
            source = ("(SELECT d.product_id, d.created_at, d.sort_price, d.sales FROM "  # noqa: S608
                      f"{source} OFFSET 0) d")
        sql = f"SELECT d.product_id FROM {source} ORDER BY {self._order(request)} LIMIT %s OFFSET %s"  # noqa: S608
        return [row[0] for row in self._fetch(sql, [*params, request.limit, request.offset])]

    def add_words(self, words: Iterable[str]) -> None:
        rows = [(w,) for w in sorted(set(words))]
        self._executemany("INSERT INTO search_searchterm (word) VALUES (%s) ON CONFLICT (word) DO NOTHING", rows)

    def clear_words(self) -> None:
        self._execute("DELETE FROM search_searchterm", [])

    def word_candidates(self, word: str) -> list[str]:
        rows = self._fetch("SELECT word FROM search_searchterm WHERE word %% %s ORDER BY similarity(word, %s) DESC "  # noqa: S608
                           f"LIMIT {SPELLING_CANDIDATES}", [word, word])
        return [w for (w,) in rows]
