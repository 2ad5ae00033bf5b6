"""PostgreSQL: a ``tsvector`` column on the document table with a GIN index, and pg_trgm for spelling.

The vector is written as a literal of the terms ``search.text`` made (titles at weight A, the rest at
D), not through ``to_tsvector``: no text search configuration stems or splits them again, so the index
holds exactly what the SQLite backend holds. Queries are ``tsquery`` literals built the same way, every
lexeme quoted. Relevance is ``ts_rank`` (A counts ten times D), an exact title first.
"""

from __future__ import annotations

from collections.abc import Iterable

from jishi.search.backends.base import SPELLING_CANDIDATES, IndexEntry, SearchRequest, SqlBackend
from jishi.search.text import Query

MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 255
_DOC_COLUMNS = "product_id, store_id, category_id, country, in_stock, sort_price, created_at, sales, facet_key, document"
_INSERT = (f"INSERT INTO search_searchdocument ({_DOC_COLUMNS}) "  # noqa: S608
           "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s::tsvector)")


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def vector_literal(title: list[str], body: list[str]) -> str:
    positions: dict[str, list[str]] = {}
    for index, (term, weight) in enumerate([*((t, "A") for t in title), *((t, "") for t in body)], start=1):
        held = positions.setdefault(term, [])
        if len(held) < MAX_POSITIONS_PER_LEXEME:
            held.append(f"{min(index, MAX_POSITION)}{weight}")
    return " ".join(f"{_lexeme(term)}:{','.join(at)}" for term, at in positions.items())


def query_literal(query: Query) -> str:
    parts = [_lexeme(t) for t in query.required]
    if query.prefix:
        parts.append(_lexeme(query.prefix) + ":*")
    return " & ".join(parts)


class PostgresBackend(SqlBackend):
    name = "postgresql-tsvector"

    def _rows(self, entries: list[IndexEntry]) -> list[tuple]:
        return [(*self._doc_row(e), vector_literal(e.title, e.body)) for e in entries]

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

    def _source(self, request: SearchRequest) -> tuple[list, list[str]]:
        if request.query.is_empty:
            return [], []
        return [query_literal(request.query)], ["d.document @@ %s::tsquery"]

    def facet_groups(self, request: SearchRequest):
        params, where = self._source(request)
        sql, group_params = self._groups_sql(request, "search_searchdocument d", where)
        return self._groups(self._fetch(sql, [*group_params, *params]))

    def _clauses(self, request: SearchRequest) -> tuple[list[str], list]:
        params, where = self._source(request)
        filters, filter_params = self._filters(request)
        return [*where, *filters], [*params, *filter_params]

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
            return self._relevance_page(request)
        clauses, params = self._clauses(request)
        sql = (f"SELECT d.product_id FROM search_searchdocument d{' WHERE ' + ' AND '.join(clauses) if clauses else ''}"  # noqa: S608
               f" ORDER BY {self._order(request)} LIMIT %s OFFSET %s")
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
