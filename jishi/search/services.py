"""Writes for search: the index follows the catalogue.

The catalogue and store services call these inside their own transactions, so a change and its index
entry commit together: a product that stops being visible (archived, deleted, its store suspended)
leaves the results at once. Changes that touch many products at a time (a store renamed or
reinstated, a category renamed) are reindexed by a job after commit. ``rebuild_index`` rebuilds all
of it in one transaction (``jishi search reindex``); readers keep the old index until it commits.

Only visible products (active, in an active store) have a document. Queries run per call are fixed
(products, translations, variants, current sales counts, then the writes), whatever the number of ids.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q, Sum

from jishi.catalog.models import Product, ProductStatus, ProductTranslation, Variant
from jishi.catalog.selectors import get_category_tree
from jishi.core import jobs
from jishi.orders.models import OrderLine, OrderStatus
from jishi.search import text
from jishi.search.backends import get_backend
from jishi.search.backends.base import IndexEntry
from jishi.search.models import SearchDocument
from jishi.stores.models import Store, StoreStatus

BATCH = 2000
# Units count as sold once paid for, unless the order was cancelled or refunded later.
SOLD = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)


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


def _entries(rows: list[tuple], texts: _Texts, sales: dict[int, int], words: set[str]) -> list[IndexEntry]:
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
                                  created_at=created_at, sales=sales.get(product_id, 0),
                                  title=title_terms, body=body_terms))
    return entries


def index_products(product_ids: Iterable[int]) -> None:
    """Bring these products' documents in step with the catalogue: visible ones are (re)written, the
    others removed. Call inside the writing transaction."""
    ids = sorted(set(product_ids))
    if not ids:
        return
    backend = get_backend()
    rows = list(_visible(ids))
    visible = {row[0] for row in rows}
    hidden = [i for i in ids if i not in visible]
    if hidden:
        backend.remove(hidden)
    if rows:
        sales = dict(SearchDocument.objects.filter(product_id__in=visible).values_list("product_id", "sales"))
        words: set[str] = set()
        backend.index(_entries(rows, _Texts(), sales, words))
        backend.add_words(words)


def remove_products(product_ids: Iterable[int]) -> None:
    """Take products out of the results (before they are deleted)."""
    ids = sorted(set(product_ids))
    if ids:
        get_backend().remove(ids)


def remove_store(*, store_id: int) -> None:
    """A suspended store's products leave the results in the suspending transaction."""
    get_backend().remove_store(store_id)


def index_store(store_id: int) -> int:
    """Reindex every product of a store (after it is reinstated, renamed or moves country)."""
    count = 0
    ids = list(Product.objects.filter(store_id=store_id).values_list("id", flat=True).order_by("id"))
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            index_products(ids[start:start + BATCH])
        count += len(ids[start:start + BATCH])
    return count


def index_categories(category_ids: Iterable[int]) -> int:
    """Reindex the products filed under these categories or below them (after a rename or a move)."""
    tree = get_category_tree()
    leaves = {leaf for c in category_ids if c in tree.by_id for leaf in tree.descendant_ids(tree.by_id[c])}
    ids = list(Product.objects.filter(category_id__in=leaves).values_list("id", flat=True).order_by("id"))
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            index_products(ids[start:start + BATCH])
    return len(ids)


def reindex_store_later(*, store_id: int) -> None:
    from jishi.search.tasks import index_store_products

    jobs.enqueue(index_store_products, store_id)


def reindex_categories_later(*, category_ids: list[int]) -> None:
    from jishi.search.tasks import index_category_products

    jobs.enqueue(index_category_products, sorted(category_ids))


def sync_stock(product_ids: Iterable[int]) -> None:
    """Flip the "in stock" flag of these products' documents when their stock crossed zero.

    One statement that writes only the rows whose flag changes: checkout calls it in its placing
    transaction, where the product rows are locked already.
    """
    ids = sorted(set(product_ids))
    if not ids:
        return
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE search_searchdocument SET in_stock = NOT in_stock, "  # noqa: S608
            f"facet_key = facet_key + CASE WHEN in_stock THEN -1 ELSE 1 END WHERE product_id IN ({placeholders}) "
            "AND in_stock <> EXISTS (SELECT 1 FROM catalog_product p WHERE p.id = search_searchdocument.product_id "
            "AND p.stock_total > 0)", ids)


def refresh_prices() -> None:
    """Copy the products' sort prices again after exchange rates changed."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE search_searchdocument SET sort_price = (SELECT p.sort_price FROM catalog_product p "
                       "WHERE p.id = search_searchdocument.product_id)")


def _units_sold(product_ids: list[int] | None = None) -> dict[int, int]:
    lines = OrderLine.objects.filter(product_id__isnull=False, order__status__in=SOLD)
    if product_ids is not None:
        lines = lines.filter(product_id__in=product_ids)
    return dict(lines.values("product_id").annotate(units=Sum("quantity")).values_list("product_id", "units"))


def refresh_sales() -> int:
    """Rank "best selling" from order lines (a timer runs this); returns the documents changed."""
    sold = _units_sold()
    with transaction.atomic():
        stale = list(SearchDocument.objects.filter(Q(sales__gt=0) | Q(product_id__in=list(sold)))
                     .only("product_id", "sales"))
        changed = [d for d in stale if d.sales != sold.get(d.product_id, 0)]
        for document in changed:
            document.sales = sold.get(document.product_id, 0)
        SearchDocument.objects.bulk_update(changed, ["sales"], batch_size=500)
    return len(changed)


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


def rebuild_index(*, progress: Callable[[int, int], None] | None = None) -> RebuildReport:
    """Rebuild the whole index and vocabulary in one transaction. ``progress(done, total)`` is called
    after every batch."""
    started = time.monotonic()
    backend = get_backend()
    total = Product.objects.filter(status=ProductStatus.ACTIVE, store__status=StoreStatus.ACTIVE).count()
    sales = _units_sold()
    texts = _Texts()
    done = 0
    words: set[str] = set()

    def batches() -> Iterator[list[IndexEntry]]:
        nonlocal done
        for ids in _visible_ids_by_category():
            entries = _entries(list(_visible(ids)), texts, sales, words)
            yield entries
            done += len(entries)
            if progress:
                progress(done, total)

    with transaction.atomic():
        backend.clear_words()
        backend.rebuild(batches())
        backend.add_words(words)
    if not connection.in_atomic_block:
        backend.tidy_after_rebuild()
    if progress and not total:
        progress(0, 0)
    return RebuildReport(documents=done, seconds=time.monotonic() - started)
