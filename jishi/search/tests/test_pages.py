"""The results page, the suggestions under the search bar and GET /api/v1/search, as shoppers use them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jishi.catalog.models import ProductImage

from .conftest import add_product

pytestmark = pytest.mark.django_db

NASTY = ['"', "tea*", "NEAR(tea, 2)", "tea OR x", "-tea", "(((", ")", "' OR 1=1 --", "%", "\\", "title:tea",
         "a" * 3000, "手机" * 500, "\u3000", "🍵", "tea\x00", "<script>alert(1)</script>"]


def test_the_results_page_has_facets_highlights_and_counts(client, catalogue):
    page = client.get("/products/?q=tea")
    html = page.content.decode()
    assert page.status_code == 200 and page.context["page"].total == 3
    assert "<mark>Tea</mark>" in html and "Food &amp; Tea" in html and "China" in html
    assert "In stock" in html and "Best match" in html
    chinese = client.get("/products/?q=绿茶", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "<mark>绿茶</mark>" in chinese and "食品茶饮" in chinese and "有货" in chinese


def test_facet_links_narrow_the_results(client, catalogue):
    page = client.get("/products/?q=tea&country=CN&in_stock=1&category=food-tea")
    assert page.context["page"].total == 1
    assert [c.title for c in page.context["cards"]] == ["Green Tea"]
    assert "Clear filters" in page.content.decode()


def test_an_empty_search_helps(client, catalogue):
    html = client.get("/products/?q=grene+tea&country=US").content.decode()
    assert "Did you mean" in html and "green tea" in html and "/c/green-tea/" in html
    corrected = client.get("/products/?q=grene+tea")
    assert corrected.context["found"].corrected == "green tea" and corrected.context["page"].total == 2


def test_every_page_has_a_search_bar_that_suggests(client, catalogue):
    for url in ("/", "/products/", f"/p/{catalogue['green_tea'].id}/", "/c/food-tea/"):
        html = client.get(url).content.decode()
        assert 'hx-get="/search/suggestions/"' in html and "delay:250ms" in html, url
    partial = client.get("/search/suggestions/?q=blueto", HTTP_HX_REQUEST="true").content.decode()
    assert "<mark>Bluetooth</mark>" in partial and f"/p/{catalogue['headphones'].id}/" in partial
    assert "<html" not in partial
    assert client.get("/search/suggestions/?q=").content.strip() == b""


@pytest.mark.parametrize("q", NASTY)
def test_bad_queries_never_fail(client, catalogue, q):
    for url in ("/products/", "/search/suggestions/", "/api/v1/search"):
        response = client.get(url, {"q": q})
        assert response.status_code in (200, 422), (url, q)
    # The API refuses NUL in any text at its door (422 naming the field); any other query is searched.
    assert client.get("/api/v1/search", {"q": q[:200]}).status_code == (422 if "\x00" in q else 200)


def test_undecodable_bytes_and_lone_surrogates_are_dropped(client, catalogue):
    for url in ("/products/", "/search/suggestions/", "/api/v1/search"):
        for raw in ("q=%ED%A0%80tea", "q=%FF%FE", "q=tea&price_min=abc&price_max=-1&page=x&sort=%00",
                    "q=tea&country=%00%00&category=" + "x" * 300, "q=tea&price_min=1e999&in_stock=maybe"):
            response = client.get(url, QUERY_STRING=raw)
            assert response.status_code in (200, 422), (url, raw)


def test_the_api_answers_with_the_same_results_and_facets(client, catalogue):
    body = client.get("/api/v1/search", {"q": "tea", "currency": "CNY"}).json()
    assert body["total"] == 3 and body["page"] == 1 and body["currency"] == "CNY"
    assert {i["title"] for i in body["items"]} >= {"Green Tea", "Oolong Tea"}
    assert all("<mark>Tea</mark>" in i["title_highlighted"] for i in body["items"])
    assert {c["slug"]: c["count"] for c in body["facets"]["categories"]} == {"food-tea": 2, "home-garden": 1}
    assert body["facets"]["countries"] == [{"code": "CN", "name": "China", "count": 3}]
    assert sum(b["count"] for b in body["facets"]["price"]) == 3 and body["facets"]["in_stock"] == 2
    narrowed = client.get("/api/v1/search", {"q": "tea", "category": "food-tea", "sort": "price_asc"}).json()
    assert [i["title"] for i in narrowed["items"]] == ["Oolong Tea", "Green Tea"]
    assert [c["slug"] for c in narrowed["facets"]["category_trail"]] == ["food-tea"]
    missing = client.get("/api/v1/search", {"q": "grene tea", "country": "US"}).json()
    assert missing["total"] == 0 and missing["did_you_mean"] == "green tea" and missing["related_categories"]


def test_the_api_refuses_malformed_parameters_with_a_clear_error(client, catalogue):
    for query in ({"sort": "cheapest"}, {"page": "0"}, {"page_size": "1000"}, {"price_min": "-5"},
                  {"q": "x" * 201}):
        response = client.get("/api/v1/search", query)
        assert response.status_code == 422 and response.json()["error"]["code"], query


def test_the_api_is_documented():
    spec = __import__("jishi.api.app", fromlist=["api"]).api.get_openapi_schema()
    operation = spec["paths"]["/api/v1/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "category", "country", "in_stock", "price_min",
                                                            "price_max", "currency", "sort", "page", "page_size"}


@pytest.mark.parametrize("url", ["/products/?q=scarf&sort=price_asc", "/api/v1/search?q=scarf",
                                 "/search/suggestions/?q=sca", "/products/?q=scraf"])
def test_search_costs_the_same_queries_for_1_or_30_results(client, catalogue, url, django_assert_num_queries):
    first = add_product(catalogue["tea"], en="Silk Scarf", category="womens-t-shirts")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(30):
        product = add_product(catalogue["tea"], en=f"Silk Scarf {n}", category="womens-t-shirts", price=f"{n + 1}.00")
        ProductImage.objects.create(product=product, image="x.jpg", thumbnail="x.jpg")
    ProductImage.objects.create(product=first, image="x.jpg", thumbnail="x.jpg")
    with django_assert_num_queries(len(few)):
        client.get(url)
    # Including the count (or sample) that decides between exact and estimated facets, and on PostgreSQL
    # the planner setting of ``reading()`` (set, then restored inside the test's transaction).
    assert len(few) <= 11


def test_the_product_list_api_searches_words_through_the_index(client, catalogue):
    # Stemmed and by category name, as the search finds them, not a title scan.
    body = client.get("/api/v1/products", {"q": "teas", "sort": "price_asc"}).json()
    assert [i["title"] for i in body["items"]][:2] == ["Oolong Tea", "Green Tea"]
    assert body["total"] == 3
    assert client.get("/api/v1/products", {"q": "手机壳"}).json()["total"] == 2
    narrowed = client.get("/api/v1/products", {"q": "tea", "category": "oolong-tea"}).json()
    assert [i["title"] for i in narrowed["items"]] == ["Oolong Tea"]


def test_the_product_list_api_says_when_it_searched_a_corrected_query(client, catalogue):
    body = client.get("/api/v1/products", {"q": "oolonng"}).json()
    assert body["corrected_query"] == "oolong" and body["total"] == 1 and body["approximate_total"] is False
    assert client.get("/api/v1/products", {"q": "oolong"}).json()["corrected_query"] is None
