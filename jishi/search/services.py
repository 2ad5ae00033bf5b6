"""Writes for the search index: documents given to it, removed from it, and the values it copies.

The index knows no product: the catalogue turns its products into ``IndexEntry`` documents
(``catalog.indexing``) and hands them over, and the apps above it hand over what they own (a suspended
store's id, units sold). Every function writes in the caller's transaction, so a change and its
documents commit together: a product that stops being visible leaves the results at once, and a checkout
flips the in-stock flags in its placing transaction. ``rebuild`` replaces everything in one transaction;
readers keep the old index until it commits.

The index keeps one count of its own, units sold: a written document keeps the count its product had
(``set_sales`` changes it), so reindexing a product never drops it down the "best selling" sort. The
statements that read catalogue values in place (stock flags, sort prices) are told where those values
live (``ProductColumns``) rather than knowing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q

from jishi.search.backends import get_backend
from jishi.search.backends.base import IndexEntry
from jishi.search.models import SearchDocument

_TABLE = SearchDocument._meta.db_table


@dataclass(frozen=True)
class ProductColumns:
    """Where the catalogue keeps the product values a document copies, for statements that read them in
    place: checkout flips stock flags in the transaction that holds the product rows, with no read first.
    Names of the owner's own table and columns only, never input."""

    table: str
    key: str  # the product id
    stock: str  # units on sale; a product is in stock above zero
    sort_price: str


def index(*, entries: list[IndexEntry], words: Iterable[str] = ()) -> None:
    """Add or replace these documents, and remember the Latin ``words`` they brought (completions and
    spelling fixes). Call inside the writing transaction."""
    backend = get_backend()
    if entries:
        _fill_sales(entries, dict(SearchDocument.objects.filter(
            product_id__in=[e.product_id for e in entries]).values_list("product_id", "sales")))
        backend.index(entries)
    backend.add_words(words)


def remove_products(*, product_ids: Iterable[int]) -> None:
    """Take products out of the results (hidden, or about to be deleted)."""
    ids = sorted(set(product_ids))
    if ids:
        get_backend().remove(ids)


def remove_store(*, store_id: int) -> None:
    """A suspended store's products leave the results in the suspending transaction."""
    get_backend().remove_store(store_id)


def sync_stock(*, product_ids: Iterable[int], source: ProductColumns) -> None:
    """Flip the "in stock" flag of these products' documents where their stock crossed zero.

    One statement that writes only the rows whose flag changes, reading the stock where ``source`` says:
    checkout calls it in its placing transaction, where the product rows are locked already. (Written
    out: the ORM's version of this statement costs a checkout a millisecond of CPU.)
    """
    ids = sorted(set(product_ids))
    if not ids:
        return
    placeholders = ", ".join(["%s"] * len(ids))
    in_stock = (f"EXISTS (SELECT 1 FROM {source.table} p "  # noqa: S608  (table and column names, no input)
                f"WHERE p.{source.key} = {_TABLE}.product_id AND p.{source.stock} > 0)")
    with connection.cursor() as cursor:
        # The stock flag is the facet key's lowest bit (``rules.facet_key``).
        cursor.execute(
            f"UPDATE {_TABLE} SET in_stock = NOT in_stock, "  # noqa: S608  (table and column names, no input)
            f"facet_key = facet_key + CASE WHEN in_stock THEN -1 ELSE 1 END WHERE product_id IN ({placeholders}) "
            f"AND in_stock <> {in_stock}", ids)


def copy_sort_prices(*, source: ProductColumns) -> None:
    """Copy every product's sort price again where ``source`` says (after exchange rates changed)."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_TABLE} SET sort_price = (SELECT p.{source.sort_price} "  # noqa: S608  (names)
                       f"FROM {source.table} p WHERE p.{source.key} = {_TABLE}.product_id)")


def set_sales(*, units: Mapping[int, int]) -> int:
    """Rank "best selling" by ``units`` (product id → units sold; products left out sold none). Writes
    only the documents whose count changes, and returns how many did."""
    with transaction.atomic():
        stale = list(SearchDocument.objects.filter(Q(sales__gt=0) | Q(product_id__in=list(units)))
                     .only("product_id", "sales"))
        changed = [d for d in stale if d.sales != units.get(d.product_id, 0)]
        for document in changed:
            document.sales = units.get(document.product_id, 0)
        SearchDocument.objects.bulk_update(changed, ["sales"], batch_size=500)
    return len(changed)


def rebuild(*, batches: Iterable[tuple[list[IndexEntry], Iterable[str]]],
            sales: Mapping[int, int] | None = None) -> int:
    """Replace the whole index and vocabulary with ``batches`` (documents and the Latin words they brought),
    in one transaction; returns how many documents it wrote. ``sales`` gives the units sold; without it
    every document keeps the count the old index had."""
    backend = get_backend()
    words: set[str] = set()
    written = 0

    def entries(counts: Mapping[int, int]) -> Iterator[list[IndexEntry]]:
        nonlocal written
        for batch, batch_words in batches:
            _fill_sales(batch, counts)
            words.update(batch_words)
            written += len(batch)
            yield batch

    with transaction.atomic():
        if sales is None:
            sales = dict(SearchDocument.objects.filter(sales__gt=0).values_list("product_id", "sales"))
        backend.clear_words()
        backend.rebuild(entries(sales))
        backend.add_words(words)
    if not connection.in_atomic_block:
        backend.tidy_after_rebuild()
    return written


def _fill_sales(entries: list[IndexEntry], counts: Mapping[int, int]) -> None:
    for entry in entries:
        entry.sales = counts.get(entry.product_id, 0)
