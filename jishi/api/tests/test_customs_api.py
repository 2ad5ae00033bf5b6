"""GET /api/v1/stores/{slug}/orders/{order_id}/customs-declaration: the same papers the seller centre prints."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jishi.api.tests.test_api_errors import assert_error
from jishi.catalog.models import Variant
from jishi.orders.services import mark_paid
from jishi.stores.models import Membership, Role
from tests.factories import AddressFactory, UserFactory, bearer, make_product, open_store_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def lyon(rates):
    store, access = open_store_for(name="Hangzhou Tea", currency_code="CNY", country="CN")
    buyer = UserFactory()
    address = AddressFactory(user=buyer, name="Claire Martin", line1="3 Rue de la République", city="Lyon",
                             postal_code="69001", country="FR")
    staff = UserFactory()
    Membership.objects.create(store=store, user=staff, role=Role.STAFF)
    other_store, _ = open_store_for(name="Osaka Ramen", currency_code="JPY", country="JP")
    return {"store": store, "access": access, "buyer": buyer, "address": address,
            "owner": bearer(store.memberships.get(role=Role.OWNER).user), "staff": bearer(staff),
            "buyer_auth": bearer(buyer), "outsider": bearer(other_store.memberships.get().user),
            "other_store": other_store}


def _tea(access, title="Dragon Well Green Tea", price="88.00"):
    variant = make_product(access, title=title, price=price, stock=20).variants.get()
    Variant.objects.filter(pk=variant.pk).update(hs_code="0902.10", weight_grams=250, origin_country="CN")
    return variant


def _buy(lyon, *variants, address=None, quantity=2):
    from jishi.checkout.services import place_order_group

    group = place_order_group(buyer=lyon["buyer"], charge_currency="EUR", address_id=(address or lyon["address"]).id,
                              lines=[{"variant_id": v.id, "quantity": quantity} for v in variants])
    mark_paid(group)
    return group.orders.get()


def _url(store, order) -> str:
    return f"/api/v1/stores/{store.slug}/orders/{order.id}/customs-declaration"


def test_the_declaration_of_a_parcel_to_lyon(client, lyon):
    order = _buy(lyon, _tea(lyon["access"]))
    response = client.get(_url(lyon["store"], order), **lyon["owner"])
    assert response.status_code == 200
    body = response.json()
    assert body["order_id"] == order.id and body["placed_at"]
    assert body["sender"] == {"name": "Hangzhou Tea", "country": "CN", "ship_from_country": "CN"}
    assert (body["recipient"]["name"], body["recipient"]["city"], body["recipient"]["country"]) == (
        "Claire Martin", "Lyon", "FR")
    assert body["destination_country"] == "FR" and body["currency"] == "CNY"
    [line] = body["lines"]
    assert {key: line[key] for key in ("title", "hs_code", "origin_country", "quantity", "unit_value", "value",
                                       "currency", "unit_weight_grams", "weight_grams")} == {
        "title": "Dragon Well Green Tea", "hs_code": "0902.10", "origin_country": "CN", "quantity": 2,
        "unit_value": "88.00", "value": "176.00", "currency": "CNY", "unit_weight_grams": 250, "weight_grams": 500}
    assert body["items_value"] == "176.00" and body["total_weight_grams"] == 500 and body["units"] == 2
    assert body["declared_value"] == f"{order.items_total + order.shipping_total:.2f}"
    # Under the IOSS limit: duty and VAT were collected at checkout, so the parcel goes delivered duty paid.
    assert body["terms"] == "DDP" and body["collection"] == "checkout"
    assert body["duties_collected"] == f"{order.duty_total:.2f}" and body["due_on_delivery"] == "0.00"


def test_above_the_ioss_limit_duties_are_due_on_delivery(client, lyon):
    order = _buy(lyon, _tea(lyon["access"], price="1000.00"))
    body = client.get(_url(lyon["store"], order), **lyon["staff"]).json()
    assert body["terms"] == "DAP" and body["collection"] == "on_delivery"
    assert body["duties_collected"] == "0.00" and body["due_on_delivery"] == f"{order.due_on_delivery:.2f}"
    assert order.due_on_delivery > 0


def test_a_domestic_order_has_no_declaration(client, lyon):
    home = AddressFactory(user=lyon["buyer"], country="CN", city="Hangzhou")
    order = _buy(lyon, _tea(lyon["access"]), address=home)
    assert_error(client.get(_url(lyon["store"], order), **lyon["owner"]), 404, "order.not_cross_border")


def test_only_the_stores_members_reach_the_declaration(client, lyon):
    order = _buy(lyon, _tea(lyon["access"]))
    url = _url(lyon["store"], order)
    for auth in (lyon["buyer_auth"], lyon["outsider"], bearer(UserFactory())):
        assert_error(client.get(url, **auth), 404, "store.not_found")
    assert_error(client.get(_url(lyon["other_store"], order), **lyon["outsider"]), 404, "order.not_found")
    assert_error(client.get(url), 401, "not_authenticated")


def test_the_declaration_costs_the_same_queries_for_1_or_6_lines(client, lyon):
    one = _buy(lyon, _tea(lyon["access"]), quantity=1)
    six = _buy(lyon, *[_tea(lyon["access"], title=f"Tea {n}", price="10.00") for n in range(6)], quantity=1)
    client.get(_url(lyon["store"], one), **lyon["owner"])  # the token's first use is recorded once
    counts = []
    for order in (one, six):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_url(lyon["store"], order), **lyon["owner"])
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_declaration_stays_within_a_pinned_number_of_queries(client, lyon, django_assert_max_num_queries):
    order = _buy(lyon, *[_tea(lyon["access"], title=f"Tea {n}", price="10.00") for n in range(3)], quantity=1)
    with django_assert_max_num_queries(8):
        assert client.get(_url(lyon["store"], order), **lyon["owner"]).status_code == 200
