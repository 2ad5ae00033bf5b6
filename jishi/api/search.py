"""Full-text search with facets: the results page's data, for integrators."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from django.utils import translation
from ninja import Query, Router, Schema
from pydantic import Field

from jishi.api.catalog import ProductSummaryOut, _summary
from jishi.api.schemas import ErrorOut
from jishi.catalog.search import MAX_PAGE_SIZE, PER_PAGE, SearchParams, clean_words, search_products
from jishi.catalog.selectors import get_category_tree
from jishi.core.countries import country_name
from jishi.money.rules import quantize
from jishi.search.rules import APPROXIMATE_FROM

router = Router(tags=["search"])


class SearchQuery(Schema):
    q: str = Field("", max_length=200, description="Words to find, in any language; no query syntax.")
    category: str = Field("", max_length=80, description="A category slug: products in it or below it.")
    country: str = Field("", max_length=2, description="The store's country (ISO 3166 alpha-2).")
    in_stock: bool = False
    price_min: Decimal | None = Field(None, ge=0, lt=Decimal("1e12"), description="Lowest price, in `currency`.")
    price_max: Decimal | None = Field(None, ge=0, lt=Decimal("1e12"), description="Prices below this, in `currency`.")
    currency: str = Field("", max_length=3, description="Currency of the price filter and bands; default: yours.")
    sort: Literal["relevance", "newest", "price_asc", "price_desc", "best_selling"] | None = Field(
        None, description="Default: relevance with words, newest without. Best selling falls back to newest.")
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(PER_PAGE, ge=1, le=MAX_PAGE_SIZE)


class SearchItemOut(ProductSummaryOut):
    title_highlighted: str = Field(description="The title as HTML (escaped), matched words in <mark>.")


class CategoryCountOut(Schema):
    slug: str
    name: str
    count: int


class CategoryRefOut(Schema):
    slug: str
    name: str


class CountryCountOut(Schema):
    code: str
    name: str
    count: int


class PriceBandOut(Schema):
    min: Decimal | None = Field(description="Inclusive; none: no lower bound.")
    max: Decimal | None = Field(description="Exclusive; none: no upper bound.")
    count: int


class FacetsOut(Schema):
    categories: list[CategoryCountOut] = Field(description="Subcategories of the chosen one (or the top level).")
    category_trail: list[CategoryRefOut] = Field(description="The chosen category and its ancestors, top first.")
    countries: list[CountryCountOut]
    price: list[PriceBandOut]
    in_stock: int


class SearchPage(Schema):
    items: list[SearchItemOut]
    page: int
    page_size: int
    total: int
    approximate: bool = Field(description=f"More than {APPROXIMATE_FROM:,} products match the words: the facet "
                                          "counts are estimates from a sample, to two significant figures.")
    approximate_total: bool = Field(description="The total is such an estimate too (when a filter is chosen, "
                                                "or when the backend cannot count the matches cheaply).")
    currency: str = Field(description="Currency of the price filter and the price bands.")
    sort: str
    corrected_query: str | None = Field(description="Searched instead of `q`, which found nothing.")
    did_you_mean: str | None = Field(description="A spelling that might find something (nothing was found).")
    related_categories: list[CategoryRefOut]
    facets: FacetsOut


def _language() -> str:
    return translation.get_language() or "en"


@router.get("/search", auth=None, response={200: SearchPage, 422: ErrorOut})
def search(request, filters: Query[SearchQuery]):
    """Visible products matching `q` (title, description, category, store name, options; English is stemmed,
    Chinese segmented), with facet counts: each facet counts the matches passing every *other* filter."""
    language = _language()
    params = SearchParams(q=clean_words(filters.q),
                          category=filters.category.strip(), country=filters.country.strip().upper(),
                          in_stock=filters.in_stock, price_min=filters.price_min, price_max=filters.price_max,
                          sort=filters.sort or "", page=filters.page, page_size=filters.page_size)
    currency = filters.currency.strip().upper() or getattr(request, "display_currency", "")
    found = search_products(params=params, language=language, currency=currency)
    tree = get_category_tree()
    items = [SearchItemOut(**_summary(hit.card, tree), title_highlighted=str(hit.title_html)) for hit in found.hits]
    facets = found.facets
    chinese = "zh_Hans" if language == "zh-hans" else "en"
    return SearchPage(
        items=items, page=found.page.number, page_size=params.page_size, total=found.page.total,
        approximate=found.approximate, approximate_total=found.approximate_total,
        currency=found.currency, sort=found.sort, corrected_query=found.corrected, did_you_mean=found.did_you_mean,
        related_categories=[CategoryRefOut(slug=c.slug, name=c.name_in(language)) for c in found.related],
        facets=FacetsOut(
            categories=[CategoryCountOut(slug=c.category.slug, name=c.category.name_in(language), count=c.count)
                        for c in facets.categories],
            category_trail=[CategoryRefOut(slug=c.slug, name=c.name_in(language)) for c in facets.trail],
            countries=[CountryCountOut(code=c.code, name=country_name(c.code, chinese), count=c.count)
                       for c in facets.countries],
            price=[PriceBandOut(min=None if b.low is None else quantize(b.low, found.currency),
                                max=None if b.high is None else quantize(b.high, found.currency), count=b.count)
                   for b in facets.prices],
            in_stock=facets.in_stock))
