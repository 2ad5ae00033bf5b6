"""Search pages: the results page behind ``/products/?q=…`` and the suggestions under the search bar."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from jishi.catalog.search import SearchParams, search_products, suggest

SORT_LABELS = [("relevance", _("Best match")), ("newest", _("Newest")), ("best_selling", _("Best selling")),
               ("price_asc", _("Price: low to high")), ("price_desc", _("Price: high to low"))]


def _language() -> str:
    return translation.get_language() or "en"


def _link(params: SearchParams, **changes) -> str:
    """This search with some parameters changed (``None`` drops one); the page goes back to 1."""
    values = {"q": params.q, "category": params.category, "country": params.country,
              "in_stock": "1" if params.in_stock else "", "price_min": params.price_min, "price_max": params.price_max,
              "sort": params.sort, **changes}
    return "?" + urlencode({k: v for k, v in values.items() if v not in (None, "")})


def results(request, params: SearchParams):
    found = search_products(params=params, language=_language(),
                            currency=getattr(request, "display_currency", ""))
    facets = found.facets
    links = {
        "categories": [{"category": c.category, "count": c.count, "url": _link(params, category=c.category.slug)}
                       for c in facets.categories],
        "trail": [{"category": c, "url": _link(params, category=c.slug)} for c in facets.trail],
        "all_categories": _link(params, category=None),
        "countries": [{"code": c.code, "count": c.count, "selected": c.code == params.country,
                       "url": _link(params, country=None if c.code == params.country else c.code)}
                      for c in facets.countries],
        "in_stock": _link(params, in_stock=None if params.in_stock else "1"),
        "prices": [{"band": b, "url": _link(params, price_min=None, price_max=None) if b.selected
                    else _link(params, price_min=b.low, price_max=b.high)} for b in facets.prices if b.count],
        "clear": _link(SearchParams(q=params.q, sort=params.sort)),
        "page": _link(params) + "&page=",
    }
    return render(request, "web/search/results.html", {
        "found": found, "links": links, "q": params.q, "params": params, "page": found.page,
        "cards": [hit.card for hit in found.hits], "sort": found.sort, "sorts": SORT_LABELS,
        "filtered": params.filtered,
    })


def suggestions(request):
    """The htmx partial under the search bar, asked for as the shopper types (debounced in the page)."""
    raw = request.GET.get("q", "")
    found = suggest(raw if isinstance(raw, str) else "", language=_language())
    return render(request, "web/search/suggestions.html", {"suggestions": found})


urlpatterns = [
    path("search/suggestions/", suggestions, name="search_suggestions"),
]
