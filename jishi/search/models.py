"""The search index's own tables.

``SearchDocument`` holds one row per *visible* product (active, in an active store) with the values the
facets and sorts need, copied from the catalogue so a search never joins it. The text itself lives where
each backend wants it: a ``tsvector`` column on this table (PostgreSQL) or the ``search_fts`` FTS5 table
keyed by product id (SQLite); the migration adds those beside the Django fields.
"""

from django.db import models


class SearchDocument(models.Model):
    product = models.OneToOneField("catalog.Product", primary_key=True, on_delete=models.CASCADE, related_name="+")
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    # The leaf category; the facet rolls counts up the cached tree.
    category = models.ForeignKey("catalog.Category", on_delete=models.DO_NOTHING, db_constraint=False,
                                 db_index=False, related_name="+")
    country = models.CharField(max_length=2)
    in_stock = models.BooleanField(default=False)
    # The product's lowest price in the platform currency (``Product.sort_price``).
    sort_price = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    created_at = models.DateTimeField()
    # Units sold in orders that were not cancelled or expired; refreshed by a timer.
    sales = models.PositiveIntegerField(default=0)
    # Category, country and stock state as one number (``rules.facet_key``): a broad search groups its
    # tens of thousands of matches by two integers instead of four columns.
    facet_key = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"#{self.product_id}"


class SearchTerm(models.Model):
    """A Latin-script word seen in titles, categories or store names: completions and spelling fixes.

    Words are added as products are indexed and only dropped by a full rebuild, so a word may outlive
    the last product that used it; a suggestion then finds nothing, never something hidden.
    """

    word = models.CharField(max_length=40, unique=True)

    def __str__(self) -> str:
        return self.word
