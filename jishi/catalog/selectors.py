"""Reads for the catalogue: the category tree (cached) and listings of visible products."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, F, Prefetch, Q, Sum
from django.utils.translation import gettext as _

from jishi.catalog.models import Category, Product, ProductImage, ProductStatus, ProductTranslation, Variant
from jishi.core.errors import NotFound
from jishi.core.ids import parse_id
from jishi.core.memo import SharedVersionMemo
from jishi.stores.models import Store, StoreStatus
from jishi.stores.selectors import StoreAccess, member_access

CATEGORY_TREE: SharedVersionMemo[CategoryTree] = SharedVersionMemo("catalog:category-tree:token")
# Moves with everything storefront pages show of products (text, prices, stock, pictures, visibility):
# cached pages key on it (``web.page_cache``). Every catalogue write calls ``listings_changed``.
LISTINGS: SharedVersionMemo[None] = SharedVersionMemo("catalog:listings:token")


@dataclass
class CategoryTree:
    by_id: dict[int, Category]
    children: dict[int | None, list[Category]] = field(default_factory=dict)
    slugs: dict[str, Category] = field(default_factory=dict)

    @property
    def roots(self) -> list[Category]:
        return self.children.get(None, [])

    def by_slug(self, slug: str) -> Category | None:
        return self.slugs.get(slug)

    def ancestors(self, category: Category) -> list[Category]:
        chain = []
        node = self.by_id.get(category.parent_id) if category.parent_id else None
        while node is not None:
            chain.append(node)
            node = self.by_id.get(node.parent_id) if node.parent_id else None
        return list(reversed(chain))

    def root_of(self, category: Category) -> Category:
        return (self.ancestors(category) or [category])[0]

    def listing_filter(self, category: Category) -> dict:
        """How to select a category's products: a top-level one by its own index, others by leaves."""
        if category.parent_id is None:
            return {"category_root_id": category.id}
        return {"category_ids": self.descendant_ids(category)}

    def descendant_ids(self, category: Category) -> list[int]:
        ids, stack = [], [category]
        while stack:
            node = stack.pop()
            ids.append(node.id)
            stack.extend(self.children.get(node.id, []))
        return ids


def _build_tree() -> CategoryTree:
    categories = list(Category.objects.all())
    tree = CategoryTree(by_id={c.id: c for c in categories}, slugs={c.slug: c for c in categories})
    for c in categories:
        tree.children.setdefault(c.parent_id, []).append(c)
    return tree


def get_category_tree() -> CategoryTree:
    """The whole category tree; built once per process and rebuilt after ``invalidate_category_tree``."""
    return CATEGORY_TREE.get(_build_tree)


def invalidate_category_tree() -> None:
    CATEGORY_TREE.invalidate()


def listings_changed() -> None:
    """Products shown on the storefront changed: cached pages are stale once the transaction commits."""
    LISTINGS.invalidate_on_commit()


# --- a store's own catalogue (tenant-scoped) -------------------------------------------------------


def _product_not_found() -> NotFound:
    return NotFound("product.not_found", _("Product not found."))


def _variant_not_found() -> NotFound:
    return NotFound("variant.not_found", _("Variant not found."))


def _image_not_found() -> NotFound:
    return NotFound("image.not_found", _("Image not found."))


def access_product(*, access, product_id) -> Product:
    """One of ``access.store``'s products in any status; other stores' products are not found."""
    product = Product.objects.filter(store=access.store, pk=parse_id(product_id)).first()
    if product is None:
        raise _product_not_found()
    return product


def access_variant(*, access, variant_id) -> Variant:
    variant = Variant.objects.select_related("product").filter(store=access.store, pk=parse_id(variant_id)).first()
    if variant is None:
        raise _variant_not_found()
    return variant


def access_image(*, access, image_id) -> ProductImage:
    image = ProductImage.objects.filter(product__store=access.store, pk=parse_id(image_id)).first()
    if image is None:
        raise _image_not_found()
    return image


# The API names a product, variant or image by its id alone: these find its store, then ask whether the
# caller is a member whose role allows ``action``. Outsiders get the thing's not-found (they cannot tell it
# exists), members whose role falls short ``store.role_required`` (403).


def _store_member(user, store_id, action: str, not_found: NotFound) -> StoreAccess:
    access = member_access(user=user, store_id=store_id)
    if access is None:
        raise not_found
    access.require(action)
    return access


def access_member_product(*, user, product_id, action: str = "edit_catalog") -> tuple[StoreAccess, Product]:
    store_id = Product.objects.filter(pk=parse_id(product_id)).values_list("store_id", flat=True).first()
    access = _store_member(user, store_id, action, _product_not_found())
    return access, access_product(access=access, product_id=product_id)


def access_member_variant(*, user, variant_id, action: str = "edit_catalog") -> tuple[StoreAccess, Variant]:
    store_id = Variant.objects.filter(pk=parse_id(variant_id)).values_list("store_id", flat=True).first()
    access = _store_member(user, store_id, action, _variant_not_found())
    return access, access_variant(access=access, variant_id=variant_id)


def access_member_image(*, user, image_id, action: str = "edit_catalog") -> tuple[StoreAccess, ProductImage]:
    store_id = (ProductImage.objects.filter(pk=parse_id(image_id))
                .values_list("product__store_id", flat=True).first())
    access = _store_member(user, store_id, action, _image_not_found())
    return access, access_image(access=access, image_id=image_id)


def count_store_products(*, store) -> dict:
    """A store's products by status (``active``, ``draft``, ``archived``) and its units in ``stock``."""
    return Product.objects.filter(store=store).aggregate(
        active=Count("id", filter=Q(status=ProductStatus.ACTIVE)),
        draft=Count("id", filter=Q(status=ProductStatus.DRAFT)),
        archived=Count("id", filter=Q(status=ProductStatus.ARCHIVED)),
        stock=Sum("stock_total"))


def list_store_products(*, store, status: str | None = None, title: str | None = None):
    """A store's own products in any status, recently edited first."""
    queryset = Product.objects.filter(store=store)
    if status:
        queryset = queryset.filter(status=status)
    if title:
        matching = ProductTranslation.objects.filter(product__store=store, title__icontains=title.strip()[:100])
        queryset = queryset.filter(id__in=matching.values("product_id"))
    return queryset.order_by("-updated_at", "-id")


def leaf_category_choices(language: str) -> list[tuple[str, list[tuple[int, str]]]]:
    """Leaf categories grouped under their parent's name, for a select box."""
    tree = get_category_tree()
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    for root in tree.roots:
        for child in tree.children.get(root.id, []):
            leaves = tree.children.get(child.id, [])
            if leaves:
                groups.append((f"{root.name_in(language)} › {child.name_in(language)}",
                               [(leaf.id, leaf.name_in(language)) for leaf in leaves]))
    return groups


# --- public listings ------------------------------------------------------------------------------
# A product is visible when it is active and its store is active: a suspended store's products vanish
# from every public page and API at once, with no rows rewritten.

SORTS = {
    "newest": ("-created_at", "-id"),
    "price_asc": ("sort_price", "id"),
    "price_desc": ("-sort_price", "-id"),
}


# Within a few leaf categories the matching rows are few, so sorting them costs a few milliseconds
# every time; walking the global price index instead is fast or slow depending on where the category's
# prices lie (48 ms for cheap clothing sorted by descending price at 100,000 products). An expression
# keeps the database from walking that index; the order is the same.
SORTED_BY_VALUE = {
    "price_asc": ((F("sort_price") + 0).asc(), "id"),
    "price_desc": ((F("sort_price") + 0).desc(), "-id"),
}


def _hidden_store_ids():
    return Store.objects.exclude(status=StoreStatus.ACTIVE).values("id")


def visible_products():
    """Active products of active stores (hidden stores are few: "not one of them" stays index-only)."""
    return Product.objects.filter(status=ProductStatus.ACTIVE).exclude(store_id__in=_hidden_store_ids())


def _filtered(queryset, *, category_ids=None, category_root_id=None, store_id=None, title=None):
    if category_root_id is not None:
        queryset = queryset.filter(category_root_id=category_root_id)
    if category_ids:
        queryset = queryset.filter(category_id__in=category_ids)
    if store_id is not None:
        queryset = queryset.filter(store_id=store_id)
    if title:
        matching = ProductTranslation.objects.filter(title__icontains=title.strip()[:100]).values("product_id")
        queryset = queryset.filter(id__in=matching)
    return queryset


def list_visible_products(*, category_ids: list[int] | None = None, category_root_id: int | None = None,
                          store_id: int | None = None, title: str | None = None, sort: str = "newest"):
    """Visible products, newest first or by price (compared in the platform currency)."""
    queryset = _filtered(visible_products(), category_ids=category_ids, category_root_id=category_root_id,
                         store_id=store_id, title=title)
    ordering = SORTS.get(sort, SORTS["newest"])
    if category_ids and sort in SORTED_BY_VALUE:
        ordering = SORTED_BY_VALUE[sort]
    return queryset.select_related("store").order_by(*ordering)


def count_visible_products(*, category_ids: list[int] | None = None, category_root_id: int | None = None,
                           store_id: int | None = None, title: str | None = None) -> int:
    """How many products ``list_visible_products`` would list with the same filters.

    Counted as active products minus those of hidden stores: each count reads one index, where
    checking every product's store would read every row (100 ms instead of 5 at 100,000 products).
    """
    active = _filtered(Product.objects.filter(status=ProductStatus.ACTIVE), category_ids=category_ids,
                       category_root_id=category_root_id, store_id=store_id, title=title)
    return active.count() - active.filter(store_id__in=_hidden_store_ids()).count()


@dataclass
class ProductCard:
    """What a listing shows of one product: its title in the shopper's language and a thumbnail."""

    product: object
    title: str
    thumbnail_url: str

    @property
    def store(self):
        return self.product.store


def pick_translation(translations: list, language: str, default_language: str):
    """The translation in ``language``, else the product's main language, else English, else any."""
    by_language = {t.language: t for t in translations}
    for choice in (language, default_language, "en"):
        if choice in by_language:
            return by_language[choice]
    return translations[0] if translations else None


class _Title(NamedTuple):
    """What a card reads of a translation."""

    language: str
    title: str


def build_cards(products: list, language: str, *, thumbnails: bool = True) -> list[ProductCard]:
    """Titles and first images for a page of products in two queries (one without ``thumbnails``),
    whatever the page size."""

    ids = [p.id for p in products]
    translations: dict[int, list] = {}
    for product_id, language_code, title in ProductTranslation.objects.filter(product_id__in=ids).values_list(
            "product_id", "language", "title"):
        translations.setdefault(product_id, []).append(_Title(language_code, title))
    thumbs: dict[int, str] = {}
    if thumbnails:  # (without, not even an empty queryset: building one costs as much as a small query)
        for image in (ProductImage.objects.filter(product_id__in=ids).order_by("product_id", "position", "id")
                      .only("product_id", "thumbnail")):
            thumbs.setdefault(image.product_id, image.thumbnail.url)
    cards = []
    for product in products:
        chosen = pick_translation(translations.get(product.id, []), language, product.default_language)
        cards.append(ProductCard(product=product, title=chosen.title if chosen else f"#{product.id}",
                                 thumbnail_url=thumbs.get(product.id, "")))
    return cards


def get_product_detail(*, product_id: int) -> Product:
    """A product the caller has already been let see (visible, or theirs as a member), with its store,
    translations, variants and images."""
    return (Product.objects.select_related("store").prefetch_related("translations", "variants", "images")
            .get(pk=product_id))


def get_visible_product(*, product_id: int):
    """A visible product with its store, variants, images and translations, or None."""
    return (visible_products().filter(pk=product_id)
            .select_related("store", "store__base_currency", "category")
            .prefetch_related(Prefetch("variants", queryset=Variant.objects.order_by("position", "id")),
                              Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
                              "translations")
            .first())


def list_featured_stores(*, limit: int = 8) -> list:
    """Stores the operator features first, then the newest: one indexed query, no counting."""
    return list(Store.objects.filter(status=StoreStatus.ACTIVE).order_by("-is_featured", "-created_at")[:limit])


# --- variants as a shopper buys them (cart and checkout) -------------------------------------------


@dataclass
class VariantForSale:
    """A variant with what a cart line or an order line shows of it, and whether it can be bought now."""

    variant: Variant
    title: str
    thumbnail_url: str

    @property
    def product(self) -> Product:
        return self.variant.product

    @property
    def store(self) -> Store:
        return self.variant.product.store

    @property
    def is_for_sale(self) -> bool:
        return self.product.status == ProductStatus.ACTIVE and self.store.status == StoreStatus.ACTIVE


def get_variants_for_sale(variant_ids, language: str, *, thumbnails: bool = True) -> dict[int, VariantForSale]:
    """The variants with ids in ``variant_ids`` (any status), keyed by id, each with its product and store
    and its title in ``language`` (else the product's language, else English, else any): one query whatever
    their number, two with ``thumbnails`` (not needed when an order is placed)."""
    ids = sorted({parse_id(variant_id) for variant_id in variant_ids} - {0})  # (ids out of range find nothing)
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_variants_for_sale_sql(len(ids)), [language, "en", *ids])
        rows = cursor.fetchall()
    items = {}
    for row in rows:
        variant, product, store = (columns.load(row) for columns in _for_sale_columns())
        product.store = store
        variant.product = product
        title = row[-1]
        items[variant.id] = VariantForSale(variant=variant, title=title if title is not None else f"#{product.id}",
                                           thumbnail_url="")
    if thumbnails and items:
        thumbs = _first_thumbnails({item.variant.product_id for item in items.values()})
        for item in items.values():
            item.thumbnail_url = thumbs.get(item.variant.product_id, "")
    return items


def _first_thumbnails(product_ids) -> dict[int, str]:
    thumbs: dict[int, str] = {}
    for image in (ProductImage.objects.filter(product_id__in=list(product_ids)).order_by("product_id", "position", "id")
                  .only("product_id", "thumbnail")):
        thumbs.setdefault(image.product_id, image.thumbnail.url)
    return thumbs


class _Columns:
    """One model's columns in a hand-written query: where they start in the row, and how each value is
    turned into its Python value (the database's and the field's converters, as the ORM applies them)."""

    def __init__(self, model, alias: str, start: int):
        self.model, self.alias, self.start = model, alias, start
        self.fields = model._meta.concrete_fields
        self.names = [f.attname for f in self.fields]
        self.stop = start + len(self.fields)

    def sql(self) -> str:
        return ", ".join(f'{self.alias}."{f.column}"' for f in self.fields)

    def load(self, row):
        values = list(row[self.start:self.stop])
        for index, converters in _converters(self).items():
            value = values[index]
            for converter, column in converters:
                value = converter(value, column, connection)
            values[index] = value
        return self.model.from_db(connection.alias, self.names, values)


_CONVERTERS: dict[tuple, dict[int, list]] = {}


def _converters(columns: _Columns) -> dict[int, list]:
    key = (columns.model, connection.vendor)
    found = _CONVERTERS.get(key)
    if found is None:
        found = {}
        for index, f in enumerate(columns.fields):
            column = f.get_col(columns.model._meta.db_table)
            chain = connection.ops.get_db_converters(column) + f.get_db_converters(connection)
            if chain:
                found[index] = [(converter, column) for converter in chain]
        _CONVERTERS[key] = found
    return found


@functools.cache
def _for_sale_columns() -> tuple[_Columns, _Columns, _Columns]:
    variants = _Columns(Variant, "v", 0)
    products = _Columns(Product, "p", variants.stop)
    return variants, products, _Columns(Store, "s", products.stop)


def _variants_for_sale_sql(count: int) -> str:
    """Variants with their product and store (all columns, as ``select_related`` reads them) and the chosen
    title. Written out: carts and checkouts run it on every request, and the ORM spends several times the
    CPU building it (and a second query for the titles)."""
    variants, products, stores = _for_sale_columns()
    # The title as ``pick_translation`` chooses it: the shopper's language, the product's, English, any.
    translation = (f'(SELECT t."title" FROM "{ProductTranslation._meta.db_table}" t '  # noqa: S608  (our own names)
                   'WHERE t."product_id" = p."id"{} ORDER BY t."id" LIMIT 1)')
    title = "COALESCE({})".format(", ".join(translation.format(condition) for condition in (
        ' AND t."language" = %s', ' AND t."language" = p."default_language"', ' AND t."language" = %s', "")))
    return (f"SELECT {variants.sql()}, {products.sql()}, {stores.sql()}, {title} "  # noqa: S608  (our own names)
            f'FROM "{Variant._meta.db_table}" v INNER JOIN "{Product._meta.db_table}" p ON p."id" = v."product_id" '
            f'INNER JOIN "{Store._meta.db_table}" s ON s."id" = p."store_id" '
            f'WHERE v."id" IN ({", ".join(["%s"] * count)})')

