"""The operator's options on an escalated request, who acted in the order's history, and the refund hold.

- Deciding for the buyer on a request whose goods go back: refund now, or refund when the return comes.
- An operator's decision reads as the marketplace's in the buyer's and the store's timelines and the API.
- A refund is an event of its own, with its amount: no "Shipped → Shipped".
- While a request runs the order is held: neither the buyer nor the timer can release its escrow.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from jishi.core import clock
from jishi.core.errors import DomainError
from jishi.disputes import services
from jishi.disputes.models import RefundRequest, RefundRequestStatus
from jishi.ledger.selectors import check_ledger, order_money
from jishi.money.rules import Money
from jishi.orders import services as order_services
from jishi.orders.models import EventKind, Order, OrderEvent, OrderStatus
from jishi.payments.models import Refund
from jishi.web.timeline import order_timeline
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _escalated(shipped, run_jobs, *, goods_return: bool) -> RefundRequest:
    with run_jobs():
        request = services.open_refund_request(order=shipped.order, buyer=shipped.buyer, reason="damaged",
                                               amount="100", goods_return=goods_return, details="Crushed tin.")
    if goods_return:
        with run_jobs():
            services.accept_refund_request(access=shipped.access, request=request)
            services.add_return_tracking(request=_fresh(request), buyer=shipped.buyer, carrier="SF Express",
                                         tracking_number="SF7654321")
    with run_jobs():
        services.reject_refund_request(access=shipped.access, request=_fresh(request), reason="Looks fine to us.")
        services.escalate_refund_request(request=_fresh(request), buyer=shipped.buyer)
    return _fresh(request)


def _fresh(request: RefundRequest) -> RefundRequest:
    return RefundRequest.objects.select_related("order").get(pk=request.pk)


def _order(shipped) -> Order:
    return (Order.objects.select_related("store").prefetch_related("events__actor").get(pk=shipped.order.pk))


def test_the_operator_refunds_on_return_when_the_goods_are_to_come_back(shipped, run_jobs):
    # The buyer wants to send the goods back; the store took the return, then rejected it.
    request = _escalated(shipped, run_jobs, goods_return=True)
    operator = UserFactory(is_staff=True)
    with run_jobs():
        services.decide_refund_request(request=request, operator=operator, for_buyer=True, amount="80",
                                       refund_on_return=True, note="Refund once the tin is back.")
    request = _fresh(request)
    # Nothing is refunded yet: the buyer sends the goods, then the store (or its silence) confirms.
    assert request.status == RefundRequestStatus.ACCEPTED and request.refund_id is None
    assert request.amount == Decimal("80") and request.due_at is not None
    assert not Refund.objects.exists() and Order.objects.get(pk=shipped.order.pk).refund_hold
    with run_jobs():
        services.add_return_tracking(request=request, buyer=shipped.buyer, carrier="SF Express",
                                     tracking_number="SF7654322")
        services.confirm_return(access=shipped.access, request=_fresh(request))
    request = _fresh(request)
    assert request.status == RefundRequestStatus.REFUNDED and request.refunded_amount == Decimal("80")
    assert order_money(shipped.order).refunded == Money("80", "CNY") and check_ledger().ok
    assert not Order.objects.get(pk=shipped.order.pk).refund_hold


def test_the_operator_may_still_refund_at_once_when_goods_were_to_come_back(shipped, run_jobs):
    request = _escalated(shipped, run_jobs, goods_return=True)
    with run_jobs():
        services.decide_refund_request(request=request, operator=UserFactory(is_staff=True), for_buyer=True,
                                       amount="100", refund_on_return=False)
    assert _fresh(request).status == RefundRequestStatus.REFUNDED
    assert order_money(shipped.order).refunded == Money("100", "CNY")


def test_refund_on_return_needs_goods_that_go_back(shipped, run_jobs):
    request = _escalated(shipped, run_jobs, goods_return=False)
    with pytest.raises(DomainError) as refused:
        services.decide_refund_request(request=request, operator=UserFactory(is_staff=True), for_buyer=True,
                                       refund_on_return=True)
    assert refused.value.code == "refund_request.invalid" and "refund" in refused.value.fields
    assert _fresh(request).status == RefundRequestStatus.ESCALATED and not Refund.objects.exists()


def test_the_operators_decision_is_the_marketplaces_in_every_history(shipped, run_jobs, client):
    request = _escalated(shipped, run_jobs, goods_return=False)
    operator = UserFactory(is_staff=True, name="Wang Operator")
    with run_jobs():
        services.decide_refund_request(request=request, operator=operator, for_buyer=True, amount="50")
    refund_event = OrderEvent.objects.get(order=shipped.order, kind=EventKind.REFUND)
    assert (refund_event.by, refund_event.actor, refund_event.amount, refund_event.currency) == (
        "operator", operator, Decimal("50.000"), "CNY")
    assert (refund_event.from_status, refund_event.to_status) == ("", "")

    order = _order(shipped)
    for audience in ("buyer", "store"):
        refund_steps = [step for step in order_timeline(order, audience=audience) if step.refund]
        assert [(step.who, step.refund) for step in refund_steps] == [("The marketplace", Money("50", "CNY"))]

    client.force_login(shipped.buyer)
    events = client.get(f"/api/v1/orders/{shipped.order.pk}").json()["events"]
    assert events[-1] == {"kind": "refund", "from_status": None, "to_status": None, "actor": "operator",
                          "amount": {"amount": "50.00", "currency": "CNY"},
                          "note": f"Refund request #{request.pk}", "created_at": events[-1]["created_at"]}
    assert [e["actor"] for e in events if e["kind"] == "status"] == ["buyer", "system", "store"]
    page = client.get(f"/orders/{shipped.order.pk}/").content.decode()
    assert "Refunded CN¥50.00" in page and "Shipped → " not in page.split("Refunded CN¥50.00")[0][-200:]


def test_a_store_members_refund_names_the_member_to_the_store_and_the_store_to_the_buyer(shipped, run_jobs):
    shipped.owner.name = "Chen Owner"
    shipped.owner.save()
    with run_jobs():
        services.refund_store_order(access=shipped.access, order=shipped.order, amount="20", reason="Late.")
    order = _order(shipped)
    assert [s.who for s in order_timeline(order, audience="store") if s.refund] == ["Chen Owner"]
    assert [s.who for s in order_timeline(order, audience="buyer") if s.refund] == ["Hangzhou Tea"]
    assert [m.subject for m in mail.outbox if m.to == [shipped.buyer.email]][-1:]  # the buyer is told


def test_a_running_request_holds_the_order_against_the_buyer_and_the_timer(shipped, run_jobs):
    with run_jobs():
        request = services.open_refund_request(order=shipped.order, buyer=shipped.buyer, reason="damaged",
                                               amount="10")
    assert Order.objects.get(pk=shipped.order.pk).refund_hold
    with pytest.raises(DomainError) as refused:
        order_services.confirm_receipt(order=shipped.order, actor=shipped.buyer)
    assert refused.value.code == "order.refund_request_open"
    # The store ships nothing new, but a window that was set (an order shipped during a request) waits too.
    Order.objects.filter(pk=shipped.order.pk).update(auto_confirm_at=clock.now())
    with clock.shifted(dt.timedelta(days=60)):
        assert order_services.process_due().confirmed_orders == 0
    assert Order.objects.get(pk=shipped.order.pk).status == OrderStatus.SHIPPED
    with run_jobs():
        services.withdraw_refund_request(request=request, buyer=shipped.buyer)
    order = Order.objects.get(pk=shipped.order.pk)
    assert not order.refund_hold and order.auto_confirm_at is not None
    with run_jobs():
        order_services.confirm_receipt(order=order, actor=shipped.buyer)
    assert Order.objects.get(pk=shipped.order.pk).status == OrderStatus.COMPLETED
