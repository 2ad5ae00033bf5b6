"""The pages' one door for tenant-scoped loads (``web.errors``): an outsider gets the 404 page, a member whose
role falls short the 403 page with the reason, in the request's language; the API keeps its JSON bodies."""

import pytest

from jishi.orders.services import mark_paid
from jishi.stores.models import Role
from tests.factories import AddressFactory, UserFactory, buy_now, make_product, member_of, open_store_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order():
    store, access = open_store_for(name="Suzhou Silk", currency_code="CNY")
    product = make_product(access, title="Silk Scarf", price="120.00", stock=5)
    buyer = UserFactory()
    group = buy_now(buyer, product.variants.get(), 1, charge_currency="CNY", address=AddressFactory(user=buyer))
    mark_paid(group)
    return group.orders.get()


def test_another_stores_order_is_the_404_page(client, paid_order):
    other, _ = open_store_for(name="Ningbo Knives")
    client.force_login(other.memberships.get().user)
    for url in (f"/seller/{other.slug}/orders/{paid_order.id}/", f"/seller/{paid_order.store.slug}/orders/",
                f"/orders/{paid_order.id}/", f"/orders/groups/{paid_order.group_id}/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "We could not find that page" in response.content.decode(), url


def test_a_role_that_falls_short_is_the_403_page_with_its_reason(client, paid_order):
    client.force_login(member_of(paid_order.store, Role.STAFF))
    response = client.post(f"/seller/{paid_order.store.slug}/orders/{paid_order.id}/cancel/", {"reason": "No"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "You may not do that" in page and "Your role in this store does not allow that." in page
    paid_order.refresh_from_db()
    assert paid_order.status == "paid"


def test_the_403_reason_speaks_the_visitors_language(client, paid_order):
    client.force_login(member_of(paid_order.store, Role.STAFF))
    response = client.post(f"/seller/{paid_order.store.slug}/orders/{paid_order.id}/cancel/", {"reason": "No"},
                           HTTP_ACCEPT_LANGUAGE="zh-Hans")
    assert response.status_code == 403
    assert "您在本店的角色无权执行此操作。" in response.content.decode()


def test_operator_pages_are_not_found_for_everyone_else(client, paid_order):
    client.force_login(paid_order.group.buyer)
    assert client.get("/operator/refund-requests/").status_code == 404
    assert client.get(f"/operator/orders/{paid_order.id}/refund/").status_code == 404


def test_a_domestic_order_has_no_customs_page(client, paid_order):
    client.force_login(paid_order.store.memberships.get().user)
    response = client.get(f"/seller/{paid_order.store.slug}/orders/{paid_order.id}/customs-declaration/")
    assert response.status_code == 404
    assert "does not cross a border" in response.content.decode()


def test_the_api_keeps_its_json_error_body(client, paid_order):
    client.force_login(paid_order.group.buyer)
    response = client.get("/api/v1/orders/999999999")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "order.not_found"
