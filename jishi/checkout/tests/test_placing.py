"""Checkout: a cart across stores and currencies becomes one order group, frozen, atomically — or nothing."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jishi.accounts.models import Address
from jishi.accounts.services import update_address
from jishi.cart import services as cart_services
from jishi.cart.models import CartLine
from jishi.cart.selectors import get_cart_view
from jishi.catalog.models import Product, Variant
from jishi.catalog.services import update_product, update_variant
from jishi.checkout import services as checkout_services
from jishi.checkout.services import place_order_group
from jishi.core.errors import DomainError
from jishi.ledger.selectors import get_commission_rates
from jishi.money.selectors import get_rate_table, list_currency_codes
from jishi.money.services import set_rate
from jishi.orders.models import Order, OrderGroup, OrderLine
from jishi.orders.rules import BUYER
from jishi.orders.services import cancel_order
from jishi.stores.services import suspend_store, update_store
from jishi.tax.selectors import list_rules
from tests.factories import AddressFactory, UserFactory, buy_now, make_product, open_store_for

pytestmark = pytest.mark.django_db


def _shop(name: str, currency: str, *, shipping: str, title: str, price: str, stock: int):
    store, access = open_store_for(name=name, currency_code=currency)
    update_store(access=access, shipping_rate=shipping)
    product = make_product(access, title=title, price=price, stock=stock)
    return SimpleNamespace(store=store, access=access, product=product, variant=product.variants.get())


@pytest.fixture
def world(rates):
    tea = _shop("Hangzhou Tea", "CNY", shipping="12.00", title="Green Tea", price="88.00", stock=5)
    knives = _shop("Osaka Knives", "JPY", shipping="500", title="Santoku Knife", price="1200", stock=4)
    dates = _shop("Kuwait Dates", "KWD", shipping="0.500", title="Medjool Dates", price="1.250", stock=10)
    oolong = make_product(tea.access, title="Oolong", price="30.00", stock=6).variants.get()
    buyer = UserFactory(name="Mei Lin")
    return SimpleNamespace(tea=tea, knives=knives, dates=dates, oolong=oolong, buyer=buyer,
                           address=AddressFactory(user=buyer, name="Mei Lin", line1="1 West Lake Road"),
                           cart=cart_services.get_or_create_user_cart(user=buyer), rates=rates)


def _add(world, variant, quantity=1):
    return cart_services.add_line(cart=world.cart, variant_id=variant.id, quantity=quantity)


def _refused(**kwargs) -> DomainError:
    with pytest.raises(DomainError) as refused:
        place_order_group(**kwargs)
    return refused.value


def _stock() -> dict[int, int]:
    return dict(Variant.objects.values_list("id", "stock"))


def _cart(world) -> dict[int, int]:
    return dict(CartLine.objects.filter(cart=world.cart).values_list("variant_id", "quantity"))


def _nothing_placed() -> bool:
    return not (OrderGroup.objects.exists() or Order.objects.exists() or OrderLine.objects.exists())


# --- placing from the cart ----------------------------------------------------------------------------


def test_a_cart_across_three_stores_and_currencies_becomes_one_group_of_three_orders(world):
    _add(world, world.tea.variant, 2)
    _add(world, world.knives.variant, 1)
    _add(world, world.dates.variant, 3)
    saved = _add(world, world.oolong, 2)
    cart_services.change_line(cart=world.cart, line_id=saved.id, saved_for_later=True)

    group = place_order_group(buyer=world.buyer, charge_currency="USD", address_id=world.address.id)

    orders = {order.store_id: order for order in group.orders.all()}
    assert set(orders) == {world.tea.store.id, world.knives.store.id, world.dates.store.id}
    tea, knives, dates = orders[world.tea.store.id], orders[world.knives.store.id], orders[world.dates.store.id]
    # 2 × 88.00 + 12.00 shipping = 188.00 CNY × 0.15625 = 29.375 → 29.38 USD
    assert (tea.currency, tea.items_total, tea.shipping_total, tea.total) == ("CNY", 176, 12, 188)
    assert (tea.charge_rate, tea.charge_total) == (Decimal("0.15625"), Decimal("29.38"))
    # 1200 + 500 = 1700 JPY × 0.0078125 = 13.28125 → 13.28 USD
    assert (knives.currency, knives.items_total, knives.shipping_total, knives.total) == ("JPY", 1200, 500, 1700)
    assert (knives.charge_rate, knives.charge_total) == (Decimal("0.0078125"), Decimal("13.28"))
    # 3 × 1.250 + 0.500 = 4.250 KWD × 3.125 = 13.28125 → 13.28 USD
    assert (dates.currency, dates.items_total, dates.shipping_total, dates.total) == ("KWD", Decimal("3.75"),
                                                                                      Decimal("0.5"), Decimal("4.25"))
    assert (dates.charge_rate, dates.charge_total) == (Decimal("3.125"), Decimal("13.28"))
    group.refresh_from_db()
    assert (group.charge_currency, group.charge_total) == ("USD", Decimal("55.94"))
    assert group.charge_total == sum(order.charge_total for order in orders.values())
    assert {order.buyer_id for order in orders.values()} == {world.buyer.id}
    assert all(order.status == "pending_payment" for order in orders.values())
    stock = _stock()
    assert (stock[world.tea.variant.id], stock[world.knives.variant.id], stock[world.dates.variant.id]) == (3, 3, 7)
    assert stock[world.oolong.id] == 6  # saved for later: not bought
    assert _cart(world) == {world.oolong.id: 2}


def test_the_group_records_the_rates_it_used(world):
    _add(world, world.tea.variant)
    _add(world, world.dates.variant)

    group = place_order_group(buyer=world.buyer, charge_currency="USD", address_id=world.address.id)

    group.refresh_from_db()
    assert {code: Decimal(rate) for code, rate in group.rates.items()} == {
        "CNY": Decimal("8"), "KWD": Decimal("0.4"), "USD": Decimal("1.25")}
    assert group.rates_as_of == world.rates.as_of


def test_a_placed_order_never_changes_when_the_catalogue_the_address_or_the_rates_do(
        world, django_capture_on_commit_callbacks):
    update_variant(access=world.tea.access, variant=world.tea.variant,
                   data={"weight_grams": 250, "hs_code": "090210", "origin_country": "CN"})
    sku = world.tea.variant.sku
    _add(world, world.tea.variant, 2)
    _add(world, world.knives.variant, 1)
    group = place_order_group(buyer=world.buyer, charge_currency="USD", address_id=world.address.id)
    placed_orders = {o.id: (o.total, o.charge_rate, o.charge_total, o.shipping_total, o.shipping_address)
                     for o in Order.objects.all()}
    placed_group = OrderGroup.objects.values("charge_total", "rates", "rates_as_of").get()

    update_variant(access=world.tea.access, variant=world.tea.variant,
                   data={"price": "120.00", "sku": "TEA-NEW", "weight_grams": 900})
    update_store(access=world.tea.access, shipping_rate="40.00")
    update_product(access=world.tea.access, product=world.tea.product,
                   translations=[{"language": "en", "title": "Premium Dragon Well", "description": "New"}])
    update_address(address=world.address, data={"line1": "99 Elsewhere Street", "city": "Shanghai"})
    with django_capture_on_commit_callbacks(execute=True):
        set_rate(currency="USD", rate="2.00")
        set_rate(currency="CNY", rate="7")
    assert get_rate_table().per_eur["USD"] == Decimal("2.00")  # the shop window moved on

    line = OrderLine.objects.get(order__store=world.tea.store)
    assert (line.title, line.sku, line.options, line.unit_price, line.quantity, line.currency, line.line_total) == (
        "Green Tea", sku, {}, Decimal("88"), 2, "CNY", Decimal("176"))
    assert (line.weight_grams, line.hs_code, line.origin_country) == (250, "090210", "CN")
    assert {o.id: (o.total, o.charge_rate, o.charge_total, o.shipping_total, o.shipping_address)
            for o in Order.objects.all()} == placed_orders
    tea_order = Order.objects.get(store=world.tea.store)
    assert tea_order.shipping_address["line1"] == "1 West Lake Road"
    assert tea_order.shipping_address["city"] == "Hangzhou"
    assert (tea_order.shipping_total, tea_order.charge_rate, tea_order.charge_total) == (
        Decimal("12"), Decimal("0.15625"), Decimal("29.38"))
    assert OrderGroup.objects.values("charge_total", "rates", "rates_as_of").get() == placed_group
    assert group.id == tea_order.group_id


def test_each_order_freezes_the_options_and_sku_of_the_variant_bought(world):
    shirts = make_product(world.tea.access, title="Tea Shirt", price="59.00", stock=9, variants=2)
    medium = shirts.variants.order_by("id").last()

    group = place_order_group(buyer=world.buyer, charge_currency="CNY", address_id=world.address.id,
                              lines=[{"variant_id": medium.id, "quantity": 2}])

    line = OrderLine.objects.get(order__group=group)
    assert (line.sku, line.options, line.title, line.unit_price) == (medium.sku, {"size": "S1"}, "Tea Shirt", 59)
    assert (line.variant_id, line.product_id) == (medium.id, shirts.id)
    assert group.orders.get().charge_rate == 1 and group.charge_total == Decimal("130.00")  # 118 + 12 shipping


def test_the_order_title_is_in_the_checkout_language(world):
    group = place_order_group(buyer=world.buyer, charge_currency="CNY", address_id=world.address.id,
                              language="zh-hans", lines=[{"variant_id": world.tea.variant.id}])

    assert OrderLine.objects.get(order__group=group).title == "Green Tea 中文"
    assert OrderGroup.objects.get().language == "zh-hans"


# --- what leaves the cart -----------------------------------------------------------------------------


def test_buy_now_leaves_the_cart_untouched(world):
    _add(world, world.tea.variant, 2)
    _add(world, world.knives.variant, 1)

    group = place_order_group(buyer=world.buyer, charge_currency="USD", address_id=world.address.id,
                              lines=[{"variant_id": world.tea.variant.id, "quantity": 1},
                                     {"variant_id": str(world.tea.variant.id), "quantity": "2"}])

    assert _cart(world) == {world.tea.variant.id: 2, world.knives.variant.id: 1}
    line = OrderLine.objects.get(order__group=group)
    assert line.quantity == 3 and _stock()[world.tea.variant.id] == 2


def test_a_store_is_charged_its_flat_shipping_once_per_order(world):
    _add(world, world.tea.variant, 1)
    _add(world, world.oolong, 3)

    group = place_order_group(buyer=world.buyer, charge_currency="CNY", address_id=world.address.id)

    order = group.orders.get()
    assert (order.items_total, order.shipping_total, order.total) == (Decimal("178"), Decimal("12"), Decimal("190"))
    assert order.lines.count() == 2 and group.charge_total == Decimal("190.00")


def test_lines_the_cart_shows_as_unavailable_are_not_part_of_the_order(world):
    _add(world, world.tea.variant, 1)
    _add(world, world.knives.variant, 1)
    suspend_store(store=world.knives.store, reason="Under investigation", actor=UserFactory(is_staff=True))
    view = get_cart_view(cart=world.cart, language="en", display_currency="USD")
    assert [lv.item.title for lv in view.unavailable] == ["Santoku Knife"] and view.can_check_out

    group = place_order_group(buyer=world.buyer, charge_currency="USD", address_id=world.address.id)

    assert [order.store_id for order in group.orders.all()] == [world.tea.store.id]
    assert _stock()[world.knives.variant.id] == 4
    assert _cart(world) == {world.knives.variant.id: 1}  # still shown, set apart, until removed
    assert _refused(buyer=world.buyer, charge_currency="USD", address_id=world.address.id).code == "checkout.empty"


# --- refused, with nothing placed ---------------------------------------------------------------------


def _rival_takes_stock(monkeypatch, left: dict[int, int]):
    """Another shopper's checkout commits between this checkout's quote and its reservation."""
    real = checkout_services.quote_lines

    def quote_then_rival(**kwargs):
        quote = real(**kwargs)
        for variant_id, stock in left.items():
            Variant.objects.filter(pk=variant_id).update(stock=stock)
        return quote

    monkeypatch.setattr(checkout_services, "quote_lines", quote_then_rival)


def test_lines_that_cannot_be_reserved_are_each_named_and_nothing_is_placed(world, monkeypatch):
    _add(world, world.tea.variant, 2)
    _add(world, world.knives.variant, 3)
    _add(world, world.oolong, 2)
    _add(world, world.dates.variant, 1)
    rival_left = {world.knives.variant.id: 1, world.oolong.id: 0}
    _rival_takes_stock(monkeypatch, rival_left)
    before = {**_stock(), **rival_left}
    totals = dict(Product.objects.values_list("id", "stock_total"))

    error = _refused(buyer=world.buyer, charge_currency="USD", address_id=world.address.id)

    assert (error.code, error.status) == ("checkout.out_of_stock", 409)
    # The fields name the lines in the order they were checked out (the cart's order), as the quote does.
    assert error.fields == {"lines.1.quantity": ["Only 1 left of Santoku Knife."],
                            "lines.2.quantity": ["Out of stock."]}
    assert _nothing_placed()
    assert _stock() == before  # the lines that could be reserved were given back too
    assert dict(Product.objects.values_list("id", "stock_total")) == totals
    assert _cart(world) == {world.tea.variant.id: 2, world.knives.variant.id: 3, world.oolong.id: 2,
                            world.dates.variant.id: 1}


def test_buy_now_lines_that_cannot_be_reserved_are_named_by_their_position(world, monkeypatch):
    before = _stock()
    _rival_takes_stock(monkeypatch, {world.oolong.id: 1})

    error = _refused(buyer=world.buyer, charge_currency="USD", address_id=world.address.id,
                     lines=[{"variant_id": world.tea.variant.id, "quantity": 1},
                            {"variant_id": world.dates.variant.id, "quantity": 1},
                            {"variant_id": world.oolong.id, "quantity": 2}])

    assert error.fields == {"lines.2.quantity": ["Only 1 left of Oolong."]}
    assert _nothing_placed() and _stock() == {**before, world.oolong.id: 1}


def test_a_line_short_before_placing_is_named_by_the_quote(world):
    _add(world, world.tea.variant, 2)
    _add(world, world.knives.variant, 4)
    Variant.objects.filter(pk=world.knives.variant.id).update(stock=2)

    error = _refused(buyer=world.buyer, charge_currency="USD", address_id=world.address.id)

    assert (error.code, error.status) == ("checkout.unavailable", 409)
    assert error.fields == {"lines.1.quantity": ["Only 2 left of Santoku Knife."]}
    assert _nothing_placed() and _stock()[world.tea.variant.id] == 5


def test_the_per_buyer_limit_counts_open_orders_and_cancelled_ones_free_it(world):
    update_variant(access=world.tea.access, variant=world.tea.variant, data={"per_buyer_limit": 2})
    first = buy_now(world.buyer, world.tea.variant, 2, address=world.address)

    error = _refused(buyer=world.buyer, charge_currency="USD", address_id=world.address.id,
                     lines=[{"variant_id": world.tea.variant.id, "quantity": 1}])

    assert (error.code, error.status) == ("checkout.unavailable", 409)
    assert error.fields == {"lines.0.quantity": ["Limited to 2 per buyer; you may buy 0 more."]}
    assert OrderGroup.objects.count() == 1
    buy_now(UserFactory(), world.tea.variant, 2)  # the limit is per buyer, not per item

    cancel_order(order=first.orders.get(), by=BUYER, actor=world.buyer)

    again = buy_now(world.buyer, world.tea.variant, 2, address=world.address)
    assert again.orders.get().lines.get().quantity == 2


def test_two_checkouts_by_one_buyer_cannot_both_slip_under_the_limit(world, monkeypatch):
    update_variant(access=world.tea.access, variant=world.tea.variant, data={"per_buyer_limit": 2})
    real = checkout_services.quote_lines
    racing = []

    def quote_while_another_tab_buys(**kwargs):
        quote = real(**kwargs)
        if not racing:
            racing.append("the other tab")
            buy_now(world.buyer, world.tea.variant, 2, address=world.address)
        return quote

    monkeypatch.setattr(checkout_services, "quote_lines", quote_while_another_tab_buys)

    error = _refused(buyer=world.buyer, charge_currency="USD", address_id=world.address.id,
                     lines=[{"variant_id": world.tea.variant.id, "quantity": 1}])

    assert (error.code, error.status) == ("checkout.over_limit", 409)
    assert OrderGroup.objects.count() == 1 and _stock()[world.tea.variant.id] == 3


@pytest.mark.parametrize("currency", ["XYZ", "", None, 5, "BHD", "usdollar"])
def test_an_unknown_or_unsupported_charge_currency_is_refused(world, currency):
    _add(world, world.tea.variant)

    error = _refused(buyer=world.buyer, charge_currency=currency, address_id=world.address.id)

    assert (error.code, list(error.fields)) == ("checkout.invalid", ["charge_currency"])
    assert _nothing_placed() and _cart(world) == {world.tea.variant.id: 1}


def test_the_charge_currency_is_read_case_insensitively(world):
    group = buy_now(world.buyer, world.tea.variant, 1, charge_currency=" kwd ", address=world.address)

    assert group.charge_currency == "KWD"
    # 88.00 + 12.00 = 100 CNY / 8 × 0.4 = 5.000 KWD, three decimals
    assert group.charge_total == Decimal("5.000") and group.orders.get().charge_rate == Decimal("0.05")


def test_an_empty_cart_cannot_be_checked_out(world):
    error = _refused(buyer=world.buyer, charge_currency="USD", address_id=world.address.id)
    assert (error.code, error.status) == ("checkout.empty", 422)

    saved = _add(world, world.tea.variant)
    cart_services.change_line(cart=world.cart, line_id=saved.id, saved_for_later=True)
    assert _refused(buyer=world.buyer, charge_currency="USD", address_id=world.address.id).code == "checkout.empty"

    stranger = UserFactory()
    assert _refused(buyer=stranger, charge_currency="USD", address=dict(
        name="A B", line1="1 Road", city="Paris", postal_code="75001", country="FR")).code == "checkout.empty"
    assert _nothing_placed()


def test_a_bad_new_address_is_refused_field_by_field(world):
    _add(world, world.tea.variant)

    error = _refused(buyer=world.buyer, charge_currency="USD",
                     address={"name": "", "line1": "1 Road", "city": "", "country": "ZZ", "phone": "call me"})

    assert error.code == "checkout.invalid"
    assert set(error.fields) == {"address.name", "address.city", "address.country", "address.phone"}
    assert error.fields["address.country"] == ["Unknown country."]
    assert _nothing_placed() and Address.objects.filter(user=world.buyer).count() == 1


@pytest.mark.parametrize("address_id", ["foreign", "abc", 999_999, -1])
def test_an_address_that_is_not_the_buyers_is_refused(world, address_id):
    _add(world, world.tea.variant)
    if address_id == "foreign":
        address_id = AddressFactory(user=UserFactory()).id

    error = _refused(buyer=world.buyer, charge_currency="USD", address_id=address_id)

    assert (error.code, error.fields) == ("checkout.invalid", {"address_id": ["Choose one of your addresses."]})
    assert _nothing_placed()


def test_no_address_at_all_is_refused(world):
    _add(world, world.tea.variant)

    error = _refused(buyer=world.buyer, charge_currency="USD")

    assert (error.code, list(error.fields)) == ("checkout.invalid", ["address"])
    assert _nothing_placed()


# --- a new address ------------------------------------------------------------------------------------


NEW_ADDRESS = {"name": "Yuki Tanaka", "line1": "2-1 Marunouchi", "city": "Tokyo", "postal_code": "100-0005",
               "country": "jp", "phone": "+81 3 1234 5678"}


def test_a_new_address_can_be_saved_to_the_address_book(world):
    _add(world, world.knives.variant)

    group = place_order_group(buyer=world.buyer, charge_currency="JPY", address=NEW_ADDRESS, save_address=True)

    saved = Address.objects.filter(user=world.buyer, city="Tokyo").get()
    assert (saved.name, saved.postal_code, saved.country) == ("Yuki Tanaka", "100-0005", "JP")
    assert group.orders.get().shipping_address["country"] == "JP"
    assert group.charge_total == Decimal("1700")  # JPY has no minor units


def test_a_new_address_is_not_saved_unless_asked(world):
    _add(world, world.knives.variant)

    group = place_order_group(buyer=world.buyer, charge_currency="JPY", address=NEW_ADDRESS)

    assert group.orders.get().shipping_address["line1"] == "2-1 Marunouchi"
    assert not Address.objects.filter(user=world.buyer, city="Tokyo").exists()


# --- a constant number of queries ---------------------------------------------------------------------


def _big_cart(world, *, stores: int, lines: int) -> set[int]:
    """A fresh buyer's cart of ``lines`` lines from ``stores`` stores; returns the products bought."""
    shops = [open_store_for(name=f"Store {n}", currency_code=("CNY", "JPY", "KWD", "USD", "CNY")[n])[1]
             for n in range(stores)]
    prices = {"CNY": "10.00", "JPY": "900", "KWD": "1.500", "USD": "4.50"}
    variants = []
    for n in range(lines):
        access = shops[n % stores]
        per_product = 2 if lines > 1 else 1  # two variants per product where there are many lines
        if n % (stores * per_product) < stores:
            product = make_product(access, title=f"Thing {n}", price=prices[access.store.base_currency_id],
                                   stock=50, variants=per_product)
            variants.extend(product.variants.order_by("id"))
    variants = variants[:lines]
    buyer = UserFactory()
    cart = cart_services.get_or_create_user_cart(user=buyer)
    for variant in variants:
        cart_services.add_line(cart=cart, variant_id=variant.id, quantity=2)
    world.big_buyer, world.big_address = buyer, AddressFactory(user=buyer)
    return {variant.product_id for variant in variants}


def _queries_to_place(world) -> int:
    get_rate_table(), list_currency_codes()  # the per-process rate table is warm after the first request
    get_commission_rates()  # and so are the commission rates
    list_rules()  # and the destination tax rules
    with CaptureQueriesContext(connection) as captured:
        group = place_order_group(buyer=world.big_buyer, charge_currency="USD", address_id=world.big_address.id)
    assert group.orders.exists()
    return len(captured.captured_queries)


def test_placing_takes_one_update_per_variant_and_per_product_and_nothing_else_grows(world):
    small_products = _big_cart(world, stores=1, lines=1)
    small = _queries_to_place(world)
    large_products = _big_cart(world, stores=5, lines=20)
    large = _queries_to_place(world)

    assert len(large_products) == 10 and len(small_products) == 1
    assert OrderGroup.objects.order_by("-id").first().orders.count() == 5
    assert OrderLine.objects.filter(order__group=OrderGroup.objects.order_by("-id").first()).count() == 20
    assert large - small == (20 - 1) + (len(large_products) - len(small_products))
