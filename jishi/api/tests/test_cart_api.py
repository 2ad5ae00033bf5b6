"""The cart through the API: lines grouped per store, what each line warns about, and only the caller's cart."""

import json
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jishi.api.tests.test_api_errors import assert_error
from jishi.cart.models import CartLine
from jishi.catalog.models import Variant
from jishi.catalog.services import set_product_status, set_stock, update_variant
from tests.factories import UserFactory, bearer, make_product, open_store_for

pytestmark = pytest.mark.django_db

CART = "/api/v1/cart"
LINES = "/api/v1/cart/lines"


def _shop(name: str, currency: str, *, price: str, stock: int = 10, title: str = "Green Tea", **kwargs):
    store, access = open_store_for(name=name, currency_code=currency)
    product = make_product(access, title=title, price=price, stock=stock, **kwargs)
    return SimpleNamespace(store=store, access=access, product=product, variant=product.variants.first())


@pytest.fixture
def tea():
    return _shop("Hangzhou Tea", "CNY", price="88.00")


@pytest.fixture
def buyer():
    user = UserFactory(name="Mei Lin")
    return SimpleNamespace(user=user, auth=bearer(user))


def _add(client, auth, variant_id, quantity=1):
    return client.post(LINES, {"variant_id": variant_id, "quantity": quantity}, content_type="application/json",
                       **auth)


def _lines(user):
    return list(CartLine.objects.filter(cart__user=user).values_list("variant_id", "quantity", "saved_for_later"))


def test_an_empty_cart(client, buyer):
    body = client.get(CART, **buyer.auth).json()
    assert body == {"groups": [], "saved": [], "unavailable": [], "count": 0, "total_display": None,
                    "display_currency": "USD"}


def test_lines_are_grouped_per_store_with_amounts_in_minor_units(client, buyer, tea, rates):
    ramen = _shop("Osaka Ramen", "JPY", price="1200", title="Ramen")
    assert _add(client, buyer.auth, tea.variant.id, 2).status_code == 201
    response = _add(client, buyer.auth, ramen.variant.id)
    assert response.status_code == 201
    body = response.json()
    assert [g["store"] for g in body["groups"]] == [
        {"slug": tea.store.slug, "name": "Hangzhou Tea", "country": "CN"},
        {"slug": ramen.store.slug, "name": "Osaka Ramen", "country": "CN"}]
    first, second = body["groups"]
    assert (first["subtotal"], first["currency"], first["subtotal_display"]) == ("176.00", "CNY", "27.50")
    assert (second["subtotal"], second["currency"], second["subtotal_display"]) == ("1200", "JPY", "9.38")
    assert first["can_check_out"] and first["display_currency"] == "USD"
    line = first["lines"][0]
    assert line == {"id": line["id"], "variant_id": tea.variant.id, "product_id": tea.product.id,
                    "sku": tea.variant.sku, "title": "Green Tea", "options": {}, "quantity": 2,
                    "unit_price": "88.00", "currency": "CNY", "line_total": "176.00", "seen_price": "88.00",
                    "stock": 10, "problem": None, "notices": [], "thumbnail_url": None}
    assert body["count"] == 3 and body["total_display"] == "36.88" and body["display_currency"] == "USD"
    assert client.get(CART, **buyer.auth).json() == body


def test_the_display_currency_follows_the_shoppers_choice(client, buyer, tea, rates):
    _add(client, buyer.auth, tea.variant.id)
    client.cookies["jishi_currency"] = "EUR"
    body = client.get(CART, **buyer.auth).json()
    assert body["display_currency"] == "EUR" and body["groups"][0]["subtotal_display"] == "11.00"


def test_a_token_users_saved_currency_counts(client, tea, rates):
    user = UserFactory(preferred_currency="JPY")
    _add(client, bearer(user), tea.variant.id)
    body = client.get(CART, **bearer(user)).json()
    assert body["display_currency"] == "JPY" and body["total_display"] == "1760"


def test_adding_again_adds_to_the_line(client, buyer, tea):
    _add(client, buyer.auth, tea.variant.id, 2)
    body = _add(client, buyer.auth, tea.variant.id, 3).json()
    assert [line["quantity"] for line in body["groups"][0]["lines"]] == [5]
    assert _lines(buyer.user) == [(tea.variant.id, 5, False)]


def test_more_than_the_store_has_is_refused_and_adds_nothing(client, buyer, tea):
    error = assert_error(_add(client, buyer.auth, tea.variant.id, 11), 409, "cart.insufficient_stock")
    assert "quantity" in error["fields"]
    set_stock(access=tea.access, variant=tea.variant, stock=0)
    assert_error(_add(client, buyer.auth, tea.variant.id), 409, "cart.out_of_stock")
    assert _lines(buyer.user) == []


def test_a_product_not_for_sale_cannot_be_added(client, buyer, tea):
    set_product_status(access=tea.access, product=tea.product, status="archived")
    assert_error(_add(client, buyer.auth, tea.variant.id), 404, "cart.not_for_sale")
    assert_error(_add(client, buyer.auth, 999_999), 404, "cart.not_for_sale")
    assert _lines(buyer.user) == []


def test_a_per_buyer_limit_set_through_the_api_caps_the_cart(client, buyer, tea):
    owner = bearer(tea.store.memberships.get().user)
    url = f"/api/v1/variants/{tea.variant.id}"
    response = client.patch(url, {"per_buyer_limit": 2}, content_type="application/json", **owner)
    assert response.status_code == 200 and response.json()["per_buyer_limit"] == 2
    assert client.get(f"/api/v1/products/{tea.product.id}").json()["variants"][0]["per_buyer_limit"] == 2
    assert_error(_add(client, buyer.auth, tea.variant.id, 3), 409, "cart.over_limit")
    assert _add(client, buyer.auth, tea.variant.id, 2).status_code == 201
    cleared = client.patch(url, {"per_buyer_limit": 0}, content_type="application/json", **owner)
    assert cleared.json()["per_buyer_limit"] is None and Variant.objects.get().per_buyer_limit is None
    assert _add(client, buyer.auth, tea.variant.id, 3).status_code == 201


def test_a_variant_is_created_with_a_per_buyer_limit(client, tea):
    owner = bearer(tea.store.memberships.get().user)
    response = client.post(f"/api/v1/products/{tea.product.id}/variants",
                           {"sku": "TEA-FLASH", "price": "9.90", "stock": 100, "per_buyer_limit": 1},
                           content_type="application/json", **owner)
    assert response.status_code == 201, response.content
    assert response.json()["per_buyer_limit"] == 1
    assert_error(client.patch(f"/api/v1/variants/{tea.variant.id}", {"per_buyer_limit": -3},
                              content_type="application/json", **owner), 422, "catalog.invalid")


def test_changing_a_line_and_saving_it_for_later(client, buyer, tea):
    line_id = _add(client, buyer.auth, tea.variant.id).json()["groups"][0]["lines"][0]["id"]
    url = f"{LINES}/{line_id}"
    body = client.patch(url, {"quantity": 4}, content_type="application/json", **buyer.auth).json()
    assert body["groups"][0]["lines"][0]["quantity"] == 4 and body["count"] == 4
    body = client.patch(url, {"saved_for_later": True}, content_type="application/json", **buyer.auth).json()
    assert body["groups"] == [] and [s["id"] for s in body["saved"]] == [line_id] and body["count"] == 0
    body = client.patch(url, {"saved_for_later": False}, content_type="application/json", **buyer.auth).json()
    assert body["saved"] == [] and body["count"] == 4
    error = assert_error(client.patch(url, {"quantity": 0}, content_type="application/json", **buyer.auth),
                         422, "cart.invalid_quantity")
    assert "quantity" in error["fields"]
    assert_error(client.patch(url, {"quantity": 50}, content_type="application/json", **buyer.auth), 409,
                 "cart.insufficient_stock")
    assert _lines(buyer.user) == [(tea.variant.id, 4, False)]
    assert client.delete(url, **buyer.auth).status_code == 204
    assert _lines(buyer.user) == []
    assert_error(client.delete(url, **buyer.auth), 404, "cart.line_not_found")


def test_lines_say_what_changed_since_they_were_added(client, buyer, tea):
    gone = _shop("Closed Shop", "CNY", price="5.00", title="Old Tea")
    _add(client, buyer.auth, tea.variant.id, 4)
    _add(client, buyer.auth, gone.variant.id)
    update_variant(access=tea.access, variant=Variant.objects.get(pk=tea.variant.pk), data={"price": "99.50"})
    set_stock(access=tea.access, variant=Variant.objects.get(pk=tea.variant.pk), stock=3)
    set_product_status(access=gone.access, product=gone.product, status="archived")
    body = client.get(CART, **buyer.auth).json()
    line = body["groups"][0]["lines"][0]
    assert (line["unit_price"], line["seen_price"], line["line_total"]) == ("99.50", "88.00", "398.00")
    assert line["problem"] == "short" and len(line["notices"]) == 2
    assert "99.50" in line["notices"][0] and "3" in line["notices"][1]
    assert body["groups"][0]["can_check_out"] is False
    assert [u["variant_id"] for u in body["unavailable"]] == [gone.variant.id]
    assert body["unavailable"][0]["problem"] == "unavailable"


def test_notices_are_in_the_shoppers_language(client, buyer, tea):
    _add(client, buyer.auth, tea.variant.id, 4)
    set_stock(access=tea.access, variant=Variant.objects.get(pk=tea.variant.pk), stock=0)
    body = client.get(CART, HTTP_ACCEPT_LANGUAGE="zh-hans", **buyer.auth).json()
    line = body["groups"][0]["lines"][0]
    assert line["problem"] == "out_of_stock" and line["title"] == "Green Tea 中文"


# --- tenancy -------------------------------------------------------------------------------------------


def test_another_shoppers_line_is_not_found_and_stays_put(client, buyer, tea):
    line_id = _add(client, buyer.auth, tea.variant.id, 2).json()["groups"][0]["lines"][0]["id"]
    other = bearer(UserFactory())
    seller = bearer(tea.store.memberships.get().user)
    for auth in (other, seller):
        assert_error(client.patch(f"{LINES}/{line_id}", {"quantity": 1}, content_type="application/json", **auth),
                     404, "cart.line_not_found")
        assert_error(client.delete(f"{LINES}/{line_id}", **auth), 404, "cart.line_not_found")
        assert client.get(CART, **auth).json()["groups"] == []
    assert _lines(buyer.user) == [(tea.variant.id, 2, False)]


def test_anonymous_callers_get_401_on_every_cart_route(client, buyer, tea):
    line_id = _add(client, buyer.auth, tea.variant.id).json()["groups"][0]["lines"][0]["id"]
    assert_error(client.get(CART), 401, "not_authenticated")
    assert_error(_add(client, {}, tea.variant.id), 401, "not_authenticated")
    assert_error(client.patch(f"{LINES}/{line_id}", {"quantity": 3}, content_type="application/json"),
                 401, "not_authenticated")
    assert_error(client.delete(f"{LINES}/{line_id}"), 401, "not_authenticated")
    assert _lines(buyer.user) == [(tea.variant.id, 1, False)]


# --- bad input and queries -----------------------------------------------------------------------------


def test_garbage_never_gets_a_server_error(client, buyer, tea):
    line_id = _add(client, buyer.auth, tea.variant.id).json()["groups"][0]["lines"][0]["id"]
    bodies = [None, "", "not json", "[]", "123", "null", json.dumps({"variant_id": "abc", "quantity": "many"}),
              json.dumps({"variant_id": 2**70, "quantity": 10**30}), json.dumps({"variant_id": -1, "quantity": -5}),
              json.dumps({"variant_id": True, "quantity": 1.5}), json.dumps({"variant_id": [1], "quantity": {}}),
              json.dumps({"quantity": "1e999", "saved_for_later": "perhaps"}),
              json.dumps({"quantity": None, "saved_for_later": None}), json.dumps({"variant_id": "中文" * 50})]
    routes = [("post", LINES), ("patch", f"{LINES}/{line_id}"), ("patch", f"{LINES}/abc"),
              ("patch", f"{LINES}/{'9' * 40}"), ("delete", f"{LINES}/-1")]
    for method, url in routes:
        for body in bodies:
            response = getattr(client, method)(url, body, content_type="application/json", **buyer.auth)
            assert response.status_code < 500, (method, url, body, response.status_code)
            assert response.status_code < 300 or "error" in response.json()
    assert _lines(buyer.user) == [(tea.variant.id, 1, False)]


def test_reading_the_cart_takes_the_same_queries_however_full_it_is(client, buyer, rates):
    shops = [_shop(f"Shop {n}", currency, price="12.00", stock=50, variants=4)
             for n, currency in enumerate(["CNY", "JPY", "USD", "EUR", "CNY"])]
    first = shops[0].product.variants.first()
    _add(client, buyer.auth, first.id)
    client.get(CART, **buyer.auth)  # warm the per-process caches (category tree, rates)
    with CaptureQueriesContext(connection) as one_line:
        assert client.get(CART, **buyer.auth).status_code == 200
    for shop in shops:
        for variant in shop.product.variants.all():
            if variant.id != first.id:
                _add(client, buyer.auth, variant.id)
    with CaptureQueriesContext(connection) as twenty_lines:
        body = client.get(CART, **buyer.auth).json()
    assert sum(len(g["lines"]) for g in body["groups"]) == 20 and len(body["groups"]) == 5
    assert len(twenty_lines) == len(one_line), [q["sql"] for q in twenty_lines.captured_queries]
