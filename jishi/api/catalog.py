"""Categories, products, variants and images."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.utils import translation
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from jishi.api.auth import optional_user
from jishi.api.schemas import CountryOrBlank, ErrorOut, Language, checked, one_of
from jishi.catalog import services
from jishi.catalog.models import Product, ProductStatus, Variant
from jishi.catalog.rules import MAX_PRICE, MAX_STOCK, MAX_WEIGHT_GRAMS
from jishi.catalog.search import SearchParams, clean_words, search_products
from jishi.catalog.selectors import (
    access_member_image,
    access_member_product,
    access_member_variant,
    build_cards,
    count_visible_products,
    get_category_tree,
    get_product_detail,
    get_visible_product,
    list_visible_products,
    pick_translation,
)
from jishi.core.errors import NotFound
from jishi.money.rules import quantize
from jishi.stores.selectors import access_store, get_public_store

router = Router(tags=["catalogue"])


class CategoryOut(Schema):
    id: int
    slug: str
    name: str
    names: dict[str, str]
    parent_id: int | None
    children: list[CategoryOut] = []


class TranslationIn(Schema):
    language: Language
    title: str = Field("", max_length=1000)
    description: str = Field("", max_length=40000)


# The upper limits the spec states are the catalogue's own, checked by the service (its translated message,
# a 422 naming the field).
Price = Annotated[Decimal, Field(gt=0, json_schema_extra={"exclusiveMaximum": int(MAX_PRICE)},
                                 description="A decimal string, more than 0, in the store's currency.")]
Stock = Annotated[int, checked(schema={"minimum": 0, "maximum": MAX_STOCK})]
Grams = Annotated[int, checked(schema={"minimum": 0, "maximum": MAX_WEIGHT_GRAMS})]


class VariantIn(Schema):
    sku: str = Field(max_length=200)
    options: dict[str, str] = {}
    price: Price
    stock: Stock = 0
    weight_grams: Grams = 0
    hs_code: str = Field("", max_length=20)
    origin_country: CountryOrBlank = ""
    per_buyer_limit: int | None = checked(schema={"minimum": 1, "maximum": MAX_STOCK}, default=None,
                                          description="Units one buyer may hold in open orders; none: no limit.")


class VariantPatch(Schema):
    """Only the fields sent change; none of them may be null."""

    sku: str = Field(None, max_length=200)
    options: dict[str, str] = None
    price: Price = None
    stock: Stock = None
    weight_grams: Grams = None
    hs_code: str = Field(None, max_length=20)
    origin_country: CountryOrBlank = None
    per_buyer_limit: int = checked(schema={"minimum": 0, "maximum": MAX_STOCK}, default=None,
                                   description="Units one buyer may hold in open orders; 0: no limit.")


class ProductIn(Schema):
    category: str = Field(max_length=80, description="A leaf category's slug.")
    status: str = one_of(ProductStatus.values, default=ProductStatus.DRAFT, max_length=10)
    default_language: Language | None = None
    option_names: list[str] = Field([], max_length=10)
    translations: list[TranslationIn] = Field(max_length=20)
    variants: list[VariantIn] = Field(max_length=1000)


class ProductPatch(Schema):
    """Only the fields sent change; none of them may be null."""

    category: str = Field(None, max_length=80)
    status: str = one_of(ProductStatus.values, default=None, max_length=10)
    default_language: Language = None
    option_names: list[str] = Field(None, max_length=10)
    translations: list[TranslationIn] = Field(None, max_length=20)


class StockIn(Schema):
    stock: Stock


class StoreRef(Schema):
    slug: str
    name: str
    country: str


class ProductSummaryOut(Schema):
    id: int
    title: str
    store: StoreRef
    category: str
    status: str
    price_min: Decimal | None
    price_max: Decimal | None
    currency: str
    stock_total: int
    thumbnail_url: str | None
    created_at: dt.datetime


class ProductPage(Schema):
    items: list[ProductSummaryOut]
    page: int
    page_size: int
    total: int
    # Only with words in `q`, which go through the search (see `/search` for the same fields).
    approximate_total: bool = Field(False, description="The total is an estimate: many products match the words.")
    corrected_query: str | None = Field(None, description="Searched instead of `q`, which found nothing.")


class TranslationOut(Schema):
    language: str
    title: str
    description: str


class VariantOut(Schema):
    id: int
    sku: str
    options: dict[str, str]
    price: Decimal
    currency: str
    stock: int
    weight_grams: int
    hs_code: str
    origin_country: str
    per_buyer_limit: int | None = None


class ImageOut(Schema):
    id: int
    url: str
    thumbnail_url: str
    width: int
    height: int


class ProductOut(ProductSummaryOut):
    default_language: str
    option_names: list[str]
    translations: list[TranslationOut]
    variants: list[VariantOut]
    images: list[ImageOut]
    updated_at: dt.datetime


class ListQuery(Schema):
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(24, ge=1, le=100)
    category: str | None = Field(None, max_length=80)
    store: str | None = Field(None, max_length=60)
    q: str | None = Field(None, max_length=100)
    sort: Literal["newest", "price_asc", "price_desc"] = "newest"


def _language(request) -> str:
    return translation.get_language() or "en"


def _category_out(tree, node, language: str) -> CategoryOut:
    return CategoryOut(id=node.id, slug=node.slug, name=node.name_in(language), names=node.names,
                       parent_id=node.parent_id,
                       children=[_category_out(tree, c, language) for c in tree.children.get(node.id, [])])


def _summary(card, tree) -> dict:
    product = card.product
    category = tree.by_id.get(product.category_id)
    return {"id": product.id, "title": card.title,
            "store": {"slug": product.store.slug, "name": product.store.name, "country": product.store.country},
            "category": category.slug if category else "", "status": product.status,
            "price_min": _amount(product.price_min, product.currency),
            "price_max": _amount(product.price_max, product.currency), "currency": product.currency,
            "stock_total": product.stock_total, "thumbnail_url": card.thumbnail_url or None,
            "created_at": product.created_at}


def _amount(value, currency: str) -> Decimal | None:
    """Amounts leave the API in the currency's minor units (JPY 1200, USD 12.00), as strings."""
    return None if value is None else quantize(value, currency)


def _variant_out(variant: Variant) -> VariantOut:
    out = VariantOut.from_orm(variant)
    out.price = _amount(variant.price, variant.currency)
    return out


def _detail(request, product: Product) -> ProductOut:
    card = build_cards([product], _language(request))[0]
    translations = list(product.translations.all())
    chosen = pick_translation(translations, _language(request), product.default_language)
    card.title = chosen.title if chosen else card.title
    return ProductOut(**_summary(card, get_category_tree()), default_language=product.default_language,
                      option_names=product.option_names,
                      translations=[TranslationOut(language=t.language, title=t.title, description=t.description)
                                    for t in translations],
                      variants=[_variant_out(v) for v in product.variants.all()],
                      images=[ImageOut(id=i.id, url=i.image.url, thumbnail_url=i.thumbnail.url, width=i.width,
                                       height=i.height) for i in product.images.all()],
                      updated_at=product.updated_at)


@router.get("/categories", auth=None, response=list[CategoryOut])
def list_categories(request):
    """The category tree; products go in leaf categories."""
    tree = get_category_tree()
    return [_category_out(tree, root, _language(request)) for root in tree.roots]


@router.get("/products", auth=None, response={200: ProductPage, 404: ErrorOut, 422: ErrorOut})
def list_products(request, filters: Query[ListQuery]):
    """Visible products (active, in active stores), newest first or by price across currencies. Words in `q`
    are searched like `/search` does (titles, descriptions, categories, store names; stemmed and segmented),
    except within one `store`, where they match the titles."""
    tree = get_category_tree()
    where: dict = {}
    if filters.category:
        node = tree.by_slug(filters.category)
        if node is None:
            raise NotFound("category.not_found", "Unknown category.")
        where = tree.listing_filter(node)
    store_id = None
    if filters.store:
        store = get_public_store(slug=filters.store)
        if store is None:
            raise NotFound("store.not_found", "Store not found.")
        store_id = store.id
    words = clean_words(filters.q or "")
    if words and store_id is None:
        # Words go through the search index (stemmed, segmented, every language), not a title scan.
        found = search_products(params=SearchParams(q=words, category=filters.category or "", sort=filters.sort,
                                                    page=filters.page, page_size=filters.page_size),
                                language=_language(request), currency="")
        return ProductPage(items=[_summary(hit.card, tree) for hit in found.hits], page=found.page.number,
                           page_size=filters.page_size, total=found.page.total,
                           approximate_total=found.approximate_total, corrected_query=found.corrected)
    queryset = list_visible_products(store_id=store_id, title=filters.q, sort=filters.sort, **where)
    total = count_visible_products(store_id=store_id, title=filters.q, **where)
    start = (filters.page - 1) * filters.page_size
    cards = build_cards(list(queryset[start:start + filters.page_size]), _language(request))
    return ProductPage(items=[_summary(c, tree) for c in cards], page=filters.page, page_size=filters.page_size,
                       total=total)


@router.post("/stores/{slug}/products", response={201: ProductOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                                  422: ErrorOut})
def create_product(request, slug: str, payload: ProductIn):
    """Create a product with its translations and variants in one step (nothing is saved on any error)."""
    access = access_store(user=request.auth, slug=slug, action="edit_catalog")
    product = services.create_product(
        access=access, category=payload.category, status=payload.status, default_language=payload.default_language,
        option_names=payload.option_names, translations=[t.dict() for t in payload.translations],
        variants=[v.dict() for v in payload.variants])
    return 201, _detail(request, get_product_detail(product_id=product.id))


@router.get("/products/{product_id}", auth=None, response={200: ProductOut, 404: ErrorOut})
def get_product(request, product_id: int):
    """A visible product; members of its store see it in any status."""
    product = get_visible_product(product_id=product_id)
    if product is None:
        _, hidden = access_member_product(user=optional_user(request), product_id=product_id, action="view_store")
        product = get_product_detail(product_id=hidden.id)
    return _detail(request, product)


@router.patch("/products/{product_id}", response={200: ProductOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                                  422: ErrorOut})
def update_product(request, product_id: int, payload: ProductPatch):
    access, product = access_member_product(user=request.auth, product_id=product_id)
    data = payload.dict(exclude_unset=True)
    if "translations" in data:
        data["translations"] = [dict(t) for t in data["translations"]]
    if set(data) == {"status"}:
        services.set_product_status(access=access, product=product, status=data["status"])
    else:
        services.update_product(access=access, product=product, **data)
    return _detail(request, get_product_detail(product_id=product_id))


@router.delete("/products/{product_id}", response={204: None, 403: ErrorOut, 404: ErrorOut})
def delete_product(request, product_id: int):
    access, product = access_member_product(user=request.auth, product_id=product_id, action="delete_products")
    services.delete_product(access=access, product=product)
    return 204, None


@router.post("/products/{product_id}/variants", response={201: VariantOut, 403: ErrorOut, 404: ErrorOut,
                                                          409: ErrorOut, 422: ErrorOut})
def add_variant(request, product_id: int, payload: VariantIn):
    access, product = access_member_product(user=request.auth, product_id=product_id)
    return 201, _variant_out(services.add_variant(access=access, product=product, data=payload.dict()))


@router.patch("/variants/{variant_id}", response={200: VariantOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                                  422: ErrorOut})
def update_variant(request, variant_id: int, payload: VariantPatch):
    access, variant = access_member_variant(user=request.auth, variant_id=variant_id)
    return _variant_out(services.update_variant(access=access, variant=variant, data=payload.dict(exclude_unset=True)))


@router.put("/variants/{variant_id}/stock", response={200: VariantOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def set_stock(request, variant_id: int, payload: StockIn):
    """Set the stock count of one SKU."""
    access, variant = access_member_variant(user=request.auth, variant_id=variant_id)
    return _variant_out(services.set_stock(access=access, variant=variant, stock=payload.stock))


@router.delete("/variants/{variant_id}", response={204: None, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def delete_variant(request, variant_id: int):
    access, variant = access_member_variant(user=request.auth, variant_id=variant_id)
    services.delete_variant(access=access, variant=variant)
    return 204, None


@router.post("/products/{product_id}/images", response={201: ImageOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                                        422: ErrorOut})
def upload_image(request, product_id: int, image: File[UploadedFile]):
    """Upload a JPEG, PNG, WebP or GIF (up to 5 MB by default); a thumbnail is made at once."""
    access, product = access_member_product(user=request.auth, product_id=product_id)
    saved = services.add_image(access=access, product=product, upload=image)
    return 201, ImageOut(id=saved.id, url=saved.image.url, thumbnail_url=saved.thumbnail.url, width=saved.width,
                         height=saved.height)


@router.delete("/images/{image_id}", response={204: None, 403: ErrorOut, 404: ErrorOut})
def delete_image(request, image_id: int):
    access, image = access_member_image(user=request.auth, image_id=image_id)
    services.remove_image(access=access, image=image)
    return 204, None
