"""The frozen shipping of an order (method, kind, ship-from country, delivery estimate) through the API."""

import datetime as dt

import pytest

from jishi.api.tests.test_api_errors import assert_error
from jishi.core import clock
from jishi.orders.services import mark_paid
from tests.factories import AddressFactory, UserFactory, bearer, buy_now, make_product, open_store_for

pytestmark = pytest.mark.django_db

SHIPPING_FIELDS = ("shipping_method", "shipping_kind", "ship_from_country", "delivery_from", "delivery_to")


@pytest.fixture
def order():
    store, access = open_store_for(name="Hangzhou Tea", country="CN", currency_code="CNY")
    variant = make_product(access, title="Green Tea", price="88.00", stock=10).variants.get()
    buyer = UserFactory()
    address = AddressFactory(user=buyer, line1="12 Rue de la République", city="Lyon", postal_code="69002",
                             country="FR")
    with clock.frozen(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)):
        group = buy_now(buyer, variant, 2, charge_currency="CNY", address=address)
    mark_paid(group)
    placed = group.orders.get()
    return placed, bearer(buyer), bearer(store.memberships.get().user)


def test_buyer_and_store_see_the_shipping_the_order_was_placed_with(client, order, django_assert_max_num_queries):
    # given an order placed with the store's default template (opened with the store)
    placed, buyer, owner = order
    assert (placed.shipping_kind, placed.ship_from_country) == ("standard", "CN")
    expected = {"shipping_method": placed.shipping_method, "shipping_kind": "standard", "ship_from_country": "CN",
                "delivery_from": placed.delivery_from.isoformat(), "delivery_to": placed.delivery_to.isoformat()}
    # when the buyer and the store read it
    with django_assert_max_num_queries(12):
        mine = client.get(f"/api/v1/orders/{placed.id}", **buyer)
    theirs = client.get(f"/api/v1/stores/{placed.store.slug}/orders/{placed.id}", **owner)
    # then both see the same frozen shipping
    for response in (mine, theirs):
        assert response.status_code == 200
        assert {name: response.json()[name] for name in SHIPPING_FIELDS} == expected
    assert placed.delivery_from <= placed.delivery_to


def test_a_later_change_of_the_template_does_not_change_the_order(client, order):
    placed, buyer, _owner = order
    before = {name: client.get(f"/api/v1/orders/{placed.id}", **buyer).json()[name] for name in SHIPPING_FIELDS}
    placed.store.shipping_templates.update(name="Renamed", ship_from="JP")
    after = {name: client.get(f"/api/v1/orders/{placed.id}", **buyer).json()[name] for name in SHIPPING_FIELDS}
    assert after == before


def test_others_do_not_see_the_order_shipping(client, order):
    placed, _buyer, _owner = order
    _other_store, other_access = open_store_for(name="Osaka Ramen", country="JP", currency_code="JPY")
    outsider = bearer(other_access.membership.user)
    assert_error(client.get(f"/api/v1/orders/{placed.id}", **bearer(UserFactory())), 404, "order.not_found")
    assert_error(client.get(f"/api/v1/stores/{placed.store.slug}/orders/{placed.id}", **outsider), 404,
                 "store.not_found")
    assert_error(client.get(f"/api/v1/orders/{placed.id}"), 401, "not_authenticated")


def test_the_openapi_schema_describes_the_order_shipping(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for schema in ("OrderOut", "StoreOrderOut"):
        properties = schemas[schema]["properties"]
        assert set(SHIPPING_FIELDS) <= set(properties)
        assert properties["delivery_to"]["anyOf"][0] == {"format": "date", "type": "string"}
