"""The order state machine, proved two ways.

1. The rules, exhaustively: for every (from, to, actor) the answer of ``can_move`` / ``check_move`` is
   exactly what ``TRANSITIONS`` says.
2. The services, statefully: hypothesis places an order group (one or two stores) through checkout and
   throws random moves at it — payment, cancellations by buyer and store, shipment, receipt, and the
   clock running past the payment window or the protection window. Every move either happens as the
   table allows (the status is the target and an event records from → to) or is refused with
   ``order.illegal_transition`` (409) and changes nothing. After every step the stock adds up and every
   order's history is a path through the table.
"""

import datetime as dt
import itertools

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from jishi.catalog.models import Variant
from jishi.checkout.services import place_order_group
from jishi.core import clock
from jishi.core.errors import DomainError
from jishi.orders import services
from jishi.orders.models import GroupStatus, Order, OrderEvent, OrderGroup, OrderLine, OrderStatus
from jishi.orders.rules import (
    BUYER,
    STORE,
    SYSTEM,
    TRANSITIONS,
    can_move,
    check_move,
    moves_for,
    returns_stock,
)
from tests.factories import AddressFactory, UserFactory, make_product, open_store_for

STATUSES = list(OrderStatus.values)
ACTORS = [BUYER, STORE, SYSTEM]
PENDING, PAID, SHIPPED = OrderStatus.PENDING_PAYMENT, OrderStatus.PAID, OrderStatus.SHIPPED
DELIVERED, COMPLETED, CANCELLED = OrderStatus.DELIVERED, OrderStatus.COMPLETED, OrderStatus.CANCELLED


# --- the rules, pure -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("current", "target", "by"), list(itertools.product(STATUSES, STATUSES, ACTORS)))
def test_every_move_is_allowed_exactly_when_the_table_says_so(current, target, by):
    allowed = by in TRANSITIONS.get((current, target), frozenset())
    assert can_move(current, target, by) is allowed
    assert (target in moves_for(current, by)) is allowed
    if allowed:
        check_move(current, target, by)
        return
    with pytest.raises(DomainError) as refused:
        check_move(current, target, by)
    assert (refused.value.code, refused.value.status) == ("order.illegal_transition", 409)
    assert refused.value.fields == {"status": [OrderStatus(current).label]}


@given(current=st.sampled_from(STATUSES), target=st.sampled_from(STATUSES),
       by=st.text(max_size=8).filter(lambda name: name not in ACTORS))
def test_nobody_outside_buyer_store_and_system_may_move_an_order(current, target, by):
    assert not can_move(current, target, by)
    with pytest.raises(DomainError):
        check_move(current, target, by)


def test_the_table_has_the_shape_of_an_order_life():
    sources = {source for source, _target in TRANSITIONS}
    # Finished orders stay finished; nothing moves to where it already is.
    assert COMPLETED not in sources and CANCELLED not in sources
    assert all(source != target for source, target in TRANSITIONS)
    # Only the payment system marks an order paid, only the system completes it.
    assert {actors for (_s, target), actors in TRANSITIONS.items() if target in (PAID, COMPLETED)} == {
        frozenset({SYSTEM})}
    # Nothing is cancelled once it left the warehouse; every status is reachable from a new order.
    assert {source for source, target in TRANSITIONS if target == CANCELLED} == {PENDING, PAID}
    reached, frontier = {PENDING}, [PENDING]
    while frontier:
        step = frontier.pop()
        for source, target in TRANSITIONS:
            if source == step and target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(STATUSES)
    for current, target in itertools.product(STATUSES, STATUSES):
        assert returns_stock(current, target) is (target == CANCELLED and current in (PENDING, PAID))


# --- the services, stateful -------------------------------------------------------------------------------

PAYMENT_WINDOW = dt.timedelta(minutes=django_settings.ORDER_PAYMENT_WINDOW_MINUTES)
STOCK = {"tea": 6, "silk": 4}
REASONS = ["Sold out in the warehouse", "买家要求取消", "Address cannot be served"]


class OrderLife(RuleBasedStateMachine):
    """One order group per example, in rows of its own, rolled back when the example ends."""

    def __init__(self):
        super().__init__()
        self._rows = transaction.atomic()
        self._rows.__enter__()
        try:
            self.now = timezone.now()
            self.buyer = UserFactory()
            self.address = AddressFactory(user=self.buyer)
            self.variants, self.access = {}, {}
            for name, currency in (("tea", "CNY"), ("silk", "USD")):
                _store, access = open_store_for(name=f"{name.title()} Store", currency_code=currency)
                product = make_product(access, title=name.title(), price="20.00", stock=STOCK[name])
                self.variants[name], self.access[name] = product.variants.get(), access
        except BaseException:
            self.teardown()
            raise
        self.orders: list[dict] = []  # the model: what every order must be, and its history
        self.group_id = None
        self.group_status = GroupStatus.PENDING_PAYMENT

    def teardown(self):
        transaction.set_rollback(True)
        self._rows.__exit__(None, None, None)

    # --- helpers ---

    def at_now(self):
        return clock.frozen(self.now)

    def fresh(self, index: int) -> Order:
        return Order.objects.get(pk=self.orders[index]["id"])

    def pick(self, which: int) -> int:
        return which % len(self.orders)

    def snapshot(self):
        orders = Order.objects.filter(group_id=self.group_id).order_by("id")
        return ([(o.pk, o.status, OrderEvent.objects.filter(order=o).count()) for o in orders],
                OrderGroup.objects.values_list("status", flat=True).get(pk=self.group_id),
                sorted(Variant.objects.filter(pk__in=[v.pk for v in self.variants.values()])
                       .values_list("pk", "stock")))

    def record(self, entry: dict, target: str) -> None:
        entry["events"].append((entry["status"], target))
        entry["status"] = target

    def settle_group_after_cancel(self) -> None:
        if self.group_status == GroupStatus.PENDING_PAYMENT and all(o["status"] == CANCELLED for o in self.orders):
            self.group_status = GroupStatus.CANCELLED

    def attempt(self, index: int, target: str, by: str, call) -> bool:
        """Make a move through the services; check it happened as the table allows or changed nothing."""
        entry = self.orders[index]
        before = self.snapshot()
        if not can_move(entry["status"], target, by):
            with self.at_now(), pytest.raises(DomainError) as refused:
                call(self.fresh(index))
            assert (refused.value.code, refused.value.status) == ("order.illegal_transition", 409)
            assert self.snapshot() == before
            return False
        with self.at_now():
            call(self.fresh(index))
        return True

    # --- moves ---

    @initialize(tea=st.integers(1, 3), silk=st.integers(0, 2))
    def place(self, tea, silk):
        lines = [{"variant_id": self.variants["tea"].id, "quantity": tea}]
        if silk:
            lines.append({"variant_id": self.variants["silk"].id, "quantity": silk})
        with self.at_now():
            group = place_order_group(buyer=self.buyer, charge_currency="USD", address_id=self.address.id,
                                      lines=lines)
        self.group_id, self.expires_at = group.pk, group.expires_at
        assert self.expires_at == self.now + PAYMENT_WINDOW
        by_store = {o.store_id: o for o in group.orders.all()}
        for name, quantity in (("tea", tea), ("silk", silk)):
            if quantity:
                order = by_store[self.access[name].store.id]
                self.orders.append({"id": order.pk, "variant": name, "units": quantity, "status": PENDING,
                                    "events": [("", PENDING)], "auto_confirm_at": None})

    @rule()
    def pay(self):
        before = self.snapshot()
        if self.group_status in (GroupStatus.EXPIRED, GroupStatus.CANCELLED):
            with self.at_now(), pytest.raises(DomainError) as refused:
                services.mark_paid(OrderGroup.objects.get(pk=self.group_id))
            assert (refused.value.code, refused.value.status) == ("order_group.not_payable", 409)
            assert self.snapshot() == before
            return
        with self.at_now():
            services.mark_paid(OrderGroup.objects.get(pk=self.group_id), reference="sandbox")
        if self.group_status == GroupStatus.PAID:
            assert self.snapshot() == before  # a repeated payment notice changes nothing
            return
        self.group_status = GroupStatus.PAID
        for entry in self.orders:
            if entry["status"] == PENDING:
                self.record(entry, PAID)

    @rule(which=st.integers(0, 1), by=st.sampled_from([BUYER, STORE]), reason=st.sampled_from(REASONS))
    def cancel(self, which, by, reason):
        index = self.pick(which)
        access = self.access[self.orders[index]["variant"]]
        if by == BUYER:
            def call(order):
                return services.cancel_order(order=order, by=BUYER, actor=self.buyer)
        else:
            def call(order):
                return services.cancel_store_order(access=access, order=order, reason=reason)
        if self.attempt(index, CANCELLED, by, call):
            self.record(self.orders[index], CANCELLED)
            self.settle_group_after_cancel()
            assert self.fresh(index).cancel_reason == ("" if by == BUYER else reason)

    @rule(which=st.integers(0, 1))
    def store_cancels_without_a_reason(self, which):
        index = self.pick(which)
        access = self.access[self.orders[index]["variant"]]
        before = self.snapshot()
        with self.at_now(), pytest.raises(DomainError) as refused:
            services.cancel_store_order(access=access, order=self.fresh(index), reason="  ")
        assert (refused.value.code, refused.value.fields) == ("order.invalid", {"reason": ["Give the buyer a reason."]})
        assert self.snapshot() == before

    @rule(which=st.integers(0, 1))
    def store_ships(self, which):
        index = self.pick(which)
        access = self.access[self.orders[index]["variant"]]
        if self.attempt(index, SHIPPED, STORE, lambda order: services.ship_order(
                access=access, order=order, carrier="SF Express", tracking_number=f"SF{self.orders[index]['id']:08d}")):
            entry = self.orders[index]
            self.record(entry, SHIPPED)
            entry["auto_confirm_at"] = self.now + dt.timedelta(days=django_settings.ORDER_AUTO_CONFIRM_DAYS)

    @rule(which=st.integers(0, 1))
    def buyer_confirms_receipt(self, which):
        index = self.pick(which)
        if self.attempt(index, DELIVERED, BUYER,
                        lambda order: services.confirm_receipt(order=order, actor=self.buyer)):
            self.record(self.orders[index], DELIVERED)
            self.record(self.orders[index], COMPLETED)

    @rule(which=st.integers(0, 1))
    def the_next_step_of_a_normal_life(self, which):
        """Pay, ship or confirm, whichever comes next: it steers examples past the first moves."""
        index = self.pick(which)
        status = self.orders[index]["status"]
        if status == PENDING:
            self.pay()
        elif status == PAID:
            self.store_ships(which)
        else:
            self.buyer_confirms_receipt(which)

    @rule(wait=st.sampled_from([PAYMENT_WINDOW + dt.timedelta(minutes=1),
                                dt.timedelta(days=django_settings.ORDER_AUTO_CONFIRM_DAYS, minutes=1)]))
    def time_passes_and_the_timers_run(self, wait):
        self.now += wait
        with self.at_now():
            report = services.process_due()
        expired = confirmed = 0
        if self.group_status == GroupStatus.PENDING_PAYMENT and self.now >= self.expires_at:
            self.group_status, expired = GroupStatus.EXPIRED, 1
            for entry in self.orders:
                if entry["status"] == PENDING:
                    self.record(entry, CANCELLED)
        for entry in self.orders:
            if entry["status"] == SHIPPED and self.now >= entry["auto_confirm_at"]:
                self.record(entry, DELIVERED)
                self.record(entry, COMPLETED)
                confirmed += 1
        assert report == services.DueReport(expired_groups=expired, confirmed_orders=confirmed)

    # --- invariants ---

    @invariant()
    def orders_are_where_the_table_led_them(self):
        if self.group_id is None:
            return
        assert OrderGroup.objects.values_list("status", flat=True).get(pk=self.group_id) == self.group_status
        assert dict(Order.objects.filter(group_id=self.group_id).values_list("id", "status")) == {
            entry["id"]: entry["status"] for entry in self.orders}

    @invariant()
    def every_history_is_a_path_through_the_table(self):
        histories: dict[int, list] = {entry["id"]: [] for entry in self.orders}
        for order_id, source, target in (OrderEvent.objects.filter(order_id__in=list(histories))
                                         .order_by("created_at", "id").values_list("order_id", "from_status", "to_status")):
            histories[order_id].append((source, target))
        for entry in self.orders:
            events = histories[entry["id"]]
            assert events == entry["events"]
            assert events[0] == ("", PENDING) and events[-1][1] == entry["status"]
            for (_previous_from, previous_to), (source, target) in itertools.pairwise(events):
                assert source == previous_to and (source, target) in TRANSITIONS

    @invariant()
    def every_unit_is_on_the_shelf_reserved_or_sold(self):
        units = {(variant_id, status): quantity for variant_id, status, quantity in (
            OrderLine.objects.filter(order__group_id=self.group_id).values_list("variant_id", "order__status", "quantity"))}
        for name, variant in self.variants.items():
            stock, stock_total = Variant.objects.values_list("stock", "product__stock_total").get(pk=variant.pk)
            held = sum(units.get((variant.pk, status), 0) for status in (PENDING, PAID))
            sold = sum(units.get((variant.pk, status), 0) for status in (SHIPPED, DELIVERED, COMPLETED))
            assert stock + held + sold == STOCK[name]
            assert stock_total == stock
            # Units of an order cancelled before shipment are back on the shelf, not lost or counted twice.
            cancelled = units.get((variant.pk, CANCELLED), 0)
            placed = sum(o["units"] for o in self.orders if o["variant"] == name)
            assert stock == STOCK[name] - placed + cancelled


def test_random_lives_of_orders_follow_the_state_machine(db):
    run_state_machine_as_test(OrderLife, settings=settings(
        max_examples=30, stateful_step_count=12, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
