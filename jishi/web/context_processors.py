"""What every page's header needs, computed lazily so pages that do not show it pay nothing."""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import SimpleLazyObject


def marketplace(request):
    def my_stores():
        if not request.user.is_authenticated:
            return []
        from jishi.stores.selectors import list_stores_for_member

        return list_stores_for_member(user=request.user)

    def top_categories():
        from jishi.catalog.selectors import get_category_tree

        return get_category_tree().roots

    def currencies():
        from jishi.money.selectors import list_currency_codes

        return list_currency_codes()

    def cart_count():
        from jishi.web.views.cart import header_cart_count

        return header_cart_count(request)

    shared = {}
    if getattr(request, "page_cache_rendering", False):
        # A page for the shared cache: each visitor's own token replaces this when it is served.
        from jishi.web.page_cache import CSRF_PLACEHOLDER

        shared["csrf_token"] = CSRF_PLACEHOLDER
    return {
        **shared,
        "site_name": settings.SITE_NAME,
        "cart_count": SimpleLazyObject(cart_count),
        "display_currency": getattr(request, "display_currency", settings.DEFAULT_DISPLAY_CURRENCY),
        "currency_codes": SimpleLazyObject(currencies),
        "my_stores": SimpleLazyObject(my_stores),
        "top_categories": SimpleLazyObject(top_categories),
    }
