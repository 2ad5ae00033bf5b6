"""The marketplace's operator through the API: escalated refund requests and their decisions, refunds on
the marketplace's own initiative, suspending and reinstating stores, and the reconciliation report.

Staff tokens only. Everyone else is answered 404 on every route here, as the operator's pages do: a
shopper or a seller cannot tell what the operator may reach.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from jishi.accounts.rules import is_operator
from jishi.api.disputes import (
    RefundOut,
    RefundRequestOut,
    RefundRequestPage,
    RefundRequestSummaryOut,
    StoreRefundIn,
    refund_key,
    refund_out,
    request_out,
    request_status_filter,
    request_summary,
)
from jishi.api.schemas import ErrorOut, checked, one_of
from jishi.core.errors import NotFound
from jishi.core.idempotency import clean_key, request_hash, run_once
from jishi.disputes import rules, selectors, services
from jishi.disputes.models import Decision, RefundRequestStatus
from jishi.ledger.reconciliation import reconcile
from jishi.money.rules import Money, quantize
from jishi.orders.selectors import access_operator_order
from jishi.payments import refunds
from jishi.payments.selectors import list_open_alerts
from jishi.stores import services as stores
from jishi.stores.models import Store
from jishi.stores.selectors import get_store_for_operator

router = Router(tags=["operator"])

REFUND_NOW, REFUND_ON_RETURN = "now", "on_return"


# --- input ------------------------------------------------------------------------------------------


class OperatorRequestQuery(Schema):
    status: str = one_of([*RefundRequestStatus.values, ""], default=RefundRequestStatus.ESCALATED, max_length=40,
                         description="Only requests in this status; escalated (waiting for the marketplace, "
                                     "the one due first on top) when left out, every status when blank.")
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=100)


class DecisionIn(Schema):
    decision: Literal["for_buyer", "for_seller"]
    amount: Decimal | None = checked(schema={"exclusiveMinimum": 0}, default=None, description=(
        "For the buyer: what goes back, in the order's currency, at most what was asked; the amount asked "
        "when left out."))
    note: str = Field("", max_length=4000, description="Both sides read it; required when deciding for the seller.")
    refund: Literal["now", "on_return"] = Field(REFUND_NOW, description=(
        "For the buyer: refund now, or on_return (only when the buyer asked to send the goods back): the "
        "buyer sends them, and the refund follows when the store confirms the return or lets it lapse."))


class SuspendIn(Schema):
    reason: str = checked(schema={"minLength": 1, "maxLength": 2000},
                          description="The store's members read it; its buyers are told what happens to their orders.")


class ReconciliationQuery(Schema):
    limit: int = Field(200, ge=1, le=500, description="How many open escrows and alerts to list (the checks "
                                                      "always cover the whole books).")


# --- output -----------------------------------------------------------------------------------------


class OperatorStoreOut(Schema):
    slug: str
    name: str
    country: str
    base_currency: str
    status: str = Field(description="active or suspended.")
    suspension_reason: str
    suspended_at: dt.datetime | None


class MoneyOut(Schema):
    amount: Decimal
    currency: str


class AccountTotalOut(Schema):
    kind: str
    currency: str
    balance: Decimal = Field(description="As people read it: what the marketplace holds or owes on this kind.")
    accounts: int


class OpenEscrowOut(Schema):
    order_id: int
    status: str
    store_name: str
    amount: MoneyOut


class AlertOut(Schema):
    id: int
    kind: str
    message: str
    payment_id: int | None
    group_id: int | None
    details: dict[str, str]
    created_at: dt.datetime


class ReconciliationOut(Schema):
    ok: bool = Field(description="The books balance and agree with the orders.")
    summary: str
    problems: list[str]
    entries: int
    totals: list[AccountTotalOut]
    escrow_total: list[MoneyOut]
    open_escrow: list[OpenEscrowOut] = Field(description="Money held for orders still open, largest first.")
    open_alerts: list[AlertOut] = Field(description="Payment alerts nobody has resolved, newest first.")


def _money(money: Money) -> MoneyOut:
    return MoneyOut(amount=quantize(money.amount, money.currency), currency=money.currency)


def _store_out(store: Store) -> OperatorStoreOut:
    return OperatorStoreOut(slug=store.slug, name=store.name, country=store.country,
                            base_currency=store.base_currency_id, status=store.status,
                            suspension_reason=store.suspension_reason, suspended_at=store.suspended_at)


# --- refund requests --------------------------------------------------------------------------------


def _request(request, request_id: int):
    return selectors.access_operator_refund_request(user=request.auth, request_id=request_id)


@router.get("/operator/refund-requests", response={200: RefundRequestPage, 404: ErrorOut, 422: ErrorOut})
def list_refund_requests(request, query: Query[OperatorRequestQuery]):
    """Every store's refund requests; by default the escalated ones waiting for a decision, due first."""
    found = selectors.list_operator_refund_requests(user=request.auth, status=request_status_filter(query.status))
    start = (query.page - 1) * query.page_size
    items = [RefundRequestSummaryOut(**request_summary(r)) for r in found[start:start + query.page_size]]
    return RefundRequestPage(items=items, page=query.page, page_size=query.page_size, total=found.count())


@router.get("/operator/refund-requests/{request_id}", response={200: RefundRequestOut, 404: ErrorOut})
def get_refund_request(request, request_id: int):
    """One refund request with its steps, and what the marketplace may do now."""
    return request_out(_request(request, request_id), rules.OPERATOR)


@router.post("/operator/refund-requests/{request_id}/decide",
             response={200: RefundRequestOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut,
                       502: ErrorOut})
def decide_refund_request(request, request_id: int, payload: DecisionIn):
    """Decide an escalated request: for the seller (closed for good; ``note`` says why), or for the buyer
    with the refund now or on return. Both sides are told. 409 when the request is not escalated (a
    decision is made once), 502 when the payment provider refuses the refund (nothing changes)."""
    found = _request(request, request_id)
    services.decide_refund_request(
        request=found, operator=request.auth, for_buyer=payload.decision == Decision.FOR_BUYER,
        amount=payload.amount, note=payload.note, refund_on_return=payload.refund == REFUND_ON_RETURN)
    return request_out(_request(request, request_id), rules.OPERATOR)


# --- the marketplace's own refunds ------------------------------------------------------------------


@router.post("/operator/orders/{order_id}/refunds",
             response={201: RefundOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 502: ErrorOut})
def refund_order(request, order_id: int, payload: StoreRefundIn):
    """Refund part or all of any paid order on the marketplace's own initiative (a full refund of an order
    not shipped yet cancels it). Send an ``Idempotency-Key`` header to make retries safe: the same key
    with the same body answers the first response again and refunds nothing more."""
    order = access_operator_order(user=request.auth, order_id=order_id)
    key = clean_key(request.headers.get("Idempotency-Key"))
    fingerprint = request_hash(method=request.method, path=request.path, body=json.loads(request.body or b"{}"))

    def work() -> tuple[int, dict]:
        refund = refunds.refund_order_as_operator(
            operator=request.auth, order=order, amount=payload.amount, reason=payload.reason,
            restock=payload.restock, key=refund_key(f"operator:{order.id}", request.auth.id, key))
        return 201, refund_out(refund).model_dump(mode="json")

    stored = run_once(user=request.auth, scope=f"operator-refund:{order.id}", key=key, fingerprint=fingerprint,
                      work=work)
    return Status(stored.status_code, stored.body)


# --- stores -----------------------------------------------------------------------------------------


@router.post("/operator/stores/{slug}/suspend", response={200: OperatorStoreOut, 403: ErrorOut, 404: ErrorOut,
                                                          422: ErrorOut})
def suspend_store(request, slug: str, payload: SuspendIn):
    """Suspend a store, with the reason its members read: its products leave the marketplace at once, it
    takes no orders or payments, and each buyer with an open order there is told what happens to it.
    Suspending a suspended store changes its reason and tells nobody twice."""
    store = get_store_for_operator(user=request.auth, slug=slug)
    return _store_out(stores.suspend_store(store=store, reason=payload.reason, actor=request.auth))


@router.post("/operator/stores/{slug}/reinstate", response={200: OperatorStoreOut, 403: ErrorOut, 404: ErrorOut})
def reinstate_store(request, slug: str):
    """Put a suspended store and its products back on sale (a store that is not suspended stays as it is)."""
    store = get_store_for_operator(user=request.auth, slug=slug)
    return _store_out(stores.reinstate_store(store=store, actor=request.auth))


# --- the books --------------------------------------------------------------------------------------


@router.get("/operator/reconciliation", response={200: ReconciliationOut, 404: ErrorOut, 422: ErrorOut})
def reconciliation(request, query: Query[ReconciliationQuery]):
    """The books' own check cross-checked against the orders (what ``jishi ledger check`` prints), the
    money held per open order and the payment alerts still open."""
    if not is_operator(request.auth):
        raise NotFound("not_found", _("Not found."))
    report = reconcile(limit=query.limit)
    return ReconciliationOut(
        ok=report.ok, summary=report.summary(), problems=report.problems, entries=report.check.entries,
        totals=[AccountTotalOut(kind=t.kind, currency=t.currency, balance=quantize(t.balance.amount, t.currency),
                                accounts=t.accounts) for t in report.check.totals],
        escrow_total=[_money(money) for _code, money in sorted(report.escrow_total.items())],
        open_escrow=[OpenEscrowOut(order_id=row.order_id, status=row.status, store_name=row.store_name,
                                   amount=_money(row.amount)) for row in report.open_escrow],
        open_alerts=[AlertOut(id=a.id, kind=a.kind, message=a.message, payment_id=a.payment_id,
                              group_id=a.group_id, details={k: str(v) for k, v in (a.details or {}).items()},
                              created_at=a.created_at) for a in list_open_alerts(limit=query.limit)])
