"""Shipping as people see it: templates in the seller centre, the estimate on a product page, the cart
and checkout when a store cannot ship to the address."""

import pytest

from jishi.cart.models import CartLine
from jishi.orders.models import Order
from jishi.shipping.models import Method, ShippingTemplate
from jishi.shipping.tests.conftest import shop
from jishi.stores.models import Membership, Role
from tests.factories import AddressFactory, UserFactory

pytestmark = pytest.mark.django_db


def _form(**overrides) -> dict:
    """The editor's form: zone 0 Japan (standard per item), zone 1 rest of the world (economy)."""
    data = {"name": "Light parcels", "ship_from": "CN", "handling_days": "2", "zone_count": "3",
            "z0-name": "Japan", "z0-countries": "JP", "z0-standard-on": "on", "z0-standard-pricing": "per_item",
            "z0-standard-first_amount": "15", "z0-standard-additional_amount": "3", "z0-standard-days_min": "3",
            "z0-standard-days_max": "5",
            "z1-name": "World", "z1-rest": "on", "z1-economy-on": "on", "z1-economy-pricing": "per_weight",
            "z1-economy-first_amount": "50", "z1-economy-additional_amount": "20", "z1-economy-free_over": "800",
            "z1-economy-days_min": "10", "z1-economy-days_max": "25", "z1-economy-transport": "post"}
    data.update(overrides)
    return data


def test_the_owner_manages_templates_in_the_seller_centre(client, tea, django_assert_max_num_queries):
    client.force_login(tea.owner)
    url = f"/seller/{tea.store.slug}/shipping/"
    with django_assert_max_num_queries(12):
        listed = client.get(url)
    assert listed.status_code == 200 and "Main" in listed.content.decode() and "Default" in listed.content.decode()
    assert client.get(url + "new/").status_code == 200

    created = client.post(url + "new/", _form())
    template = ShippingTemplate.objects.get(name="Light parcels")
    assert created.status_code == 302 and created.url == f"{url}{template.id}/"
    assert template.is_default is False and template.handling_days == 2
    world = template.zones.get(is_rest_of_world=True).methods.get()
    assert (world.kind, world.pricing, str(world.free_over), world.transport) == (
        "economy", "per_weight", "800.000", "post")
    assert template.zones.get(name="Japan").methods.get().transport == "courier"  # the form's default

    editor = client.get(url + f"{template.id}/")
    assert editor.status_code == 200 and 'value="JP"' in editor.content.decode()
    assert '<option value="post" selected>' in editor.content.decode()
    # Remove the Japan zone, make it the default.
    saved = client.post(url + f"{template.id}/", _form(**{"z0-remove": "on", "is_default": "on"}))
    assert saved.status_code == 302
    template.refresh_from_db()
    assert template.is_default and template.zones.count() == 1
    assert not ShippingTemplate.objects.get(pk=tea.template.pk).is_default

    assert client.post(url + f"{tea.template.id}/default/").status_code == 302
    assert ShippingTemplate.objects.get(pk=tea.template.pk).is_default
    assert client.post(url + f"{template.id}/delete/").status_code == 302
    assert list(ShippingTemplate.objects.filter(store=tea.store)) == [tea.template]


def test_mistakes_are_shown_beside_their_fields_and_nothing_is_saved(client, tea):
    client.force_login(tea.owner)
    before = Method.objects.count()
    response = client.post(f"/seller/{tea.store.slug}/shipping/new/", _form(**{
        "z0-countries": "JP ZZ", "z1-economy-first_amount": "-5", "name": "", "z0-standard-transport": "boat"}))
    page = response.content.decode()
    assert response.status_code == 422
    assert "ZZ is not a country code." in page and "Enter an amount from zero up" in page
    assert "A name has 1 to 80 characters." in page and "Choose post or courier." in page
    assert 'value="JP ZZ"' in page  # what was typed stays
    assert Method.objects.count() == before


def test_other_stores_members_staff_and_strangers_cannot_change_templates(client, tea):
    other = shop("Osaka Knives", "JPY", "JP", template=None)
    url = f"/seller/{tea.store.slug}/shipping/"
    client.force_login(other.owner)
    for path in (url, url + "new/", url + f"{tea.template.id}/"):
        assert client.get(path).status_code == 404
    assert client.post(url + f"{tea.template.id}/delete/").status_code == 404
    # A template of another store, under one's own store, is not found.
    assert client.get(f"/seller/{other.store.slug}/shipping/{tea.template.id}/").status_code == 404
    assert client.post(f"/seller/{other.store.slug}/shipping/{tea.template.id}/default/").status_code == 404
    staff = UserFactory()
    Membership.objects.create(store=tea.store, user=staff, role=Role.STAFF)
    client.force_login(staff)
    assert client.get(url).status_code == 200  # staff see the templates
    assert client.get(url + "new/").status_code == 403
    assert client.post(url + "new/", _form()).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    assert ShippingTemplate.objects.count() == 1


def test_the_product_editor_chooses_a_template(client, tea):
    client.force_login(tea.owner)
    client.post(f"/seller/{tea.store.slug}/shipping/new/", _form())
    light = ShippingTemplate.objects.get(name="Light parcels")
    editor = client.get(f"/seller/{tea.store.slug}/products/{tea.product.id}/")
    assert "Ships with this template" in editor.content.decode()
    url = f"/seller/{tea.store.slug}/products/{tea.product.id}/shipping/"
    assert client.post(url, {"template": light.id}).status_code == 302
    tea.product.refresh_from_db()
    assert tea.product.shipping_template_id == light.id
    client.post(url, {"template": ""})
    tea.product.refresh_from_db()
    assert tea.product.shipping_template_id is None
    other = shop("Osaka Knives", "JPY", "JP")
    assert client.post(url, {"template": other.template.id}).status_code == 404
    client.force_login(other.owner)
    assert client.post(url, {"template": other.template.id}).status_code == 404
    tea.product.refresh_from_db()
    assert tea.product.shipping_template_id is None


def test_the_product_page_shows_shipping_to_the_shoppers_country(client, tea, django_assert_max_num_queries):
    page = client.get(f"/p/{tea.product.id}/").content.decode()
    assert "Choose your country to see shipping costs" in page
    client.post("/preferences/ship-to/", {"country": "JP", "next": f"/p/{tea.product.id}/"})
    client.cookies["currency"] = "USD"
    page = client.get(f"/p/{tea.product.id}/").content.decode()
    assert "Shipping to Japan" in page and "Estimated delivery" in page and "2 shipping options at checkout" in page
    client.post("/preferences/ship-to/", {"country": "BR"})
    assert "Hangzhou Tea does not ship to Brazil." in client.get(f"/p/{tea.product.id}/").content.decode()
    # A signed-in shopper's default address decides when they have not picked a country.
    buyer = UserFactory()
    AddressFactory(user=buyer, country="FR", is_default=True)
    client.logout()
    client.force_login(buyer)
    with django_assert_max_num_queries(20):
        page = client.get(f"/p/{tea.product.id}/").content.decode()
    assert "Shipping to France" in page


def test_the_cart_flags_the_store_that_cannot_ship_and_checkout_buys_the_others(client, tea, rates):
    knives = shop("Osaka Knives", "JPY", "JP", template=None, price="12000")
    buyer = UserFactory(name="Ana")
    brazil = AddressFactory(user=buyer, country="BR", is_default=True, name="Ana")
    client.force_login(buyer)
    for variant in (tea.variant, knives.variant):
        client.post("/cart/add/", {"variant_id": variant.id, "quantity": 1})
    cart = client.get("/cart/").content.decode()
    assert "Hangzhou Tea does not ship to Brazil." in cart and "These items stay in your cart" in cart

    page = client.get("/checkout/")
    assert "Hangzhou Tea does not ship to Brazil." in page.content.decode()
    quoted = page.context["quoted_total"]
    placed = client.post("/checkout/", {"address_id": brazil.id, "quoted_total": quoted, "charge_currency": "USD"})
    assert placed.status_code == 302, placed.context and placed.context["problems"]
    assert list(Order.objects.values_list("store_id", flat=True)) == [knives.store.id]
    assert list(CartLine.objects.filter(cart__user=buyer).values_list("variant_id", flat=True)) == [tea.variant.id]


def test_checkout_offers_each_stores_methods_and_the_order_keeps_the_chosen_one(client, tea, rates):
    buyer = UserFactory()
    japan = AddressFactory(user=buyer, country="JP", is_default=True)
    client.force_login(buyer)
    url = f"/checkout/?variant={tea.variant.id}&quantity=1"
    page = client.get(url).content.decode()
    assert f'name="method-{tea.store.id}" value="express"' in page and "Estimated delivery" in page
    data = {"variant": tea.variant.id, "quantity": 1, "address_id": japan.id, "charge_currency": "CNY",
            f"method-{tea.store.id}": "express", "refresh": "1"}
    refreshed = client.post("/checkout/", data)
    assert refreshed.status_code == 200 and refreshed.context["quote"].stores[0].shipping_kind == "express"
    del data["refresh"]
    data["quoted_total"] = refreshed.context["quoted_total"]
    assert client.post("/checkout/", data).status_code == 302
    order = Order.objects.get()
    assert (order.shipping_kind, order.shipping_total) == ("express", 60)
