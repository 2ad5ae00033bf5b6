"""Buyer protection: the buyer's refund requests on their orders, a store's answers to them, and refunds a
store makes on its own initiative.

A buyer reaches only requests on their own orders; a store's members only requests on the store's orders
(answering one, or refunding, takes the ``refund_orders`` role: owner or manager).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Literal

from ninja import Query, Router, Schema, Status
from pydantic import Field

from jishi.api.schemas import ErrorOut, checked, one_of, status_filter
from jishi.core.idempotency import clean_key, request_hash, run_once
from jishi.disputes import rules, selectors, services
from jishi.disputes.models import RefundReason, RefundRequest, RefundRequestStatus
from jishi.money.rules import quantize
from jishi.orders.selectors import access_order, access_store_order
from jishi.payments import refunds
from jishi.stores.selectors import access_store

router = Router(tags=["refund requests"])
store_router = Router(tags=["store refund requests"])


# --- input ------------------------------------------------------------------------------------------


class RefundRequestIn(Schema):
    reason: str = one_of(RefundReason.values, max_length=40)
    amount: Decimal | None = checked(schema={"exclusiveMinimum": 0}, default=None, description="In the order's currency; everything still refundable "
                                                     "when left out.")
    goods_return: bool = Field(False, description="Whether the goods go back to the store before the refund.")
    details: str = Field("", max_length=4000)


class ReturnIn(Schema):
    carrier: str = Field(max_length=200)
    tracking_number: str = Field(max_length=200)


class NoteIn(Schema):
    note: str = Field("", max_length=4000)


class RejectIn(Schema):
    reason: str = Field(max_length=4000)


class ConfirmReturnIn(Schema):
    restock: bool = Field(False, description="Put the returned units back on sale.")


class StoreRefundIn(Schema):
    amount: Decimal = checked(schema={"exclusiveMinimum": 0},
                              description="In the order's currency; at most what is still refundable.")
    reason: str = Field(max_length=4000, description="The buyer reads it.")
    restock: bool = Field(False, description="Put the order's units back on sale.")


class RefundRequestListQuery(Schema):
    status: str | None = one_of([*RefundRequestStatus.values, ""], default=None, max_length=40,
                                description="Only requests in this status.")
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=100)


# --- output -----------------------------------------------------------------------------------------


class RefundRequestEventOut(Schema):
    by: Literal["buyer", "store", "operator", "system"]
    from_status: str
    to_status: str
    note: str
    due_at: dt.datetime | None = Field(description="The deadline of the step this event opened.")
    created_at: dt.datetime


class RefundRequestSummaryOut(Schema):
    id: int
    order_id: int
    status: str
    reason: str
    amount: Decimal
    currency: str
    goods_return: bool
    due_at: dt.datetime | None = Field(description="The deadline of the current step.")
    created_at: dt.datetime
    resolved_at: dt.datetime | None


class RefundRequestOut(RefundRequestSummaryOut):
    details: str
    return_carrier: str
    return_tracking_number: str
    return_shipped_at: dt.datetime | None
    return_confirmed_at: dt.datetime | None
    reject_reason: str
    escalation_note: str
    decision: str
    decision_note: str
    refunded_amount: Decimal | None
    events: list[RefundRequestEventOut]
    actions: list[str] = Field(description="What the caller may do to the request now.")


class RefundRequestPage(Schema):
    items: list[RefundRequestSummaryOut]
    page: int
    page_size: int
    total: int


class RefundOut(Schema):
    id: int
    order_id: int
    status: str
    amount: Decimal
    currency: str
    charge_amount: Decimal = Field(description="What goes back to the shopper, in the currency they paid.")
    charge_currency: str
    reason: str
    restock: bool
    created_at: dt.datetime


# --- building the answers ---------------------------------------------------------------------------


def request_summary(found: RefundRequest) -> dict:
    return {"id": found.id, "order_id": found.order_id, "status": found.status, "reason": found.reason,
            "amount": quantize(found.amount, found.currency), "currency": found.currency,
            "goods_return": found.goods_return, "due_at": found.due_at, "created_at": found.created_at,
            "resolved_at": found.resolved_at}


def request_out(found: RefundRequest, by: str) -> RefundRequestOut:
    refunded = found.refunded_amount
    return RefundRequestOut(
        **request_summary(found), details=found.details, return_carrier=found.return_carrier,
        return_tracking_number=found.return_tracking_number, return_shipped_at=found.return_shipped_at,
        return_confirmed_at=found.return_confirmed_at, reject_reason=found.reject_reason,
        escalation_note=found.escalation_note, decision=found.decision, decision_note=found.decision_note,
        refunded_amount=None if refunded is None else quantize(refunded, found.currency),
        events=[RefundRequestEventOut(by=e.by, from_status=e.from_status, to_status=e.to_status, note=e.note,
                                      due_at=e.due_at, created_at=e.created_at) for e in found.events.all()],
        actions=rules.actions_for(found.status, by))


def refund_out(refund) -> RefundOut:
    return RefundOut(id=refund.id, order_id=refund.order_id, status=refund.status,
                     amount=quantize(refund.amount, refund.currency), currency=refund.currency,
                     charge_amount=quantize(refund.charge_amount, refund.charge_currency),
                     charge_currency=refund.charge_currency, reason=refund.reason, restock=refund.restock,
                     created_at=refund.created_at)


def request_status_filter(status: str | None) -> str | None:
    return status_filter(status, RefundRequestStatus.values, code="refund_request.invalid")


# --- the buyer --------------------------------------------------------------------------------------


def _buyer_request(request, order_id: int, request_id: int) -> RefundRequest:
    return selectors.access_refund_request(user=request.auth, order_id=order_id, request_id=request_id)


@router.post("/orders/{order_id}/refund-requests",
             response={201: RefundRequestOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def open_refund_request(request, order_id: int, payload: RefundRequestIn):
    """Ask for money back before confirming receipt: the reason, the amount (all that is left when omitted)
    and whether the goods go back. Pauses the automatic confirmation of receipt; the store has
    ``REFUND_RESPONSE_DAYS`` to answer, and its silence accepts."""
    order = access_order(user=request.auth, order_id=order_id)
    created = services.open_refund_request(order=order, buyer=request.auth, reason=payload.reason,
                                           amount=payload.amount, goods_return=payload.goods_return,
                                           details=payload.details)
    return Status(201, request_out(_buyer_request(request, order.id, created.id), rules.BUYER))


@router.get("/orders/{order_id}/refund-requests", response={200: RefundRequestPage, 404: ErrorOut})
def list_refund_requests(request, order_id: int):
    """Every refund request on one of the caller's orders, newest first."""
    order = access_order(user=request.auth, order_id=order_id)
    found = selectors.list_order_refund_requests(order=order)
    return RefundRequestPage(items=[RefundRequestSummaryOut(**request_summary(r)) for r in found], page=1,
                             page_size=max(1, len(found)), total=len(found))


@router.get("/orders/{order_id}/refund-requests/{request_id}", response={200: RefundRequestOut, 404: ErrorOut})
def get_refund_request(request, order_id: int, request_id: int):
    """One refund request with its steps, their deadlines, and what the buyer may do now."""
    return request_out(_buyer_request(request, order_id, request_id), rules.BUYER)


@router.post("/orders/{order_id}/refund-requests/{request_id}/return",
             response={200: RefundRequestOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def add_return_tracking(request, order_id: int, request_id: int, payload: ReturnIn):
    """The goods are on their way back: the carrier and tracking number. The store has
    ``REFUND_RETURN_CONFIRM_DAYS`` to confirm the return; its silence confirms it and refunds."""
    found = _buyer_request(request, order_id, request_id)
    services.add_return_tracking(request=found, buyer=request.auth, carrier=payload.carrier,
                                 tracking_number=payload.tracking_number)
    return request_out(_buyer_request(request, order_id, request_id), rules.BUYER)


@router.post("/orders/{order_id}/refund-requests/{request_id}/escalate",
             response={200: RefundRequestOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def escalate_refund_request(request, order_id: int, request_id: int, payload: NoteIn | None = None):
    """Ask the marketplace to decide a request the store rejected."""
    found = _buyer_request(request, order_id, request_id)
    services.escalate_refund_request(request=found, buyer=request.auth, note=payload.note if payload else "")
    return request_out(_buyer_request(request, order_id, request_id), rules.BUYER)


@router.post("/orders/{order_id}/refund-requests/{request_id}/withdraw",
             response={200: RefundRequestOut, 404: ErrorOut, 409: ErrorOut})
def withdraw_refund_request(request, order_id: int, request_id: int):
    """Withdraw a request (not once the marketplace has it); the protection window runs again."""
    found = _buyer_request(request, order_id, request_id)
    services.withdraw_refund_request(request=found, buyer=request.auth)
    return request_out(_buyer_request(request, order_id, request_id), rules.BUYER)


# --- the store --------------------------------------------------------------------------------------


@store_router.get("/stores/{slug}/refund-requests",
                  response={200: RefundRequestPage, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def list_store_refund_requests(request, slug: str, query: Query[RefundRequestListQuery]):
    """Refund requests on the store's orders, newest first, optionally in one ``status``."""
    access = access_store(user=request.auth, slug=slug, action="view_orders")
    queryset = selectors.list_store_refund_requests(store=access.store, status=request_status_filter(query.status))
    start = (query.page - 1) * query.page_size
    items = [RefundRequestSummaryOut(**request_summary(r)) for r in queryset[start:start + query.page_size]]
    return RefundRequestPage(items=items, page=query.page, page_size=query.page_size, total=queryset.count())


def _store_request(request, slug: str, request_id: int):
    access = access_store(user=request.auth, slug=slug, action="view_orders")
    return access, selectors.access_store_refund_request(access=access, request_id=request_id)


def _store_answer(request, slug: str, request_id: int) -> RefundRequestOut:
    return request_out(_store_request(request, slug, request_id)[1], rules.STORE)


@store_router.get("/stores/{slug}/refund-requests/{request_id}",
                  response={200: RefundRequestOut, 403: ErrorOut, 404: ErrorOut})
def get_store_refund_request(request, slug: str, request_id: int):
    """One refund request on the store's orders, with its steps and what the store may do now."""
    return _store_answer(request, slug, request_id)


@store_router.post("/stores/{slug}/refund-requests/{request_id}/accept",
                   response={200: RefundRequestOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 502: ErrorOut})
def accept_refund_request(request, slug: str, request_id: int):
    """Agree: the buyer sends the goods back first, or is refunded now when nothing comes back."""
    access, found = _store_request(request, slug, request_id)
    services.accept_refund_request(access=access, request=found)
    return _store_answer(request, slug, request_id)


@store_router.post("/stores/{slug}/refund-requests/{request_id}/reject",
                   response={200: RefundRequestOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def reject_refund_request(request, slug: str, request_id: int, payload: RejectIn):
    """Refuse, with a reason the buyer reads; the buyer may then escalate to the marketplace."""
    access, found = _store_request(request, slug, request_id)
    services.reject_refund_request(access=access, request=found, reason=payload.reason)
    return _store_answer(request, slug, request_id)


@store_router.post("/stores/{slug}/refund-requests/{request_id}/confirm-return",
                   response={200: RefundRequestOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 502: ErrorOut})
def confirm_return(request, slug: str, request_id: int, payload: ConfirmReturnIn | None = None):
    """The goods came back: the buyer is refunded (``restock`` puts the units back on sale)."""
    access, found = _store_request(request, slug, request_id)
    services.confirm_return(access=access, request=found, restock=payload.restock if payload else False)
    return _store_answer(request, slug, request_id)


def refund_key(scope: str, user_id: int, key: str | None) -> str:
    """The refund's own key (the refund engine returns the same refund for it), from the client's
    Idempotency-Key: the same client key in another scope or from another caller is another refund."""
    if not key:
        return ""
    return "api:" + hashlib.sha256(f"{scope}:{user_id}:{key}".encode()).hexdigest()[:48]


@store_router.post("/stores/{slug}/orders/{order_id}/refunds",
                   response={201: RefundOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut,
                             502: ErrorOut})
def refund_store_order(request, slug: str, order_id: int, payload: StoreRefundIn):
    """Refund part or all of a paid order on the store's own initiative, optionally putting the units back
    on sale. Send an ``Idempotency-Key`` header to make retries safe: the same key with the same body
    answers the first response again and refunds nothing more."""
    access = access_store(user=request.auth, slug=slug, action="view_orders")
    order = access_store_order(access=access, order_id=order_id)
    key = clean_key(request.headers.get("Idempotency-Key"))
    fingerprint = request_hash(method=request.method, path=request.path, body=json.loads(request.body or b"{}"))

    def work() -> tuple[int, dict]:
        refund = refunds.refund_store_order(access=access, order=order, amount=payload.amount,
                                            reason=payload.reason, restock=payload.restock,
                                            key=refund_key(str(access.store.id), request.auth.id, key))
        return 201, refund_out(refund).model_dump(mode="json")

    stored = run_once(user=request.auth, scope=f"store-refund:{access.store.id}", key=key, fingerprint=fingerprint,
                      work=work)
    return Status(stored.status_code, stored.body)
