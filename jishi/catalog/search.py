"""The catalogue's search: the results page (hits, facets, spelling help) and the suggestions as you type.

The index (``jishi.search``) answers in product ids and leaf-category counts; this module asks it with
what a shopper typed and chose, and turns the answer into product cards, a category facet rolled up the
cached tree, related categories and suggestions. Only visible products are found: the index holds no
others (``catalog.indexing``).

Every call costs a fixed number of queries whatever the page size or the number of matches: the facet
groups and one page of ids from the index, then the products, their titles and thumbnails. A search that
finds nothing asks the vocabulary for each misspelt word (at most ``search.selectors.MAX_CORRECTED_WORDS``)
and, when a corrected query finds something, shows that instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from jishi.catalog.models import Category, Product
from jishi.catalog.selectors import build_cards, get_category_tree
from jishi.core.countries import is_country
from jishi.core.pagination import Page, parse_page_number
from jishi.search import selectors as index
from jishi.search import text
from jishi.search.backends.base import SORTS
from jishi.search.text import Query, parse_query

PER_PAGE = 24
MAX_PAGE_SIZE = 100
MAX_PRICE = Decimal("1e12")
SUGGESTED_PRODUCTS = 5


@dataclass(frozen=True)
class SearchParams:
    """What a shopper asked for, cleaned: anything unusable is dropped rather than refused."""

    q: str = ""
    category: str = ""
    country: str = ""
    in_stock: bool = False
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    sort: str = ""
    page: int = 1
    page_size: int = PER_PAGE

    @property
    def filtered(self) -> bool:
        return bool(self.category or self.country or self.in_stock or self.price_min is not None
                     or self.price_max is not None)


def _amount(raw) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not value.is_finite() or value < 0 or value >= MAX_PRICE:
        return None
    return value


def clean_words(raw: str) -> str:
    """Words as typed, without lone surrogates or NUL characters (which the databases refuse)."""
    return raw.encode("utf-8", "ignore").decode("utf-8").replace("\x00", "").strip()


def parse_search_params(data: Mapping) -> SearchParams:
    """Search parameters from a query string; never raises."""
    def one(name: str) -> str:
        value = data.get(name, "")
        return value if isinstance(value, str) else ""

    country = one("country").strip().upper()[:2]
    sort = one("sort").strip()
    try:
        size = max(1, min(int(one("page_size") or PER_PAGE), MAX_PAGE_SIZE))
    except ValueError:
        size = PER_PAGE
    return SearchParams(
        q=clean_words(one("q"))[:text.MAX_QUERY_CHARS],
        category=one("category").strip()[:80], country=country if is_country(country) else "",
        in_stock=one("in_stock").strip().lower() in {"1", "true", "on", "yes"},
        price_min=_amount(one("price_min")) if one("price_min") else None,
        price_max=_amount(one("price_max")) if one("price_max") else None,
        sort=sort if sort in SORTS else "", page=parse_page_number(one("page") or 1), page_size=size)


@dataclass
class CategoryCount:
    category: Category
    count: int


@dataclass
class PriceBand:
    low: Decimal | None
    high: Decimal | None
    count: int
    selected: bool


@dataclass
class CountryCount:
    code: str
    count: int


@dataclass
class Facets:
    categories: list[CategoryCount] = field(default_factory=list)
    # The chosen category's ancestors and itself, for the way back up the tree.
    trail: list[Category] = field(default_factory=list)
    countries: list[CountryCount] = field(default_factory=list)
    prices: list[PriceBand] = field(default_factory=list)
    in_stock: int = 0


@dataclass
class SearchHit:
    card: object
    title_html: str

    @property
    def product(self):
        return self.card.product


@dataclass
class SearchResults:
    params: SearchParams
    query: Query
    sort: str
    page: Page
    facets: Facets
    currency: str
    # The query searched instead of what was typed, when that found nothing.
    corrected: str | None = None
    did_you_mean: str | None = None
    related: list[Category] = field(default_factory=list)
    # The counts are estimates (``search.rules.APPROXIMATE_FROM``); the total too when a filter is chosen,
    # and on PostgreSQL always (its sample does not count the matches).
    approximate: bool = False
    approximate_total: bool = False

    @property
    def hits(self) -> list[SearchHit]:
        return self.page.items


def _run(params: SearchParams, query: Query, prices: index.Prices, sort: str):
    tree = get_category_tree()
    node = tree.by_slug(params.category) if params.category else None
    found = index.find(
        query, category_ids=frozenset(tree.descendant_ids(node)) if node else None, country=params.country or None,
        in_stock=params.in_stock, low=prices.to_platform(params.price_min) if params.price_min is not None else None,
        high=prices.to_platform(params.price_max) if params.price_max is not None else None, prices=prices,
        sort=sort, page=params.page, per_page=params.page_size)
    return node, found


def _facets(node, found: index.Found, params: SearchParams, prices: index.Prices) -> Facets:
    tree = get_category_tree()
    counts = found.counts
    rolled: dict[int, int] = {}
    for leaf_id, count in counts.categories.items():
        leaf = tree.by_id.get(leaf_id)
        if leaf is None:
            continue
        for category in [*tree.ancestors(leaf), leaf]:
            rolled[category.id] = rolled.get(category.id, 0) + count
    shown = tree.children.get(node.id, []) if node else tree.roots
    facets = Facets(trail=[*tree.ancestors(node), node] if node else [],
                    categories=[CategoryCount(c, rolled[c.id]) for c in shown if rolled.get(c.id)],
                    countries=[CountryCount(code, n) for code, n in sorted(counts.countries.items(),
                                                                           key=lambda kv: (-kv[1], kv[0])) if n],
                    in_stock=counts.in_stock)
    edges = [None, *prices.steps, None]
    for position, count in enumerate(counts.prices):
        low, high = edges[position], edges[position + 1]
        facets.prices.append(PriceBand(low=low, high=high, count=count,
                                       selected=(params.price_min, params.price_max) == (low, high)))
    return facets


def _hits(ids: list[int], query: Query, language: str) -> list[SearchHit]:
    products = {p.id: p for p in Product.objects.filter(id__in=ids).select_related("store")}
    cards = build_cards([products[i] for i in ids if i in products], language)
    return [SearchHit(card=c, title_html=text.highlight(c.title, query)) for c in cards]


def related_categories(query: Query, *, limit: int = 6) -> list[Category]:
    """Categories named like any word of the query (in any language), else the top-level ones."""
    tree = get_category_tree()
    wanted = [w for w in query.words if len(w) >= 2 or not w.isascii()]
    found = []
    for category in tree.by_id.values():
        names = [text.clean(n) for n in category.names.values()]
        if any(w in n or (len(n) >= 2 and n in w) for w in wanted for n in names):
            found.append(category)
    found.sort(key=lambda c: (len(tree.ancestors(c)), c.position, c.slug))
    return (found or tree.roots)[:limit]


def search_products(*, params: SearchParams, language: str, currency: str) -> SearchResults:
    """One page of visible products matching ``params``, with facet counts in ``currency``."""
    query = parse_query(params.q)
    sort = params.sort or ("relevance" if not query.is_empty else "newest")
    if sort == "relevance" and query.is_empty:
        sort = "newest"
    prices = index.Prices(currency)
    with index.reading():
        return _search(params, query, sort, prices, language)


def _search(params: SearchParams, query: Query, sort: str, prices: index.Prices, language: str) -> SearchResults:
    node, found = _run(params, query, prices, sort)
    corrected = did_you_mean = None
    related: list[Category] = []
    if not found.counts.total and not query.is_empty:
        did_you_mean = index.correct_spelling(query)
        if did_you_mean:
            better = parse_query(did_you_mean)
            retry = _run(params, better, prices, sort)
            if retry[1].counts.total:
                node, found = retry
                corrected, query, did_you_mean = did_you_mean, better, None
        if not found.counts.total:
            related = related_categories(query)
    hits = _hits(found.ids, query, language)
    counts = found.counts
    return SearchResults(params=params, query=query, sort=sort,
                         page=Page(items=hits, number=found.number, per_page=params.page_size, total=counts.total),
                         facets=_facets(node, found, params, prices), currency=prices.currency,
                         corrected=corrected, did_you_mean=did_you_mean, related=related,
                         approximate=counts.approximate, approximate_total=counts.approximate_total)


@dataclass
class Suggestions:
    text: str
    completions: list[str] = field(default_factory=list)
    categories: list[tuple[Category, list[Category]]] = field(default_factory=list)
    hits: list[SearchHit] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.completions or self.categories or self.hits)


def suggest(raw: str, *, language: str) -> Suggestions:
    """Completions of the word being typed, categories named like it, and the best few products."""
    query = parse_query(raw, as_you_type=True)
    suggestions = Suggestions(text=query.text)
    if query.is_empty:
        return suggestions
    suggestions.completions = index.completions(query)
    tree = get_category_tree()
    typed = query.text.strip()
    if typed:
        named = [c for c in tree.by_id.values() if any(typed in text.clean(n) for n in c.names.values())]
        named.sort(key=lambda c: (len(tree.ancestors(c)), c.position, c.slug))
        suggestions.categories = [(c, tree.ancestors(c)) for c in named[:4]]
    query = index.matchable(query)
    if not query.is_empty:
        with index.reading():
            ids = index.top_matches(query, limit=SUGGESTED_PRODUCTS)
        suggestions.hits = _hits(ids, query, language)
    return suggestions
