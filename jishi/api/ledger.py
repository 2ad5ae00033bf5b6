"""A store's money: its balance, its transactions, its payouts and where they go.

Owner and managers read all of it and request payouts; only the owner sets the payout account. Anyone
else, a member of another store included, gets 404 for the store.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from jishi.api.schemas import CurrencyCode, ErrorOut, checked, one_of, status_filter
from jishi.core.errors import DomainError, NotFound
from jishi.core.idempotency import clean_key, request_hash, run_once
from jishi.ledger import payouts, selectors
from jishi.ledger.models import Payout, PayoutAccount, PayoutStatus
from jishi.money.rules import Money, quantize
from jishi.stores.selectors import access_store

router = Router(tags=["store money"])


class BalanceOut(Schema):
    currency: str
    in_escrow: Decimal = Field(description="Paid by shoppers, released to the store when receipt is confirmed.")
    available: Decimal = Field(description="Released to the store and not yet paid out (negative after a clawback).")
    in_transit: Decimal = Field(description="Paid out, on its way to the store's bank.")
    paid_out: Decimal = Field(description="Paid into the store's bank so far.")
    commission: Decimal = Field(description="Commission charged on the store's orders so far, net of refunds.")
    payout_minimum: Decimal | None = Field(description="The smallest payout in this currency, at today's rates.")


class BalancesOut(Schema):
    items: list[BalanceOut]


class TransactionOut(Schema):
    id: int
    kind: str = Field(description="capture, release, refund, clawback, payout, payout_settled or payout_failed.")
    description: str
    created_at: dt.datetime
    order_id: int | None
    payout_id: int | None
    currency: str
    in_escrow: Decimal = Field(description="Change to the money in escrow (positive: more held for the store).")
    available: Decimal = Field(description="Change to the available balance.")
    in_transit: Decimal = Field(description="Change to the payouts in transit.")
    commission: Decimal = Field(description="Commission charged (negative) or given back (positive).")


class TransactionPage(Schema):
    items: list[TransactionOut]
    page: int
    page_size: int
    total: int


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=100)


class PayoutIn(Schema):
    amount: Decimal | None = checked(schema={"exclusiveMinimum": 0}, default=None,
                                     description="Leave out to pay out everything available.")
    currency: CurrencyCode | None = Field(None, description="The store's own currency when left out.")


class PayoutOut(Schema):
    id: int
    status: str
    amount: Decimal
    currency: str
    destination: str
    scheduled: bool
    reference: str
    failure_reason: str
    created_at: dt.datetime
    settled_at: dt.datetime | None
    failed_at: dt.datetime | None


class PayoutPage(Schema):
    items: list[PayoutOut]
    page: int
    page_size: int
    total: int


class PayoutListQuery(PageQuery):
    status: str | None = one_of([*PayoutStatus.values, ""], default=None, max_length=20,
                                description="Only payouts in this status.")


class PayoutAccountIn(Schema):
    holder: str = checked(schema={"minLength": 1, "maxLength": 120}, description="The account holder's name.")
    number: str = checked(schema={"maxLength": 64}, description=(
        "An account number or IBAN: 6 to 34 letters and digits (spaces and dashes are dropped)."))


class PayoutAccountOut(Schema):
    holder: str
    number: str = Field(description="Masked: only the last four characters are ever shown.")
    updated_at: dt.datetime


def _q(money: Money) -> Decimal:
    return quantize(money.amount, money.currency)


def payout_out(payout: Payout) -> dict:
    return PayoutOut(id=payout.id, status=payout.status, amount=quantize(payout.amount, payout.currency),
                     currency=payout.currency, destination=payout.destination, scheduled=payout.scheduled,
                     reference=payout.reference, failure_reason=payout.failure_reason, created_at=payout.created_at,
                     settled_at=payout.settled_at, failed_at=payout.failed_at).model_dump(mode="json")


def _minimum(currency: str) -> Decimal | None:
    try:
        return _q(payouts.payout_minimum(currency))
    except DomainError:  # no rate for this currency right now: no payout either
        return None


@router.get("/stores/{slug}/balance", response={200: BalancesOut, 403: ErrorOut, 404: ErrorOut})
def get_balance(request, slug: str):
    """The store's money in each currency it holds some in (its own currency first)."""
    access = access_store(user=request.auth, slug=slug, action="view_money")
    return BalancesOut(items=[
        BalanceOut(currency=b.currency, in_escrow=_q(b.escrow), available=_q(b.available),
                   in_transit=_q(b.in_transit), paid_out=_q(b.paid_out), commission=_q(b.commission),
                   payout_minimum=_minimum(b.currency))
        for b in selectors.get_store_balances(store=access.store)])


@router.get("/stores/{slug}/transactions", response={200: TransactionPage, 403: ErrorOut, 404: ErrorOut,
                                                     422: ErrorOut})
def list_transactions(request, slug: str, query: Query[PageQuery]):
    """What moved the store's money, newest first: payments into escrow, releases, refunds and payouts."""
    access = access_store(user=request.auth, slug=slug, action="view_money")
    rows = selectors.list_store_transactions(store_id=access.store.id)
    start = (query.page - 1) * query.page_size
    items = [selectors.store_transaction(row) for row in rows[start:start + query.page_size]]
    return TransactionPage(items=[
        TransactionOut(id=t.id, kind=t.kind, description=t.label, created_at=t.created_at, order_id=t.order_id,
                       payout_id=t.payout_id, currency=t.currency, in_escrow=_q(t.escrow), available=_q(t.available),
                       in_transit=_q(t.in_transit), commission=_q(t.commission))
        for t in items], page=query.page, page_size=query.page_size, total=rows.count())


def _account_out(account: PayoutAccount) -> PayoutAccountOut:
    return PayoutAccountOut(holder=account.holder, number=account.masked, updated_at=account.updated_at)


@router.get("/stores/{slug}/payout-account", response={200: PayoutAccountOut, 403: ErrorOut, 404: ErrorOut})
def get_payout_account(request, slug: str):
    """Where the store's payouts go. 404 ``ledger.no_payout_account`` until the owner has set it."""
    access = access_store(user=request.auth, slug=slug, action="view_money")
    account = selectors.get_payout_account(store_id=access.store.id)
    if account is None:
        raise NotFound("ledger.no_payout_account", _("This store has no payout account yet."))
    return _account_out(account)


@router.put("/stores/{slug}/payout-account", response={200: PayoutAccountOut, 403: ErrorOut, 404: ErrorOut,
                                                       422: ErrorOut})
def set_payout_account(request, slug: str, payload: PayoutAccountIn):
    """Set where the store's payouts go (the owner only; 403 ``store.role_required`` for anyone else).
    Setting the same account again changes nothing but its date, so a retry is safe."""
    access = access_store(user=request.auth, slug=slug)
    return _account_out(payouts.set_payout_account(access=access, holder=payload.holder, number=payload.number))


@router.get("/stores/{slug}/payouts", response={200: PayoutPage, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def list_payouts(request, slug: str, query: Query[PayoutListQuery]):
    """The store's payouts, newest first, with their status (in_transit, paid, failed) and, for a failed
    one, why; optionally only one ``status``."""
    access = access_store(user=request.auth, slug=slug, action="view_money")
    status = status_filter(query.status, PayoutStatus.values, code="ledger.invalid")
    found = selectors.list_store_payouts(store_id=access.store.id, status=status)
    start = (query.page - 1) * query.page_size
    return PayoutPage(items=[payout_out(p) for p in found[start:start + query.page_size]], page=query.page,
                      page_size=query.page_size, total=found.count())


@router.post("/stores/{slug}/payouts", response={201: PayoutOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                                                 422: ErrorOut})
def create_payout(request, slug: str, payload: PayoutIn | None = None):
    """Pay out ``amount`` (everything available when left out) to the store's payout account.

    Refused below the payout minimum (422 ``ledger.below_minimum``), above what is available (409
    ``ledger.insufficient_balance``) and without a payout account (409 ``ledger.no_payout_account``).
    Send an ``Idempotency-Key`` header to make retries safe, as for checkout.
    """
    access = access_store(user=request.auth, slug=slug, action="request_payouts")
    key = clean_key(request.headers.get("Idempotency-Key"))
    fingerprint = request_hash(method=request.method, path=request.path, body=json.loads(request.body or b"{}"))
    data = payload.dict() if payload else {"amount": None, "currency": None}

    def work() -> tuple[int, dict]:
        payout = payouts.request_payout(access=access, amount=data["amount"], currency=data["currency"])
        return 201, payout_out(payout)

    stored = run_once(user=request.auth, scope=f"payout:{access.store.id}", key=key, fingerprint=fingerprint,
                      work=work)
    return Status(stored.status_code, stored.body)
