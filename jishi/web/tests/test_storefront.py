"""Public pages: they render in both languages, list what is visible, and cost a fixed number of queries."""

import pytest

from jishi.catalog.models import ProductImage
from jishi.stores.services import suspend_store
from tests.factories import make_product, open_store_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def market():
    store, access = open_store_for(name="Hangzhou Silk", country="CN", currency_code="CNY")
    cheap = make_product(access, title="Silk Scarf", price="100.00", category="womens-t-shirts")
    us_store, us_access = open_store_for(name="Austin Boots", country="US", currency_code="USD")
    dear = make_product(us_access, title="Leather Boot", price="100.00", category="boots", variants=3)
    return {"store": store, "access": access, "cheap": cheap, "dear": dear, "us_store": us_store}


def pages(market):
    return ["/", "/c/womens-clothing/", "/c/womens-t-shirts/", "/products/", "/products/?q=scarf",
            f"/p/{market['cheap'].id}/", f"/p/{market['dear'].id}/", f"/s/{market['store'].slug}/"]


def test_every_page_renders_in_english_and_chinese(client, market, admin_user):
    for url in pages(market):
        english = client.get(url)
        assert english.status_code == 200, url
        chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN")
        assert chinese.status_code == 200 and chinese.context["LANGUAGE_CODE"] == "zh-hans", url
    client.force_login(admin_user)
    assert all(client.get(url).status_code == 200 for url in pages(market))


def test_chinese_pages_show_chinese_titles_and_text(client, market):
    client.cookies["jishi_language"] = "zh-hans"
    product = client.get(f"/p/{market['cheap'].id}/").content.decode()
    assert "Silk Scarf 中文" in product and "买家保障" in product
    category = client.get("/c/womens-clothing/").content.decode()
    assert "女装" in category


def test_the_language_switch_is_remembered(client, market):
    response = client.post("/preferences/language/", {"language": "zh-hans", "next": "/"})
    assert response.cookies["jishi_language"].value == "zh-hans"
    assert client.get("/").context["LANGUAGE_CODE"] == "zh-hans"


def test_category_pages_include_subcategories(client, market):
    response = client.get("/c/womens-clothing/")
    assert [c.title for c in response.context["cards"]] == ["Silk Scarf"]
    assert client.get("/c/no-such-thing/").status_code == 404


def test_sorting_by_price_compares_across_currencies(client, market):
    # 100 CNY is far cheaper than 100 USD.
    response = client.get("/products/?sort=price_asc")
    assert [c.title for c in response.context["cards"]] == ["Silk Scarf", "Leather Boot"]
    response = client.get("/products/?sort=price_desc")
    assert [c.title for c in response.context["cards"]] == ["Leather Boot", "Silk Scarf"]
    assert client.get("/products/?sort=bogus").context["sort"] == "newest"


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999", ""])
def test_bad_page_numbers_are_clamped(client, market, page):
    response = client.get(f"/products/?page={page}")
    assert response.status_code == 200 and response.context["page"].number == 1


def test_title_filter_and_empty_results(client, market):
    assert [c.title for c in client.get("/products/?q=BOOT").context["cards"]] == ["Leather Boot"]
    empty = client.get("/products/?q=unicorn")
    assert empty.context["cards"] == [] and "unicorn" in empty.content.decode()


def test_choosing_a_variant_shows_its_price_and_stock(client, market):
    boot = market["dear"]
    variants = list(boot.variants.order_by("id"))
    from jishi.catalog.services import set_stock
    set_stock(access=__import__("jishi.stores.selectors", fromlist=["x"]).access_store(
        user=market["us_store"].memberships.get().user, slug=market["us_store"].slug), variant=variants[1], stock=0)
    partial = client.get(f"/p/{boot.id}/variant/?o_0=S1", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and b"Out of stock" in partial.content and variants[1].sku.encode() in partial.content
    no_js = client.get(f"/p/{boot.id}/?variant={variants[2].id}")
    assert no_js.context["chosen"] == variants[2]
    missing = client.get(f"/p/{boot.id}/variant/?o_0=nope")
    assert b"not available" in missing.content


def test_display_currency_changes_the_approximate_price(client, market):
    client.post("/preferences/currency/", {"currency": "JPY", "next": "/"})
    page = client.get(f"/p/{market['cheap'].id}/").content.decode()
    assert "≈ ¥" in page and "CN¥100.00" in page


def test_suspended_store_and_drafts_are_hidden(client, market, admin_user):
    draft = make_product(market["access"], title="Secret Draft", status="draft")
    assert client.get(f"/p/{draft.id}/").status_code == 404
    suspend_store(store=market["store"], reason="Review", actor=admin_user)
    assert client.get(f"/s/{market['store'].slug}/").status_code == 404
    assert client.get(f"/p/{market['cheap'].id}/").status_code == 404
    for url in ("/", "/products/", "/c/womens-clothing/"):
        assert b"Silk Scarf" not in client.get(url).content


def test_the_not_found_page_is_friendly(client):
    response = client.get("/p/999999/")
    assert response.status_code == 404 and b"We could not find that page" in response.content


@pytest.mark.parametrize("url_of", [
    lambda m: "/", lambda m: "/c/womens-clothing/", lambda m: "/products/", lambda m: f"/s/{m['store'].slug}/"])
def test_listing_pages_cost_the_same_queries_for_1_or_30_products(client, market, url_of,
                                                                  django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url_of(market))  # warm the category tree and rate caches
    with CaptureQueriesContext(connection) as few:
        client.get(url_of(market))
    for n in range(30):
        product = make_product(market["access"], title=f"Scarf {n}", price=f"{n + 1}.00")
        ProductImage.objects.create(product=product, image="x.jpg", thumbnail="x.jpg")
    with django_assert_num_queries(len(few)):
        response = client.get(url_of(market))
    assert len(response.context["cards"] if "cards" in response.context else response.context["arrivals"]) >= 15


def test_product_page_costs_the_same_for_1_or_10_variants_and_images(client, market, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = make_product(market["access"], title="One", variants=1)
    big = make_product(market["access"], title="Ten", variants=10)
    for _ in range(10):
        ProductImage.objects.create(product=big, image="x.jpg", thumbnail="x.jpg", width=10, height=10)
    client.get(f"/p/{small.id}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/p/{small.id}/")
    with django_assert_num_queries(len(few)):
        client.get(f"/p/{big.id}/")
