"""What a product's search document holds, and the catalogue's calls that keep the index in step with it.

The index (``jishi.search``) knows no product; this module writes its documents. A document holds the
terms of a product's titles and descriptions in every language, of its category path and store names and
of its option values, plus what the facets and sorts need (store, leaf category, country, stock, sort
price, when it was listed). Only visible products (active, in an active store) have a document.

The catalogue's services call these inside their own transactions, so a change and its documents commit
together: a product that stops being visible (archived, deleted) leaves the results at once, and checkout
flips the in-stock flags in its placing transaction. Changes that touch many products at a time (a store
renamed, reinstated or moved, a category renamed) are reindexed by a job after commit (``catalog.tasks``).
``rebuild_index`` rebuilds all of it in one transaction (``jishi search reindex``); readers keep the old
index until it commits. Units sold are not the catalogue's: the index keeps its count, and the orders
app sets it (``orders.tasks.refresh_search_sales``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from django.db import transaction

from jishi.catalog.models import Product, ProductStatus, ProductTranslation, Variant
from jishi.catalog.selectors import get_category_tree
from jishi.core import jobs
from jishi.search import services as search_index
from jishi.search import text
from jishi.search.backends.base import IndexEntry
from jishi.stores.models import Store, StoreStatus

BATCH = 2000
# Where the index's statements read stock and sort prices in place. Checkout's stock flags follow the
# product rows it holds locked in the same statement: handing the flags over instead would cost it a read.
PRODUCT_COLUMNS = search_index.ProductColumns(table=Product._meta.db_table, key=Product._meta.pk.column,
                                              stock="stock_total", sort_price="sort_price")


class _Texts:
    """Terms of category paths and store names, made once per call however many products share them."""

    def __init__(self):
        self.tree = get_category_tree()
        self.categories: dict[int, tuple[list[str], list[str]]] = {}
        self.stores: dict[int, tuple[list[str], list[str]]] = {}

    def category(self, category_id: int) -> tuple[list[str], list[str]]:
        if category_id not in self.categories:
            node = self.tree.by_id.get(category_id)
            names = [n for c in ([*self.tree.ancestors(node), node] if node else []) for n in c.names.values()]
            self.categories[category_id] = ([t for n in names for t in text.terms(n)],
                                            [w for n in names for w in text.latin_words(n)])
        return self.categories[category_id]

    def store(self, store_id: int, name: str) -> tuple[list[str], list[str]]:
        if store_id not in self.stores:
            self.stores[store_id] = (text.terms(name), text.latin_words(name))
        return self.stores[store_id]


def _visible(ids: list[int]):
    return (Product.objects.filter(id__in=ids, status=ProductStatus.ACTIVE, store__status=StoreStatus.ACTIVE)
            .values_list("id", "store_id", "category_id", "created_at", "sort_price", "stock_total", "store__name",
                         "store__country"))


def _entries(rows: list[tuple], texts: _Texts, words: set[str]) -> list[IndexEntry]:
    """The documents of these ``_visible`` rows; the Latin words they bring are added to ``words``."""
    ids = [row[0] for row in rows]
    translations: dict[int, list[tuple[str, str]]] = {}
    for product_id, title, description in ProductTranslation.objects.filter(product_id__in=ids).values_list(
            "product_id", "title", "description"):
        translations.setdefault(product_id, []).append((title, description))
    options: dict[int, set[str]] = {}
    for product_id, values in Variant.objects.filter(product_id__in=ids).values_list("product_id", "options"):
        options.setdefault(product_id, set()).update(str(v) for v in (values or {}).values())
    entries = []
    for product_id, store_id, category_id, created_at, sort_price, stock, store_name, country in rows:
        title_terms: list[str] = []
        body_terms: list[str] = []
        for title, description in translations.get(product_id, []):
            found, key, title_words = text.analyse_title(title)
            title_terms.extend(found)
            if key:
                title_terms.append(key)
            body_terms.extend(text.description_terms(description))
            words.update(title_words)
        category_terms, category_words = texts.category(category_id)
        store_terms, store_words = texts.store(store_id, store_name)
        body_terms.extend(category_terms)
        body_terms.extend(store_terms)
        for value in sorted(options.get(product_id, ())):
            body_terms.extend(text.terms(value))
        words.update(category_words)
        words.update(store_words)
        entries.append(IndexEntry(product_id=product_id, store_id=store_id, category_id=category_id,
                                  country=country, in_stock=stock > 0, sort_price=sort_price,
                                  created_at=created_at, title=title_terms, body=body_terms))
    return entries


def index_products(product_ids: Iterable[int]) -> None:
    """Bring these products' documents in step with the catalogue: visible ones are (re)written, the
    others removed. Call inside the writing transaction. A fixed number of queries whatever the number of
    ids: products, translations, variants, the documents' sales counts, then the writes."""
    ids = sorted(set(product_ids))
    if not ids:
        return
    rows = list(_visible(ids))
    visible = {row[0] for row in rows}
    search_index.remove_products(product_ids=[i for i in ids if i not in visible])
    if rows:
        words: set[str] = set()
        entries = _entries(rows, _Texts(), words)
        search_index.index(entries=entries, words=words)


def sync_stock(product_ids: Iterable[int]) -> None:
    """Flip the "in stock" flag of these products' documents when their stock crossed zero (checkout
    calls it in its placing transaction, where the product rows are locked already)."""
    search_index.sync_stock(product_ids=product_ids, source=PRODUCT_COLUMNS)


def refresh_prices() -> None:
    """Copy the products' sort prices to their documents again after exchange rates changed."""
    search_index.copy_sort_prices(source=PRODUCT_COLUMNS)


def _in_batches(ids: list[int]) -> int:
    """Reindex ``ids`` in batches of ``BATCH``, each in a transaction of its own."""
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            index_products(ids[start:start + BATCH])
    return len(ids)


def index_store(store_id: int) -> int:
    """Reindex every product of a store (after it is reinstated, renamed or moves country)."""
    return _in_batches(list(Product.objects.filter(store_id=store_id).values_list("id", flat=True).order_by("id")))


def index_categories(category_ids: Iterable[int]) -> int:
    """Reindex the products filed under these categories or below them (after a rename or a move)."""
    tree = get_category_tree()
    leaves = {leaf for c in category_ids if c in tree.by_id for leaf in tree.descendant_ids(tree.by_id[c])}
    return _in_batches(list(Product.objects.filter(category_id__in=leaves).values_list("id", flat=True)
                            .order_by("id")))


def reindex_categories_later(*, category_ids: list[int]) -> None:
    """Reindex these categories' products by a job after commit (the operator renamed or moved them)."""
    jobs.enqueue("jishi.catalog.tasks.index_category_products", sorted(category_ids))


@dataclass
class RebuildReport:
    documents: int
    seconds: float


def _visible_ids_by_category() -> Iterator[list[int]]:
    """Visible product ids, category by category: on PostgreSQL a category's documents then sit together
    on disk, and a search for a kind of thing reads few pages."""
    tree = get_category_tree()
    hidden_stores = list(Store.objects.exclude(status=StoreStatus.ACTIVE).values_list("id", flat=True))
    for category_id in sorted(tree.by_id):
        ids = list(Product.objects.filter(category_id=category_id, status=ProductStatus.ACTIVE)
                   .exclude(store_id__in=hidden_stores).order_by("id").values_list("id", flat=True))
        for start in range(0, len(ids), BATCH):
            yield ids[start:start + BATCH]


def rebuild_index(*, sales: Mapping[int, int] | None = None,
                  progress: Callable[[int, int], None] | None = None) -> RebuildReport:
    """Rebuild the whole index and vocabulary in one transaction. ``sales`` (product id → units sold)
    ranks "best selling"; without it the documents keep the counts the old index had. ``progress(done,
    total)`` is called after every batch."""
    started = time.monotonic()
    total = Product.objects.filter(status=ProductStatus.ACTIVE, store__status=StoreStatus.ACTIVE).count()
    texts = _Texts()
    done = 0

    def batches() -> Iterator[tuple[list[IndexEntry], set[str]]]:
        nonlocal done
        for ids in _visible_ids_by_category():
            words: set[str] = set()
            entries = _entries(list(_visible(ids)), texts, words)
            yield entries, words
            done += len(entries)
            if progress:
                progress(done, total)

    search_index.rebuild(batches=batches(), sales=sales)
    if progress and not total:
        progress(0, 0)
    return RebuildReport(documents=done, seconds=time.monotonic() - started)
