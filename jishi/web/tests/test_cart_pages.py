"""The cart as a shopper uses it: add, change, save for later, notices, the header count, and sign-in merges."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jishi.cart.models import Cart, CartLine
from jishi.catalog.services import set_product_status, set_stock, update_variant
from jishi.stores.services import suspend_store
from tests.factories import PASSWORD, UserFactory, make_product, open_store_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def market():
    silk, silk_access = open_store_for(name="Hangzhou Silk", currency_code="CNY")
    boots, boots_access = open_store_for(name="Austin Boots", country="US", currency_code="USD")
    scarf = make_product(silk_access, title="Silk Scarf", price="100.00", stock=10)
    fan = make_product(silk_access, title="Paper Fan", price="20.00", stock=10)
    boot = make_product(boots_access, title="Leather Boot", price="80.00", stock=10, category="boots", variants=2)
    return {"silk": silk, "silk_access": silk_access, "boots": boots, "boots_access": boots_access,
            "scarf": scarf.variants.get(), "fan": fan.variants.get(), "fan_product": fan,
            "boot": boot.variants.order_by("id").first()}


def add(client, variant, quantity=1, **extra):
    return client.post("/cart/add/", {"variant_id": variant.id, "quantity": quantity}, **extra)


def cart_of(user):
    return Cart.objects.get(user=user)


def test_an_anonymous_cart_follows_the_shopper_into_their_account_at_login(client, market):
    response = add(client, market["scarf"], 2)
    assert response.status_code == 302 and response["Location"] == "/cart/"
    token = client.session["cart_token"]
    assert Cart.objects.get(token=token).lines.get().quantity == 2
    page = client.get("/cart/").content.decode()
    assert "Silk Scarf" in page and "Added to your cart." in page

    shopper = UserFactory(email="mei@example.com")
    response = client.post("/accounts/login/", {"username": "mei@example.com", "password": PASSWORD, "next": "/cart/"})
    assert response.status_code == 302
    assert [(line.variant_id, line.quantity) for line in cart_of(shopper).lines.all()] == [(market["scarf"].id, 2)]
    assert not Cart.objects.filter(token=token).exists() and "cart_token" not in client.session
    assert "Cart (2)" in client.get("/").content.decode()


def test_sign_up_keeps_the_anonymous_cart(client, market):
    add(client, market["boot"], 1)
    response = client.post("/accounts/signup/", {"email": "new@example.com", "name": "New", "password": "x-Long-pass-1",
                                                 "password_again": "x-Long-pass-1"})
    assert response.status_code == 302
    user = response.wsgi_request.user
    assert cart_of(user).lines.get().variant_id == market["boot"].id


def test_merging_keeps_the_larger_quantity_of_an_item_in_both_carts(client, market):
    shopper = UserFactory(email="two@example.com")
    client.force_login(shopper)
    add(client, market["scarf"], 3)
    client.logout()
    add(client, market["scarf"], 1)
    add(client, market["fan"], 1)
    client.post("/accounts/login/", {"username": "two@example.com", "password": PASSWORD})
    assert sorted((line.variant_id, line.quantity) for line in cart_of(shopper).lines.all()) == sorted(
        [(market["scarf"].id, 3), (market["fan"].id, 1)])


def test_lines_are_grouped_by_store_with_subtotals_in_store_and_display_currency(client, market):
    client.force_login(UserFactory())
    add(client, market["scarf"], 2)
    add(client, market["boot"], 1)
    add(client, market["fan"], 1)
    response = client.get("/cart/")
    view = response.context["view"]
    assert [group.store.name for group in view.groups] == ["Hangzhou Silk", "Austin Boots"]
    assert [str(group.subtotal) for group in view.groups] == [str(view.groups[0].subtotal), str(view.groups[1].subtotal)]
    assert (view.groups[0].subtotal.amount, view.groups[0].subtotal.currency) == (220, "CNY")
    page = response.content.decode()
    assert "CN¥220.00" in page and "$80.00" in page
    # The CNY store's subtotal is also shown, approximately, in the shopper's display currency (USD).
    assert f"≈ ${view.groups[0].subtotal_display.amount}" in page
    assert view.total_display.currency == "USD" and "Check out" in page


def test_quantity_remove_save_for_later_and_back(client, market):
    shopper = UserFactory()
    client.force_login(shopper)
    add(client, market["scarf"], 1)
    add(client, market["fan"], 1)
    line = CartLine.objects.get(variant=market["scarf"])

    response = client.post(f"/cart/lines/{line.id}/", {"action": "update", "quantity": "4"}, follow=True)
    assert response.redirect_chain == [("/cart/", 302)] and "Quantity updated." in response.content.decode()
    assert CartLine.objects.get(pk=line.pk).quantity == 4

    response = client.post(f"/cart/lines/{line.id}/", {"action": "save"}, follow=True)
    view = response.context["view"]
    assert [saved.id for saved in view.saved] == [line.id] and "Saved for later" in response.content.decode()
    assert response.context["cart_count"] == 1  # the saved line no longer counts

    response = client.post(f"/cart/lines/{line.id}/", {"action": "move"}, follow=True)
    assert not response.context["view"].saved and response.context["view"].count == 5

    fan_line = CartLine.objects.get(variant=market["fan"])
    response = client.post(f"/cart/lines/{fan_line.id}/", {"action": "remove"}, follow=True)
    assert not CartLine.objects.filter(pk=fan_line.pk).exists() and "Removed from your cart." in response.content.decode()


@pytest.mark.parametrize("data", [{"action": "update", "quantity": "abc"}, {"action": "update", "quantity": "0"},
                                  {"action": "update", "quantity": "-3"}, {"action": "update", "quantity": "11"},
                                  {"action": "explode"}])
def test_bad_line_changes_are_explained_not_crashed(client, market, data):
    client.force_login(UserFactory())
    add(client, market["scarf"], 1)
    client.get("/cart/")
    line = CartLine.objects.get()
    response = client.post(f"/cart/lines/{line.id}/", data, follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert CartLine.objects.get().quantity == 1


def test_another_shoppers_line_is_not_found(client, market):
    other = UserFactory()
    client.force_login(other)
    add(client, market["scarf"], 1)
    line = CartLine.objects.get()
    client.force_login(UserFactory())
    response = client.post(f"/cart/lines/{line.id}/", {"action": "remove"}, follow=True)
    assert "This item is not in your cart." in response.content.decode() and CartLine.objects.filter(pk=line.pk).exists()
    assert client.post("/cart/lines/999999/", {"action": "remove"}).status_code == 302


def test_price_changed_and_only_a_few_left_are_noticed(client, market):
    client.force_login(UserFactory())
    add(client, market["scarf"], 3)
    update_variant(access=market["silk_access"], variant=market["scarf"], data={"price": "120.00"})
    set_stock(access=market["silk_access"], variant=market["scarf"], stock=2)
    response = client.get("/cart/")
    page = response.content.decode()
    assert "Price changed from CN¥100.00 to CN¥120.00." in page
    assert "Only 2 left." in page
    # A line asking for more than is left stops checkout, and the page says why.
    assert not response.context["view"].can_check_out
    assert "needs your attention" in page and 'href="/checkout/"' not in page


def test_unavailable_lines_are_set_apart_and_can_be_removed(client, market, admin_user):
    client.force_login(UserFactory())
    add(client, market["scarf"], 1)
    add(client, market["fan"], 1)
    add(client, market["boot"], 1)
    set_product_status(access=market["silk_access"], product=market["fan_product"], status="archived")
    suspend_store(store=market["boots"], reason="Review", actor=admin_user)
    response = client.get("/cart/")
    view = response.context["view"]
    assert sorted(line.item.title for line in view.unavailable) == ["Leather Boot", "Paper Fan"]
    assert [line.item.title for group in view.groups for line in group.lines] == ["Silk Scarf"]
    page = response.content.decode()
    assert "No longer available" in page and "Remove unavailable items" in page
    assert view.can_check_out  # unavailable lines are not part of the order

    response = client.post("/cart/unavailable/remove/", follow=True)
    assert not response.context["view"].unavailable
    assert list(CartLine.objects.values_list("variant_id", flat=True)) == [market["scarf"].id]


def test_the_header_shows_the_cart_count_on_every_page(client, market):
    assert "Cart (0)" in client.get("/").content.decode()
    add(client, market["scarf"], 2)
    add(client, market["boot"], 1)
    for url in ("/", f"/p/{market['scarf'].product_id}/", "/products/"):
        assert "Cart (3)" in client.get(url).content.decode(), url


def test_the_header_count_costs_nothing_without_a_cart_and_one_query_with_one(client, market):
    def cart_queries(url):
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return [q["sql"] for q in queries if '"cart_cart' in q["sql"]]

    client.get("/")
    assert cart_queries("/") == []
    add(client, market["scarf"], 1)
    assert len(cart_queries("/")) == 1
    client.force_login(UserFactory())
    assert len(cart_queries("/")) == 1


def test_add_to_cart_with_htmx_answers_with_a_note_and_the_new_count(client, market):
    response = add(client, market["scarf"], 2, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and "Added to your cart." in page
    assert 'id="header-cart"' in page and 'hx-swap-oob="true"' in page and "Cart (2)" in page

    set_stock(access=market["silk_access"], variant=market["fan"], stock=0)
    refused = add(client, market["fan"], 1, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200 and "out of stock" in refused.content.decode()
    assert "hx-swap-oob" not in refused.content.decode()


def test_add_to_cart_without_javascript_explains_refusals_on_the_product_page(client, market):
    set_stock(access=market["silk_access"], variant=market["fan"], stock=1)
    product_url = f"/p/{market['fan'].product_id}/?variant={market['fan'].id}"
    response = client.post("/cart/add/", {"variant_id": market["fan"].id, "quantity": 5, "next": product_url},
                           follow=True)
    assert response.redirect_chain[-1][0] == product_url
    assert "Only 1 left." in response.content.decode()
    for bad in ({"variant_id": "abc"}, {"variant_id": 999999}, {"variant_id": market["fan"].id, "quantity": "x"},
                {"variant_id": market["fan"].id, "next": "https://evil.example/"}):
        response = client.post("/cart/add/", bad)
        assert response.status_code == 302 and not response["Location"].startswith("https://evil"), bad


def test_the_product_page_offers_add_to_cart_and_buy_now_only_when_in_stock(client, market):
    url = f"/p/{market['scarf'].product_id}/"
    page = client.get(url).content.decode()
    assert 'action="/cart/add/"' in page and "Add to cart" in page and "Buy now" in page
    assert f'name="variant_id" value="{market["scarf"].id}"' in page

    buy = client.post("/cart/add/", {"variant_id": market["scarf"].id, "quantity": 2, "action": "buy"})
    assert buy["Location"] == f"/checkout/?variant={market['scarf'].id}&quantity=2"
    htmx_buy = client.post("/cart/add/", {"variant_id": market["scarf"].id, "quantity": 2, "action": "buy"},
                           HTTP_HX_REQUEST="true")
    assert htmx_buy["HX-Redirect"] == f"/checkout/?variant={market['scarf'].id}&quantity=2"
    assert not CartLine.objects.exists()  # buying now leaves the cart alone

    set_stock(access=market["silk_access"], variant=market["scarf"], stock=0)
    page = client.get(url).content.decode()
    assert "Out of stock" in page and "Add to cart" not in page


def test_choosing_another_option_swaps_the_buy_form_too(client, market):
    boot = market["boot"]
    other = boot.product.variants.exclude(pk=boot.pk).get()
    partial = client.get(f"/p/{boot.product_id}/variant/?o_0={other.options['size']}", HTTP_HX_REQUEST="true")
    page = partial.content.decode()
    assert 'id="buy-box"' in page and 'hx-swap-oob="true"' in page and f'value="{other.id}"' in page


def test_an_empty_cart_helps_the_shopper_on(client):
    page = client.get("/cart/").content.decode()
    assert "Your cart is empty" in page and "Start shopping" in page and "Log in to see your cart." in page


def test_cart_pages_render_in_english_and_chinese(client, market):
    add(client, market["scarf"], 1)
    for language in ("en", "zh-CN"):
        response = client.get("/cart/", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
    assert response.context["LANGUAGE_CODE"] == "zh-hans"
    assert "Silk Scarf 中文" in response.content.decode()


def test_the_cart_page_costs_the_same_queries_for_1_or_20_lines_from_5_stores(client, market):
    shopper = UserFactory()
    client.force_login(shopper)
    add(client, market["scarf"], 1)
    client.get("/cart/")  # warm the rate and category caches
    with CaptureQueriesContext(connection) as few:
        assert client.get("/cart/").status_code == 200
    variants = []
    for n in range(4):
        _store, access = open_store_for(name=f"Store {n}", currency_code=["USD", "EUR", "JPY", "CNY"][n])
        for m in range(5):
            variants.append(make_product(access, title=f"Thing {n}-{m}", price="5.00").variants.get())
    for variant in variants[:19]:
        add(client, variant, 1)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/cart/")
    lines = [line for group in response.context["view"].groups for line in group.lines]
    assert len(lines) == 20 and len(response.context["view"].groups) == 5
    assert len(many) == len(few), [q["sql"] for q in many]
