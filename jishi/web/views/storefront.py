"""Public pages: home, category listings, all products (searched through ``views.search``), product page, store page."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import translation

from jishi.catalog.search import parse_search_params
from jishi.catalog.selectors import (
    SORTS,
    build_cards,
    count_visible_products,
    get_category_tree,
    get_visible_product,
    list_featured_stores,
    list_visible_products,
    pick_translation,
)
from jishi.core.pagination import paginate, parse_page_number
from jishi.stores.selectors import get_public_store
from jishi.web.page_cache import cached_page
from jishi.web.views import search

PER_PAGE = 24


def _language() -> str:
    return translation.get_language() or "en"


def _listing(request, **filters) -> dict:
    queryset = list_visible_products(sort=_sort(request), **filters)
    page = paginate(queryset, page=parse_page_number(request.GET.get("page")), per_page=PER_PAGE,
                    total=count_visible_products(**filters))
    return {"page": page, "cards": build_cards(page.items, _language()), "sort": _sort(request),
            "sorts": SORT_LABELS}


def _sort(request) -> str:
    sort = request.GET.get("sort", "newest")
    return sort if sort in SORTS else "newest"


SORT_LABELS = [("newest", translation.gettext_lazy("Newest")),
               ("price_asc", translation.gettext_lazy("Price: low to high")),
               ("price_desc", translation.gettext_lazy("Price: high to low"))]


@cached_page
def home(request):
    tree = get_category_tree()
    arrivals = list(list_visible_products(sort="newest")[:15])
    return render(request, "web/storefront/home.html", {
        "tree": tree,
        "roots": [(root, tree.children.get(root.id, [])[:4]) for root in tree.roots],
        "arrivals": build_cards(arrivals, _language()),
        "stores": list_featured_stores(limit=8),
    })


@cached_page
def category(request, slug: str):
    tree = get_category_tree()
    node = tree.by_slug(slug)
    if node is None:
        raise Http404("No such category")
    return render(request, "web/storefront/category.html", {
        "category": node, "ancestors": tree.ancestors(node), "children": tree.children.get(node.id, []),
        **_listing(request, **tree.listing_filter(node)),
    })


@cached_page
def product_list(request):
    """All products; with words or filters, the search results page with its facets."""
    params = parse_search_params(request.GET)
    if params.q or params.filtered:
        return search.results(request, params)
    return render(request, "web/storefront/product_list.html", {"q": "", **_listing(request)})


def _variant_choice(request, product):
    """The variant the shopper picked by id (?variant=) or by option values (?size=M&colour=red)."""
    variants = list(product.variants.all())
    wanted_id = request.GET.get("variant", "")
    chosen = next((v for v in variants if str(v.id) == wanted_id), None)
    if chosen is None and product.option_names:
        picked = {name: request.GET.get(f"o_{index}") for index, name in enumerate(product.option_names)}
        if all(picked.values()):
            chosen = next((v for v in variants if all(v.options.get(k) == val for k, val in picked.items())), None)
            if chosen is None:
                return variants, None, picked
    if chosen is None:
        chosen = next((v for v in variants if v.stock > 0), variants[0] if variants else None)
    picked = {name: chosen.options.get(name) for name in product.option_names} if chosen else {}
    return variants, chosen, picked


def _option_axes(product, variants, picked) -> list[dict]:
    axes = []
    for index, name in enumerate(product.option_names):
        values: list[str] = []
        for variant in variants:
            value = variant.options.get(name)
            if value and value not in values:
                values.append(value)
        axes.append({"index": index, "name": name, "values": values, "picked": picked.get(name)})
    return axes


def _product_context(request, product_id: int) -> dict:
    product = get_visible_product(product_id=product_id)
    if product is None:
        raise Http404("No such product")
    variants, chosen, picked = _variant_choice(request, product)
    text = pick_translation(list(product.translations.all()), _language(), product.default_language)
    return {"product": product, "text": text, "variants": variants, "chosen": chosen,
            "axes": _option_axes(product, variants, picked), "images": list(product.images.all())}


@cached_page
def product(request, product_id: int):
    context = _product_context(request, product_id)
    tree = get_category_tree()
    node = tree.by_id.get(context["product"].category_id)
    context["ancestors"] = [*tree.ancestors(node), node] if node else []
    return render(request, "web/storefront/product.html", context)


def product_variant(request, product_id: int):
    """The htmx partial: price, SKU and availability of the variant the shopper picked."""
    return render(request, "web/partials/variant_panel.html", _product_context(request, product_id))


@cached_page
def store(request, slug: str):
    found = get_public_store(slug=slug)
    if found is None:
        raise Http404("No such store")
    return render(request, "web/storefront/store.html", {"store": found, **_listing(request, store_id=found.id)})


urlpatterns = [
    path("", home, name="home"),
    path("c/<slug:slug>/", category, name="category"),
    path("products/", product_list, name="product_list"),
    path("p/<int:product_id>/", product, name="product"),
    path("p/<int:product_id>/variant/", product_variant, name="product_variant"),
    path("s/<slug:slug>/", store, name="store"),
]
