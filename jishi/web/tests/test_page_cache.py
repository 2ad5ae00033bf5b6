"""Storefront pages for anonymous shoppers come from the shared cache: a copy per language, currency and
query; never a signed-in header or another visitor's CSRF token; fresh on the very next request after
any change; 304 to a conditional request; no database query on a hit."""

import re

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.test import Client

from jishi.catalog.models import Category
from jishi.catalog.services import update_product
from jishi.money.services import set_rate
from jishi.stores.services import suspend_store, update_store
from jishi.web import page_cache
from tests.factories import AddressFactory, UserFactory, buy_now, make_product, open_store_for

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE = True
    settings.DEBUG = False  # the development server renders every page (see the DEBUG test below)


@pytest.fixture
def market(rates, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        store, access = open_store_for(name="Hangzhou Silk", country="CN", currency_code="CNY")
        scarf = make_product(access, title="Silk Scarf", price="80.00", stock=5, category="womens-t-shirts")
    return {"store": store, "access": access, "scarf": scarf}


def urls(market) -> list[str]:
    return ["/", "/c/womens-clothing/", "/c/womens-t-shirts/?sort=price_asc&page=1", "/products/",
            "/products/?q=scarf", f"/p/{market['scarf'].id}/", f"/s/{market['store'].slug}/"]


def source(response) -> str:
    return response.headers.get("X-Page-Cache", "")


def without_token(response) -> str:
    """The page with the visitor's CSRF token (in forms and in htmx's headers) taken out."""
    page = response.content.decode()
    tokens = set(TOKEN.findall(page))
    assert len(tokens) == 1
    return page.replace(tokens.pop(), "")


def test_the_second_visit_is_a_hit_that_costs_no_query(client, market, django_assert_num_queries):
    for url in urls(market):
        first = client.get(url)
        assert first.status_code == 200 and source(first) == "miss", url
        with django_assert_num_queries(0):
            second = client.get(url)
        assert second.status_code == 200 and source(second) == "hit", url
        assert without_token(second) == without_token(first), url


def test_another_browser_gets_the_same_page_without_a_cookie_or_session(market, django_assert_num_queries):
    url = f"/p/{market['scarf'].id}/"
    assert source(Client().get(url)) == "miss"
    with django_assert_num_queries(0):
        assert source(Client().get(url)) == "hit"


def test_each_language_currency_sort_and_page_has_its_own_copy(client, market):
    url = f"/p/{market['scarf'].id}/"
    english = client.get(url)
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert source(chinese) == "miss" and "Silk Scarf 中文" in chinese.content.decode()
    assert "Silk Scarf 中文" not in english.content.decode()
    assert source(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN")) == "hit"
    client.cookies["jishi_currency"] = "JPY"
    in_yen = client.get(url)
    assert source(in_yen) == "miss" and "¥" in in_yen.content.decode()
    del client.cookies["jishi_currency"]
    assert source(client.get(url)) == "hit"
    for listing in ("/products/?sort=price_desc", "/products/?page=2", "/products/?sort=price_desc&page=2"):
        assert source(client.get(listing)) == "miss", listing
    # The same query in another order is the same page.
    assert source(client.get("/products/?page=2&sort=price_desc")) == "hit"


def test_a_cached_page_carries_no_token_and_each_visitor_gets_their_own(market):
    url = f"/p/{market['scarf'].id}/"
    alice, bob = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    alice_page, bob_page = alice.get(url), bob.get(url)
    assert (source(alice_page), source(bob_page)) == ("miss", "hit")
    alice_tokens, bob_tokens = set(TOKEN.findall(alice_page.content.decode())), set(TOKEN.findall(bob_page.content.decode()))
    assert len(alice_tokens) == len(bob_tokens) == 1 and alice_tokens != bob_tokens
    assert page_cache.CSRF_PLACEHOLDER not in bob_page.content.decode()
    # Each visitor's token is good for their own session: the add-to-cart form posts.
    variant = market["scarf"].variants.get()
    added = bob.post("/cart/add/", {"variant_id": variant.id, "quantity": 1, "action": "add",
                                    "csrfmiddlewaretoken": bob_tokens.pop()})
    assert added.status_code in (200, 302)
    refused = alice.post("/cart/add/", {"variant_id": variant.id, "quantity": 1, "action": "add",
                                        "csrfmiddlewaretoken": "x" * 64})
    assert refused.status_code == 403


def test_the_stored_copy_holds_the_placeholder_not_a_token(client, market):
    url = f"/p/{market['scarf'].id}/"
    client.get(url)
    key = page_cache.page_key(_request_for(client, url))
    body = cache.get(key)[0].decode()
    assert set(TOKEN.findall(body)) == {page_cache.CSRF_PLACEHOLDER}
    assert f'"X-CSRFToken": "{page_cache.CSRF_PLACEHOLDER}"' in body


def _request_for(client, url):
    """The request the page key is made from, as the middleware leaves it for an anonymous English visitor."""
    from django.test import RequestFactory
    from django.utils import translation

    request = RequestFactory().get(url)
    request.display_currency = "USD"
    translation.activate("en")
    return request


def test_signed_in_shoppers_and_shoppers_with_a_cart_get_their_own_page(client, market):
    url = f"/p/{market['scarf'].id}/"
    client.get(url)
    assert source(client.get(url)) == "hit"
    shopper = UserFactory(name="Qixiang Lowe")  # a name no country or product on the page carries
    signed_in = Client()
    signed_in.force_login(shopper)
    page = signed_in.get(url)
    assert source(page) == "" and shopper.get_short_name() in page.content.decode() and "Log out" in page.content.decode()
    # The shared copy never shows a name or a cart count.
    anonymous = client.get(url).content.decode()
    assert shopper.get_short_name() not in anonymous and "Log out" not in anonymous and "Cart (0)" in anonymous
    variant = market["scarf"].variants.get()
    client.post("/cart/add/", {"variant_id": variant.id, "quantity": 2, "action": "add"})
    with_cart = client.get(url)
    assert source(with_cart) == "" and "Cart (2)" in with_cart.content.decode()


def test_a_product_edit_shows_on_the_next_request(client, market, django_capture_on_commit_callbacks):
    url = f"/p/{market['scarf'].id}/"
    client.get(url), client.get("/products/")
    with django_capture_on_commit_callbacks(execute=True):
        update_product(access=market["access"], product=market["scarf"],
                       translations=[{"language": "en", "title": "Silk Shawl", "description": "Soft."}])
    for page in (client.get(url), client.get("/products/")):
        assert source(page) == "miss" and "Silk Shawl" in page.content.decode()


def test_a_stock_change_through_checkout_shows_on_the_next_request(client, market, django_capture_on_commit_callbacks):
    url = f"/p/{market['scarf'].id}/"
    assert 'max="5"' in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        buyer = UserFactory()
        buy_now(buyer, market["scarf"].variants.get(), 2, address=AddressFactory(user=buyer))
    page = client.get(url)
    assert source(page) == "miss" and 'max="3"' in page.content.decode()


def test_a_store_suspension_shows_on_the_next_request(client, market, admin_user, django_capture_on_commit_callbacks):
    url = f"/p/{market['scarf'].id}/"
    assert client.get(url).status_code == 200 and "Silk Scarf" in client.get("/products/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        suspend_store(store=market["store"], reason="Counterfeits", actor=admin_user)
    assert client.get(url).status_code == 404
    assert "Silk Scarf" not in client.get("/products/").content.decode()
    assert client.get(f"/s/{market['store'].slug}/").status_code == 404


def test_a_store_edit_shows_on_the_next_request(client, market, django_capture_on_commit_callbacks):
    url = f"/s/{market['store'].slug}/"
    client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        update_store(access=market["access"], description="Scarves woven by hand in Hangzhou.")
    page = client.get(url)
    assert source(page) == "miss" and "woven by hand" in page.content.decode()


def test_a_category_move_shows_on_the_next_request(client, market, rf, admin_user):
    url = f"/p/{market['scarf'].id}/"

    def breadcrumbs(page) -> str:
        return page.content.decode().split('class="breadcrumbs"')[1].split("</nav>")[0]

    assert 'href="/c/mens-tops/"' not in breadcrumbs(client.get(url))
    tops = Category.objects.get(slug="womens-t-shirts")
    tops.parent = Category.objects.get(slug="mens-tops")
    request = rf.post("/admin/")
    request.user = admin_user
    admin.site._registry[Category].save_model(request, tops, None, True)  # the operator moves it
    page = client.get(url)
    assert source(page) == "miss" and 'href="/c/mens-tops/"' in breadcrumbs(page)
    assert "Silk Scarf" in client.get("/c/mens-clothing/").content.decode()


def test_a_new_exchange_rate_shows_on_the_next_request(client, market, django_capture_on_commit_callbacks):
    url = f"/p/{market['scarf'].id}/"
    client.get(url)  # 80 CNY at 8 CNY = 1.25 USD: about US$12.50
    assert "12.50" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        set_rate(currency="CNY", rate="4")  # now 80 CNY is about US$25.00
    page = client.get(url)
    assert source(page) == "miss" and "25.00" in page.content.decode()


def test_conditional_requests_get_304_until_the_page_changes(client, market, django_capture_on_commit_callbacks):
    url = f"/p/{market['scarf'].id}/"
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert first["Cache-Control"] == "private, no-cache"
    unchanged = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged["ETag"] == etag and not unchanged.content
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        update_product(access=market["access"], product=market["scarf"],
                       translations=[{"language": "en", "title": "Silk Shawl", "description": "Soft."}])
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag and "Silk Shawl" in changed.content.decode()


def test_a_browser_without_the_csrf_cookie_gets_the_whole_page(market):
    url = f"/p/{market['scarf'].id}/"
    etag = Client().get(url)["ETag"]
    fresh = Client()  # the cookie is gone, so the copy the browser holds has a token nothing matches
    response = fresh.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and TOKEN.search(response.content.decode())


def test_missing_pages_and_bad_queries_are_not_cached(client, market):
    assert client.get("/p/999999/").status_code == 404
    assert client.get("/c/no-such-thing/").status_code == 404
    assert client.get("/products/?page=zzz&sort=%00").status_code == 200


def test_the_page_cache_can_be_turned_off(client, market, settings):
    settings.PAGE_CACHE = False
    url = f"/p/{market['scarf'].id}/"
    client.get(url)
    assert source(client.get(url)) == ""


def test_the_ship_to_country_has_its_own_copy(client, market):
    url = f"/p/{market['scarf'].id}/"
    assert source(Client().get(url)) == "miss"
    client.post("/preferences/ship-to/", {"country": "DE", "next": url})  # kept in this browser's session
    germany = client.get(url)
    assert source(germany) == "miss" and 'value="DE" selected' in germany.content.decode()
    assert source(client.get(url)) == "hit"
    elsewhere = Client().get(url)
    assert source(elsewhere) == "hit" and 'value="DE" selected' not in elsewhere.content.decode()


def test_many_changes_in_one_transaction_move_the_token_once(django_capture_on_commit_callbacks):
    from jishi.catalog.selectors import LISTINGS, listings_changed

    before = LISTINGS.token()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for _ in range(50):
            listings_changed()
    assert len(callbacks) == 1 and LISTINGS.token() != before


def test_the_development_server_renders_every_page(client, market, settings):
    settings.DEBUG = True  # an edited template does not restart it: a stored page would hide the edit
    url = f"/p/{market['scarf'].id}/"
    client.get(url)
    assert source(client.get(url)) == ""


def test_new_shipping_templates_or_import_taxes_show_on_the_next_request(client, market):
    from jishi.shipping.selectors import invalidate_store_templates
    from jishi.tax.selectors import invalidate_rules

    url = f"/p/{market['scarf'].id}/"
    client.get(url)
    for invalidate in (invalidate_store_templates, invalidate_rules):
        assert source(client.get(url)) == "hit"
        invalidate()
        assert source(client.get(url)) == "miss", invalidate.__name__


def test_a_query_the_storefront_does_not_read_is_rendered_but_never_stored(client, market):
    scarf = market["scarf"]
    for url in ("/?cold=1", "/products/?utm_source=mail", f"/p/{scarf.id}/?x=1", "/products/?q=scarf&x=1",
                f"/s/{market['store'].slug}/?page=1&ref=abc", "/c/womens-clothing/?o_100=M"):
        for _ in range(2):
            page = client.get(url)
            assert page.status_code == 200 and source(page) == "", url
            assert page_cache.CSRF_PLACEHOLDER not in page.content.decode() and TOKEN.search(page.content.decode())
        assert cache.get(page_cache.page_key(_request_for(client, url))) is None, url
    # Every name the cached views read still gets a stored copy.
    variant = scarf.variants.get()
    for url in (f"/p/{scarf.id}/?variant={variant.id}", f"/p/{scarf.id}/?o_0=M&o_1=red",
                "/products/?q=scarf&category=womens-t-shirts&country=CN&in_stock=1&price_min=1&price_max=100"
                "&sort=price_asc&page=1&page_size=12"):
        assert [source(client.get(url)) for _ in range(2)] == ["miss", "hit"], url


def test_the_release_changes_with_the_python_that_builds_markup(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    settings.STATIC_MANIFEST = False
    files = {"web/templates/web/page.html": "<p>{% card %}</p>", "web/templatetags/cards.py": "HTML = '<b>'",
             "web/tests/test_cards.py": "def test(): pass", "web/migrations/0001_initial.py": "operations = []"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    release = page_cache.release.__wrapped__
    before = release()
    for unrelated in ("web/tests/test_cards.py", "web/migrations/0001_initial.py"):
        (tmp_path / unrelated).write_text("# changed")
        assert release() == before, unrelated
    (tmp_path / "web/templatetags/cards.py").write_text("HTML = '<strong>'")
    assert release() != before
