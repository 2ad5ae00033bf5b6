"""The books themselves: balanced entries across currencies, refused by the database when they are not,
immutable once sealed, and the accounting of each money event."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from jishi.ledger import rules, selectors, services
from jishi.ledger.models import Account, Entry, EntryKind, Posting
from jishi.money.rules import Money
from tests.factories import UserFactory, make_product, open_store_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_store_group(rates):
    buyer = UserFactory()
    _, tea = open_store_for(name="Hangzhou Tea", currency_code="CNY")
    _, ink = open_store_for(name="Kyoto Ink", currency_code="JPY")
    green = make_product(tea, title="Green Tea", price="88.00", stock=5).variants.get()
    brush = make_product(ink, title="Brush", price="1999", stock=5).variants.get()
    from jishi.checkout.services import place_order_group
    from tests.factories import AddressFactory

    group = place_order_group(buyer=buyer, charge_currency="USD", address_id=AddressFactory(user=buyer).id,
                              lines=[{"variant_id": green.id, "quantity": 1}, {"variant_id": brush.id, "quantity": 1}])
    return group, list(group.orders.order_by("id"))


def test_capture_moves_cash_into_each_orders_escrow_through_fx(two_store_group):
    group, orders = two_store_group
    services.record_capture(payment_id=1, amount=Money(group.charge_total, "USD"), orders=orders)
    report = selectors.check_ledger()
    assert report.ok, report.problems
    assert set(report.sums) == {"USD", "CNY", "JPY"} and not any(report.sums.values())
    for order in orders:
        assert selectors.order_money(order).escrow == Money(order.total, order.currency)
    assert selectors.account_balance(rules.cash("USD")) == Money(group.charge_total, "USD")


def test_the_same_event_is_recorded_once(two_store_group):
    group, orders = two_store_group
    first = services.record_capture(payment_id=7, amount=Money(group.charge_total, "USD"), orders=orders)
    again = services.record_capture(payment_id=7, amount=Money(group.charge_total, "USD"), orders=orders)
    assert first.pk == again.pk and Entry.objects.count() == 1


def test_a_capture_that_does_not_match_its_orders_writes_nothing(two_store_group):
    group, orders = two_store_group
    with pytest.raises(rules.Unbalanced):
        services.record_capture(payment_id=2, amount=Money(group.charge_total + 1, "USD"), orders=orders)
    assert not Entry.objects.exists() and not Posting.objects.exists()


def test_release_refund_after_release_and_clawback(two_store_group):
    group, orders = two_store_group
    tea = orders[0]  # CNY 88 + shipping, paid in USD
    services.record_capture(payment_id=1, amount=Money(group.charge_total, "USD"), orders=orders)
    services.record_refund(refund_id=1, order=tea, amount=Money("10", "CNY"))
    services.record_release(order=tea, commission_total=Money("4.40", "CNY"))
    money = selectors.order_money(tea)
    assert money.escrow == Money(0, "CNY") and money.released == Money(tea.total - 10, "CNY")
    assert money.commission_charged == rules.share(Money("4.40", "CNY"), money.released, Money(tea.total, "CNY"))
    rest = money.refundable
    entry = services.record_refund(refund_id=2, order=tea, amount=rest)
    money = selectors.order_money(tea)
    assert money.refunded == Money(tea.total, "CNY") and money.commission_returned == money.commission_charged
    assert money.charge_refunded == Money(tea.charge_total, "USD")  # the shopper got back exactly what they paid
    assert entry.kind == EntryKind.REFUND  # the seller's balance covered it
    payable = selectors.account_balance(rules.seller_payable(tea.store_id, "CNY"))
    assert payable == Money(0, "CNY")
    assert selectors.check_ledger().ok


def test_a_refund_beyond_the_sellers_balance_is_a_recorded_clawback(two_store_group):
    group, orders = two_store_group
    tea = orders[0]
    services.record_capture(payment_id=1, amount=Money(group.charge_total, "USD"), orders=orders)
    services.record_release(order=tea, commission_total=Money("0", "CNY"))
    services.record_payout(payout_id=1, store_id=tea.store_id, amount=Money(tea.total, "CNY"))
    entry = services.record_refund(refund_id=3, order=tea, amount=Money("20", "CNY"))
    assert entry.kind == EntryKind.CLAWBACK
    assert selectors.account_balance(rules.seller_payable(tea.store_id, "CNY")) == Money("-20", "CNY")
    assert selectors.check_ledger().ok  # negative, but with a recorded clawback


def test_the_database_refuses_an_unbalanced_or_changed_entry(two_store_group):
    cash, escrow = (Account.objects.create(key=k, kind=kind, currency="USD")
                    for k, kind in (("cash:USD", "cash"), ("refunds:USD", "refunds")))
    entry = Entry.objects.create(kind=EntryKind.LATE_PAYMENT, event_key="x")
    Posting.objects.create(entry=entry, account=cash, currency="USD", amount=100)
    Posting.objects.create(entry=entry, account=escrow, currency="USD", amount=-99)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(posted=True)
    Posting.objects.filter(entry=entry, amount=-99).delete()
    Posting.objects.create(entry=entry, account=escrow, currency="USD", amount=-100)
    Entry.objects.filter(pk=entry.pk).update(posted=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Posting.objects.filter(entry=entry).update(amount=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(memo="edited")
    with pytest.raises(IntegrityError), transaction.atomic():
        Posting.objects.create(entry=entry, account=cash, currency="USD", amount=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        other = Entry.objects.create(kind=EntryKind.LATE_PAYMENT, event_key="y")
        Posting.objects.create(entry=other, account=cash, currency="EUR", amount=1)
    assert selectors.check_ledger().ok


def test_refunds_after_release_give_back_the_commission_without_rounding_drift():
    def jpy(n) -> Money:
        return Money(n, "JPY")

    released, charged = jpy(1000), jpy(40)  # 4 % of ¥1,000
    before, returned, parts = jpy(0), jpy(0), []
    for part in [jpy(10)] * 100:  # a hundred ¥10 refunds, each "owing" ¥0.4
        back = rules.commission_share(part, released=released, refunded_before=before, commission_charged=charged,
                                      commission_returned_before=returned)
        before, returned = before + part, returned + back
        parts.append(back.amount)
        assert returned == rules.share(charged, before, released)  # never ahead of or behind the proportion
    # One at a time, each share rounds to ¥0: the platform would keep the commission of a refunded order.
    assert returned == charged and set(parts) == {0, 1}
    half = rules.commission_share(jpy(500), released=released, refunded_before=jpy(0), commission_charged=charged,
                                  commission_returned_before=jpy(0))
    assert half == jpy(20)
    nothing_left = rules.commission_share(jpy(10), released=released, refunded_before=jpy(500),
                                          commission_charged=charged, commission_returned_before=charged)
    assert nothing_left == jpy(0)


def test_commission_rate_is_inherited_from_the_nearest_category():
    rates = {None: Decimal("0.05"), 1: Decimal("0.08")}
    parent_of = {3: 2, 2: 1, 1: None, 9: None}
    assert rules.rate_for(3, rates=rates, parent_of=parent_of) == Decimal("0.08")
    assert rules.rate_for(9, rates=rates, parent_of=parent_of) == Decimal("0.05")
    assert rules.rate_for(None, rates=rates, parent_of=parent_of) == Decimal("0.05")
