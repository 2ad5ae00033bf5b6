"""Storefront pages for anonymous shoppers, served from the shared cache (Redis, or local memory).

Who gets cached pages: a shopper who is not signed in and has nothing in the cart (nor a message waiting
to be shown), asking for an address whose query holds only parameters the storefront reads (``QUERY_NAMES``):
any other name would store a copy per made-up value, an easy way to fill the cache. Everyone else gets the page rendered for them, so the signed-in header and the cart count
are never stored: those shoppers are few next to the anonymous browsing that makes most of the traffic,
and pages stay as they are, usable without JavaScript. A visitor without a session cookie is recognised
without reading the session, so a cached page costs no database query at all. Under ``DEBUG`` (the
development server) nothing is cached: an edited template does not restart the process, and it would
otherwise keep serving the old page.

What a page depends on is in its key: the address (scheme, host, path and the whole query string, sorted:
every sort, page and filter), the language, the display currency, the ship-to country, the day (delivery
estimates), the release (templates, translations, static file names, the Python that builds markup) and the version tokens of everything
the storefront shows: products, stores, categories, exchange rates, shipping templates, import tax rules.
A change bumps
its token once its transaction commits (``SharedVersionMemo``), so the very next request on any web node
misses and renders afresh; entries of old tokens are never read again and expire.

CSRF tokens: the stored page holds a placeholder where each form's token goes, and serving it puts in the
visitor's own token (one byte replace), so no visitor ever receives another's token. Responses carry an
``ETag`` (a hash of the stored page) and ``Last-Modified``; a conditional request answers 304. They are
``private, no-cache``: browsers ask again every time (a 304 when nothing changed), proxies keep nothing.
"""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.http import http_date, parse_http_date_safe, quote_etag

from jishi.catalog.selectors import CATEGORY_TREE, LISTINGS
from jishi.core import clock
from jishi.money.selectors import RATES
from jishi.shipping.selectors import SHIPPING_TEMPLATES
from jishi.stores.selectors import PUBLIC_STORES
from jishi.tax.selectors import DESTINATION_RULES
from jishi.web.views.cart import header_cart_count
from jishi.web.views.shipping import chosen_country

# The memos themselves, not their keys typed again: a renamed key then still invalidates pages.
# Their tokens are read together once per request (see ``core.memo``).
TOKENS = [
    LISTINGS,  # products, variants, stock, pictures, texts
    PUBLIC_STORES,  # store names, pictures, suspensions
    CATEGORY_TREE,  # categories added, renamed, moved
    RATES,  # exchange rates and currencies
    SHIPPING_TEMPLATES,  # delivery estimates on product pages
    DESTINATION_RULES,  # import taxes and duties
]
# Query parameters the cached views (``web.views.storefront``, the search results they hand over to, and the
# header's search box) read; ``o_<n>`` picks a product's n-th option. A page whose query holds any other
# name is rendered but not stored. Add a name here when a cached view starts reading it.
QUERY_NAMES = frozenset({"page", "sort", "q", "category", "country", "in_stock", "price_min", "price_max",
                         "page_size", "variant"})
OPTION_NAME = re.compile(r"o_\d{1,2}")
# Where a form's CSRF token goes in a stored page; ``web.context_processors`` puts it in while rendering.
CSRF_PLACEHOLDER = "jishi-csrf-0c8ea1f6d35b4a7e9e21c07d5b6f1a93"
SECONDS = 24 * 3600  # an entry nobody asked for in a day makes room; a changed token retires it sooner


def enabled() -> bool:
    return settings.PAGE_CACHE and not settings.DEBUG


@functools.cache
def release() -> str:
    """What the same URL renders differently after an upgrade: templates, translations, static file names,
    and the Python sources, since template tags and views build markup too (tests and migrations never do).

    Worked out once per process, when this module is imported: in the gunicorn arbiter, before it forks,
    so every worker of a node keys pages alike (about 10 ms for the ~1 MB of sources)."""
    digest = hashlib.sha256(settings.SITE_NAME.encode())
    root = Path(settings.BASE_DIR)
    sources = [path for path in root.glob("**/*.py")
               if not {"tests", "migrations"} & set(path.relative_to(root).parts[:-1])]
    files = sorted([*root.glob("*/templates/**/*.html"), *root.glob("*/templates/**/*.txt"),
                    *root.glob("locale/*/LC_MESSAGES/*.mo"), *sources])
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if settings.STATIC_MANIFEST and manifest.exists():
        files.append(manifest)
    for path in files:
        digest.update(str(path.relative_to(root) if path.is_relative_to(root) else path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


release()


def serves_cached(request) -> bool:
    """Whether this request may get (and fill) the shared copy of a storefront page."""
    if request.method not in ("GET", "HEAD") or not enabled():
        return False
    if any(name not in QUERY_NAMES and not OPTION_NAME.fullmatch(name) for name in request.GET):
        return False
    if CookieStorage.cookie_name in request.COOKIES:  # a message waits to be shown
        return False
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True
    # A session: no database read unless the browser has one; then signed in, a cart or a message opt out.
    if request.user.is_authenticated or request.session.get(SessionStorage.session_key):
        return False
    return not header_cart_count(request)


def page_key(request) -> str:
    query = urlencode(sorted((name, value) for name, values in request.GET.lists() for value in values))
    parts = [release(), translation.get_language() or "", getattr(request, "display_currency", ""),
             chosen_country(request), clock.now().date().isoformat(), request.headers.get("HX-Request", ""),
             request.scheme, request.get_host(), request.path, query, *(memo.token() for memo in TOKENS)]
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _fresh(request, etag: str, modified: int) -> bool:
    """A conditional GET that the stored page answers with 304."""
    if settings.CSRF_COOKIE_NAME not in request.COOKIES:
        return False  # the browser's copy holds a token no cookie matches any more: send a fresh one
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return etag in {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")} or if_none_match == "*"
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and modified <= since


def _respond(request, entry: tuple, *, hit: bool):
    body, content_type, etag, modified = entry
    if _fresh(request, etag, modified):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode()),
                                content_type=content_type)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = "private, no-cache"
    response["X-Page-Cache"] = "hit" if hit else "miss"
    return response


def cached_page(view):
    """Serve ``view``'s page to anonymous shoppers from the shared cache (see the module's notes)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not serves_cached(request):
            return view(request, *args, **kwargs)
        key = page_key(request)
        entry = cache.get(key)
        if entry is not None:
            return _respond(request, entry, hit=True)
        request.page_cache_rendering = True  # forms get the placeholder instead of this visitor's token
        try:
            response = view(request, *args, **kwargs)
        finally:
            request.page_cache_rendering = False
        if response.status_code != 200 or response.streaming or response.cookies:
            # Not a page to share (a redirect, or one that set cookies): this visitor's token goes in.
            if not response.streaming:
                response.content = response.content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
            return response
        body = response.content
        entry = (body, response["Content-Type"], quote_etag(hashlib.sha256(body).hexdigest()[:32]),
                 int(clock.now().timestamp()))
        cache.set(key, entry, SECONDS)
        return _respond(request, entry, hit=False)

    return wrapper

