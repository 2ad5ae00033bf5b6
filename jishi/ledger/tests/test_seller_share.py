"""What a store keeps of an order (``selectors.seller_share``): before release, what release will credit by
the rule release applies; after release, what the ledger credited. The two never differ."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.test import TestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jishi.catalog.selectors import get_category_tree
from jishi.ledger import rules, selectors
from jishi.ledger.tests.conftest import complete
from jishi.ledger.tests.test_commission import set_rate
from jishi.money.rules import Money
from jishi.orders.rules import BUYER
from jishi.orders.services import cancel_order
from jishi.payments import sandbox
from tests.factories import AddressFactory, UserFactory, buy_now, make_product, open_store_for, store_refund

pytestmark = pytest.mark.django_db


def cny(amount) -> Money:
    return Money(amount, "CNY")


def pay(group):
    """Paid through the sandbox gateway, so the refund engine finds the payment."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        sandbox.pay(group)


@pytest.fixture
def tea(rates):
    store, access = open_store_for(name="Hangzhou Tea", currency_code="CNY", country="CN")
    variant = make_product(access, title="Green Tea", price="100.00", stock=100).variants.get()
    buyer = UserFactory()
    return store, access, variant, buyer, AddressFactory(user=buyer, country="CN")


def _paid(tea, quantity=2, *, charge_currency="USD"):
    _store, _access, variant, buyer, address = tea
    group = buy_now(buyer, variant, quantity, charge_currency=charge_currency, address=address)
    pay(group)
    return group.orders.get()


def test_before_release_the_share_is_what_release_will_credit_after_a_partial_refund(tea):
    store, access, *_ = tea
    order = _paid(tea)  # CNY 200.00 at 5 %
    store_refund(order, cny("50.00"))

    before = selectors.seller_share(order)

    assert not before.released
    assert (before.paid, before.refunded, before.taxes) == (cny("200.00"), cny("50.00"), cny(0))
    assert (before.commission, before.net) == (cny("7.50"), cny("142.50"))
    order.refresh_from_db()
    complete(order, access)
    money = selectors.order_money(order)
    after = selectors.seller_share(order)
    assert after.released
    assert (money.commission_charged, money.seller_net) == (before.commission, before.net)
    assert (after.commission, after.net) == (before.commission, before.net)
    assert selectors.account_balance(rules.seller_payable(store.id, "CNY")) == cny("142.50")


def test_after_release_a_refund_gives_back_its_commission_and_the_share_follows_the_ledger(tea):
    store, access, *_ = tea
    order = _paid(tea)
    complete(order, access)
    store_refund(order, cny("50.00"))

    share = selectors.seller_share(order)
    money = selectors.order_money(order)

    assert share.released
    assert share.commission == money.commission_charged - money.commission_returned == cny("7.50")
    assert share.net == money.seller_net == cny("142.50")
    assert selectors.account_balance(rules.seller_payable(store.id, "CNY")) == share.net


def test_an_unpaid_order_shows_what_payment_and_release_would_bring_and_a_cancelled_one_nothing(tea):
    _store, _access, variant, buyer, address = tea
    group = buy_now(buyer, variant, 3, charge_currency="CNY", address=address)
    order = group.orders.get()

    waiting = selectors.seller_share(order)
    assert (waiting.paid, waiting.commission, waiting.net) == (cny("300.00"), cny("15.00"), cny("285.00"))

    cancel_order(order=order, by=BUYER, actor=buyer)
    order.refresh_from_db()
    gone = selectors.seller_share(order)
    assert (gone.paid, gone.commission, gone.net) == (cny(0), cny(0), cny(0))


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(prices=st.lists(st.integers(min_value=101, max_value=99_999), min_size=1, max_size=3),
       rate=st.sampled_from(["0.0250", "0.0500", "0.0750", "0.1250"]),
       cuts=st.lists(st.integers(min_value=100, max_value=50_000), max_size=3))
def test_what_the_page_promises_before_release_is_what_release_credits(tea, prices, rate, cuts):
    """Lines at two rates (the tea's category at ``rate``, necklaces at the 5 % default), any refunds before release: the projected commission and net equal the ledger's
    once released, to the minor unit."""
    from jishi.checkout.services import place_order_group

    store, access, variant, buyer, address = tea
    with transaction.atomic():
        savepoint = transaction.savepoint()
        set_rate(get_category_tree().by_slug("womens-t-shirts"), rate)
        variants = [make_product(access, title=f"Pendant {n}", price=str(Decimal(cents) / 100), stock=5,
                                 category="necklaces").variants.get() for n, cents in enumerate(prices)]
        group = place_order_group(buyer=buyer, charge_currency="USD", address_id=address.id,
                                  lines=[{"variant_id": v.id, "quantity": 1} for v in [variant, *variants]])
        pay(group)
        order = group.orders.get()
        for cut in cuts:
            left = selectors.order_money(order).refundable
            if left > cny("1.00"):
                store_refund(order, min(cny(Decimal(cut) / 100), left - cny("1.00")))
        projected = selectors.seller_share(order)
        order.refresh_from_db()
        complete(order, access)
        actual = selectors.seller_share(order)
        money = selectors.order_money(order)
        assert actual.released and not projected.released
        assert (projected.commission, projected.net) == (actual.commission, actual.net)
        assert actual.net == money.seller_net
        assert projected.paid - projected.refunded - projected.taxes - projected.commission == projected.net
        transaction.savepoint_rollback(savepoint)
