"""The buyer's order pages: the list with its status filter, one order with its history and the buyer's moves."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jishi.catalog.models import Variant
from jishi.orders import services
from jishi.orders.models import OrderStatus
from tests.factories import UserFactory, buy_now, make_product, open_store_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    store, access = open_store_for(name="Hangzhou Tea", currency_code="CNY")
    tea = make_product(access, title="Green Tea", price="88.00", stock=50).variants.get()
    buyer = UserFactory(name="Mei Lin")
    return {"store": store, "access": access, "tea": tea, "buyer": buyer}


def shipped_order(shop):
    group = buy_now(shop["buyer"], shop["tea"], 1)
    services.mark_paid(group)
    order = group.orders.get()
    services.ship_order(access=shop["access"], order=order, carrier="SF Express", tracking_number="SF1234567890")
    return order


def test_anonymous_visitors_are_sent_to_log_in(client, shop):
    order = buy_now(shop["buyer"], shop["tea"]).orders.get()
    for url in ("/orders/", f"/orders/{order.id}/", f"/orders/groups/{order.group_id}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next="), url
    assert client.post(f"/orders/{order.id}/cancel/")["Location"].startswith("/accounts/login/")


def test_another_buyer_gets_not_found_everywhere(client, shop):
    order = buy_now(shop["buyer"], shop["tea"]).orders.get()
    client.force_login(UserFactory())
    for url in (f"/orders/{order.id}/", f"/orders/groups/{order.group_id}/", "/orders/abc/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/orders/{order.id}/cancel/").status_code == 404
    assert client.post(f"/orders/{order.id}/confirm/").status_code == 404
    assert client.get("/orders/").context["orders"] == []
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_the_list_shows_the_buyers_orders_and_filters_by_status(client, shop):
    waiting = buy_now(shop["buyer"], shop["tea"], 2).orders.get()
    sent = shipped_order(shop)
    buy_now(UserFactory(), shop["tea"])  # someone else's
    client.force_login(shop["buyer"])
    response = client.get("/orders/")
    assert [o.id for o in response.context["orders"]] == [sent.id, waiting.id]
    page = response.content.decode()
    assert "2 × Green Tea" in page and "CN¥176.00" in page and "Awaiting payment" in page and "Shipped" in page
    assert [o.id for o in client.get("/orders/?status=shipped").context["orders"]] == [sent.id]
    assert client.get("/orders/?status=completed").context["orders"] == []
    assert len(client.get("/orders/?status=bogus").context["orders"]) == 2


def test_the_detail_page_shows_lines_totals_address_tracking_and_history(client, shop):
    order = shipped_order(shop)
    client.force_login(shop["buyer"])
    response = client.get(f"/orders/{order.id}/")
    page = response.content.decode()
    assert "Green Tea" in page and "CN¥88.00" in page and "1 Main Street" in page
    assert "SF Express" in page and "SF1234567890" in page
    steps = response.context["steps"]
    assert [(s.from_label, s.to_label, s.who) for s in steps] == [
        ("", "Awaiting payment", "You"), ("Awaiting payment", "Paid", "The marketplace"),
        ("Paid", "Shipped", "Hangzhou Tea")]
    assert response.context["can_confirm"] and not response.context["can_cancel"]
    assert "Confirm receipt" in page and "Cancel order" not in page


def test_the_buyer_cancels_an_unpaid_order_and_the_stock_comes_back(client, shop, django_capture_on_commit_callbacks):
    order = buy_now(shop["buyer"], shop["tea"], 3).orders.get()
    client.force_login(shop["buyer"])
    page = client.get(f"/orders/{order.id}/").content.decode()
    assert "Cancel order" in page and "Awaiting payment — pay before" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/orders/{order.id}/cancel/", {"reason": "Ordered the wrong size"}, follow=True)
    assert "Your order is cancelled." in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and Variant.objects.get().stock == 50
    assert any("was cancelled" in m.subject for m in mail.outbox)
    steps = response.context["steps"]
    assert (steps[-1].to_label, steps[-1].who, steps[-1].note) == ("Cancelled", "You", "Ordered the wrong size")
    # Cancelling again is refused with the rule's message, not a server error.
    response = client.post(f"/orders/{order.id}/cancel/", follow=True)
    assert response.status_code == 200 and "cannot become" in response.content.decode()


def test_the_buyer_confirms_receipt_of_a_shipped_order(client, shop):
    order = shipped_order(shop)
    client.force_login(shop["buyer"])
    response = client.post(f"/orders/{order.id}/confirm/", follow=True)
    assert "You confirmed that your order arrived." in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert not response.context["can_confirm"] and not response.context["can_cancel"]


def test_illegal_moves_show_the_rule_not_a_server_error(client, shop):
    group = buy_now(shop["buyer"], shop["tea"])
    services.mark_paid(group)
    order = group.orders.get()
    client.force_login(shop["buyer"])
    for action in ("cancel", "confirm"):
        response = client.post(f"/orders/{order.id}/{action}/", follow=True)
        assert response.status_code == 200 and [m.level_tag for m in response.context["messages"]] == ["error"]
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert client.get(f"/orders/{order.id}/cancel/").status_code == 405


def test_an_expired_order_says_it_was_not_paid_in_time(client, shop):
    import datetime as dt

    from jishi.core import clock

    group = buy_now(shop["buyer"], shop["tea"])
    with clock.frozen(clock.now() + dt.timedelta(hours=2)):
        services.process_due()
    client.force_login(shop["buyer"])
    detail = client.get(f"/orders/{group.orders.get().id}/")
    assert detail.context["steps"][-1].note == "Not paid in time."
    assert "This order expired" in client.get(f"/orders/groups/{group.id}/").content.decode()


def test_order_pages_render_in_english_and_chinese(client, shop):
    order = shipped_order(shop)
    client.force_login(shop["buyer"])
    for url in ("/orders/", "/orders/?status=shipped", f"/orders/{order.id}/", f"/orders/groups/{order.group_id}/"):
        assert client.get(url).status_code == 200, url
        chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN")
        assert chinese.status_code == 200 and chinese.context["LANGUAGE_CODE"] == "zh-hans", url


def test_the_orders_list_is_paginated(client, shop):
    for _ in range(12):
        buy_now(shop["buyer"], shop["tea"])
    client.force_login(shop["buyer"])
    first = client.get("/orders/")
    assert len(first.context["orders"]) == 10 and "Page 1 of 2" in first.content.decode()
    second = client.get("/orders/?page=2&status=pending_payment")
    assert len(second.context["orders"]) == 2 and 'href="?status=pending_payment&amp;page=1"' in second.content.decode()


def test_the_orders_list_costs_the_same_queries_for_1_or_10_orders(client, shop):
    buy_now(shop["buyer"], shop["tea"])
    client.force_login(shop["buyer"])
    client.get("/orders/")
    with CaptureQueriesContext(connection) as few:
        client.get("/orders/")
    for n in range(9):
        store, access = open_store_for(name=f"Store {n}")
        variant = make_product(access, title=f"Thing {n}", stock=5, variants=2).variants.first()
        buy_now(shop["buyer"], variant, 2)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/orders/")
    assert len(response.context["orders"]) == 10
    assert len(many) == len(few), [q["sql"] for q in many]


def test_the_order_pages_cost_the_same_queries_for_1_or_many_lines(client, shop):
    client.force_login(shop["buyer"])
    small = buy_now(shop["buyer"], shop["tea"])
    product = make_product(shop["access"], title="Sampler", stock=5, variants=8)
    from jishi.checkout.services import place_order_group

    big = place_order_group(buyer=shop["buyer"], charge_currency="USD",
                            address_id=shop["buyer"].addresses.first().id,
                            lines=[{"variant_id": v.id, "quantity": 1} for v in product.variants.all()])
    for url_of in (lambda g: f"/orders/{g.orders.get().id}/", lambda g: f"/orders/groups/{g.id}/"):
        client.get(url_of(small))
        with CaptureQueriesContext(connection) as few:
            client.get(url_of(small))
        with CaptureQueriesContext(connection) as many:
            client.get(url_of(big))
        assert len(many) == len(few)
