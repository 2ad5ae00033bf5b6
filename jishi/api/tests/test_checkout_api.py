"""Checkout through the API: one order group per checkout, idempotent retries, and nothing placed on a failure."""

import datetime as dt
import json
from types import SimpleNamespace

import pytest

from jishi.accounts.models import Address
from jishi.api.tests.test_api_errors import assert_error
from jishi.cart.models import CartLine
from jishi.catalog.models import Variant
from jishi.checkout import services as checkout_services
from jishi.core import clock
from jishi.core.models import IdempotencyKey
from jishi.orders.models import Order, OrderGroup
from tests.factories import AddressFactory, UserFactory, bearer, make_product, open_store_for

pytestmark = pytest.mark.django_db

CHECKOUT = "/api/v1/checkout"


def _shop(name: str, currency: str, *, price: str, stock: int = 10, title: str = "Green Tea", **kwargs):
    store, access = open_store_for(name=name, currency_code=currency)
    product = make_product(access, title=title, price=price, stock=stock, **kwargs)
    return SimpleNamespace(store=store, access=access, product=product, variant=product.variants.first(),
                           owner=bearer(store.memberships.get().user))


@pytest.fixture
def tea():
    return _shop("Hangzhou Tea", "CNY", price="88.00")


@pytest.fixture
def buyer():
    user = UserFactory(name="Mei Lin")
    return SimpleNamespace(user=user, auth=bearer(user), address=AddressFactory(user=user, name="Mei Lin"))


def _checkout(client, auth, body, **headers):
    return client.post(CHECKOUT, body, content_type="application/json", **auth, **headers)


def _stock(variant) -> int:
    return Variant.objects.get(pk=variant.pk).stock


def test_checking_out_the_cart_places_one_order_per_store(client, buyer, tea, rates):
    ramen = _shop("Osaka Ramen", "JPY", price="1200", title="Ramen", variants=2)
    kept, saved = ramen.product.variants.all()
    owner_patch = client.patch(f"/api/v1/stores/{tea.store.slug}", {"shipping_rate": "12.5"},
                               content_type="application/json", **tea.owner)
    assert owner_patch.status_code == 200 and owner_patch.json()["shipping_rate"] == "12.50"
    assert client.get(f"/api/v1/stores/{tea.store.slug}").json()["shipping_rate"] == "12.50"
    for variant_id, quantity in ((tea.variant.id, 2), (kept.id, 1), (saved.id, 1)):
        client.post("/api/v1/cart/lines", {"variant_id": variant_id, "quantity": quantity},
                    content_type="application/json", **buyer.auth)
    line = CartLine.objects.get(variant=saved)
    client.patch(f"/api/v1/cart/lines/{line.id}", {"saved_for_later": True}, content_type="application/json",
                 **buyer.auth)

    response = _checkout(client, buyer.auth, {"address_id": buyer.address.id})
    assert response.status_code == 201, response.content
    group = response.json()
    assert group["status"] == "pending_payment" and group["charge_currency"] == "USD"
    by_store = {o["store"]["slug"]: o for o in group["orders"]}
    tea_order, ramen_order = by_store[tea.store.slug], by_store[ramen.store.slug]
    # 176 + 12.50 shipping = 188.50 CNY = 29.45 USD; 1200 JPY = 9.38 USD.
    assert (tea_order["items_total"], tea_order["shipping_total"], tea_order["total"]) == ("176.00", "12.50", "188.50")
    assert (tea_order["charge_total"], ramen_order["total"], ramen_order["charge_total"]) == ("29.45", "1200", "9.38")
    assert group["charge_total"] == group["amount_due"] == "38.83"
    assert [(ln["sku"], ln["quantity"], ln["unit_price"]) for ln in tea_order["lines"]] == [
        (tea.variant.sku, 2, "88.00")]
    assert group["expires_at"] > group["created_at"] and group["paid_at"] is None
    assert group["created_at"].endswith("Z")
    assert list(CartLine.objects.filter(cart__user=buyer.user).values_list("variant_id", flat=True)) == [saved.id]
    assert (_stock(tea.variant), _stock(kept), _stock(saved)) == (8, 9, 10)
    assert client.get(f"/api/v1/order-groups/{group['id']}", **buyer.auth).json() == group


def test_buy_now_with_a_new_address_saved_to_the_book(client, buyer, tea):
    body = {"lines": [{"variant_id": tea.variant.id, "quantity": 3}], "save_address": True, "charge_currency": "cny",
            "address": {"name": "Li Wei", "line1": "88 West Lake Road", "city": "Hangzhou", "country": "cn",
                        "postal_code": "310000"}}
    response = _checkout(client, buyer.auth, body)
    assert response.status_code == 201, response.content
    group = response.json()
    assert group["charge_currency"] == "CNY" and group["charge_total"] == "264.00"
    order = Order.objects.get()
    assert order.shipping_address["name"] == "Li Wei" and order.shipping_address["country"] == "CN"
    assert Address.objects.filter(user=buyer.user, line1="88 West Lake Road").exists()


def test_the_charge_currency_defaults_to_the_display_currency(client, buyer, tea, rates):
    client.cookies["jishi_currency"] = "EUR"
    body = {"lines": [{"variant_id": tea.variant.id}], "address_id": buyer.address.id}
    response = _checkout(client, buyer.auth, body)
    assert response.status_code == 201 and response.json()["charge_currency"] == "EUR"
    assert response.json()["charge_total"] == "11.00"


@pytest.mark.parametrize(("body", "field"), [
    ({}, "address"),
    ({"address": {"name": "Li"}}, "address.line1"),
    ({"address_id": "someone else's"}, "address_id"),
    ({"address_id": "mine", "lines": []}, "lines"),
    ({"address_id": "mine", "lines": [{"variant_id": 1, "quantity": 0}]}, "lines.0.quantity"),
    ({"address_id": "mine", "charge_currency": "XYZ"}, "charge_currency"),
])
def test_bad_checkouts_name_the_field_and_place_nothing(client, buyer, tea, body, field):
    body = {"lines": [{"variant_id": tea.variant.id}], **body}
    if "address_id" in body:
        body["address_id"] = buyer.address.id if body["address_id"] == "mine" else AddressFactory().id
    error = assert_error(_checkout(client, buyer.auth, body), 422, "checkout.invalid")
    assert field in error["fields"], error
    assert not OrderGroup.objects.exists() and _stock(tea.variant) == 10


def test_an_empty_cart_cannot_be_checked_out(client, buyer):
    assert_error(_checkout(client, buyer.auth, {"address_id": buyer.address.id}), 422, "checkout.empty")


def test_an_out_of_stock_line_is_named_and_nothing_is_placed(client, buyer, tea):
    scarce = _shop("Tiny Shop", "CNY", price="5.00", stock=1, title="Rare Tea")
    body = {"lines": [{"variant_id": tea.variant.id, "quantity": 2}, {"variant_id": scarce.variant.id, "quantity": 5}],
            "address_id": buyer.address.id}
    error = assert_error(_checkout(client, buyer.auth, body), 409, "checkout.unavailable")
    assert list(error["fields"]) == ["lines.1.quantity"] and "1" in error["fields"]["lines.1.quantity"][0]
    assert not OrderGroup.objects.exists() and (_stock(tea.variant), _stock(scarce.variant)) == (10, 1)


def test_stock_taken_by_someone_else_while_checking_out_names_the_right_line(client, buyer, tea, monkeypatch):
    """The quote saw enough stock; another checkout took it before ours locked the rows."""
    ramen = _shop("Osaka Ramen", "JPY", price="1200", title="Ramen")
    second_tea = make_product(tea.access, title="Oolong", price="50.00", stock=4).variants.get()
    quote_lines = checkout_services.quote_lines

    def quote_then_sell_out(**kwargs):
        quote = quote_lines(**kwargs)
        Variant.objects.filter(pk=second_tea.pk).update(stock=1)
        return quote

    monkeypatch.setattr(checkout_services, "quote_lines", quote_then_sell_out)
    body = {"lines": [{"variant_id": tea.variant.id}, {"variant_id": ramen.variant.id},
                      {"variant_id": second_tea.id, "quantity": 3}], "address_id": buyer.address.id}
    error = assert_error(_checkout(client, buyer.auth, body), 409, "checkout.out_of_stock")
    assert list(error["fields"]) == ["lines.2.quantity"]
    assert not OrderGroup.objects.exists() and (_stock(tea.variant), _stock(ramen.variant)) == (10, 10)


# --- idempotency ---------------------------------------------------------------------------------------


def test_a_retried_checkout_answers_the_same_and_places_once(client, buyer, tea, django_capture_on_commit_callbacks):
    body = {"lines": [{"variant_id": tea.variant.id, "quantity": 2}], "address_id": buyer.address.id}
    with django_capture_on_commit_callbacks() as placed_jobs:
        first = _checkout(client, buyer.auth, body, HTTP_IDEMPOTENCY_KEY="order-7f3a")
    assert first.status_code == 201 and placed_jobs  # the order mail, after commit
    with django_capture_on_commit_callbacks() as replay_jobs:
        again = _checkout(client, buyer.auth, body, HTTP_IDEMPOTENCY_KEY="order-7f3a")
        # The same JSON written another way is the same request.
        reordered = client.post(CHECKOUT, json.dumps({"address_id": buyer.address.id, "lines": body["lines"]},
                                                     indent=2), content_type="application/json",
                                HTTP_IDEMPOTENCY_KEY="order-7f3a", **buyer.auth)
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert (reordered.status_code, reordered.content) == (first.status_code, first.content)
    assert replay_jobs == []
    assert OrderGroup.objects.count() == 1 and Order.objects.count() == 1 and _stock(tea.variant) == 8


def test_a_reused_key_with_another_body_is_refused(client, buyer, tea):
    body = {"lines": [{"variant_id": tea.variant.id, "quantity": 2}], "address_id": buyer.address.id}
    assert _checkout(client, buyer.auth, body, HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
    other = {**body, "lines": [{"variant_id": tea.variant.id, "quantity": 3}]}
    error = assert_error(_checkout(client, buyer.auth, other, HTTP_IDEMPOTENCY_KEY="k-1"), 422,
                         "idempotency.key_reused")
    assert "Idempotency-Key" in error["fields"]
    assert OrderGroup.objects.count() == 1 and _stock(tea.variant) == 8
    # Keys belong to one user: another buyer's "k-1" is theirs.
    someone = UserFactory()
    assert _checkout(client, bearer(someone), {**other, "address_id": AddressFactory(user=someone).id},
                     HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
    assert OrderGroup.objects.count() == 2


def test_a_key_is_free_again_after_a_day(client, buyer, tea):
    body = {"lines": [{"variant_id": tea.variant.id}], "address_id": buyer.address.id}
    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    with clock.frozen(start):
        first = _checkout(client, buyer.auth, body, HTTP_IDEMPOTENCY_KEY="daily")
    with clock.frozen(start + dt.timedelta(hours=23)):
        assert _checkout(client, buyer.auth, body, HTTP_IDEMPOTENCY_KEY="daily").content == first.content
    with clock.frozen(start + dt.timedelta(hours=24, minutes=1)):
        later = _checkout(client, buyer.auth, body, HTTP_IDEMPOTENCY_KEY="daily")
    assert later.status_code == 201 and later.json()["id"] != first.json()["id"]
    assert OrderGroup.objects.count() == 2 and _stock(tea.variant) == 8
    assert IdempotencyKey.objects.filter(key="daily").count() == 1


def test_a_failed_checkout_leaves_the_key_unused(client, buyer, tea):
    body = {"lines": [{"variant_id": tea.variant.id, "quantity": 20}], "address_id": buyer.address.id}
    assert_error(_checkout(client, buyer.auth, body, HTTP_IDEMPOTENCY_KEY="retry-me"), 409, "checkout.unavailable")
    Variant.objects.filter(pk=tea.variant.pk).update(stock=30)
    assert _checkout(client, buyer.auth, body, HTTP_IDEMPOTENCY_KEY="retry-me").status_code == 201


def test_an_unusable_key_is_refused(client, buyer, tea):
    body = {"lines": [{"variant_id": tea.variant.id}], "address_id": buyer.address.id}
    error = assert_error(_checkout(client, buyer.auth, body, HTTP_IDEMPOTENCY_KEY="k" * 300), 422,
                         "idempotency.invalid_key")
    assert "Idempotency-Key" in error["fields"] and not OrderGroup.objects.exists()


# --- tenancy and bad input -----------------------------------------------------------------------------


def test_anonymous_callers_cannot_check_out(client, buyer, tea):
    assert_error(_checkout(client, {}, {"lines": [{"variant_id": tea.variant.id}], "address_id": buyer.address.id}),
                 401, "not_authenticated")
    assert not OrderGroup.objects.exists() and _stock(tea.variant) == 10


def test_garbage_never_gets_a_server_error_and_places_nothing(client, buyer, tea):
    bodies = [None, "", "not json", "[]", "123", "null", json.dumps({"lines": "all"}),
              json.dumps({"lines": [{"variant_id": "abc", "quantity": "many"}], "address_id": "home"}),
              json.dumps({"lines": [{"variant_id": 2**70, "quantity": 10**30}], "address_id": 2**70}),
              json.dumps({"lines": [{"variant_id": -1, "quantity": -5}], "address_id": -1}),
              json.dumps({"lines": [{"variant_id": True, "quantity": 1.5}], "save_address": "perhaps"}),
              json.dumps({"lines": [None, 1, "x"], "address": "here", "charge_currency": 5}),
              json.dumps({"lines": [{}] * 500, "address": {"name": "中文" * 500, "country": "ZZ"}}),
              json.dumps({"lines": [{"variant_id": tea.variant.id}], "address": {"line1": ["x"], "city": {}}}),
              json.dumps({"charge_currency": "中文" * 50, "address_id": buyer.address.id}),
              json.dumps({"charge_currency": "%00", "address_id": buyer.address.id,
                          "lines": [{"variant_id": tea.variant.id}]})]
    for body in bodies:
        for headers in ({}, {"HTTP_IDEMPOTENCY_KEY": "garbage"}, {"HTTP_IDEMPOTENCY_KEY": " "}):
            response = client.post(CHECKOUT, body, content_type="application/json", **buyer.auth, **headers)
            assert response.status_code < 500, (body, headers, response.status_code)
            assert "error" in response.json(), (body, response.content)
    assert not OrderGroup.objects.exists() and _stock(tea.variant) == 10


@pytest.mark.parametrize(("rate", "currency"), [("abc", "CNY"), ("-1", "CNY"), ("1.5", "JPY"), ("1e999", "CNY"),
                                                ("NaN", "CNY"), ({"a": 1}, "CNY")])
def test_a_bad_shipping_rate_is_refused(client, rate, currency):
    shop = _shop("Rates", currency, price="10")
    response = client.patch(f"/api/v1/stores/{shop.store.slug}", {"shipping_rate": rate},
                            content_type="application/json", **shop.owner)
    assert response.status_code == 422 and "shipping_rate" in response.json()["error"]["fields"]
    shop.store.refresh_from_db()
    assert shop.store.shipping_rate == 0
