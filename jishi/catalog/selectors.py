"""Reads for the catalogue: the category tree (cached) and listings of visible products."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, Prefetch

from jishi.catalog.models import Category, Product, ProductImage, ProductStatus, ProductTranslation, Variant
from jishi.core.errors import NotFound
from jishi.core.ids import parse_id
from jishi.core.memo import SharedVersionMemo
from jishi.stores.models import Store, StoreStatus

_TREE: SharedVersionMemo[CategoryTree] = SharedVersionMemo("catalog:category-tree:token")


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
    return _TREE.get(_build_tree)


def invalidate_category_tree() -> None:
    _TREE.invalidate()


# --- a store's own catalogue (tenant-scoped) -------------------------------------------------------


def access_product(*, access, product_id) -> Product:
    """One of ``access.store``'s products in any status; other stores' products are not found."""
    product = Product.objects.filter(store=access.store, pk=parse_id(product_id)).first()
    if product is None:
        raise NotFound("product.not_found", "Product not found.")
    return product


def access_variant(*, access, variant_id) -> Variant:
    variant = Variant.objects.select_related("product").filter(store=access.store, pk=parse_id(variant_id)).first()
    if variant is None:
        raise NotFound("variant.not_found", "Variant not found.")
    return variant


def access_image(*, access, image_id) -> ProductImage:
    image = ProductImage.objects.filter(product__store=access.store, pk=parse_id(image_id)).first()
    if image is None:
        raise NotFound("image.not_found", "Image not found.")
    return image


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


def build_cards(products: list, language: str, *, thumbnails: bool = True) -> list[ProductCard]:
    """Titles and first images for a page of products in two queries (one without ``thumbnails``),
    whatever the page size."""

    ids = [p.id for p in products]
    translations: dict[int, list] = {}
    for t in ProductTranslation.objects.filter(product_id__in=ids).only("product_id", "language", "title"):
        translations.setdefault(t.product_id, []).append(t)
    thumbs: dict[int, str] = {}
    images = ProductImage.objects.filter(product_id__in=ids) if thumbnails else ProductImage.objects.none()
    for image in images.order_by("product_id", "position", "id").only("product_id", "thumbnail"):
        thumbs.setdefault(image.product_id, image.thumbnail.url)
    cards = []
    for product in products:
        chosen = pick_translation(translations.get(product.id, []), language, product.default_language)
        cards.append(ProductCard(product=product, title=chosen.title if chosen else f"#{product.id}",
                                 thumbnail_url=thumbs.get(product.id, "")))
    return cards


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
    """The variants with ids in ``variant_ids`` (any status), keyed by id, in three queries whatever their
    number (two without ``thumbnails``, as when an order is placed)."""
    variants = list(Variant.objects.filter(id__in=list(variant_ids)).select_related("product", "product__store"))
    products = list({v.product_id: v.product for v in variants}.values())
    cards = {card.product.id: card for card in build_cards(products, language, thumbnails=thumbnails)}
    return {v.id: VariantForSale(variant=v, title=cards[v.product_id].title,
                                 thumbnail_url=cards[v.product_id].thumbnail_url) for v in variants}
