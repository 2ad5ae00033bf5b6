"""Seller centre: the store's orders, one order (ship, cancel, history), packing slips, and the trade settings
(shipping per order, limit per buyer, stock held by unpaid orders)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jishi.catalog.models import Variant
from jishi.catalog.selectors import get_category_tree
from jishi.orders.models import Order, OrderEvent, OrderStatus
from jishi.orders.services import mark_paid
from jishi.stores.models import Role
from tests.factories import AddressFactory, UserFactory, buy_now, make_product, member_of, open_store_for

pytestmark = pytest.mark.django_db

BUYER_EMAIL = "mei.private@example.com"
BUYER_ACCOUNT_NAME = "Account Holder Zhou"
GARBAGE = ["", "abc", "-1", "1e999", "NaN", "0" * 500, "<script>", "../../etc/passwd", "9" * 40, "中文", "{}", "[]"]


@pytest.fixture
def shop():
    store, access = open_store_for(name="Hangzhou Tea", currency_code="CNY")
    product = make_product(access, title="Dragon Well Green Tea", price="88.00", stock=10, variants=2)
    buyer = UserFactory(email=BUYER_EMAIL, name=BUYER_ACCOUNT_NAME)
    address = AddressFactory(user=buyer, name="Mei Lin", line1="18 Longjing Road", city="Hangzhou",
                             postal_code="310013", country="CN", phone="+86 571 8888 0000")
    return {"store": store, "access": access, "owner": store.memberships.get().user, "product": product,
            "variant": product.variants.order_by("id").first(), "buyer": buyer, "address": address}


def _order(shop, quantity=2, *, paid=True, variant=None):
    group = buy_now(shop["buyer"], variant or shop["variant"], quantity, charge_currency="CNY", address=shop["address"])
    if paid:
        mark_paid(group)
    return group.orders.get()


def _urls(store, order):
    base = f"/seller/{store.slug}/orders/"
    return {"list": base, "detail": f"{base}{order.id}/", "slip": f"{base}{order.id}/packing-slip/",
            "ship": f"{base}{order.id}/ship/", "cancel": f"{base}{order.id}/cancel/"}


def _snapshot(order):
    order.refresh_from_db()
    return (order.status, order.carrier, order.tracking_number, order.cancel_reason, order.events.count(),
            Variant.objects.get(pk=order.lines.get().variant_id).stock)


# --- the orders list ---------------------------------------------------------------------------------


def test_the_orders_list_shows_each_order_with_status_filters_and_counts(client, shop):
    paid = _order(shop, 2)
    unpaid = _order(shop, 1, paid=False)
    client.force_login(shop["owner"])
    response = client.get(f"/seller/{shop['store'].slug}/orders/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"#{paid.id}" in page and f"#{unpaid.id}" in page
    assert "Mei Lin" in page and "2 × Dragon Well Green Tea" in page and "¥176.00" in page
    assert "Awaiting payment" in page and "Paid" in page
    chips = {chip["value"]: chip["count"] for chip in response.context["chips"]}
    assert chips[""] == 2 and chips["paid"] == 1 and chips["pending_payment"] == 1 and chips["shipped"] == 0
    filtered = client.get(f"/seller/{shop['store'].slug}/orders/?status=paid")
    assert [o.id for o in filtered.context["orders"]] == [paid.id]
    assert client.get(f"/seller/{shop['store'].slug}/orders/?status=nonsense&page=-4").status_code == 200
    empty = client.get(f"/seller/{shop['store'].slug}/orders/?status=shipped")
    assert b"No orders with this status." in empty.content


def test_the_orders_list_pages_and_keeps_the_filter(client, shop, monkeypatch):
    monkeypatch.setattr("jishi.web.views.seller_orders.PER_PAGE", 2)
    ids = [_order(shop, 1).id for _ in range(3)]
    client.force_login(shop["owner"])
    first = client.get(f"/seller/{shop['store'].slug}/orders/?status=paid")
    assert [o.id for o in first.context["orders"]] == ids[::-1][:2]
    assert b"?status=paid&amp;page=2" in first.content
    second = client.get(f"/seller/{shop['store'].slug}/orders/?status=paid&page=2")
    assert [o.id for o in second.context["orders"]] == [ids[0]]


def test_the_orders_list_costs_the_same_queries_for_1_or_10_orders(client, shop):
    client.force_login(shop["owner"])
    _order(shop, 1)
    url = f"/seller/{shop['store'].slug}/orders/"
    client.get(url)  # warm per-process caches (category tree, currencies)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url).context["orders"]) == 1
    second = shop["product"].variants.order_by("id").last()
    for n in range(9):
        _order(shop, 1, paid=n % 2 == 0, variant=second if n % 3 else None)
    with CaptureQueriesContext(connection) as ten:
        assert len(client.get(url).context["orders"]) == 10
    assert len(ten) == len(one), [q["sql"] for q in ten.captured_queries]


# --- one order: ship, cancel, history ---------------------------------------------------------------


def test_the_order_page_shows_lines_totals_address_and_history(client, shop):
    order = _order(shop, 2)
    client.force_login(shop["owner"])
    response = client.get(f"/seller/{shop['store'].slug}/orders/{order.id}/")
    assert response.status_code == 200
    page = response.content.decode()
    line = order.lines.get()
    assert line.sku in page and "Dragon Well Green Tea" in page and "size: S0" in page
    assert "¥88.00" in page and "¥176.00" in page  # unit price, items and total in the store's currency
    assert "Mei Lin" in page and "18 Longjing Road" in page and "310013" in page and "China" in page
    assert [e.to_status for e in response.context["timeline"]] == ["pending_payment", "paid"]
    assert response.context["timeline"][0].who == "Buyer"
    assert response.context["can_ship"] and response.context["can_cancel"]
    assert "Mark as shipped" in page and "Cancel order" in page


def test_shipping_with_carrier_and_tracking_moves_the_order_and_shows_it(client, shop):
    order = _order(shop)
    client.force_login(shop["owner"])
    urls = _urls(shop["store"], order)
    response = client.post(urls["ship"], {"carrier": "SF Express", "tracking_number": "SF 1234 5678 90"})
    assert response.status_code == 302 and response["Location"] == urls["detail"]
    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_number) == (OrderStatus.SHIPPED, "SF Express", "SF1234567890")
    page = client.get(urls["detail"])
    text = page.content.decode()
    assert "SF1234567890" in text and "SF Express" in text and "is marked as shipped" in text
    assert not page.context["can_ship"] and not page.context["can_cancel"]
    assert page.context["timeline"][-1].to_status == "shipped"
    assert page.context["timeline"][-1].from_label == "Paid"


@pytest.mark.parametrize(("data", "field"), [
    ({"carrier": "SF Express", "tracking_number": "12"}, "tracking_number"),
    ({"carrier": "SF Express", "tracking_number": "单号!!1234"}, "tracking_number"),
    ({"carrier": "", "tracking_number": "SF123456"}, "carrier"),
    ({}, "tracking_number"),
])
def test_a_bad_tracking_number_is_shown_inline_and_nothing_changes(client, shop, data, field):
    order = _order(shop)
    before = _snapshot(order)
    client.force_login(shop["owner"])
    response = client.post(_urls(shop["store"], order)["ship"], data)
    assert response.status_code == 200
    assert field in response.context["ship_form"].errors
    assert b'class="errorlist"' in response.content
    assert _snapshot(order) == before


def test_cancelling_needs_a_reason_shown_inline(client, shop):
    order = _order(shop)
    before = _snapshot(order)
    client.force_login(shop["owner"])
    urls = _urls(shop["store"], order)
    for data in ({}, {"reason": "   "}, {"reason": "x" * 501}):
        response = client.post(urls["cancel"], data)
        assert response.status_code == 200 and "reason" in response.context["cancel_form"].errors
        assert b"<details class=\"seller-order-cancel\" open>" in response.content
        assert _snapshot(order) == before


def test_the_store_cancels_with_a_reason_and_the_units_go_back(client, shop):
    order = _order(shop, 3)
    stock_before = Variant.objects.get(pk=shop["variant"].pk).stock
    client.force_login(shop["owner"])
    urls = _urls(shop["store"], order)
    response = client.post(urls["cancel"], {"reason": "Out of this harvest, sorry."})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.cancel_reason == "Out of this harvest, sorry."
    assert Variant.objects.get(pk=shop["variant"].pk).stock == stock_before + 3
    page = client.get(urls["detail"])
    assert "Out of this harvest, sorry." in page.content.decode()
    assert page.context["timeline"][-1].who == shop["owner"].name


def test_shipping_an_unpaid_order_is_refused_with_a_clear_message(client, shop):
    order = _order(shop, paid=False)
    before = _snapshot(order)
    client.force_login(shop["owner"])
    detail = client.get(_urls(shop["store"], order)["detail"])
    assert not detail.context["can_ship"] and detail.context["can_cancel"]
    assert b"do not ship yet" in detail.content and b"If it is not paid by" in detail.content
    response = client.post(_urls(shop["store"], order)["ship"], {"carrier": "SF Express", "tracking_number": "SF123456"})
    assert response.status_code == 409
    text = response.content.decode()
    assert "An order that is “Awaiting payment” cannot become “Shipped”." in text and 'role="alert"' in text
    assert _snapshot(order) == before


def test_a_second_cancel_after_shipping_is_refused_inline(client, shop):
    order = _order(shop)
    client.force_login(shop["owner"])
    urls = _urls(shop["store"], order)
    client.post(urls["ship"], {"carrier": "YunExpress", "tracking_number": "YT1234567890"})
    before = _snapshot(order)
    response = client.post(urls["cancel"], {"reason": "Changed my mind"})
    assert response.status_code == 409 and "cannot become" in response.content.decode()
    assert _snapshot(order) == before


# --- tenancy ----------------------------------------------------------------------------------------


def test_a_member_of_another_store_gets_404_everywhere_and_changes_nothing(client, shop):
    order = _order(shop)
    before = _snapshot(order)
    other_store, _ = open_store_for(name="Other Store")
    client.force_login(other_store.memberships.get().user)
    urls = _urls(shop["store"], order)
    for name in ("list", "detail", "slip"):
        assert client.get(urls[name]).status_code == 404, name
    assert client.post(urls["ship"], {"carrier": "SF Express", "tracking_number": "SF123456"}).status_code == 404
    assert client.post(urls["cancel"], {"reason": "spite"}).status_code == 404
    # Their own store's address with our order's id is not found either.
    mine = _urls(other_store, order)
    for name in ("detail", "slip"):
        assert client.get(mine[name]).status_code == 404, name
    assert client.post(mine["ship"], {"carrier": "SF Express", "tracking_number": "SF123456"}).status_code == 404
    assert client.post(mine["cancel"], {"reason": "spite"}).status_code == 404
    assert _snapshot(order) == before


def test_anonymous_visitors_are_sent_to_log_in(client, shop):
    order = _order(shop)
    before = _snapshot(order)
    urls = _urls(shop["store"], order)
    for name, url in urls.items():
        response = client.post(url, {"reason": "x", "carrier": "SF", "tracking_number": "SF123456"}) if name in (
            "ship", "cancel") else client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next="), name
    assert _snapshot(order) == before


def test_staff_ship_but_may_not_cancel(client, shop):
    order = _order(shop)
    staff = member_of(shop["store"], Role.STAFF)
    client.force_login(staff)
    urls = _urls(shop["store"], order)
    page = client.get(urls["detail"])
    assert page.status_code == 200 and page.context["can_ship"] and not page.context["can_cancel"]
    assert b"Cancel order" not in page.content
    before = _snapshot(order)
    assert client.post(urls["cancel"], {"reason": "Not allowed"}).status_code == 403
    assert _snapshot(order) == before
    assert client.post(urls["ship"], {"carrier": "China Post", "tracking_number": "LX123456789CN"}).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    shipped = OrderEvent.objects.filter(order=order, to_status="shipped").get()
    assert shipped.actor == staff


def test_managers_may_cancel(client, shop):
    order = _order(shop)
    client.force_login(member_of(shop["store"], Role.MANAGER))
    assert client.get(_urls(shop["store"], order)["detail"]).context["can_cancel"]
    assert client.post(_urls(shop["store"], order)["cancel"], {"reason": "Damaged stock"}).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_only_post_moves_an_order(client, shop):
    order = _order(shop)
    client.force_login(shop["owner"])
    urls = _urls(shop["store"], order)
    assert client.get(urls["ship"]).status_code == 405 and client.get(urls["cancel"]).status_code == 405
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


# --- privacy and the packing slip -------------------------------------------------------------------


def test_the_packing_slip_has_the_address_and_lines_but_no_prices_or_email(client, shop):
    order = _order(shop, 2)
    client.force_login(shop["owner"])
    response = client.get(_urls(shop["store"], order)["slip"])
    assert response.status_code == 200
    page = response.content.decode()
    line = order.lines.get()
    assert "Hangzhou Tea" in page and f"#{order.id}" in page and "Packing slip" in page
    assert "Mei Lin" in page and "18 Longjing Road" in page and line.sku in page and "size: S0" in page
    assert "data-print" in page  # wired by web/jishi.js: the CSP allows no inline handlers
    assert "¥" not in page and "88.00" not in page and "176" not in page
    assert BUYER_EMAIL not in page and BUYER_ACCOUNT_NAME not in page


def test_seller_pages_never_show_the_buyers_email_or_account(client, shop):
    order = _order(shop)
    other = _order(shop, 1, paid=False)
    client.force_login(shop["owner"])
    client.post(_urls(shop["store"], other)["cancel"], {"reason": "No stock"})
    slug = shop["store"].slug
    pages = [f"/seller/{slug}/", f"/seller/{slug}/orders/", f"/seller/{slug}/products/",
             f"/seller/{slug}/products/{shop['product'].id}/", *_urls(shop["store"], order).values(),
             _urls(shop["store"], other)["detail"]]
    for url in pages:
        if url.endswith(("/ship/", "/cancel/")):
            continue
        for language in ("en", "zh-CN"):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, url
            text = response.content.decode()
            assert BUYER_EMAIL not in text and "mei.private" not in text, url
            assert BUYER_ACCOUNT_NAME not in text, url


# --- every page in English and Chinese --------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_every_page_renders_in_english_and_chinese(client, shop, language):
    paid = _order(shop)
    unpaid = _order(shop, 1, paid=False)
    shipped = _order(shop)
    cancelled = _order(shop)
    client.force_login(shop["owner"])
    client.post(_urls(shop["store"], shipped)["ship"], {"carrier": "EMS", "tracking_number": "EE123456789CN"})
    client.post(_urls(shop["store"], cancelled)["cancel"], {"reason": "Sold out"})
    slug = shop["store"].slug
    urls = [f"/seller/{slug}/", f"/seller/{slug}/settings/", f"/seller/{slug}/members/", f"/seller/{slug}/orders/",
            f"/seller/{slug}/orders/?status=paid", f"/seller/{slug}/products/",
            f"/seller/{slug}/products/{shop['product'].id}/", f"/seller/{slug}/products/new/"]
    for order in (paid, unpaid, shipped, cancelled):
        urls += [_urls(shop["store"], order)["detail"], _urls(shop["store"], order)["slip"]]
    expected = "zh-hans" if language == "zh-CN" else "en"
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        assert f'<html lang="{expected}">' in response.content.decode(), url
    errors = client.post(_urls(shop["store"], paid)["ship"], {"carrier": "", "tracking_number": ""},
                         HTTP_ACCEPT_LANGUAGE=language)
    assert errors.status_code == 200 and errors.context["ship_form"].errors


def test_the_nav_and_dashboard_point_to_orders_to_ship(client, shop):
    _order(shop)
    _order(shop)
    _order(shop, 1, paid=False)
    client.force_login(shop["owner"])
    slug = shop["store"].slug
    dashboard = client.get(f"/seller/{slug}/")
    text = dashboard.content.decode()
    assert dashboard.context["order_counts"] == {"paid": 2, "pending_payment": 1}
    assert f'href="/seller/{slug}/orders/?status=paid"' in text
    assert f'href="/seller/{slug}/orders/?status=pending_payment"' in text
    assert '<span class="nav-count">2' in text
    assert '<span class="nav-count">2' in client.get(f"/seller/{slug}/orders/").content.decode()


# --- garbage never answers 5xx ----------------------------------------------------------------------


def test_garbage_posted_to_order_moves_never_answers_5xx(client, shop):
    order = _order(shop)
    unpaid = _order(shop, 1, paid=False)
    client.force_login(shop["owner"])
    fields = ["carrier", "tracking_number", "reason", "status", "order_id", "csrfmiddlewaretoken"]
    routes = [url for o in (order, unpaid) for url in (_urls(shop["store"], o)["ship"],
                                                       _urls(shop["store"], o)["cancel"])]
    routes += [f"/seller/{shop['store'].slug}/orders/999999/ship/", f"/seller/{shop['store'].slug}/orders/0/cancel/"]
    for route in routes:
        for value in GARBAGE:
            response = client.post(route, {name: [value, value] for name in fields})
            assert response.status_code < 500, (route, value, response.status_code)
    for query in ("status=%00", "page=abc", "page=-1", "page=" + "9" * 40, "status=" + "x" * 500):
        assert client.get(f"/seller/{shop['store'].slug}/orders/?{query}").status_code == 200, query


def test_garbage_in_the_trade_settings_never_answers_5xx(client, shop):
    client.force_login(shop["owner"])
    slug = shop["store"].slug
    for value in GARBAGE:
        settings_page = client.post(f"/seller/{slug}/settings/", {
            "name": "Hangzhou Tea", "slug": slug, "country": "CN", "base_currency": "CNY", "shipping_rate": value})
        assert settings_page.status_code < 500, value
        editor = client.post(f"/seller/{slug}/products/{shop['product'].id}/", {
            "category": get_category_tree().by_slug("womens-t-shirts").id, "status": "active",
            "default_language": "en", "title_en": "Tea", "option_names": "", "variant_id": "", "sku": "G-1",
            "price": "5", "stock": "1", "per_buyer_limit": value})
        assert editor.status_code < 500, value


# --- trade settings: shipping per order, limit per buyer, held stock --------------------------------


def _settings_data(store, **changes):
    return {"name": store.name, "slug": store.slug, "country": store.country, "base_currency": "CNY",
            "description": "", **changes}


def test_the_shipping_rate_saves_and_shows(client, shop):
    store = shop["store"]
    client.force_login(shop["owner"])
    form = client.get(f"/seller/{store.slug}/settings/")
    assert form.context["form"].initial["shipping_rate"] == "0.00"
    assert "in CNY" in form.content.decode()
    response = client.post(f"/seller/{store.slug}/settings/", _settings_data(store, shipping_rate="12.5"))
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.shipping_rate == Decimal("12.50")
    assert client.get(f"/seller/{store.slug}/settings/").context["form"].initial["shipping_rate"] == "12.50"
    # A form without the field (an older page) leaves the rate alone.
    client.post(f"/seller/{store.slug}/settings/", _settings_data(store, description="Fine tea"))
    store.refresh_from_db()
    assert store.shipping_rate == Decimal("12.50") and store.description == "Fine tea"
    # New orders pay it.
    order = _order(shop, 1)
    assert order.shipping_total == Decimal("12.50") and order.total == Decimal("100.50")
    assert "¥12.50" in client.get(_urls(store, order)["detail"]).content.decode()


@pytest.mark.parametrize("value", ["-1", "abc", "1.234", "", "1e12", "NaN"])
def test_a_bad_shipping_rate_is_shown_inline_and_nothing_changes(client, shop, value):
    store = shop["store"]
    client.force_login(shop["owner"])
    response = client.post(f"/seller/{store.slug}/settings/", _settings_data(store, shipping_rate=value,
                                                                           description="Changed"))
    assert response.status_code == 200 and "shipping_rate" in response.context["form"].errors
    store.refresh_from_db()
    assert store.shipping_rate == 0 and store.description == ""


def test_the_limit_per_buyer_saves_from_the_editor(client, shop):
    store = shop["store"]
    client.force_login(shop["owner"])
    product = shop["product"]
    variants = list(product.variants.order_by("position", "id"))
    category = get_category_tree().by_slug("womens-t-shirts").id
    data = {"category": category, "status": "active", "default_language": "en", "title_en": "Dragon Well",
            "option_names": "size", "variant_id": [str(v.id) for v in variants], "option_0": ["S0", "S1"],
            "sku": [v.sku for v in variants], "price": ["88", "90"], "stock": ["10", "10"],
            "per_buyer_limit": ["2", ""]}
    response = client.post(f"/seller/{store.slug}/products/{product.id}/", data)
    assert response.status_code == 302
    assert [v.per_buyer_limit for v in product.variants.order_by("position", "id")] == [2, None]
    page = client.get(f"/seller/{store.slug}/products/{product.id}/")
    assert [row["per_buyer_limit"] for row in page.context["rows"][:2]] == ["2", ""]
    assert b'name="per_buyer_limit" value="2"' in page.content
    # Cleared again, and a bad value is a row error that changes nothing.
    client.post(f"/seller/{store.slug}/products/{product.id}/", {**data, "per_buyer_limit": ["", ""]})
    assert list(product.variants.values_list("per_buyer_limit", flat=True)) == [None, None]
    bad = client.post(f"/seller/{store.slug}/products/{product.id}/", {**data, "per_buyer_limit": ["-3", "lots"]})
    assert bad.status_code == 200 and set(bad.context["row_errors"]) == {0, 1}
    assert "Limit per buyer" in bad.content.decode()
    assert list(product.variants.values_list("per_buyer_limit", flat=True)) == [None, None]


def test_a_new_product_gets_its_limit_per_buyer(client, shop):
    client.force_login(shop["owner"])
    response = client.post(f"/seller/{shop['store'].slug}/products/new/", {
        "category": get_category_tree().by_slug("womens-t-shirts").id, "status": "active", "default_language": "en",
        "title_en": "Flash sale tea", "option_names": "", "variant_id": "", "sku": "FLASH-1", "price": "9.90",
        "stock": "100", "per_buyer_limit": "1"})
    assert response.status_code == 302
    assert Variant.objects.get(sku="FLASH-1").per_buyer_limit == 1


def test_stock_held_by_unpaid_orders_shows_on_the_products_list_and_editor(client, shop):
    unpaid = _order(shop, 3, paid=False)
    _order(shop, 2)  # paid: sold, no longer held
    client.force_login(shop["owner"])
    slug = shop["store"].slug
    listing = client.get(f"/seller/{slug}/products/")
    assert listing.context["held"] == {shop["product"].id: 3}
    text = listing.content.decode()
    assert "3 units held by unpaid orders" in text
    assert '<span class="stock-for-sale" title="For sale now">15</span>' in text  # 20 made, 5 in orders
    editor = client.get(f"/seller/{slug}/products/{shop['product'].id}/")
    assert editor.context["held"] == {shop["variant"].id: 3}
    assert "3 units held by unpaid orders" in editor.content.decode()
    stock_cell = client.post(f"/seller/{slug}/variants/{shop['variant'].id}/stock/", {"stock": "9"},
                             HTTP_HX_REQUEST="true")
    assert b"3 units held by unpaid orders" in stock_cell.content
    client.post(_urls(shop["store"], unpaid)["cancel"], {"reason": "Buyer asked"})
    assert client.get(f"/seller/{slug}/products/").context["held"] == {}


def test_held_stock_costs_the_same_queries_for_1_or_10_products(client, shop):
    client.force_login(shop["owner"])
    _order(shop, 1, paid=False)
    url = f"/seller/{shop['store'].slug}/products/"
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(9):
        product = make_product(shop["access"], title=f"Tea {n}", variants=2)
        _order(shop, 1, paid=False, variant=product.variants.first())
    with CaptureQueriesContext(connection) as ten:
        response = client.get(url)
    assert len(response.context["held"]) == 10
    assert len(ten) == len(one)
    assert Order.objects.filter(status=OrderStatus.PENDING_PAYMENT).count() == 10


def test_a_long_order_is_summarised_in_the_list(client, shop):
    from jishi.checkout.services import place_order_group

    product = make_product(shop["access"], title="Tea sampler", variants=4)
    group = place_order_group(buyer=shop["buyer"], charge_currency="CNY", address_id=shop["address"].id,
                              lines=[{"variant_id": v.id, "quantity": 1} for v in product.variants.all()])
    client.force_login(shop["owner"])
    response = client.get(f"/seller/{shop['store'].slug}/orders/")
    assert [o.more_lines for o in response.context["orders"]] == [2]
    assert "and 2 more items" in response.content.decode()
    detail = client.get(_urls(shop["store"], group.orders.get())["detail"])
    assert len(detail.context["order"].line_list) == 4


def test_saving_the_editor_never_puts_units_sold_meanwhile_back_on_sale(client, shop):
    """The seller opened the editor at stock 10; a shopper then bought 3. Saving the page untouched keeps
    7 for sale, and typing 15 (5 more received) makes 12, not 15."""
    store, product = shop["store"], shop["product"]
    client.force_login(shop["owner"])
    page = client.get(f"/seller/{store.slug}/products/{product.id}/")
    rows = page.context["rows"][:2]
    assert [row["stock_seen"] for row in rows] == ["10", "10"]
    _order(shop, 3, paid=False)
    data = {"category": get_category_tree().by_slug("womens-t-shirts").id, "status": "active",
            "default_language": "en", "title_en": "Dragon Well", "option_names": "size",
            "variant_id": [row["variant_id"] for row in rows], "option_0": ["S0", "S1"],
            "sku": [row["sku"] for row in rows], "price": ["88", "88"], "stock": ["10", "10"],
            "stock_seen": ["10", "10"]}
    assert client.post(f"/seller/{store.slug}/products/{product.id}/", data).status_code == 302
    assert Variant.objects.get(pk=shop["variant"].pk).stock == 7
    client.post(f"/seller/{store.slug}/products/{product.id}/", {**data, "stock": ["15", "10"]})
    assert Variant.objects.get(pk=shop["variant"].pk).stock == 12


def test_the_quick_stock_edit_keeps_units_sold_since_the_page_was_shown(client, shop):
    store, variant = shop["store"], shop["variant"]
    client.force_login(shop["owner"])
    _order(shop, 4, paid=False)
    client.post(f"/seller/{store.slug}/variants/{variant.id}/stock/", {"stock": "12", "stock_seen": "10"})
    assert Variant.objects.get(pk=variant.pk).stock == 8
    client.post(f"/seller/{store.slug}/variants/{variant.id}/stock/", {"stock": "20"})
    assert Variant.objects.get(pk=variant.pk).stock == 20
