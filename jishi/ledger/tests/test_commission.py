"""Commission: the operator's rates (per category, inherited down the tree, a platform default) frozen on
each order line at checkout, charged when escrow is released, and shown to the store."""

from decimal import Decimal

import pytest

from jishi.catalog.selectors import get_category_tree
from jishi.ledger import rules, selectors
from jishi.ledger.models import CommissionRate, EntryKind
from jishi.ledger.selectors import invalidate_commission_rates
from jishi.ledger.tests.conftest import complete, pay
from jishi.money.rules import Money
from tests.factories import AddressFactory, UserFactory, bearer, buy_now, make_product, open_store_for

pytestmark = pytest.mark.django_db


def set_rate(category, rate: str):
    CommissionRate.objects.update_or_create(category=category, defaults={"rate": Decimal(rate)})
    invalidate_commission_rates()


def _line(group):
    return group.orders.get().lines.get()


def test_lines_freeze_the_default_rate_then_a_parent_categorys_rate(rates):
    tree = get_category_tree()
    leaf = tree.by_slug("womens-t-shirts")
    parent = tree.by_id[leaf.parent_id]
    _store, access = open_store_for()
    variant = make_product(access, price="100.00").variants.get()
    buyer, address = UserFactory(), None
    address = AddressFactory(user=buyer)

    first = buy_now(buyer, variant, charge_currency="CNY", address=address)
    assert _line(first).commission_rate == Decimal("0.0500")  # the platform default

    set_rate(parent, "0.0800")  # inherited by the leaf the product is in
    second = buy_now(buyer, variant, charge_currency="CNY", address=address)
    assert _line(second).commission_rate == Decimal("0.0800")

    set_rate(leaf, "0.0250")  # the nearest category wins
    third = buy_now(buyer, variant, charge_currency="CNY", address=address)
    assert _line(third).commission_rate == Decimal("0.0250")

    # Orders keep the rate they were placed with.
    assert [_line(g).commission_rate for g in (first, second, third)] == [
        Decimal("0.0500"), Decimal("0.0800"), Decimal("0.0250")]


def test_changing_the_platform_default_applies_to_new_orders_only(rates):
    _store, access = open_store_for()
    variant = make_product(access, price="100.00").variants.get()
    buyer = UserFactory()
    before = buy_now(buyer, variant)
    set_rate(None, "0.1")
    after = buy_now(buyer, variant)
    assert (_line(before).commission_rate, _line(after).commission_rate) == (Decimal("0.05"), Decimal("0.1"))


def test_release_on_completion_pays_the_store_less_the_commission_on_items_only(rates):
    store, access = open_store_for(currency_code="CNY")
    from jishi.stores.services import update_store

    update_store(access=access, shipping_rate="12.00")
    set_rate(get_category_tree().by_slug("womens-t-shirts"), "0.0750")
    variant = make_product(access, price="99.99").variants.get()
    group = buy_now(UserFactory(), variant, 3, charge_currency="USD")
    pay(group)
    order = group.orders.get()
    assert selectors.order_money(order).escrow == Money("311.97", "CNY")  # 3 × 99.99 + 12.00

    complete(order, access)

    money = selectors.order_money(order)
    assert money.escrow == Money(0, "CNY") and money.released == Money("311.97", "CNY")
    assert money.commission_charged == Money("22.50", "CNY")  # 7.5 % of 299.97, shipping free of commission
    assert selectors.account_balance(rules.seller_payable(store.id, "CNY")) == Money("289.47", "CNY")
    assert order.ledger_accounts.get().key == rules.escrow(order).key
    assert selectors.check_ledger().ok


def test_completing_an_order_never_paid_through_the_ledger_releases_nothing(rates):
    _store, access = open_store_for()
    variant = make_product(access).variants.get()
    group = buy_now(UserFactory(), variant)
    from jishi.orders.services import mark_paid

    mark_paid(group)  # paid outside the payments app (as older tests do): nothing in escrow
    complete(group.orders.get(), access)
    assert not selectors.order_money(group.orders.get()).released


def test_the_store_sees_the_commission_on_its_order_page_and_in_the_api(client, money):
    client.force_login(money.owner)
    page = client.get(f"/seller/{money.store.slug}/orders/{money.done.id}/").content.decode()
    assert "Commission" in page and "50.00" in page and "950.00" in page and "5%" in page
    body = client.get(f"/api/v1/stores/{money.store.slug}/orders/{money.done.id}", **money.auth.owner).json()
    assert body["commission"] == "50.00" and body["currency"] == "CNY"
    assert "commission" not in client.get(f"/api/v1/orders/{money.done.id}", **money.auth.buyer).json()


def test_the_operator_edits_rates_in_the_admin_and_new_orders_follow(client, rates):
    from jishi.accounts.models import User

    admin = User.objects.create_superuser(email="ops@example.com", password="pw-Strong-123")
    client.force_login(admin)
    default = CommissionRate.objects.get(category=None)
    response = client.post(f"/admin/ledger/commissionrate/{default.id}/change/", {"rate": "0.0600", "category": ""})
    assert response.status_code == 302
    _store, access = open_store_for()
    group = buy_now(UserFactory(), make_product(access).variants.get())
    assert _line(group).commission_rate == Decimal("0.0600")
    # The default can be changed, never removed.
    assert client.post(f"/admin/ledger/commissionrate/{default.id}/delete/", {"post": "yes"}).status_code == 403
    assert client.post("/admin/ledger/commissionrate/add/", {"rate": "0.9", "category": ""}).status_code == 200
    assert CommissionRate.objects.count() == 1


def test_order_commission_adds_each_lines_commission_rounded():
    class Line:
        def __init__(self, total, rate):
            self.line_total, self.currency, self.commission_rate = Decimal(total), "JPY", Decimal(rate)

    assert rules.order_commission([Line("1999", "0.05"), Line("1001", "0.05")], "JPY") == Money(150, "JPY")
    assert rules.order_commission([], "JPY") == Money(0, "JPY")


def test_bearer_of_another_store_sees_no_commission(client, money):
    response = client.get(f"/api/v1/stores/{money.store.slug}/orders/{money.done.id}", **bearer(money.outsider))
    assert response.status_code == 404
    assert EntryKind.RELEASE in set(selectors.Entry.objects.values_list("kind", flat=True))
