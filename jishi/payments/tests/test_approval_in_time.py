"""A payment approved in time counts, however late its notice: the payment window's sweep waits for an
approval on its way, the group is paid as of the approval, and nothing is refunded. Only a group nobody
approved in time expires."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.core import mail

from jishi.catalog.models import Variant
from jishi.catalog.services import set_stock
from jishi.core import clock, jobs
from jishi.core.models import Job
from jishi.ledger.selectors import check_ledger, order_money
from jishi.money.rules import Money
from jishi.orders.models import GroupStatus, OrderGroup
from jishi.orders.services import process_due
from jishi.payments import sandbox
from jishi.payments.models import AlertKind, Payment, PaymentAlert, PaymentStatus, Refund
from jishi.payments.services import start_payment

pytestmark = pytest.mark.django_db

WINDOW = dt.timedelta(minutes=django_settings.ORDER_PAYMENT_WINDOW_MINUTES)
GRACE = dt.timedelta(minutes=django_settings.PAYMENT_APPROVAL_GRACE_MINUTES)


@pytest.fixture
def in_process(settings):
    settings.REDIS_URL = ""
    settings.PAYMENT_WEBHOOK_TRANSPORT = "jishi.payments.deliveries.post_in_process"


@pytest.fixture
def notices_lost(monkeypatch):
    """The webhook's job is handed over and lost, as when Redis goes away with its queue."""
    monkeypatch.setattr(jobs, "_dispatch", lambda job_id: True)
    return monkeypatch


def _approve(group, capture, card="4242424242424242") -> Payment:
    payment = start_payment(group=group)
    with capture(execute=True):
        sandbox.submit(token=payment.token, action=sandbox.APPROVE, card_number=card)
    return payment


def _stock(variant) -> int:
    return Variant.objects.get(pk=variant.pk).stock


def test_an_approval_whose_notice_comes_late_still_pays_the_group(in_process, notices_lost, group, shop,
                                                                   django_capture_on_commit_callbacks):
    _, variant, _ = shop
    approved = clock.now()
    payment = _approve(group, django_capture_on_commit_callbacks)
    with clock.shifted(WINDOW + dt.timedelta(minutes=20)):
        assert process_due().expired_groups == 0  # the approval is on its way: the group waits
        assert OrderGroup.objects.get(pk=group.pk).status == GroupStatus.PENDING_PAYMENT
        assert _stock(variant) == 3
        notices_lost.undo()  # the broker is back
        with django_capture_on_commit_callbacks(execute=True):
            assert jobs.relay() >= 1
    group.refresh_from_db()
    payment.refresh_from_db()
    assert group.status == GroupStatus.PAID and payment.status == PaymentStatus.SUCCEEDED
    assert abs(payment.succeeded_at - approved) < dt.timedelta(seconds=2)  # as of the approval
    assert not Refund.objects.exists() and not PaymentAlert.objects.exists()
    assert _stock(variant) == 3


def test_without_a_notice_the_group_expires_once_the_grace_is_over(in_process, notices_lost, group, shop,
                                                                   django_capture_on_commit_callbacks):
    _, variant, _ = shop
    _approve(group, django_capture_on_commit_callbacks)
    with clock.shifted(WINDOW + GRACE + dt.timedelta(minutes=1)):
        assert process_due().expired_groups == 1
    assert OrderGroup.objects.get(pk=group.pk).status == GroupStatus.EXPIRED and _stock(variant) == 5


def test_a_declined_card_holds_nothing(in_process, group, django_capture_on_commit_callbacks):
    _approve(group, django_capture_on_commit_callbacks, card="4000000000000002")
    assert OrderGroup.objects.get(pk=group.pk).approval_expected_until is None
    with clock.shifted(WINDOW + dt.timedelta(minutes=1)):
        assert process_due().expired_groups == 1


def test_an_approval_after_the_window_is_refunded_when_the_group_expired(in_process, notices_lost, group,
                                                                         django_capture_on_commit_callbacks):
    payment = start_payment(group=group)
    with clock.shifted(WINDOW + dt.timedelta(minutes=1)):
        with django_capture_on_commit_callbacks(execute=True):
            sandbox.submit(token=payment.token, action=sandbox.APPROVE, card_number="4242424242424242")
        assert OrderGroup.objects.get(pk=group.pk).approval_expected_until is None  # not in time
        assert process_due().expired_groups == 1
        notices_lost.undo()
    with clock.shifted(WINDOW + dt.timedelta(minutes=3)), django_capture_on_commit_callbacks(execute=True):
        assert jobs.relay() >= 1
    assert Refund.objects.get(payment=payment).amount == payment.amount
    alert = PaymentAlert.objects.get(kind=AlertKind.LATE_PAYMENT)
    assert "approved in time" not in alert.message


def _expire_before_the_notice(group, capture, notices_lost):
    """Approved in time, its notice lost, the group expired after the grace: then the notice arrives."""
    payment = _approve(group, capture)
    with clock.shifted(WINDOW + GRACE + dt.timedelta(minutes=1)):
        assert process_due().expired_groups == 1
    return payment


def _deliver_late(capture, notices_lost):
    notices_lost.undo()
    with clock.shifted(WINDOW + GRACE + dt.timedelta(minutes=5)), capture(execute=True):
        assert jobs.relay() >= 1


def test_an_in_time_approval_reaching_an_expired_group_places_its_orders_again(
        in_process, notices_lost, group, shop, django_capture_on_commit_callbacks):
    _, variant, _ = shop
    old = group.orders.get()
    payment = _expire_before_the_notice(group, django_capture_on_commit_callbacks, notices_lost)
    assert _stock(variant) == 5
    _deliver_late(django_capture_on_commit_callbacks, notices_lost)
    group.refresh_from_db()
    assert group.status == GroupStatus.PAID and not Refund.objects.filter(payment=payment).exists()
    old.refresh_from_db()
    new = group.orders.exclude(pk=old.pk).get()
    assert old.status == "cancelled" and new.status == "paid"  # finished orders stay finished
    assert (new.total, new.charge_total, new.store_id) == (old.total, old.charge_total, old.store_id)
    assert [(line.variant_id, line.quantity) for line in new.lines.all()] == [(variant.id, 2)]
    assert new.events.order_by("id").first().note == f"reinstated:{old.pk}"
    assert _stock(variant) == 3  # the units are held again
    assert Job.objects.filter(task="jishi.orders.tasks.send_order_mail", args=[new.pk, "reinstated"]).exists()
    told = [m for m in mail.outbox if m.to == [group.buyer.email] and f"#{new.pk}" in m.subject]
    assert told and "You paid in time" in told[-1].subject and "placed your order again" in told[-1].body
    assert check_ledger().ok and order_money(new).escrow == Money(new.total, new.currency)


def test_when_the_units_are_gone_the_payment_goes_back_and_the_shopper_is_told(
        in_process, notices_lost, group, shop, django_capture_on_commit_callbacks):
    access, variant, _ = shop
    old = group.orders.get()
    payment = _expire_before_the_notice(group, django_capture_on_commit_callbacks, notices_lost)
    set_stock(access=access, variant=Variant.objects.get(pk=variant.pk), stock=1)  # sold elsewhere meanwhile
    _deliver_late(django_capture_on_commit_callbacks, notices_lost)
    assert OrderGroup.objects.get(pk=group.pk).status == GroupStatus.EXPIRED
    assert Refund.objects.get(payment=payment).amount == payment.amount
    assert list(group.orders.values_list("pk", flat=True)) == [old.pk] and _stock(variant) == 1
    assert Job.objects.filter(task="jishi.orders.tasks.send_order_mail", args=[old.pk, "payment_returned"]).exists()
    told = [m for m in mail.outbox if m.to == [group.buyer.email] and "goes back to you in full" in m.subject]
    assert told and "could not be held for you" in told[-1].body
    assert "approved in time" in PaymentAlert.objects.get(kind=AlertKind.LATE_PAYMENT).message
