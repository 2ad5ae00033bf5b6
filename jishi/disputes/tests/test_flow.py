"""Buyer protection from the buyer's and the store's side: a refund request with and without the goods
coming back, answered by the store, by its silence, or decided by the marketplace; the money always
moves through payments and the ledger stays balanced."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from jishi.catalog.models import Variant
from jishi.core import clock
from jishi.core.errors import DomainError
from jishi.disputes import services
from jishi.disputes.models import RefundRequestEvent, RefundRequestStatus
from jishi.ledger.selectors import check_ledger, order_money
from jishi.money.rules import Money
from jishi.orders import services as order_services
from jishi.orders.models import OrderStatus
from jishi.payments.models import Refund
from jishi.stores.models import Membership, Role
from jishi.stores.selectors import access_store
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _open(trade, run_jobs, **kwargs):
    kwargs = {"reason": "not_as_described", "amount": None, "goods_return": False, **kwargs}
    with run_jobs():
        return services.open_refund_request(order=trade.order, buyer=trade.buyer, **kwargs)


def _fresh(request):
    request.refresh_from_db()
    return request


def test_without_goods_return_the_stores_acceptance_refunds_everything_and_closes_the_order(shipped, run_jobs):
    mail.outbox.clear()
    request = _open(shipped, run_jobs, details="The tea is stale.")
    shipped.order.refresh_from_db()
    assert request.status == RefundRequestStatus.OPEN and request.amount == Decimal("200")
    assert shipped.order.auto_confirm_at is None  # the protection window is paused
    assert [m.to for m in mail.outbox] == [[shipped.owner.email]]
    assert "Refund requested" in mail.outbox[0].subject

    with run_jobs():
        services.accept_refund_request(access=shipped.access, request=request)
    request = _fresh(request)
    shipped.order.refresh_from_db()
    assert request.status == RefundRequestStatus.REFUNDED and request.refunded_amount == Decimal("200")
    assert shipped.order.status == OrderStatus.REFUNDED
    refund = Refund.objects.get(pk=request.refund_id)
    assert refund.amount == Decimal("200") and refund.requested_by == "buyer" and refund.actor == shipped.owner
    assert order_money(shipped.order).refundable == Money(0, "CNY")
    assert check_ledger().ok
    assert [e.to_status for e in RefundRequestEvent.objects.filter(request=request)] == ["open", "refunded"]


def test_with_goods_return_the_buyer_ships_them_back_and_the_store_confirms_a_partial_refund(shipped, run_jobs):
    request = _open(shipped, run_jobs, amount="50.00", goods_return=True, reason="damaged")
    with run_jobs():
        services.accept_refund_request(access=shipped.access, request=request)
    assert request.status == RefundRequestStatus.ACCEPTED
    assert request.due_at == request.events.last().due_at and request.refund_id is None
    mail.outbox.clear()
    with run_jobs():
        services.add_return_tracking(request=request, buyer=shipped.buyer, carrier="SF Express",
                                     tracking_number="SF999888")
    assert request.status == RefundRequestStatus.RETURN_SHIPPED
    assert [m.to for m in mail.outbox] == [[shipped.owner.email]] and "SF999888" in mail.outbox[0].body
    stock = Variant.objects.get(pk=shipped.variant.pk).stock
    with run_jobs():
        services.confirm_return(access=shipped.access, request=request, restock=True)
    request = _fresh(request)
    shipped.order.refresh_from_db()
    assert request.status == RefundRequestStatus.REFUNDED and request.refunded_amount == Decimal("50")
    assert request.return_confirmed_at is not None
    assert Variant.objects.get(pk=shipped.variant.pk).stock == stock + 2  # the units are back on sale
    # A partial refund: the order goes on, its protection window runs again.
    assert shipped.order.status == OrderStatus.SHIPPED and shipped.order.auto_confirm_at is not None
    assert order_money(shipped.order).refundable == Money("150", "CNY")
    assert check_ledger().ok


def test_silence_accepts_and_a_return_not_confirmed_counts_as_received(shipped, run_jobs, settings):
    request = _open(shipped, run_jobs, amount="80", goods_return=True)
    with clock.shifted(dt.timedelta(days=settings.REFUND_RESPONSE_DAYS - 1)), run_jobs():
        assert services.process_due().accepted == 0
    mail.outbox.clear()
    with clock.shifted(dt.timedelta(days=settings.REFUND_RESPONSE_DAYS, minutes=1)), run_jobs():
        assert services.process_due().accepted == 1
        assert services.process_due().accepted == 0  # a second sweep finds nothing left
    request = _fresh(request)
    assert request.status == RefundRequestStatus.ACCEPTED
    assert request.events.last().by == "system" and request.events.last().actor is None
    assert sorted(m.to[0] for m in mail.outbox) == sorted([shipped.buyer.email, shipped.owner.email])
    with run_jobs():
        services.add_return_tracking(request=request, buyer=shipped.buyer, carrier="EMS", tracking_number="EE12345")
    days = settings.REFUND_RETURN_CONFIRM_DAYS
    with clock.shifted(dt.timedelta(days=days, minutes=1)), run_jobs():
        report = services.process_due()
        services.process_due()
    assert report.returns_confirmed == 1
    request = _fresh(request)
    assert request.status == RefundRequestStatus.REFUNDED and Refund.objects.filter(order=shipped.order).count() == 1
    assert order_money(shipped.order).refunded == Money("80", "CNY")


def test_silence_without_goods_return_refunds_at_once(shipped, run_jobs, settings):
    request = _open(shipped, run_jobs, amount="30")
    with clock.shifted(dt.timedelta(days=settings.REFUND_RESPONSE_DAYS, hours=1)), run_jobs():
        services.process_due()
    assert _fresh(request).status == RefundRequestStatus.REFUNDED
    assert order_money(shipped.order).refunded == Money("30", "CNY")


def test_rejection_escalation_and_the_operator_deciding_for_the_buyer(shipped, run_jobs):
    request = _open(shipped, run_jobs, amount="120")
    with pytest.raises(DomainError) as missing:
        services.reject_refund_request(access=shipped.access, request=request, reason=" ")
    assert missing.value.code == "refund_request.invalid" and "reason" in missing.value.fields
    mail.outbox.clear()
    with run_jobs():
        services.reject_refund_request(access=shipped.access, request=request, reason="The tea was fine.")
    assert request.status == RefundRequestStatus.REJECTED and request.due_at is not None
    assert [m.to for m in mail.outbox] == [[shipped.buyer.email]] and "The tea was fine." in mail.outbox[0].body
    with run_jobs():
        services.escalate_refund_request(request=request, buyer=shipped.buyer, note="It smelled of smoke.")
    assert request.status == RefundRequestStatus.ESCALATED and request.due_at is None
    with pytest.raises(DomainError) as not_staff:
        services.decide_refund_request(request=request, operator=shipped.owner, for_buyer=True)
    assert not_staff.value.status == 403
    operator = UserFactory(is_staff=True)
    with pytest.raises(DomainError) as too_much:
        services.decide_refund_request(request=request, operator=operator, for_buyer=True, amount="121")
    assert too_much.value.code == "refund_request.invalid"
    with run_jobs():
        services.decide_refund_request(request=request, operator=operator, for_buyer=True, amount="100",
                                       note="Half the tin was spoiled.")
    request = _fresh(request)
    assert request.status == RefundRequestStatus.REFUNDED and request.decision == "for_buyer"
    assert request.refunded_amount == Decimal("100") and request.decided_by == operator
    assert Refund.objects.get(pk=request.refund_id).requested_by == "operator"
    assert check_ledger().ok


def test_the_operator_deciding_for_the_store_closes_it_and_the_window_resumes(shipped, run_jobs):
    left = shipped.order.auto_confirm_at - clock.now()
    request = _open(shipped, run_jobs)
    with run_jobs():
        services.reject_refund_request(access=shipped.access, request=request, reason="Opened and used.")
        services.escalate_refund_request(request=request, buyer=shipped.buyer)
    operator = UserFactory(is_staff=True)
    with pytest.raises(DomainError) as no_note:
        services.decide_refund_request(request=request, operator=operator, for_buyer=False)
    assert no_note.value.code == "refund_request.invalid"
    with clock.shifted(dt.timedelta(days=3)), run_jobs():
        services.decide_refund_request(request=request, operator=operator, for_buyer=False, note="Used goods.")
        resumed_from = clock.now()
    request = _fresh(request)
    shipped.order.refresh_from_db()
    assert request.status == RefundRequestStatus.CLOSED and request.decision == "for_seller"
    assert not Refund.objects.filter(order=shipped.order).exists()
    assert abs(shipped.order.auto_confirm_at - (resumed_from + left)) < dt.timedelta(seconds=5)


def test_opening_a_request_pauses_the_automatic_confirmation_until_it_closes(shipped, run_jobs, settings):
    request = _open(shipped, run_jobs, amount="10")
    later = dt.timedelta(days=settings.ORDER_AUTO_CONFIRM_DAYS + 1)
    with clock.shifted(later), run_jobs():
        assert order_services.process_due().confirmed_orders == 0
    shipped.order.refresh_from_db()
    assert shipped.order.status == OrderStatus.SHIPPED
    with clock.shifted(later), run_jobs():
        services.withdraw_refund_request(request=request, buyer=shipped.buyer)
    shipped.order.refresh_from_db()
    assert request.status == RefundRequestStatus.CLOSED and shipped.order.auto_confirm_at is not None
    with clock.shifted(later + dt.timedelta(days=settings.ORDER_AUTO_CONFIRM_DAYS + 1)), run_jobs():
        assert order_services.process_due().confirmed_orders == 1
    shipped.order.refresh_from_db()
    assert shipped.order.status == OrderStatus.COMPLETED


def test_the_buyer_cannot_confirm_receipt_while_a_request_runs(shipped, run_jobs):
    request = _open(shipped, run_jobs, amount="10")
    with pytest.raises(DomainError) as refused:
        order_services.confirm_receipt(order=shipped.order, actor=shipped.buyer)
    assert refused.value.code == "order.refund_request_open" and refused.value.status == 409
    shipped.order.refresh_from_db()
    assert shipped.order.status == OrderStatus.SHIPPED and not order_money(shipped.order).released
    with run_jobs():
        services.withdraw_refund_request(request=request, buyer=shipped.buyer)
        order_services.confirm_receipt(order=shipped.order, actor=shipped.buyer)
    assert order_money(shipped.order).released == order_money(shipped.order).paid


def test_a_store_that_ships_while_a_request_is_open_does_not_restart_the_window(trade, run_jobs, settings):
    request = _open(trade, run_jobs, amount="10")
    with run_jobs():
        order_services.ship_order(access=trade.access, order=trade.order, carrier="SF Express",
                                  tracking_number="SF7654321")
    with clock.shifted(dt.timedelta(days=settings.ORDER_AUTO_CONFIRM_DAYS + 1)), run_jobs():
        assert order_services.process_due().confirmed_orders == 0
        services.reject_refund_request(access=trade.access, request=request, reason="Shipped already.")
    trade.order.refresh_from_db()
    assert trade.order.status == OrderStatus.SHIPPED


def test_deadlines_close_a_return_never_sent_and_a_rejection_never_escalated(shipped, run_jobs, settings):
    request = _open(shipped, run_jobs, amount="10", goods_return=True)
    with run_jobs():
        services.accept_refund_request(access=shipped.access, request=request)
    with clock.shifted(dt.timedelta(days=settings.REFUND_RETURN_DAYS, minutes=1)), run_jobs():
        assert services.process_due().closed == 1
    assert _fresh(request).status == RefundRequestStatus.CLOSED
    second = _open(shipped, run_jobs, amount="10")
    with run_jobs():
        services.reject_refund_request(access=shipped.access, request=second, reason="No.")
    with clock.shifted(dt.timedelta(days=settings.REFUND_ESCALATION_DAYS, minutes=1)), run_jobs():
        assert services.process_due().closed == 1
    second = _fresh(second)
    assert second.status == RefundRequestStatus.CLOSED
    with pytest.raises(DomainError) as late:
        services.escalate_refund_request(request=second, buyer=shipped.buyer)
    assert late.value.code == "refund_request.illegal_transition" and late.value.status == 409
    assert not Refund.objects.exists()


def test_a_full_refund_before_shipment_cancels_the_order_and_returns_its_units(trade, run_jobs):
    stock = Variant.objects.get(pk=trade.variant.pk).stock
    request = _open(trade, run_jobs, reason="changed_mind")
    with run_jobs():
        services.accept_refund_request(access=trade.access, request=request)
    trade.order.refresh_from_db()
    assert _fresh(request).status == RefundRequestStatus.REFUNDED and request.refund_id
    assert trade.order.status == OrderStatus.CANCELLED
    assert Variant.objects.get(pk=trade.variant.pk).stock == stock + 2
    assert order_money(trade.order).refundable == Money(0, "CNY") and check_ledger().ok


def test_illegal_and_invalid_steps_are_refused_and_change_nothing(shipped, run_jobs):
    with pytest.raises(DomainError) as bad_reason:
        _open(shipped, run_jobs, reason="because")
    assert bad_reason.value.fields == {"reason": ["Choose a reason."]}
    for amount, field_message in (("0", "more than zero"), ("200.01", "At most 200.00"), ("abc", "number"),
                                  ("1.234", "decimals")):
        with pytest.raises(DomainError) as bad_amount:
            _open(shipped, run_jobs, amount=amount)
        assert bad_amount.value.code == "refund_request.invalid"
        assert field_message in bad_amount.value.fields["amount"][0]
    request = _open(shipped, run_jobs, amount="10")
    with pytest.raises(DomainError) as twice:
        _open(shipped, run_jobs, amount="10")
    assert twice.value.code == "refund_request.already_open" and twice.value.status == 409
    with pytest.raises(DomainError) as early:
        services.confirm_return(access=shipped.access, request=request)
    assert early.value.code == "refund_request.illegal_transition"
    with pytest.raises(DomainError) as not_rejected:
        services.escalate_refund_request(request=request, buyer=shipped.buyer)
    assert not_rejected.value.status == 409
    staff = UserFactory()
    Membership.objects.create(store=shipped.store, user=staff, role=Role.STAFF)
    with pytest.raises(DomainError) as role:
        services.accept_refund_request(access=access_store(user=staff, slug=shipped.store.slug), request=request)
    assert role.value.status == 403
    with pytest.raises(DomainError) as stranger:
        services.withdraw_refund_request(request=request, buyer=UserFactory())
    assert stranger.value.status == 404
    assert _fresh(request).status == RefundRequestStatus.OPEN and request.events.count() == 1


def test_no_request_on_an_unpaid_or_completed_order(trade, run_jobs):
    with pytest.raises(DomainError) as paid_nothing_shipped:
        _open(trade, run_jobs, goods_return=True)
    assert "goods_return" in paid_nothing_shipped.value.fields
    with run_jobs():
        order_services.ship_order(access=trade.access, order=trade.order, carrier="SF Express",
                                  tracking_number="SF1112223")
        order_services.confirm_receipt(order=trade.order, actor=trade.buyer)
    with pytest.raises(DomainError) as completed:
        _open(trade, run_jobs)
    assert completed.value.code == "refund_request.not_allowed" and completed.value.status == 409


def test_the_store_and_the_operator_refund_on_their_own_initiative(shipped, run_jobs):
    stock = Variant.objects.get(pk=shipped.variant.pk).stock
    with run_jobs():
        refund = services.refund_store_order(access=shipped.access, order=shipped.order, amount="25.50",
                                             reason="Late delivery, sorry.", key="k1")
        again = services.refund_store_order(access=shipped.access, order=shipped.order, amount="25.50",
                                            reason="Late delivery, sorry.", key="k1")
    assert refund.pk == again.pk and refund.requested_by == "store" and refund.amount == Decimal("25.50")
    with pytest.raises(DomainError) as no_reason:
        services.refund_store_order(access=shipped.access, order=shipped.order, amount="1", reason="")
    assert "reason" in no_reason.value.fields
    with pytest.raises(DomainError) as not_staff:
        services.refund_order_as_operator(operator=shipped.buyer, order=shipped.order, amount="1", reason="x")
    assert not_staff.value.status == 403
    with run_jobs():
        services.refund_order_as_operator(operator=UserFactory(is_staff=True), order=shipped.order,
                                          amount="174.50", reason="Store closed.", restock=True)
    shipped.order.refresh_from_db()
    assert shipped.order.status == OrderStatus.REFUNDED
    assert Variant.objects.get(pk=shipped.variant.pk).stock == stock + 2
    with pytest.raises(DomainError) as nothing_left:
        services.refund_store_order(access=shipped.access, order=shipped.order, amount="1", reason="More")
    assert nothing_left.value.code == "refund.nothing_to_refund"
    assert check_ledger().ok
