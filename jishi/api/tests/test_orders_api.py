"""Orders through the API: the buyer's groups and orders, a store's orders, their moves, and tenancy."""

import json
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jishi.api.tests.test_api_errors import assert_error
from jishi.catalog.models import Variant
from jishi.orders.models import Order, OrderEvent, OrderStatus
from jishi.orders.services import mark_paid
from jishi.stores.models import Membership, Role
from tests.factories import AddressFactory, UserFactory, bearer, buy_now, make_product, open_store_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def sale():
    store, access = open_store_for(name="Hangzhou Tea", currency_code="CNY")
    product = make_product(access, title="Green Tea", price="88.00", stock=10)
    buyer = UserFactory(name="Mei Lin", email="mei@example.com")
    address = AddressFactory(user=buyer, name="Mei Lin", phone="+86 571 1234", line1="1 West Lake Road")
    other_store, _other_access = open_store_for(name="Osaka Ramen", currency_code="JPY")
    staff = UserFactory()
    Membership.objects.create(store=store, user=staff, role=Role.STAFF)
    owner = store.memberships.get(role=Role.OWNER).user
    return SimpleNamespace(store=store, access=access, variant=product.variants.get(), buyer=buyer,
                           address=address, auth=bearer(buyer), owner=bearer(owner), staff=bearer(staff),
                           other_buyer=bearer(UserFactory()), outsider=bearer(other_store.memberships.get().user),
                           other_store=other_store)


def _place(sale, quantity: int = 1, paid: bool = False):
    group = buy_now(sale.buyer, sale.variant, quantity, charge_currency="CNY", address=sale.address)
    if paid:
        mark_paid(group)
    return group, group.orders.get()


def _stock(sale) -> int:
    return Variant.objects.get(pk=sale.variant.pk).stock


def _status(order) -> str:
    return Order.objects.get(pk=order.pk).status


def _post(client, url, body=None, **auth):
    return client.post(url, body if body is not None else {}, content_type="application/json", **auth)


# --- the buyer's side ----------------------------------------------------------------------------------


def test_an_order_group_with_what_is_still_due(client, sale):
    tea_two = make_product(sale.access, title="Oolong", price="50.00").variants.get()
    ramen = make_product(open_store_for(name="Ramen", currency_code="CNY")[1], price="10.00").variants.get()
    from jishi.checkout.services import place_order_group

    group = place_order_group(buyer=sale.buyer, charge_currency="CNY", address_id=sale.address.id,
                              lines=[{"variant_id": sale.variant.id, "quantity": 2}, {"variant_id": ramen.id},
                                     {"variant_id": tea_two.id}])
    body = client.get(f"/api/v1/order-groups/{group.id}", **sale.auth).json()
    assert (body["charge_total"], body["amount_due"], body["charge_currency"]) == ("236.00", "236.00", "CNY")
    assert [len(o["lines"]) for o in body["orders"]] == [2, 1]
    ramen_order = next(o for o in body["orders"] if len(o["lines"]) == 1)
    assert _post(client, f"/api/v1/orders/{ramen_order['id']}/cancel", **sale.auth).status_code == 200
    body = client.get(f"/api/v1/order-groups/{group.id}", **sale.auth).json()
    assert (body["charge_total"], body["amount_due"]) == ("236.00", "226.00")


def test_the_buyers_orders_newest_first_filtered_and_paged(client, sale):
    first, _order = _place(sale)
    second, paid_order = _place(sale, 2, paid=True)
    body = client.get("/api/v1/orders", **sale.auth).json()
    assert body["total"] == 2 and body["page"] == 1 and body["page_size"] == 20
    assert [o["group_id"] for o in body["items"]] == [second.id, first.id]
    item = body["items"][0]
    assert (item["status"], item["total"], item["currency"], item["store"]["slug"]) == (
        "paid", "176.00", "CNY", sale.store.slug)
    assert item["lines"][0]["quantity"] == 2 and item["lines"][0]["line_total"] == "176.00"
    paid = client.get("/api/v1/orders?status=paid", **sale.auth).json()
    assert [o["id"] for o in paid["items"]] == [paid_order.id] and paid["total"] == 1
    page_two = client.get("/api/v1/orders?page=2&page_size=1", **sale.auth).json()
    assert [o["group_id"] for o in page_two["items"]] == [first.id] and page_two["total"] == 2
    assert "status" in assert_error(client.get("/api/v1/orders?status=lost", **sale.auth), 422,
                                    "order.invalid")["fields"]
    assert_error(client.get("/api/v1/orders?page_size=1000", **sale.auth), 422, "invalid")


def test_an_order_in_detail_with_its_history_and_the_buyers_moves(client, sale):
    group, order = _place(sale, 2)
    body = client.get(f"/api/v1/orders/{order.id}", **sale.auth).json()
    assert body["id"] == order.id and body["group_id"] == group.id and body["status"] == "pending_payment"
    assert body["shipping_address"]["line1"] == "1 West Lake Road" and body["shipping_address"]["name"] == "Mei Lin"
    assert body["actions"] == ["cancelled"] and body["carrier"] == "" and body["paid_at"] is None
    assert [(e["from_status"], e["to_status"], e["actor"]) for e in body["events"]] == [
        ("", "pending_payment", "buyer")]
    mark_paid(group)
    body = client.get(f"/api/v1/orders/{order.id}", **sale.auth).json()
    assert body["actions"] == [] and body["paid_at"] is not None
    assert body["events"][-1]["actor"] == "system"


def test_the_buyer_cancels_before_paying_and_the_units_go_back(client, sale):
    _group, order = _place(sale, 3)
    assert _stock(sale) == 7
    response = _post(client, f"/api/v1/orders/{order.id}/cancel", {"reason": "Ordered twice"}, **sale.auth)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "cancelled" and body["cancelled_at"] and body["actions"] == []
    assert body["events"][-1] == {**body["events"][-1], "to_status": "cancelled", "note": "Ordered twice",
                                  "actor": "buyer"}
    assert _stock(sale) == 10
    error = assert_error(_post(client, f"/api/v1/orders/{order.id}/cancel", **sale.auth), 409,
                         "order.illegal_transition")
    assert error["message"]
    assert _stock(sale) == 10


def test_a_paid_order_cannot_be_cancelled_by_the_buyer(client, sale):
    _group, order = _place(sale, paid=True)
    assert_error(_post(client, f"/api/v1/orders/{order.id}/cancel", **sale.auth), 409, "order.illegal_transition")
    assert _status(order) == OrderStatus.PAID and OrderEvent.objects.filter(order=order).count() == 2


def test_receipt_is_confirmed_only_once_shipped(client, sale):
    _group, order = _place(sale, paid=True)
    url = f"/api/v1/orders/{order.id}/confirm-receipt"
    assert_error(_post(client, url, **sale.auth), 409, "order.illegal_transition")
    _post(client, f"/api/v1/stores/{sale.store.slug}/orders/{order.id}/ship",
          {"carrier": "SF Express", "tracking_number": "SF1234567890"}, **sale.owner)
    assert client.get(f"/api/v1/orders/{order.id}", **sale.auth).json()["actions"] == ["delivered"]
    body = _post(client, url, **sale.auth).json()
    assert body["status"] == "completed" and body["delivered_at"] and body["completed_at"]
    assert [e["to_status"] for e in body["events"]][-2:] == ["delivered", "completed"]
    assert_error(_post(client, url, **sale.auth), 409, "order.illegal_transition")


# --- the store's side ----------------------------------------------------------------------------------


def test_the_store_sees_its_orders_with_the_buyers_name_and_address_only(client, sale):
    _group, order = _place(sale, 2, paid=True)
    someone_else = UserFactory(email="other-buyer@example.com")
    other_group = buy_now(someone_else, sale.variant, charge_currency="CNY")
    listing = client.get(f"/api/v1/stores/{sale.store.slug}/orders", **sale.owner)
    assert listing.status_code == 200
    body = listing.json()
    assert body["total"] == 2 and {o["id"] for o in body["items"]} == {order.id, other_group.orders.get().id}
    mine = next(o for o in body["items"] if o["id"] == order.id)
    assert (mine["buyer_name"], mine["status"], mine["total"]) == ("Mei Lin", "paid", "176.00")
    detail = client.get(f"/api/v1/stores/{sale.store.slug}/orders/{order.id}", **sale.staff)
    assert detail.status_code == 200
    data = detail.json()
    assert data["shipping_address"]["line1"] == "1 West Lake Road" and data["actions"] == ["shipped", "cancelled"]
    for response in (listing, detail):
        text = response.content.decode()
        assert "mei@example.com" not in text and "other-buyer@example.com" not in text
        assert "group_id" not in text and "buyer_id" not in text and f'"{sale.buyer.id}"' not in text
    assert [o["id"] for o in client.get(f"/api/v1/stores/{sale.store.slug}/orders?status=pending_payment",
                                        **sale.owner).json()["items"]] == [other_group.orders.get().id]


def test_staff_ship_a_paid_order(client, sale):
    _group, order = _place(sale, paid=True)
    url = f"/api/v1/stores/{sale.store.slug}/orders/{order.id}/ship"
    error = assert_error(_post(client, url, {"carrier": "S", "tracking_number": "12"}, **sale.staff), 422,
                         "order.invalid")
    assert {"carrier", "tracking_number"} <= set(error["fields"])
    response = _post(client, url, {"carrier": "SF Express", "tracking_number": "SF 1234 5678"}, **sale.staff)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["carrier"], body["tracking_number"]) == ("shipped", "SF Express", "SF12345678")
    assert body["shipped_at"] and body["auto_confirm_at"] and body["events"][-1]["actor"] == "store"
    assert body["actions"] == []
    buyer_view = client.get(f"/api/v1/orders/{order.id}", **sale.auth).json()
    assert buyer_view["tracking_number"] == "SF12345678"
    assert_error(_post(client, url, {"carrier": "SF Express", "tracking_number": "SF999999"}, **sale.staff), 409,
                 "order.illegal_transition")
    assert Order.objects.get(pk=order.pk).tracking_number == "SF12345678"


def test_an_unpaid_order_cannot_ship(client, sale):
    _group, order = _place(sale)
    assert_error(_post(client, f"/api/v1/stores/{sale.store.slug}/orders/{order.id}/ship",
                       {"carrier": "SF Express", "tracking_number": "SF1234567"}, **sale.owner), 409,
                 "order.illegal_transition")
    assert _status(order) == OrderStatus.PENDING_PAYMENT


def test_the_store_cancels_with_a_reason_and_staff_may_not(client, sale):
    _group, order = _place(sale, 2, paid=True)
    url = f"/api/v1/stores/{sale.store.slug}/orders/{order.id}/cancel"
    assert_error(_post(client, url, {"reason": "Out of tea"}, **sale.staff), 403, "store.role_required")
    assert "reason" in assert_error(_post(client, url, {"reason": "  "}, **sale.owner), 422,
                                    "order.invalid")["fields"]
    assert "reason" in assert_error(_post(client, url, {}, **sale.owner), 422, "invalid")["fields"]
    assert _status(order) == OrderStatus.PAID and _stock(sale) == 8
    body = _post(client, url, {"reason": "Out of tea"}, **sale.owner).json()
    assert body["status"] == "cancelled" and body["cancel_reason"] == "Out of tea" and _stock(sale) == 10
    buyer_view = client.get(f"/api/v1/orders/{order.id}", **sale.auth).json()
    assert buyer_view["events"][-1]["actor"] == "store" and buyer_view["cancel_reason"] == "Out of tea"


# --- tenancy -------------------------------------------------------------------------------------------


def test_other_buyers_and_store_members_cannot_reach_a_buyers_orders(client, sale):
    group, order = _place(sale)
    reads = [f"/api/v1/order-groups/{group.id}", f"/api/v1/orders/{order.id}"]
    writes = [f"/api/v1/orders/{order.id}/cancel", f"/api/v1/orders/{order.id}/confirm-receipt"]
    for auth in (sale.other_buyer, sale.outsider, sale.owner):
        for url in reads:
            assert client.get(url, **auth).status_code == 404, url
        for url in writes:
            assert_error(_post(client, url, **auth), 404, "order.not_found")
        assert client.get("/api/v1/orders", **auth).json()["total"] == 0
    assert_error(client.get(reads[0], **sale.other_buyer), 404, "order_group.not_found")
    for url in reads + ["/api/v1/orders"]:
        assert_error(client.get(url), 401, "not_authenticated")
    for url in writes:
        assert_error(_post(client, url), 401, "not_authenticated")
    assert _status(order) == OrderStatus.PENDING_PAYMENT and _stock(sale) == 9
    assert OrderEvent.objects.filter(order=order).count() == 1


def test_only_the_stores_members_reach_its_orders(client, sale):
    _group, order = _place(sale, paid=True)
    slug = sale.store.slug
    base = f"/api/v1/stores/{slug}/orders"
    ship = {"carrier": "SF Express", "tracking_number": "SF1234567"}
    for auth in (sale.auth, sale.other_buyer, sale.outsider):
        assert_error(client.get(base, **auth), 404, "store.not_found")
        assert_error(client.get(f"{base}/{order.id}", **auth), 404, "store.not_found")
        assert_error(_post(client, f"{base}/{order.id}/ship", ship, **auth), 404, "store.not_found")
        assert_error(_post(client, f"{base}/{order.id}/cancel", {"reason": "x"}, **auth), 404, "store.not_found")
    # A member of another store, through their own store's address, cannot reach this store's order either.
    own = f"/api/v1/stores/{sale.other_store.slug}/orders"
    assert client.get(own, **sale.outsider).json()["total"] == 0
    assert_error(client.get(f"{own}/{order.id}", **sale.outsider), 404, "order.not_found")
    assert_error(_post(client, f"{own}/{order.id}/ship", ship, **sale.outsider), 404, "order.not_found")
    assert_error(_post(client, f"{own}/{order.id}/cancel", {"reason": "x"}, **sale.outsider), 404, "order.not_found")
    for url in (base, f"{base}/{order.id}"):
        assert_error(client.get(url), 401, "not_authenticated")
    for url, body in ((f"{base}/{order.id}/ship", ship), (f"{base}/{order.id}/cancel", {"reason": "x"})):
        assert_error(_post(client, url, body), 401, "not_authenticated")
    fresh = Order.objects.get(pk=order.pk)
    assert fresh.status == OrderStatus.PAID and fresh.tracking_number == "" and _stock(sale) == 9


# --- bad input, queries and the spec -------------------------------------------------------------------


def test_garbage_never_gets_a_server_error(client, sale):
    _group, order = _place(sale, paid=True)
    slug = sale.store.slug
    routes = [(f"/api/v1/orders/{order.id}/cancel", sale.auth),
              (f"/api/v1/orders/{order.id}/confirm-receipt", sale.auth),
              (f"/api/v1/stores/{slug}/orders/{order.id}/ship", sale.staff),
              (f"/api/v1/stores/{slug}/orders/{order.id}/cancel", sale.owner),
              ("/api/v1/orders/abc/cancel", sale.auth), (f"/api/v1/orders/{'9' * 40}/cancel", sale.auth),
              (f"/api/v1/stores/{slug}/orders/-1/ship", sale.staff)]
    bodies = [None, "", "not json", "[]", "123", "null", json.dumps({"reason": ["x"], "carrier": {}}),
              json.dumps({"reason": "中文" * 600, "carrier": "中文" * 100, "tracking_number": "<script>" * 20}),
              json.dumps({"reason": 5, "carrier": True, "tracking_number": 1e300}),
              json.dumps({"carrier": "SF", "tracking_number": "<script>"}),
              json.dumps({"carrier": "SF", "tracking_number": "9" * 500})]
    for url, auth in routes:
        for body in bodies:
            response = client.post(url, body, content_type="application/json", **auth)
            assert response.status_code < 500, (url, body, response.status_code)
    for query in ("status=%00", "page=-1", "page_size=abc", "page=" + "9" * 40, "status=" + "x" * 500):
        for url in ("/api/v1/orders", f"/api/v1/stores/{slug}/orders"):
            response = client.get(f"{url}?{query}", **sale.owner)
            assert response.status_code == 422 and "error" in response.json(), (url, query)
    assert _status(order) == OrderStatus.PAID and _stock(sale) == 9


def test_listing_orders_takes_the_same_queries_however_many_there_are(client, sale):
    make_product(sale.access, title="Oolong", price="5.00", stock=100)
    _place(sale)
    for auth in (sale.auth, sale.owner):  # a token records its use at most once a minute
        client.get("/api/v1/me", **auth)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/orders", **sale.auth).json()["total"] == 1
    with CaptureQueriesContext(connection) as store_one:
        assert client.get(f"/api/v1/stores/{sale.store.slug}/orders", **sale.owner).json()["total"] == 1
    for _n in range(9):
        _place(sale)
    with CaptureQueriesContext(connection) as ten:
        assert len(client.get("/api/v1/orders", **sale.auth).json()["items"]) == 10
    with CaptureQueriesContext(connection) as store_ten:
        assert len(client.get(f"/api/v1/stores/{sale.store.slug}/orders", **sale.owner).json()["items"]) == 10
    assert len(one) == len(ten), [q["sql"] for q in ten.captured_queries]
    assert len(store_one) == len(store_ten)


def test_the_spec_lists_the_trade_routes(client):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    for path in ("/api/v1/cart", "/api/v1/cart/lines", "/api/v1/cart/lines/{line_id}", "/api/v1/checkout",
                 "/api/v1/order-groups/{group_id}", "/api/v1/orders", "/api/v1/orders/{order_id}",
                 "/api/v1/orders/{order_id}/cancel", "/api/v1/orders/{order_id}/confirm-receipt",
                 "/api/v1/stores/{slug}/orders", "/api/v1/stores/{slug}/orders/{order_id}",
                 "/api/v1/stores/{slug}/orders/{order_id}/ship", "/api/v1/stores/{slug}/orders/{order_id}/cancel"):
        assert path in paths, path
    assert set(paths["/api/v1/checkout"]["post"]["responses"]) >= {"201", "409", "422"}
    assert "409" in paths["/api/v1/stores/{slug}/orders/{order_id}/ship"]["post"]["responses"]
