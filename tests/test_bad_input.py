"""Invariant 7: whatever a client sends, the answer is never a server error."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import bearer, make_product, open_store_for

pytestmark = pytest.mark.django_db

GARBAGE = ["", "abc", "-1", "1e999", "NaN", "0" * 500, "<script>", "../../etc/passwd", "9" * 40, "中文", "{}", "[]"]


def _routes(store, product, variant, image_id):
    slug = store.slug
    return [
        "/accounts/signup/", "/accounts/login/", "/accounts/profile/", "/accounts/addresses/new/",
        "/accounts/tokens/", "/accounts/password/", "/accounts/reset/", "/preferences/currency/",
        "/preferences/language/", "/seller/open/", f"/seller/{slug}/settings/", f"/seller/{slug}/members/",
        f"/seller/{slug}/products/new/", f"/seller/{slug}/products/{product.id}/",
        f"/seller/{slug}/variants/{variant.id}/stock/", f"/seller/{slug}/products/{product.id}/images/",
        f"/seller/{slug}/images/{image_id}/remove/", f"/seller/{slug}/members/1/role/",
    ]


def test_pages_never_answer_500_to_garbage(client):
    store, access = open_store_for()
    product = make_product(access, variants=2)
    variant = product.variants.first()
    client.force_login(store.memberships.get().user)
    fields = ["name", "email", "country", "base_currency", "slug", "category", "status", "default_language",
              "title_en", "option_names", "variant_id", "sku", "price", "stock", "weight_grams", "hs_code",
              "origin_country", "option_0", "currency", "language", "role", "line1", "city", "postal_code",
              "phone", "expires_in_days", "password", "new_password1", "old_password", "description"]
    for route in _routes(store, product, variant, 999):
        for value in GARBAGE:
            data = {name: [value, value] for name in fields}
            response = client.post(route, data)
            assert response.status_code < 500, (route, value, response.status_code)
        upload = client.post(route, {"image": SimpleUploadedFile("x.png", b"\x89PNG broken"), "logo": "x"})
        assert upload.status_code < 500, route


def test_api_never_answers_500_to_garbage(client):
    store, access = open_store_for()
    product = make_product(access)
    variant = product.variants.get()
    auth = bearer(store.memberships.get().user)
    routes = [("post", "/api/v1/auth/signup"), ("post", "/api/v1/auth/tokens"), ("patch", "/api/v1/me"),
              ("post", "/api/v1/me/addresses"), ("post", "/api/v1/stores"), ("patch", f"/api/v1/stores/{store.slug}"),
              ("post", f"/api/v1/stores/{store.slug}/invitations"), ("post", f"/api/v1/stores/{store.slug}/products"),
              ("patch", f"/api/v1/products/{product.id}"), ("post", f"/api/v1/products/{product.id}/variants"),
              ("patch", f"/api/v1/variants/{variant.id}"), ("put", f"/api/v1/variants/{variant.id}/stock"),
              ("post", "/api/v1/rates")]
    bodies = [None, "", "not json", "[]", "123", json.dumps({"name": ["x"], "price": {"a": 1}, "stock": "many"}),
              json.dumps({k: v for k in ("email", "password", "name", "country", "base_currency", "category", "sku",
                                          "price", "stock", "currency", "rate", "translations", "variants", "role",
                                          "options", "line1", "city") for v in ["中文" * 50]}),
              json.dumps({"variants": [{"sku": "A", "price": "1e400"}], "translations": [{}], "category": 5})]
    for method, url in routes:
        for body in bodies:
            response = getattr(client, method)(url, body, content_type="application/json", **auth)
            assert response.status_code < 500, (method, url, body, response.status_code)
            assert "error" in response.json() or response.status_code < 300
    for query in ("page=-1", "page_size=abc", "sort=%00", "category=" + "x" * 500, "q=" + "%" * 200):
        assert client.get(f"/api/v1/products?{query}").status_code < 500, query


@pytest.mark.parametrize("variant_id", ["abc", "-5", "99999999", "1.5"])
def test_a_tampered_variant_id_in_the_editor_is_an_inline_error(client, variant_id):
    from jishi.catalog.selectors import get_category_tree

    store, access = open_store_for()
    product = make_product(access)
    client.force_login(store.memberships.get().user)
    response = client.post(f"/seller/{store.slug}/products/{product.id}/", {
        "category": get_category_tree().by_slug("womens-t-shirts").id, "status": "active", "default_language": "en",
        "title_en": "Tee", "option_names": "", "variant_id": variant_id, "sku": "NEW-1", "price": "5", "stock": "1"})
    assert response.status_code == 200 and response.context["row_errors"]
    assert product.variants.get().sku.startswith("P")


def test_trade_pages_never_answer_500_to_garbage(client):
    from tests.factories import AddressFactory, UserFactory, buy_now

    store, access = open_store_for()
    variant = make_product(access, stock=5).variants.get()
    buyer = UserFactory()
    AddressFactory(user=buyer)
    order = buy_now(buyer, variant).orders.get()
    fields = ["variant_id", "variant", "quantity", "action", "address_id", "charge_currency", "quoted_total",
              "address-name", "address-line1", "address-city", "address-postal_code", "address-country",
              "address-phone", "address-save_address", "reason", "next"]
    routes = ["/cart/add/", "/cart/lines/1/", "/cart/unavailable/remove/", "/checkout/", f"/orders/{order.id}/cancel/",
              f"/orders/{order.id}/confirm/", "/orders/99999/cancel/", "/accounts/signup/"]
    for user in (None, buyer):
        if user:
            client.force_login(user)
        for route in routes:
            for value in [*GARBAGE, "new", "\x00"]:
                response = client.post(route, {name: value for name in fields})
                assert response.status_code < 500, (route, value, response.status_code)
        for value in GARBAGE:
            assert client.get(f"/orders/?status={value}&page={value}").status_code < 500, value
            assert client.get(f"/checkout/?variant={value}&quantity={value}").status_code < 500, value


def test_ids_beyond_the_database_range_are_not_found(client):
    store, access = open_store_for()
    client.force_login(store.memberships.get().user)
    huge = "9" * 30
    for url in (f"/orders/{huge}/", f"/seller/{store.slug}/orders/{huge}/", f"/seller/{store.slug}/products/{huge}/",
                f"/orders/groups/{huge}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/cart/lines/{huge}/", {"action": "remove"}).status_code < 500
