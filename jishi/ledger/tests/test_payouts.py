"""Payouts: on request above the minimum, on schedule, through the sandbox payout provider that settles in a
job (or fails for a refused account, which makes the money available again)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from jishi.core import clock
from jishi.core.errors import DomainError
from jishi.ledger import payouts, rules, selectors
from jishi.ledger.models import EntryKind, Payout, PayoutStatus
from jishi.ledger.tests.conftest import complete, pay, with_payout_account
from jishi.money.rules import Money
from tests.factories import UserFactory, buy_now, make_product, open_store_for

pytestmark = pytest.mark.django_db


def available(store):
    return selectors.account_balance(rules.seller_payable(store.id, store.base_currency_id))


def balance(store):
    return selectors.get_store_balances(store=store)[0]


def test_a_requested_payout_is_in_transit_then_settled_by_the_sandbox(money, django_capture_on_commit_callbacks):
    with_payout_account(money.store)
    with django_capture_on_commit_callbacks(execute=True):
        payout = payouts.request_payout(access=money.access, amount="300.00")
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID and payout.reference == f"sandbox_po_{payout.id}"
    assert payout.destination == "•••• 3000" and payout.requested_by == money.owner and not payout.scheduled
    b = balance(money.store)
    assert (b.available, b.in_transit, b.paid_out, b.escrow) == (
        Money("650.00", "CNY"), Money(0, "CNY"), Money("300.00", "CNY"), Money("200.00", "CNY"))
    kinds = list(selectors.Entry.objects.filter(
        event_key__in=[f"{kind}:{payout.id}" for kind in ("payout", "payout_settled", "payout_failed")]).values_list("kind", flat=True))
    assert sorted(kinds) == [EntryKind.PAYOUT, EntryKind.PAYOUT_SETTLED]
    assert selectors.check_ledger().ok


def test_a_payout_waits_in_transit_until_the_provider_answers(money, django_capture_on_commit_callbacks):
    with_payout_account(money.store)
    payout = payouts.request_payout(access=money.access)  # jobs not run: the provider has not answered
    assert payout.amount == Money("950.00", "CNY").amount
    b = balance(money.store)
    assert (b.available, b.in_transit) == (Money(0, "CNY"), Money("950.00", "CNY"))
    payouts.settle_payout(payout_id=payout.id)
    payouts.settle_payout(payout_id=payout.id)  # a repeated report changes nothing
    payouts.fail_payout(payout_id=payout.id, reason="late")
    assert balance(money.store).paid_out == Money("950.00", "CNY")
    assert Payout.objects.get().status == PayoutStatus.PAID


def test_a_refused_account_fails_the_payout_and_the_money_is_available_again(money, django_capture_on_commit_callbacks):
    with_payout_account(money.store, number="GB29NWBK60161331920000")
    with django_capture_on_commit_callbacks(execute=True):
        payout = payouts.request_payout(access=money.access, amount="200")
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.FAILED and payout.failure_reason and payout.failed_at
    b = balance(money.store)
    assert (b.available, b.in_transit, b.paid_out) == (Money("950.00", "CNY"), Money(0, "CNY"), Money(0, "CNY"))
    assert selectors.check_ledger().ok


@pytest.mark.parametrize(("amount", "code"), [
    ("9.99", "ledger.below_minimum"),  # the minimum is EUR 20 = CNY 160 at the test rates
    ("159.99", "ledger.below_minimum"),
    ("950.01", "ledger.insufficient_balance"),
    ("-5", "ledger.invalid"), ("0", "ledger.invalid"), ("1.001", "ledger.invalid"), ("abc", "ledger.invalid"),
])
def test_payouts_below_the_minimum_or_above_the_balance_are_refused(money, amount, code):
    with_payout_account(money.store)
    with pytest.raises(DomainError) as refused:
        payouts.request_payout(access=money.access, amount=amount)
    assert refused.value.code == code and "amount" in refused.value.fields
    assert not Payout.objects.exists() and available(money.store) == Money("950.00", "CNY")


def test_the_minimum_follows_the_rates_and_the_setting(money, settings):
    assert payouts.payout_minimum("CNY") == Money("160.00", "CNY")
    assert payouts.payout_minimum("JPY") == Money(3200, "JPY")
    settings.PAYOUT_MINIMUM = "100"
    assert payouts.payout_minimum("USD") == Money("125.00", "USD")
    with_payout_account(money.store)
    with pytest.raises(DomainError):
        payouts.request_payout(access=money.access, amount="700")  # CNY 800 now
    assert payouts.request_payout(access=money.access, amount="800").amount == Money("800", "CNY").amount


def test_no_payout_without_a_payout_account_nor_for_staff(money):
    with pytest.raises(DomainError) as refused:
        payouts.request_payout(access=money.access)
    assert refused.value.code == "ledger.no_payout_account"
    from jishi.stores.selectors import access_store

    staff = access_store(user=money.staff, slug=money.store.slug)
    with pytest.raises(DomainError) as denied:
        payouts.request_payout(access=staff)
    assert denied.value.code == "store.role_required"
    with pytest.raises(DomainError):
        payouts.set_payout_account(access=money.manager_access, holder="Me", number="DE89370400440532013000")
    assert not Payout.objects.exists()


def test_payout_account_is_cleaned_and_checked(money):
    account = payouts.set_payout_account(access=money.access, holder="  Hangzhou   Tea ", number="de89 3704-0044 0532 0130 00")
    assert (account.holder, account.number, account.masked) == ("Hangzhou Tea", "DE89370400440532013000", "•••• 3000")
    with pytest.raises(DomainError) as refused:
        payouts.set_payout_account(access=money.access, holder="", number="12")
    assert set(refused.value.fields) == {"holder", "number"}


def test_the_schedule_pays_stores_above_the_minimum_once_a_period(money, django_capture_on_commit_callbacks):
    with_payout_account(money.store)
    small_store, small_access = open_store_for(name="Tiny", currency_code="CNY")
    with_payout_account(small_store)
    cheap = make_product(small_access, price="10.00").variants.get()
    group = buy_now(UserFactory(), cheap, 1, charge_currency="CNY")
    pay(group)
    complete(group.orders.get(), small_access)  # CNY 9.50 available: below the minimum
    unconfigured, unconfigured_access = open_store_for(name="No Bank", currency_code="CNY")
    group = buy_now(UserFactory(), make_product(unconfigured_access, price="500.00").variants.get(), 1)
    pay(group)
    complete(group.orders.get(), unconfigured_access)  # CNY 475 available, but nowhere to send it

    with django_capture_on_commit_callbacks(execute=True):
        started = payouts.pay_out_due_stores()
    assert [(p.store_id, p.amount, p.scheduled) for p in started] == [(money.store.id, Money("950", "CNY").amount, True)]
    assert Payout.objects.get().status == PayoutStatus.PAID

    # More sales the same week wait for the next period.
    group = buy_now(money.buyer, money.tea, 5, charge_currency="CNY", address=money.address)
    pay(group)
    complete(group.orders.get(), money.access)
    assert payouts.pay_out_due_stores() == []
    with clock.shifted(dt.timedelta(days=7, minutes=1)):
        again = payouts.pay_out_due_stores()
    assert [(p.store_id, p.amount) for p in again] == [(money.store.id, Money("475.00", "CNY").amount)]


def test_the_beat_schedule_runs_the_payout_sweep():
    from jishi.celery import app

    entry = next(e for e in app.conf.beat_schedule.values() if e["task"] == "jishi.ledger.tasks.pay_out_due_stores")
    assert entry["schedule"] == 24 * 3600.0


def test_a_payout_amount_is_positive_in_the_database(money):
    with pytest.raises(ValidationError):
        Payout(store=money.store, currency="CNY", amount=0, provider="sandbox", destination="x").full_clean()
