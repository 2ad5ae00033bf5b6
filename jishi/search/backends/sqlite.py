"""SQLite FTS5: the embedded mode's index.

The terms of ``search.text`` go into ``search_fts`` (rowid = product id) already segmented and stemmed,
so FTS5's ``unicode61`` tokenizer only splits them at the spaces; FTS5's own ``porter`` stemmer is not
used, because PostgreSQL must hold the very same terms. Matching is every required term (quoted, so no
FTS5 syntax reaches the index from users), the unfinished last word as a prefix; relevance is BM25 with
titles weighing ten times the rest, an exact title first. Spelling candidates come from a trigram FTS5
table over the vocabulary, FTS5's nearest thing to pg_trgm.
"""

from __future__ import annotations

from collections.abc import Iterable

from jishi.search import rules
from jishi.search.backends.base import SPELLING_CANDIDATES, FacetSample, IndexEntry, SearchRequest, SqlBackend
from jishi.search.text import Query

_DOC_COLUMNS = "product_id, store_id, category_id, country, in_stock, sort_price, created_at, sales, facet_key"
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0
# Above this many matches a sorted page walks the sort's index (see ``page``).
SORT_BY_INDEX_FROM = 5000
_SORT_INDEXES = {
    "newest": ("search_document_newest", "d.created_at DESC, d.product_id DESC"),
    "price_asc": ("search_document_price", "d.sort_price, d.product_id"),
    "price_desc": ("search_document_price", "d.sort_price DESC, d.product_id DESC"),
    "best_selling": ("search_document_sales", "d.sales DESC, d.created_at DESC, d.product_id DESC"),
}
FTS_TABLE = ("CREATE VIRTUAL TABLE search_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 0', "
             "prefix = '2 3')")


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def match_expression(query: Query) -> str:
    parts = [_quoted(t) for t in query.required]
    if query.prefix:
        parts.append(_quoted(query.prefix) + "*")
    return " AND ".join(parts)


class SqliteBackend(SqlBackend):
    name = "sqlite-fts5"

    def index(self, entries: list[IndexEntry]) -> None:
        if not entries:
            return
        self.remove_text([e.product_id for e in entries])
        self._write(entries, replace=True)

    def _write(self, entries: list[IndexEntry], *, replace: bool) -> None:
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        self._executemany(f"{verb} INTO search_searchdocument ({_DOC_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                          [self._doc_row(e) for e in entries])
        self._executemany("INSERT INTO search_fts (rowid, title, body) VALUES (%s, %s, %s)",
                          [(e.product_id, " ".join(e.title), " ".join(e.body)) for e in entries])

    def remove_text(self, product_ids: list[int]) -> None:
        for start in range(0, len(product_ids), 500):
            chunk = product_ids[start:start + 500]
            self._execute(f"DELETE FROM search_fts WHERE rowid IN ({', '.join(['%s'] * len(chunk))})", chunk)  # noqa: S608

    def remove(self, product_ids: Iterable[int]) -> None:
        ids = list(product_ids)
        self.remove_text(ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            self._execute(f"DELETE FROM search_searchdocument WHERE product_id IN ({', '.join(['%s'] * len(chunk))})",  # noqa: S608
                        chunk)

    def remove_store(self, store_id: int) -> None:
        self._execute("DELETE FROM search_fts WHERE rowid IN (SELECT product_id FROM search_searchdocument "
                    "WHERE store_id = %s)", [store_id])
        self._execute("DELETE FROM search_searchdocument WHERE store_id = %s", [store_id])

    def rebuild(self, batches: Iterable[list[IndexEntry]]) -> None:
        self._execute("DELETE FROM search_searchdocument", [])
        # Dropping the text table is far faster than deleting its rows; its definition is the migration's.
        self._execute("DROP TABLE search_fts", [])
        self._execute(FTS_TABLE, [])
        for batch in batches:
            self._write(batch, replace=False)
        self._execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')", [])

    def _source(self, request: SearchRequest) -> tuple[str, list, list[str]]:
        if request.query.is_empty:
            return "search_searchdocument d", [], []
        return ("search_fts JOIN search_searchdocument d ON d.product_id = search_fts.rowid",
                [match_expression(request.query)], ["search_fts MATCH %s"])

    def facet_groups(self, request: SearchRequest):
        source, params, where = self._source(request)
        sql, group_params = self._groups_sql(request, source, where)
        return self._groups(self._fetch(sql, [*group_params, *params]))

    def facet_sample(self, request: SearchRequest) -> FacetSample | None:
        if request.query.is_empty:
            return None
        # Counted on the text index alone: FTS5 walks the terms' rowid lists without reading a document.
        matches = self._fetch("SELECT COUNT(*) FROM search_fts WHERE search_fts MATCH %s",
                              [match_expression(request.query)])[0][0]
        if matches <= rules.APPROXIMATE_FROM:
            return None
        source, params, where = self._source(request)
        # On the FTS5 rowid, so only the sampled matches are looked up in the document table.
        sample = "search_fts.rowid * %s %% %s < %s"  # (%% is the modulo, %s the parameters)
        sample_params = [rules.SAMPLE_MULTIPLIER, rules.SAMPLE_MODULUS, rules.sample_cut(matches)]
        sql, group_params = self._groups_sql(request, source, [*where, sample])
        groups = self._groups(self._fetch(sql, [*group_params, *params, *sample_params]))
        return FacetSample(groups=groups, matches=matches, exact=True)

    def _window(self, request: SearchRequest, clauses: list[str], params: list) -> tuple[str, list]:
        """The ranked set of a broad query: the newest matches passing the filters, and exact titles.
        (FTS5 walks its rowids backwards and stops after the window.)"""
        # "+" keeps SQLite from reading the table by these rowids, which would leave MATCH without its index.
        window = ("(+search_fts.rowid IN (SELECT search_fts.rowid FROM search_fts JOIN search_searchdocument d "  # noqa: S608
                  f"ON d.product_id = search_fts.rowid WHERE {' AND '.join(clauses)} "
                  f"ORDER BY search_fts.rowid DESC LIMIT {int(request.window_size)})")
        window_params = list(params)
        if request.query.exact:
            window += " OR +search_fts.rowid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)"
            window_params.append(self._exact_match(request))
        return window + ")", window_params

    def _clauses(self, request: SearchRequest) -> tuple[str, list[str], list]:
        source, params, where = self._source(request)
        filters, filter_params = self._filters(request)
        return source, [*where, *filters], [*params, *filter_params]

    def _ranked(self, request: SearchRequest, *, limit: int, offset: int) -> list[int]:
        source, clauses, params = self._clauses(request)
        order, order_params = f"bm25(search_fts, {TITLE_WEIGHT}, {BODY_WEIGHT}), d.product_id DESC", []
        if request.query.exact:
            order = f"search_fts.rowid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s) DESC, {order}"  # noqa: S608
            order_params.append(self._exact_match(request))
        if request.windowed:
            window, window_params = self._window(request, clauses, params)
            clauses, params = [*clauses, window], [*params, *window_params]
        sql = f"SELECT d.product_id FROM {source} WHERE {' AND '.join(clauses)} ORDER BY {order} LIMIT %s OFFSET %s"  # noqa: S608
        return [row[0] for row in self._fetch(sql, [*params, *order_params, limit, offset])]

    def _ranked_count(self, request: SearchRequest) -> int:
        source, clauses, params = self._clauses(request)
        window, window_params = self._window(request, clauses, params)
        sql = f"SELECT COUNT(*) FROM {source} WHERE {' AND '.join([*clauses, window])}"  # noqa: S608
        return self._fetch(sql, [*params, *window_params])[0][0]

    def _unranked(self, request: SearchRequest, *, limit: int, offset: int) -> list[int]:
        source, clauses, params = self._clauses(request)
        window, window_params = self._window(request, clauses, params)
        sql = (f"SELECT d.product_id FROM {source} WHERE {' AND '.join([*clauses, 'NOT ' + window])} "  # noqa: S608
               "ORDER BY search_fts.rowid DESC LIMIT %s OFFSET %s")
        return [row[0] for row in self._fetch(sql, [*params, *window_params, limit, offset])]

    def page(self, request: SearchRequest) -> list[int]:
        if request.sort == "relevance" and not request.query.is_empty:
            return self._relevance_page(request)
        source, params, where = self._source(request)
        filters, filter_params = self._filters(request)
        if not request.query.is_empty and (request.matches or 0) > SORT_BY_INDEX_FROM:
            # Many matches: walk the sort's index and probe the match set, instead of sorting them all.
            index, order = _SORT_INDEXES.get(request.sort, _SORT_INDEXES["newest"])
            filters.append("d.product_id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)")
            if request.sort in ("price_asc", "price_desc"):
                filters.append("d.sort_price IS NOT NULL")
            sql = (f"SELECT d.product_id FROM search_searchdocument d INDEXED BY {index} "  # noqa: S608
                   f"WHERE {' AND '.join(filters)} ORDER BY {order} LIMIT %s OFFSET %s")
            return [row[0] for row in self._fetch(sql, [*filter_params, *params, request.limit, request.offset])]
        clauses = [*where, *filters]
        sql = (f"SELECT d.product_id FROM {source}{' WHERE ' + ' AND '.join(clauses) if clauses else ''} "  # noqa: S608
               f"ORDER BY {self._order(request)} LIMIT %s OFFSET %s")
        return [row[0] for row in self._fetch(sql, [*params, *filter_params, request.limit, request.offset])]

    def _exact_match(self, request: SearchRequest) -> str:
        return "title : " + _quoted(request.query.exact)

    def add_words(self, words: Iterable[str]) -> None:
        rows = [(w,) for w in sorted(set(words))]
        self._executemany("INSERT OR IGNORE INTO search_searchterm (word) VALUES (%s)", rows)
        if rows:
            self._execute("INSERT INTO search_term_trigram (rowid, word) SELECT id, word FROM search_searchterm "
                        "WHERE id > (SELECT COALESCE(MAX(rowid), 0) FROM search_term_trigram)", [])

    def clear_words(self) -> None:
        self._execute("DELETE FROM search_searchterm", [])
        self._execute("DELETE FROM search_term_trigram", [])

    def word_candidates(self, word: str) -> list[str]:
        grams = {word[i:i + 3] for i in range(len(word) - 2)}
        if not grams:
            return []
        expression = " OR ".join(_quoted(g) for g in sorted(grams))
        rows = self._fetch("SELECT word FROM search_term_trigram WHERE search_term_trigram MATCH %s ORDER BY rank "  # noqa: S608
                           f"LIMIT {SPELLING_CANDIDATES}", [expression])
        return [w for (w,) in rows]
