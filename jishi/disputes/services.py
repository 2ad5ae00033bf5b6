"""Writes for buyer protection: refund requests and their steps.

Invariants kept here:
- every step goes through ``_move``, which checks ``rules.TRANSITIONS``, changes the request only if it is
  still in the status that was checked (a conditional UPDATE: of two racing steps, or two nodes sweeping
  the same deadline, one wins and the other gets ``refund_request.illegal_transition``) and writes a
  ``RefundRequestEvent`` with the deadline of the step it opens;
- at most one request per order is active (a partial unique index backs the check), and while it is
  active the order is held (``orders.services.hold_for_refund``: receipt is not confirmed, by the buyer or
  the timer); when it ends the hold lifts and, without a full refund, the window resumes with the time
  it had left;
- money moves only through the refund engine (``payments.refunds``), inside the step's transaction, under
  a key per request, so a step that is retried never refunds twice;
- locks are taken order group, order (``orders.locks``), then request; mail goes out through the job
  system after commit.

Refunds a store or the operator make on their own initiative are the refund engine's
(``payments.refunds.refund_store_order`` / ``refund_order_as_operator``); their names are kept here too for
callers that know buyer protection as the place refunds are asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jishi.core import clock
from jishi.core.errors import DomainError, NotFound
from jishi.core.jobs import enqueue
from jishi.disputes import rules
from jishi.disputes.models import ACTIVE_STATUSES, Decision, RefundRequest, RefundRequestEvent
from jishi.disputes.models import RefundRequestStatus as S
from jishi.disputes.rules import BUYER, OPERATOR, STORE, SYSTEM
from jishi.disputes.selectors import refundable as refundable_of
from jishi.money.rules import Money
from jishi.orders import services as order_services
from jishi.orders.locks import lock_order
from jishi.orders.models import Order, OrderStatus
from jishi.orders.rules import clean_tracking
from jishi.payments import refunds
from jishi.payments.refunds import refund_order_as_operator, refund_store_order  # noqa: F401 (named here too)


def _notify(request_id: int, kind: str) -> None:
    enqueue("jishi.disputes.tasks.send_refund_request_mail", request_id, kind)


def _check_store(access, request: RefundRequest) -> None:
    if request.store_id != access.store.id:
        raise NotFound("refund_request.not_found", _("Refund request not found."))
    access.require("refund_orders")


def _check_buyer(buyer, request: RefundRequest) -> None:
    if buyer is None or request.buyer_id != buyer.id:
        raise NotFound("refund_request.not_found", _("Refund request not found."))


def _lock(request: RefundRequest) -> Order:
    """Lock the order group, the order, then the request; returns the order as it is now."""
    order = lock_order(request.order_id)
    RefundRequest.objects.select_for_update().filter(pk=request.pk).first()
    return order


def _move(request: RefundRequest, target: str, *, by: str, actor=None, note: str = "", **fields) -> str:
    """Move ``request`` to ``target`` if ``by`` may, with the deadline of the new step; returns the old status."""
    rules.check_move(request.status, target, by)
    current, now = request.status, clock.now()
    due_at = rules.due_after(target, now)
    resolved = {"resolved_at": now} if target not in ACTIVE_STATUSES else {}
    changed = RefundRequest.objects.filter(pk=request.pk, status=current).update(
        status=target, due_at=due_at, updated_at=now, **resolved, **fields)
    if not changed:
        # Someone (a person or another sweep) took a step first: judge again from where it is now.
        request.status = RefundRequest.objects.values_list("status", flat=True).get(pk=request.pk)
        rules.check_move(request.status, target, by)
        raise DomainError("refund_request.conflict", _("The refund request changed meanwhile; try again."),
                          status=409)
    RefundRequestEvent.objects.create(request=request, actor=actor, by=by, from_status=current, to_status=target,
                                      note=note[:1000], due_at=due_at, created_at=now)
    request.status, request.due_at, request.updated_at = target, due_at, now
    for name, value in {**resolved, **fields}.items():
        setattr(request, name, value)
    return current


def _refund(request: RefundRequest, order: Order, *, decided_by: str, actor=None, amount: Money | None = None,
            restock: bool = False) -> None:
    """Pay the request out through the refund engine (at most what is still refundable), under the
    request's key. ``decided_by`` is who granted it: the store (or the system, for its silence) or the
    operator; the refund is recorded as asked by the buyer, or as the operator's decision."""
    wanted = amount or Money(request.amount, request.currency)
    left = refundable_of(order)
    money = wanted if wanted <= left else left
    if not money:
        return
    reason = _("Refund request #%(number)s") % {"number": request.pk}
    if money == left and order.status == OrderStatus.PAID:
        # Everything back before shipment: the order is cancelled with its refund (the units go back on
        # sale), so the store does not ship goods nobody paid for.
        refund = refunds.cancel_order(order=order, by=decided_by, actor=actor, reason=reason)
    else:
        refund = refunds.refund_order(order=order, amount=money, reason=reason,
                                      by=OPERATOR if decided_by == OPERATOR else BUYER, decided_by=decided_by,
                                      actor=actor, restock=restock, key=f"refund_request:{request.pk}")
    RefundRequest.objects.filter(pk=request.pk).update(refund_id=refund.pk, refunded_amount=money.amount)
    request.refund_id, request.refunded_amount = refund.pk, money.amount


def _end_hold(request: RefundRequest, order: Order) -> None:
    """The request ended: the order's hold lifts, and the protection window runs again if the order is
    still on its way."""
    current = Order.objects.values_list("auto_confirm_at", "status").get(pk=order.pk)
    resume_at = None
    if current[1] == OrderStatus.SHIPPED:
        resume_at = rules.resumed_auto_confirm(now=clock.now(), left=request.auto_confirm_left, current=current[0])
    order_services.end_refund_hold(order=order, resume_at=resume_at)


# --- the buyer --------------------------------------------------------------------------------------


def open_refund_request(*, order: Order, buyer, reason: str, amount, goods_return: bool = False,
                        details: str = "") -> RefundRequest:
    """The buyer asks for ``amount`` (store currency; everything still refundable when ``None``) of
    ``order`` back, before confirming receipt.

    Pauses the automatic confirmation of receipt. Raises ``refund_request.invalid`` (422) for bad input,
    ``refund_request.not_allowed`` / ``nothing_to_refund`` (409) when the order is past that point and
    ``refund_request.already_open`` (409) when a request on the order is still running.
    """
    if buyer is None or order.buyer_id != buyer.id:
        raise NotFound("order.not_found", _("Order not found."))
    reason = rules.clean_reason(reason)
    details = rules.clean_text(details, field="details", required=reason == "other",
                               message=_("Tell the store what is wrong."))
    left = refundable_of(order)
    rules.check_requestable(order_status=order.status, refundable=left)
    money = left if amount is None else rules.clean_amount(amount, refundable=left)
    goods_return = bool(goods_return)
    if goods_return and order.status == OrderStatus.PAID:
        raise DomainError("refund_request.invalid", _("Nothing has shipped yet, so nothing can go back."),
                          fields={"goods_return": [_("Nothing has shipped yet, so nothing can go back.")]})
    now = clock.now()
    try:
        with transaction.atomic():
            order = lock_order(order.pk)
            rules.check_requestable(order_status=order.status, refundable=left)
            if RefundRequest.objects.filter(order=order, status__in=ACTIVE_STATUSES).exists():
                raise _already_open()
            left_of_window = order_services.hold_for_refund(order=order)
            request = RefundRequest.objects.create(
                order=order, store_id=order.store_id, buyer=buyer, reason=reason, details=details,
                currency=money.currency, amount=money.amount, goods_return=goods_return,
                due_at=rules.due_after(S.OPEN, now), auto_confirm_left=left_of_window, created_at=now, updated_at=now)
            RefundRequestEvent.objects.create(request=request, actor=buyer, by=BUYER, to_status=S.OPEN,
                                              note=details[:1000], due_at=request.due_at, created_at=now)
    except IntegrityError:
        raise _already_open() from None
    _notify(request.pk, "opened")
    return request


def _already_open() -> DomainError:
    return DomainError("refund_request.already_open",
                       _("A refund request on this order is already open; it must end before another one."),
                       status=409)


def add_return_tracking(*, request: RefundRequest, buyer, carrier: str, tracking_number: str) -> RefundRequest:
    """The buyer sent the goods back; the store has ``REFUND_RETURN_CONFIRM_DAYS`` to confirm the return."""
    _check_buyer(buyer, request)
    rules.check_action(request.status, "return")
    try:
        carrier, tracking = clean_tracking(carrier=carrier, tracking_number=tracking_number)
    except DomainError as error:
        raise DomainError("refund_request.invalid", error.message, fields=error.fields) from None
    with transaction.atomic():
        _lock(request)
        _move(request, S.RETURN_SHIPPED, by=BUYER, actor=buyer, note=f"{carrier} {tracking}",
              return_carrier=carrier, return_tracking_number=tracking, return_shipped_at=clock.now())
    _notify(request.pk, "return_shipped")
    return request


def escalate_refund_request(*, request: RefundRequest, buyer, note: str = "") -> RefundRequest:
    """The store rejected the request; the buyer asks the marketplace to decide."""
    _check_buyer(buyer, request)
    note = rules.clean_text(note, field="note", required=False)
    rules.check_action(request.status, "escalate")
    with transaction.atomic():
        _lock(request)
        _move(request, S.ESCALATED, by=BUYER, actor=buyer, note=note, escalation_note=note)
    _notify(request.pk, "escalated")
    return request


def withdraw_refund_request(*, request: RefundRequest, buyer) -> RefundRequest:
    """The buyer no longer wants the refund (not once the marketplace has it)."""
    _check_buyer(buyer, request)
    rules.check_action(request.status, "withdraw")
    with transaction.atomic():
        order = _lock(request)
        _move(request, S.CLOSED, by=BUYER, actor=buyer, note=_("Withdrawn by the buyer."))
        _end_hold(request, order)
    _notify(request.pk, "withdrawn")
    return request


# --- the store --------------------------------------------------------------------------------------


def _accept(request: RefundRequest, *, by: str, actor=None) -> RefundRequest:
    rules.check_action(request.status, "accept")
    target = rules.accepted_target(request.goods_return)
    rules.check_move(request.status, target, by)
    note = _("No answer in time: accepted automatically.") if by == SYSTEM else ""
    with transaction.atomic():
        order = _lock(request)
        _move(request, target, by=by, actor=actor, note=note)
        if target == S.REFUNDED:
            _refund(request, order, decided_by=by, actor=actor)
            _end_hold(request, order)
    _notify(request.pk, ("auto_" if by == SYSTEM else "") + ("accepted" if target == S.ACCEPTED else "refunded"))
    return request


def accept_refund_request(*, access, request: RefundRequest) -> RefundRequest:
    """The store agrees: the buyer sends the goods back first, or is refunded now when nothing comes back."""
    _check_store(access, request)
    return _accept(request, by=STORE, actor=access.membership.user)


def reject_refund_request(*, access, request: RefundRequest, reason: str) -> RefundRequest:
    """The store refuses (with a reason the buyer reads), before or after the goods came back; the buyer
    may escalate within ``REFUND_ESCALATION_DAYS``."""
    _check_store(access, request)
    reason = rules.clean_text(reason, field="reason", required=True, limit=500,
                              message=_("Tell the buyer why you reject the request."))
    rules.check_action(request.status, "reject")
    with transaction.atomic():
        _lock(request)
        _move(request, S.REJECTED, by=STORE, actor=access.membership.user, note=reason, reject_reason=reason)
    _notify(request.pk, "rejected")
    return request


def _confirm_return(request: RefundRequest, *, by: str, actor=None, restock: bool = False) -> RefundRequest:
    rules.check_action(request.status, "confirm_return")
    rules.check_move(request.status, S.REFUNDED, by)
    note = _("The store did not answer in time: the return counts as received.") if by == SYSTEM else ""
    with transaction.atomic():
        order = _lock(request)
        _move(request, S.REFUNDED, by=by, actor=actor, note=note, return_confirmed_at=clock.now())
        _refund(request, order, decided_by=by, actor=actor, restock=restock)
        _end_hold(request, order)
    _notify(request.pk, "auto_refunded" if by == SYSTEM else "refunded")
    return request


def confirm_return(*, access, request: RefundRequest, restock: bool = False) -> RefundRequest:
    """The goods came back: the buyer is refunded; ``restock`` puts the units back on sale."""
    _check_store(access, request)
    return _confirm_return(request, by=STORE, actor=access.membership.user, restock=bool(restock))


# --- the operator -----------------------------------------------------------------------------------


def decide_refund_request(*, request: RefundRequest, operator, for_buyer: bool, amount=None, note: str = "",
                          refund_on_return: bool = False) -> RefundRequest:
    """The marketplace decides an escalated request. Its options:

    - for the seller: the request is closed for good (``note`` says why, to both sides);
    - for the buyer, refund now: ``amount`` (the amount asked when left out) goes back at once;
    - for the buyer, refund on return (only when the buyer asked to send the goods back): the request is
      accepted as the store would have, the buyer has ``REFUND_RETURN_DAYS`` to send the goods, and
      ``amount`` is refunded when the store confirms the return (or does not answer in time).

    Raises ``refund_request.operator_only`` (403) for anyone but staff, ``refund_request.invalid`` (422)
    for a bad amount, a missing note or a return that nobody asked for.
    """
    refunds.require_operator(operator)
    note = rules.clean_text(note, field="note", required=not for_buyer,
                            message=_("Tell both sides why the request is rejected."))
    rules.check_action(request.status, "decide")
    on_return = bool(for_buyer and refund_on_return)
    if on_return and not request.goods_return:
        message = _("The buyer did not ask to send the goods back: refund now or reject.")
        raise DomainError("refund_request.invalid", message, fields={"refund": [message]})
    target = (S.ACCEPTED if on_return else S.REFUNDED) if for_buyer else S.CLOSED
    money = None
    if for_buyer:
        left = refundable_of(request.order)
        asked = Money(request.amount, request.currency)
        money = rules.clean_amount(asked.amount if amount in (None, "") else amount,
                                   refundable=left if left < asked else asked)
    decided = {"amount": money.amount} if on_return else {}
    with transaction.atomic():
        order = _lock(request)
        _move(request, target, by=OPERATOR, actor=operator, note=note, decided_by=operator,
              decision=Decision.FOR_BUYER if for_buyer else Decision.FOR_SELLER, decision_note=note, **decided)
        if target == S.REFUNDED:
            _refund(request, order, decided_by=OPERATOR, actor=operator, amount=money)
        if target != S.ACCEPTED:
            _end_hold(request, order)
    _notify(request.pk, "decided")
    return request


# --- timers -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueReport:
    accepted: int
    returns_confirmed: int
    closed: int


def process_due(*, batch: int = 500) -> DueReport:
    """Enforce the deadlines that passed: silence accepts a request and confirms a return; a return not
    sent and a rejection not escalated in time close the request.

    Idempotent and safe on several nodes at once: every step is a conditional update, so a request another
    sweep (or a person) moved first is skipped.
    """
    now = clock.now()
    counts = {"accepted": 0, "returns_confirmed": 0, "closed": 0}
    due = list(RefundRequest.objects.filter(status__in=[S.OPEN, S.ACCEPTED, S.RETURN_SHIPPED, S.REJECTED],
                                            due_at__lte=now).order_by("due_at", "id")[:batch])
    for request in due:
        try:
            if request.status == S.OPEN:
                _accept(request, by=SYSTEM)
                counts["accepted"] += 1
            elif request.status == S.RETURN_SHIPPED:
                _confirm_return(request, by=SYSTEM)
                counts["returns_confirmed"] += 1
            else:
                _expire(request)
                counts["closed"] += 1
        except DomainError:
            continue  # moved meanwhile by a person or another sweep
    return DueReport(**counts)


def _expire(request: RefundRequest) -> None:
    note = (_("The goods were not sent back in time.") if request.status == S.ACCEPTED
            else _("Not escalated in time."))
    with transaction.atomic():
        order = _lock(request)
        _move(request, S.CLOSED, by=SYSTEM, note=note)
        _end_hold(request, order)
    _notify(request.pk, "expired")
