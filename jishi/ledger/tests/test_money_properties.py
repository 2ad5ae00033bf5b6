"""Random lives of orders, driven through the real services, with the books checked after every step.

A Hypothesis state machine places order groups across three stores in three countries and currencies, to
a shopper at home in China or abroad in France or the UK — so duties and import taxes are collected at
checkout (China's CBEC, the EU's IOSS, the UK's GBP 135 rule) or left due on delivery — pays them on the
sandbox (or fails to), ships, confirms receipt, lets time pass (timers confirm receipt, accept silent
refund requests), opens, accepts, rejects, escalates and decides refund requests, refunds on the
store's initiative, cancels paid orders and pays sellers out (some payouts fail). After every step:

- every entry balances and the ledger sums to zero per currency (``check_ledger``);
- each order's escrow equals what was paid, less the duties and taxes collected with it, less what was
  released and what was refunded before release (net of the taxes that went back with it) — with "paid",
  "collected", "released" and "refunded" taken from the orders, the machine's own record of releases
  and the refund rows, not from the ledger;
- each destination's tax payable, per currency, equals the duties and taxes its paid orders collected
  less what their refunds gave back — each refund's share replayed from the refund rows with
  ``ledger.rules.tax_share`` — and an order refunded in full has given all of its taxes back;
- no seller balance is negative unless a clawback was recorded for that store.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django.test import TestCase
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from jishi.checkout.services import place_order_group
from jishi.core import clock
from jishi.core.errors import DomainError
from jishi.disputes import services as disputes
from jishi.disputes.models import RefundRequest
from jishi.ledger import rules
from jishi.ledger.models import Entry, EntryKind
from jishi.ledger.payouts import request_payout, set_payout_account
from jishi.ledger.selectors import account_balance, check_ledger
from jishi.money.rules import Money
from jishi.orders import services as orders
from jishi.orders.models import Order
from jishi.orders.models import OrderStatus as S
from jishi.orders.rules import BUYER
from jishi.payments import sandbox
from jishi.payments.models import Refund, RefundStatus
from tests.factories import AddressFactory, UserFactory, make_product, open_store_for

pytestmark = pytest.mark.django_db

GOOD_CARD, DECLINED_CARD = "4242424242424242", "4000000000000002"
START = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)  # the seeded tax rules are in force


@pytest.fixture
def market(rates):
    buyer = UserFactory()
    stores = []
    for name, country, currency, account in (
            ("Hangzhou Tea", "CN", "CNY", "CN1234567890"), ("Kyoto Ink", "JP", "JPY", "JP9988776655"),
            ("Austin Boots", "US", "USD", "US5555550000")):  # the sandbox bank refuses *0000
        store, access = open_store_for(name=name, country=country, currency_code=currency)
        variant = make_product(access, title=f"{name} bestseller", price="88.00", stock=10_000).variants.get()
        set_payout_account(access=access, holder=name, number=account)
        stores.append((access, variant))
    operator = UserFactory(is_staff=True)
    addresses = [AddressFactory(user=buyer), AddressFactory(user=buyer, country="FR", city="Lyon", postal_code="69001"),
                 AddressFactory(user=buyer, country="GB", city="London", postal_code="SW1A 1AA")]
    return {"buyer": buyer, "addresses": addresses, "stores": stores, "operator": operator}


def test_the_books_stay_sound_through_random_order_lives(market):
    class OrderLives(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.savepoint = transaction.atomic()
            self.savepoint.__enter__()
            self.now = START
            self.released: dict[int, Money] = {}  # order id → what confirmation moved out of escrow

        def teardown(self):
            transaction.set_rollback(True)
            self.savepoint.__exit__(None, None, None)

        def act(self, action) -> None:
            """One step as the marketplace runs it: at the machine's time, jobs after commit, refusals
            (illegal moves, bad amounts) leaving everything as it was."""
            with clock.frozen(self.now), TestCase.captureOnCommitCallbacks(execute=True):
                try:
                    with transaction.atomic():
                        action()
                except DomainError:
                    pass  # a refused step (illegal move, bad amount) is part of a random life
            for order in Order.objects.filter(completed_at__isnull=False).exclude(id__in=list(self.released)):
                self.released[order.id] = Money(order.total, order.currency) - refunded(order)

        def orders(self) -> list[Order]:
            return list(Order.objects.order_by("id"))

        def pick(self, index: int, *statuses: str) -> Order:
            """Mostly an order a step makes sense for (so lives get far), sometimes any order (so the
            refusals are exercised too)."""
            orders = [o for o in self.orders() if o.status in statuses] if statuses and index % 5 else []
            orders = orders or self.orders()
            return orders[index % len(orders)]

        def request(self, index: int) -> RefundRequest:
            requests = list(RefundRequest.objects.select_related("order").order_by("id"))
            return requests[index % len(requests)]

        def access_of(self, order: Order):
            return next(access for access, _ in market["stores"] if access.store.id == order.store_id)

        def place_group(self, which, quantity: int, currency: str, card: str | None, to: int = 0) -> None:
            lines = [{"variant_id": market["stores"][i][1].id, "quantity": quantity} for i in sorted(which)]

            def place_and_pay():
                group = place_order_group(buyer=market["buyer"], charge_currency=currency,
                                          address_id=market["addresses"][to].id, lines=lines)
                if card:
                    sandbox.pay(group, card=card)

            self.act(place_and_pay)

        @initialize()
        def a_paid_order_in_every_store(self):
            self.place_group({0, 1, 2}, 1, "USD", GOOD_CARD, to=1)
            # To Lyon from China, Japan and the US: the EU's IOSS collects VAT and duty at checkout.
            assert all(collected_taxes(order) for order in self.orders())

        @rule(which=st.sets(st.integers(0, 2), min_size=1), quantity=st.integers(1, 3),
              currency=st.sampled_from(["USD", "CNY"]), card=st.sampled_from([GOOD_CARD, GOOD_CARD, DECLINED_CARD, None]),
              to=st.integers(0, 2))
        def place(self, which, quantity, currency, card, to):
            self.place_group(which, quantity, currency, card, to)

        @precondition(lambda self: Order.objects.exists())
        @rule(index=st.integers(0, 50), card=st.sampled_from([GOOD_CARD, GOOD_CARD, DECLINED_CARD]))
        def pay(self, index, card):
            self.act(lambda: sandbox.pay(self.pick(index, S.PENDING_PAYMENT).group, card=card))

        @precondition(lambda self: Order.objects.exists())
        @rule(index=st.integers(0, 50))
        def ship(self, index):
            order = self.pick(index, S.PAID)
            self.act(lambda: orders.ship_order(access=self.access_of(order), order=order, carrier="SF Express",
                                               tracking_number=f"SF{order.id:08d}"))

        @precondition(lambda self: Order.objects.exists())
        @rule(index=st.integers(0, 50))
        def confirm(self, index):
            order = self.pick(index, S.SHIPPED)
            self.act(lambda: orders.confirm_receipt(order=order, by=BUYER, actor=market["buyer"]))

        @precondition(lambda self: Order.objects.exists())
        @rule(index=st.integers(0, 50))
        def cancel_paid(self, index):
            order = self.pick(index, S.PAID)
            self.act(lambda: orders.cancel_store_order(access=self.access_of(order), order=order,
                                                       reason="Out of stock, sorry."))

        @rule(days=st.sampled_from([1, 6, 11]))
        def time_passes(self, days):
            self.now += dt.timedelta(days=days)
            self.act(orders.process_due)
            self.act(disputes.process_due)

        @precondition(lambda self: Order.objects.exists())
        @rule(index=st.integers(0, 50), share=st.sampled_from(["0.25", "0.5", "1"]))
        def ask_refund(self, index, share):
            order = self.pick(index, S.PAID, S.SHIPPED)
            amount = Money(Decimal(share) * order.total, order.currency).amount
            self.act(lambda: disputes.open_refund_request(order=order, buyer=market["buyer"], reason="damaged",
                                                          amount=amount))

        @precondition(lambda self: RefundRequest.objects.exists())
        @rule(index=st.integers(0, 50), answer=st.sampled_from(["accept", "reject"]))
        def store_answers(self, index, answer):
            request = self.request(index)
            access = self.access_of(request.order)
            if answer == "accept":
                self.act(lambda: disputes.accept_refund_request(access=access, request=request))
            else:
                self.act(lambda: disputes.reject_refund_request(access=access, request=request,
                                                                reason="The photos show no damage."))

        @precondition(lambda self: RefundRequest.objects.exists())
        @rule(index=st.integers(0, 50))
        def escalate(self, index):
            request = self.request(index)
            self.act(lambda: disputes.escalate_refund_request(request=request, buyer=market["buyer"]))

        @precondition(lambda self: RefundRequest.objects.exists())
        @rule(index=st.integers(0, 50), for_buyer=st.booleans())
        def operator_decides(self, index, for_buyer):
            request = self.request(index)
            self.act(lambda: disputes.decide_refund_request(request=request, operator=market["operator"],
                                                            for_buyer=for_buyer, note="Decided on the evidence."))

        @precondition(lambda self: Order.objects.exists())
        @rule(index=st.integers(0, 50), share=st.sampled_from(["0.1", "0.5", "1"]))
        def store_refunds(self, index, share):
            order = self.pick(index, S.PAID, S.SHIPPED, S.COMPLETED)
            amount = Money(Decimal(share) * order.total, order.currency).amount
            self.act(lambda: disputes.refund_store_order(access=self.access_of(order), order=order, amount=amount,
                                                         reason="Goodwill."))

        @rule(which=st.integers(0, 2))
        def payout(self, which):
            self.act(lambda: request_payout(access=market["stores"][which][0]))

        @invariant()
        def the_ledger_balances(self):
            report = check_ledger()
            assert report.ok, report.problems
            assert not any(money.amount for money in report.sums.values())

        @invariant()
        def escrow_is_paid_less_taxes_less_released_less_refunded(self):
            rows = refund_rows()
            for order in self.orders():
                paid = Money(order.total if order.paid_at else 0, order.currency)
                if order.id in self.released:  # everything not refunded by then went to the seller
                    expected = paid - self.released[order.id] - (paid - self.released[order.id])
                else:
                    expected = paid - collected_taxes(order) - (refunded(order) - taxes_refunded(order, rows))
                assert account_balance(rules.escrow(order)) == expected, order

        @invariant()
        def tax_payable_is_what_was_collected_less_what_went_back(self):
            owed: dict[tuple[str, str], Money] = {}
            rows = refund_rows()
            for order in self.orders():
                key = (order.destination_country, order.currency)
                back = taxes_refunded(order, rows)
                assert Money.zero(order.currency) <= back <= collected_taxes(order), order
                if order.paid_at and sum(rows.get(order.id, []), Decimal(0)) == order.total:
                    assert back == collected_taxes(order), order
                owed[key] = owed.get(key, Money.zero(order.currency)) + collected_taxes(order) - back
            for (country, currency), amount in owed.items():
                if country:
                    assert account_balance(rules.tax_payable(country, currency)) == amount, (country, currency)

        @invariant()
        def no_seller_owes_without_a_clawback(self):
            for access, _ in market["stores"]:
                store = access.store
                payable = account_balance(rules.seller_payable(store.id, store.base_currency_id))
                if payable.amount < 0:
                    assert Entry.objects.filter(kind=EntryKind.CLAWBACK, order__store_id=store.id).exists()

    run_state_machine_as_test(OrderLives, settings=settings(
        max_examples=25, stateful_step_count=40, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))


def refunded(order: Order) -> Money:
    total = (Refund.objects.filter(order=order).exclude(status=RefundStatus.FAILED)
             .aggregate(total=Sum("amount"))["total"])
    return Money(total or 0, order.currency)


def collected_taxes(order: Order) -> Money:
    """The duties and taxes a paid order collected at checkout (frozen on it)."""
    return Money(order.duty_total + order.tax_total if order.paid_at else 0, order.currency)


def refund_rows() -> dict[int, list[Decimal]]:
    """Order id → the amounts of its refunds that did not fail, in the order they were made."""
    rows: dict[int, list[Decimal]] = {}
    for order_id, amount in (Refund.objects.exclude(status=RefundStatus.FAILED).order_by("id")
                             .values_list("order_id", "amount")):
        rows.setdefault(order_id, []).append(amount)
    return rows


def taxes_refunded(order: Order, rows: dict[int, list[Decimal]]) -> Money:
    """The duties and taxes the order's refunds gave back, replayed refund by refund from the refund rows."""
    paid, tax = Money(order.total, order.currency), collected_taxes(order)
    before, back = Money.zero(order.currency), Money.zero(order.currency)
    for amount in rows.get(order.id, []):
        part = rules.tax_share(Money(amount, order.currency), paid=paid, refunded_before=before, tax_collected=tax,
                               tax_refunded_before=back)
        before, back = before + Money(amount, order.currency), back + part
    return back
