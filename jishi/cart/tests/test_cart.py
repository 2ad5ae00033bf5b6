"""A shopper's cart: lines in and out, what each line warns about, grouping by store, the merge at sign-in."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jishi.cart import services
from jishi.cart.models import Cart, CartLine
from jishi.cart.selectors import count_items, get_cart, get_cart_view
from jishi.catalog.services import set_product_status, set_stock, update_variant
from jishi.core import clock
from jishi.core.errors import DomainError
from jishi.money.rules import Money
from jishi.money.selectors import get_rate_table, list_currency_codes
from jishi.money.services import set_currency_active
from jishi.orders.rules import BUYER
from jishi.orders.services import cancel_order
from jishi.stores.services import suspend_store
from tests.factories import UserFactory, buy_now, make_product, open_store_for

pytestmark = pytest.mark.django_db


def _shop(name: str, currency: str, *, title: str, price: str, stock: int = 5, **kwargs):
    store, access = open_store_for(name=name, currency_code=currency)
    product = make_product(access, title=title, price=price, stock=stock, **kwargs)
    return SimpleNamespace(store=store, access=access, product=product, variant=product.variants.first())


@pytest.fixture
def tea():
    return _shop("Hangzhou Tea", "CNY", title="Green Tea", price="88.00", stock=5)


@pytest.fixture
def buyer():
    return UserFactory(name="Mei Lin")


@pytest.fixture
def cart(buyer):
    return services.get_or_create_user_cart(user=buyer)


def _refused(call, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as refused:
        call(**kwargs)
    return refused.value


def _view(cart, display_currency: str = "CNY"):
    return get_cart_view(cart=cart, language="en", display_currency=display_currency)


def _quantities(cart) -> dict[int, int]:
    return dict(CartLine.objects.filter(cart=cart).values_list("variant_id", "quantity"))


# --- putting things in the cart -----------------------------------------------------------------------


def test_adding_a_variant_twice_adds_up_on_one_line(cart, tea):
    services.add_line(cart=cart, variant_id=tea.variant.id, quantity=2)
    line = services.add_line(cart=cart, variant_id=str(tea.variant.id), quantity="1")

    assert line.quantity == 3
    assert _quantities(cart) == {tea.variant.id: 3}
    assert count_items(cart=cart) == 3
    view = _view(cart)
    assert [[lv.quantity for lv in group.lines] for group in view.groups] == [[3]]
    assert view.groups[0].subtotal == Money("264.00", "CNY")


@pytest.mark.parametrize("quantity", [0, -1, 1000, "abc", "", None, 1.5, True, "2.5"])
def test_a_quantity_outside_1_to_999_is_refused(cart, tea, quantity):
    error = _refused(services.add_line, cart=cart, variant_id=tea.variant.id, quantity=quantity)

    assert error.code == "cart.invalid_quantity" and error.status == 422
    assert list(error.fields) == ["quantity"]
    assert _quantities(cart) == {}


def test_a_line_cannot_grow_past_999(cart):
    bulk = _shop("Yiwu Buttons", "CNY", title="Buttons", price="0.10", stock=5000)
    services.add_line(cart=cart, variant_id=bulk.variant.id, quantity=999)

    error = _refused(services.add_line, cart=cart, variant_id=bulk.variant.id, quantity=1)

    assert error.code == "cart.invalid_quantity"
    assert error.fields == {"quantity": ["Choose between 1 and 999 items."]}
    assert _quantities(cart) == {bulk.variant.id: 999}


def test_adding_more_than_the_stock_says_how_many_are_left_and_changes_nothing(cart, tea):
    services.add_line(cart=cart, variant_id=tea.variant.id, quantity=2)

    error = _refused(services.add_line, cart=cart, variant_id=tea.variant.id, quantity=4)

    assert (error.code, error.status, error.message) == ("cart.insufficient_stock", 409, "Only 5 left.")
    assert error.fields == {"quantity": ["Only 5 left."]}
    assert _quantities(cart) == {tea.variant.id: 2}

    other = services.create_anonymous_cart()
    error = _refused(services.add_line, cart=other, variant_id=tea.variant.id, quantity=6)
    assert error.code == "cart.insufficient_stock" and _quantities(other) == {}


def test_raising_a_quantity_past_the_stock_is_refused(cart, tea):
    line = services.add_line(cart=cart, variant_id=tea.variant.id, quantity=2)

    error = _refused(services.change_line, cart=cart, line_id=line.id, quantity=6)

    assert error.code == "cart.insufficient_stock" and error.message == "Only 5 left."
    assert _quantities(cart) == {tea.variant.id: 2}
    services.change_line(cart=cart, line_id=line.id, quantity=5)
    assert _quantities(cart) == {tea.variant.id: 5}


def test_an_item_out_of_stock_cannot_be_added(cart):
    sold_out = _shop("Empty Shelf", "CNY", title="Rare Tea", price="500.00", stock=0)

    error = _refused(services.add_line, cart=cart, variant_id=sold_out.variant.id)

    assert (error.code, error.status) == ("cart.out_of_stock", 409)
    assert error.fields == {"quantity": ["This item is out of stock."]}
    assert _quantities(cart) == {}


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_a_product_that_is_not_published_cannot_be_added(cart, status):
    hidden = _shop("Back Room", "CNY", title="Secret Tea", price="10.00", status=status)

    error = _refused(services.add_line, cart=cart, variant_id=hidden.variant.id)

    assert (error.code, error.status) == ("cart.not_for_sale", 404)
    assert "variant_id" in error.fields
    assert _quantities(cart) == {}


def test_nothing_of_a_suspended_store_can_be_added(cart, tea):
    suspend_store(store=tea.store, reason="Counterfeit goods", actor=UserFactory(is_staff=True))

    error = _refused(services.add_line, cart=cart, variant_id=tea.variant.id)

    assert (error.code, error.status) == ("cart.not_for_sale", 404)
    assert _quantities(cart) == {}


@pytest.mark.parametrize("variant_id", [999_999, "abc", -3, None, True])
def test_an_unknown_variant_cannot_be_added(cart, tea, variant_id):
    error = _refused(services.add_line, cart=cart, variant_id=variant_id)

    assert error.code in ("cart.not_for_sale", "cart.invalid")
    assert "variant_id" in error.fields
    assert _quantities(cart) == {}


# --- what the cart shows ------------------------------------------------------------------------------


@pytest.mark.parametrize("withdraw", ["archive", "suspend"])
def test_a_line_whose_product_or_store_is_gone_moves_to_unavailable(cart, tea, withdraw):
    green = services.add_line(cart=cart, variant_id=tea.variant.id, quantity=1)
    other = _shop("Suzhou Silk", "CNY", title="Silk Scarf", price="120.00")
    services.add_line(cart=cart, variant_id=other.variant.id, quantity=1)
    if withdraw == "archive":
        set_product_status(access=tea.access, product=tea.product, status="archived")
    else:
        suspend_store(store=tea.store, reason="Under investigation", actor=UserFactory(is_staff=True))

    view = _view(cart)

    assert [lv.id for lv in view.unavailable] == [green.id]
    assert view.unavailable[0].problem == "unavailable"
    assert "No longer available: the product was withdrawn or its store is closed." in view.unavailable[0].notices
    assert [[lv.item.title for lv in group.lines] for group in view.groups] == [["Silk Scarf"]]
    assert view.count == 1
    assert view.can_check_out  # the rest can still be bought


def test_a_price_change_is_shown_on_the_line(cart, tea):
    services.add_line(cart=cart, variant_id=tea.variant.id, quantity=2)
    update_variant(access=tea.access, variant=tea.variant, data={"price": "79.50"})

    line = _view(cart).groups[0].lines[0]

    assert "Price changed from CN¥88.00 to CN¥79.50." in line.notices
    assert line.unit_price == Money("79.50", "CNY") and line.total == Money("159.00", "CNY")
    assert line.problem is None


def test_an_unchanged_price_has_no_notice(cart):
    plenty = _shop("Big Warehouse", "CNY", title="Mug", price="25.00", stock=100)
    services.add_line(cart=cart, variant_id=plenty.variant.id)

    assert _view(cart).groups[0].lines[0].notices == []


def test_a_line_that_ran_short_says_what_is_left(cart, tea):
    line = services.add_line(cart=cart, variant_id=tea.variant.id, quantity=4)
    set_stock(access=tea.access, variant=tea.variant, stock=2)

    view = _view(cart)

    shown = view.groups[0].lines[0]
    assert shown.id == line.id and shown.problem == "short" and "Only 2 left." in shown.notices
    assert not view.can_check_out
    set_stock(access=tea.access, variant=tea.variant, stock=0)
    assert _view(cart).groups[0].lines[0].notices == ["Out of stock."]


def test_saved_for_later_lines_are_out_of_the_groups_and_the_count(cart, tea):
    kept = services.add_line(cart=cart, variant_id=tea.variant.id, quantity=2)
    silk = _shop("Suzhou Silk", "CNY", title="Silk Scarf", price="120.00")
    later = services.add_line(cart=cart, variant_id=silk.variant.id, quantity=3)

    services.change_line(cart=cart, line_id=later.id, saved_for_later=True)
    view = _view(cart)

    assert [lv.id for lv in view.saved] == [later.id]
    assert [[lv.id for lv in group.lines] for group in view.groups] == [[kept.id]]
    assert view.count == 2 and count_items(cart=cart) == 2
    assert view.groups[0].subtotal == Money("176.00", "CNY")

    services.add_line(cart=cart, variant_id=silk.variant.id, quantity=1)  # adding it again brings it back
    view = _view(cart)
    assert view.saved == [] and view.count == 6 and count_items(cart=cart) == 6


def test_saved_for_later_takes_yes_or_no_only(cart, tea):
    line = services.add_line(cart=cart, variant_id=tea.variant.id)

    error = _refused(services.change_line, cart=cart, line_id=line.id, saved_for_later="yes")

    assert error.code == "cart.invalid" and "saved_for_later" in error.fields
    assert _view(cart).saved == []


def test_lines_are_grouped_by_store_with_subtotals_in_the_store_currency(cart, tea, rates):
    knives = _shop("Osaka Knives", "JPY", title="Santoku Knife", price="1200", stock=10)
    books = _shop("Boston Books", "USD", title="Field Guide", price="9.99")
    services.add_line(cart=cart, variant_id=tea.variant.id, quantity=2)
    services.add_line(cart=cart, variant_id=knives.variant.id, quantity=3)
    services.add_line(cart=cart, variant_id=books.variant.id, quantity=1)
    oolong = make_product(tea.access, title="Oolong", price="30.00", stock=5).variants.get()
    services.add_line(cart=cart, variant_id=oolong.id, quantity=1)

    view = _view(cart, display_currency="USD")

    assert [group.store.name for group in view.groups] == ["Hangzhou Tea", "Osaka Knives", "Boston Books"]
    assert [[lv.item.title for lv in group.lines] for group in view.groups] == [
        ["Green Tea", "Oolong"], ["Santoku Knife"], ["Field Guide"]]
    assert [group.subtotal for group in view.groups] == [
        Money("206.00", "CNY"), Money("3600", "JPY"), Money("9.99", "USD")]
    # 206 CNY / 8 × 1.25 = 32.1875; 3600 JPY / 160 × 1.25 = 28.125; a USD store needs no conversion.
    assert [group.subtotal_display for group in view.groups] == [Money("32.19", "USD"), Money("28.13", "USD"), None]
    assert view.total_display == Money("70.31", "USD")
    assert view.count == 7 and view.can_check_out


def test_a_store_currency_without_a_rate_is_shown_unconverted(cart, tea, rates):
    knives = _shop("Osaka Knives", "JPY", title="Santoku Knife", price="1200", stock=10)
    services.add_line(cart=cart, variant_id=tea.variant.id, quantity=1)
    services.add_line(cart=cart, variant_id=knives.variant.id, quantity=1)
    set_currency_active(code="JPY", active=False)  # the operator stops quoting yen

    view = _view(cart, display_currency="USD")

    assert [(group.subtotal, group.subtotal_display) for group in view.groups] == [
        (Money("88.00", "CNY"), Money("13.75", "USD")), (Money("1200", "JPY"), None)]
    assert view.total_display is None  # no honest total without a rate for every store


# --- the merge at sign-in -----------------------------------------------------------------------------


def test_signing_in_merges_the_anonymous_cart_and_the_larger_quantity_wins(buyer, cart, tea):
    silk = _shop("Suzhou Silk", "CNY", title="Silk Scarf", price="120.00", stock=20)
    fan = _shop("Hangzhou Fans", "CNY", title="Paper Fan", price="15.00", stock=20)
    lamp = _shop("Xi'an Lamps", "CNY", title="Paper Lamp", price="60.00", stock=20)
    services.add_line(cart=cart, variant_id=tea.variant.id, quantity=1)
    services.add_line(cart=cart, variant_id=silk.variant.id, quantity=4)
    mine_only = services.add_line(cart=cart, variant_id=lamp.variant.id, quantity=2)
    services.change_line(cart=cart, line_id=mine_only.id, saved_for_later=True)
    anonymous = services.create_anonymous_cart()
    services.add_line(cart=anonymous, variant_id=tea.variant.id, quantity=3)
    services.add_line(cart=anonymous, variant_id=silk.variant.id, quantity=2)
    services.add_line(cart=anonymous, variant_id=fan.variant.id, quantity=5)

    merged = services.merge_carts(source=anonymous, user=buyer)

    assert merged.pk == cart.pk
    assert _quantities(cart) == {tea.variant.id: 3, silk.variant.id: 4, fan.variant.id: 5, lamp.variant.id: 2}
    assert [lv.id for lv in _view(cart).saved] == [mine_only.id]
    assert not Cart.objects.filter(pk=anonymous.pk).exists()
    assert get_cart(token=anonymous.token) is None
    assert get_cart(user=buyer).pk == cart.pk


def test_signing_in_without_a_cart_of_ones_own_keeps_the_anonymous_lines(tea):
    newcomer = UserFactory()
    anonymous = services.create_anonymous_cart()
    services.add_line(cart=anonymous, variant_id=tea.variant.id, quantity=2)

    merged = services.merge_carts(source=anonymous, user=newcomer)

    assert merged.user_id == newcomer.id and _quantities(merged) == {tea.variant.id: 2}
    assert Cart.objects.count() == 1


def test_another_users_cart_is_never_merged(buyer, cart, tea):
    someone = UserFactory()
    theirs = services.get_or_create_user_cart(user=someone)
    services.add_line(cart=theirs, variant_id=tea.variant.id, quantity=2)

    services.merge_carts(source=theirs, user=buyer)

    assert _quantities(cart) == {} and _quantities(theirs) == {tea.variant.id: 2}


# --- per-buyer limits ---------------------------------------------------------------------------------


def test_the_per_buyer_limit_counts_the_buyers_open_orders(buyer, cart):
    flash = _shop("Flash Sale", "CNY", title="Mooncake", price="20.00", stock=50)
    update_variant(access=flash.access, variant=flash.variant, data={"per_buyer_limit": 2})
    group = buy_now(buyer, flash.variant, 1, charge_currency="CNY")

    error = _refused(services.add_line, cart=cart, variant_id=flash.variant.id, quantity=2)

    assert (error.code, error.status) == ("cart.over_limit", 409)
    assert error.message == "Limit reached: you may buy 1 more of this item."
    assert _quantities(cart) == {}
    line = services.add_line(cart=cart, variant_id=flash.variant.id, quantity=1)
    assert _refused(services.change_line, cart=cart, line_id=line.id, quantity=2).code == "cart.over_limit"

    cancel_order(order=group.orders.get(), by=BUYER, actor=buyer)

    services.change_line(cart=cart, line_id=line.id, quantity=2)
    assert _quantities(cart) == {flash.variant.id: 2}
    assert _refused(services.add_line, cart=cart, variant_id=flash.variant.id).code == "cart.over_limit"

    buy_now(buyer, flash.variant, 2, charge_currency="CNY")
    assert _refused(services.change_line, cart=cart, line_id=line.id, quantity=3).message == (
        "Limit reached: you have bought as many of this item as one buyer may.")


def test_a_cart_line_over_the_limit_after_an_order_elsewhere_says_so(buyer, cart):
    flash = _shop("Flash Sale", "CNY", title="Mooncake", price="20.00", stock=50)
    update_variant(access=flash.access, variant=flash.variant, data={"per_buyer_limit": 3})
    services.add_line(cart=cart, variant_id=flash.variant.id, quantity=3)
    buy_now(buyer, flash.variant, 2, charge_currency="CNY")

    line = _view(cart).groups[0].lines[0]

    assert line.problem == "over_limit" and "Limited to 1 more per buyer." in line.notices


# --- lines of other carts, removal, purging -----------------------------------------------------------


def test_a_line_of_another_cart_is_not_found(cart, tea):
    stranger_cart = services.get_or_create_user_cart(user=UserFactory())
    theirs = services.add_line(cart=stranger_cart, variant_id=tea.variant.id, quantity=2)

    for attempt in (lambda: services.change_line(cart=cart, line_id=theirs.id, quantity=1),
                    lambda: services.change_line(cart=cart, line_id=theirs.id, saved_for_later=True),
                    lambda: services.remove_line(cart=cart, line_id=theirs.id),
                    lambda: services.remove_line(cart=cart, line_id="abc")):
        with pytest.raises(DomainError) as refused:
            attempt()
        assert (refused.value.code, refused.value.status) == ("cart.line_not_found", 404)
    assert _quantities(stranger_cart) == {tea.variant.id: 2}
    assert services.remove_lines(cart=cart, line_ids=[theirs.id]) == 0
    assert _quantities(stranger_cart) == {tea.variant.id: 2}


def test_removing_a_line(cart, tea):
    line = services.add_line(cart=cart, variant_id=tea.variant.id, quantity=2)

    services.remove_line(cart=cart, line_id=line.id)

    assert _quantities(cart) == {} and _view(cart).is_empty and count_items(cart=cart) == 0


def test_abandoned_anonymous_carts_are_purged_after_30_days(buyer, tea):
    now = clock.now()
    with clock.frozen(now - dt.timedelta(days=31)):
        abandoned = services.create_anonymous_cart()
        services.add_line(cart=abandoned, variant_id=tea.variant.id)
        old_user_cart = services.get_or_create_user_cart(user=buyer)
        services.add_line(cart=old_user_cart, variant_id=tea.variant.id)
        revisited = services.create_anonymous_cart()
    with clock.frozen(now - dt.timedelta(days=29)):
        recent = services.create_anonymous_cart()
    with clock.frozen(now - dt.timedelta(days=2)):
        services.add_line(cart=revisited, variant_id=tea.variant.id)

    services.purge_abandoned_carts()

    assert set(Cart.objects.values_list("pk", flat=True)) == {old_user_cart.pk, recent.pk, revisited.pk}
    assert not CartLine.objects.filter(cart_id=abandoned.pk).exists()
    assert _quantities(old_user_cart) == {tea.variant.id: 1}


# --- a constant number of queries ---------------------------------------------------------------------


PRICES = {"CNY": "10.00", "JPY": "900", "USD": "4.50"}


def _fill_cart(cart, *, stores: int, lines: int) -> None:
    """``lines`` lines from ``stores`` stores, the first with a per-buyer limit, and one line saved for later."""
    shops = [open_store_for(name=f"Store {n}", currency_code=("CNY", "JPY", "USD", "CNY", "JPY")[n])[1]
             for n in range(stores)]
    variants = []
    for n in range(lines + 1):
        access = shops[n % stores]
        variants.append(make_product(access, title=f"Thing {n}", price=PRICES[access.store.base_currency_id],
                                     stock=50).variants.get())
    update_variant(access=shops[0], variant=variants[0], data={"per_buyer_limit": 5})
    for index, variant in enumerate(variants):
        line = services.add_line(cart=cart, variant_id=variant.id, quantity=1 + index % 3)
    services.change_line(cart=cart, line_id=line.id, saved_for_later=True)


def _queries_to_show(cart) -> int:
    get_rate_table(), list_currency_codes()  # the per-process rate table is warm on every page after the first
    with CaptureQueriesContext(connection) as captured:
        view = _view(cart, display_currency="USD")
        shown = [(lv.notices, lv.total, lv.item.title, lv.item.thumbnail_url) for group in view.groups
                 for lv in group.lines]
        shown += [(group.subtotal, group.subtotal_display, group.store.name) for group in view.groups]
        shown += [lv.notices for lv in view.saved]
        shown.append((view.count, view.total_display, view.can_check_out))
    assert shown
    return len(captured.captured_queries)


def test_showing_the_cart_takes_the_same_queries_for_1_or_20_lines(rates):
    small, large = (services.get_or_create_user_cart(user=UserFactory()) for _ in range(2))
    _fill_cart(small, stores=1, lines=1)
    _fill_cart(large, stores=5, lines=20)
    large_view = _view(large, display_currency="USD")
    assert len(large_view.groups) == 5 and sum(len(g.lines) for g in large_view.groups) == 20
    assert len(large_view.saved) == 1 and len(_view(small).saved) == 1

    assert _queries_to_show(small) == _queries_to_show(large)

