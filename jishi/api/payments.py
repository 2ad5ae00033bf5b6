"""Payments: starting one for an order group, reading a group's payments, and the providers' webhooks.

Only the group's buyer can start or read its payments (anyone else gets 404). Webhooks are public and
carry no session: they are trusted only for their signature, checked before anything is read from them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Router, Schema, Status
from pydantic import Field

from jishi.api.schemas import ErrorOut, checked
from jishi.core.idempotency import clean_key, request_hash, run_once
from jishi.money.rules import quantize
from jishi.orders.selectors import access_order_group
from jishi.payments import services
from jishi.payments.models import Payment
from jishi.payments.rules import RETURN_URL_MAX_LENGTH, failure_message
from jishi.payments.selectors import list_group_payments

router = Router(tags=["payments"])
webhook_router = Router(tags=["payments"])


class PaymentIn(Schema):
    return_url: str = checked(schema={"maxLength": RETURN_URL_MAX_LENGTH}, default="", description=(
        "Where the payment page sends the shopper back, with `payment` (this payment's id) and `status` "
        "(succeeded or failed) added to its query: a path on this site, or an http(s) address on a host "
        "listed in `PAYMENT_RETURN_URL_ALLOWED_HOSTS`. The group's page when left out."))


class PaymentOut(Schema):
    id: int
    group_id: int
    provider: str
    status: str = Field(description="created, failed, succeeded or refunded.")
    amount: Decimal
    currency: str
    redirect_url: str = Field(description="Where to send the shopper to pay.")
    return_url: str = Field(description="Where the payment page sends the shopper back.")
    failure_code: str = Field(description="Why a failed payment failed: card_declined, insufficient_funds, "
                                          "cancelled_by_shopper…; blank otherwise.")
    failure_message: str = Field(description="The same for the shopper to read, in the request's language.")
    card_last4: str = Field(description="The last four digits of the card used, once the provider reported it.")
    created_at: dt.datetime
    succeeded_at: dt.datetime | None
    failed_at: dt.datetime | None


class PaymentList(Schema):
    items: list[PaymentOut] = Field(description="Newest first.")


class WebhookOut(Schema):
    received: bool
    outcome: str = Field(description="processed, ignored, or replay (an event already received).")


def payment_out(request, payment: Payment) -> PaymentOut:
    return PaymentOut(id=payment.id, group_id=payment.group_id, provider=payment.provider, status=payment.status,
                      amount=quantize(payment.amount, payment.currency), currency=payment.currency,
                      redirect_url=request.build_absolute_uri(payment.redirect_url) if payment.redirect_url else "",
                      return_url=payment.return_url, failure_code=payment.failure_code,
                      failure_message=failure_message(payment.failure_code), card_last4=payment.card_last4,
                      created_at=payment.created_at, succeeded_at=payment.succeeded_at, failed_at=payment.failed_at)


@router.get("/order-groups/{group_id}/payments", response={200: PaymentList, 404: ErrorOut})
def list_payments(request, group_id: int):
    """Every payment started for one of the caller's order groups, newest first, with its status and, for a
    failed one, why (a declined card leaves its trace here)."""
    group = access_order_group(user=request.auth, group_id=group_id)
    return PaymentList(items=[payment_out(request, p) for p in list_group_payments(group=group)])


@router.post("/order-groups/{group_id}/payments",
             response={201: PaymentOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut})
def start_payment(request, group_id: int, payload: PaymentIn | None = None):
    """Start paying an order group that awaits payment: answers where to send the shopper.

    The amount is what the group still owes (its orders not cancelled), in its charge currency. Refused
    (409) when nothing is due, the payment window has closed or one of its stores is suspended; a
    ``return_url`` on a host that is not allowed is refused (422 ``payment.invalid``). Send an
    ``Idempotency-Key`` header to make retries safe: the same key answers the first payment again.
    """
    buyer = request.auth
    group = access_order_group(user=buyer, group_id=group_id)
    key = clean_key(request.headers.get("Idempotency-Key"))
    fingerprint = request_hash(method=request.method, path=request.path,
                               body=request.body.decode("utf-8", "replace"))
    return_url = payload.return_url if payload else ""

    def work() -> tuple[int, dict]:
        payment = services.start_payment(group=group, return_url=return_url)
        return 201, payment_out(request, payment).model_dump(mode="json")

    stored = run_once(user=buyer, scope=f"payment:{group.pk}", key=key, fingerprint=fingerprint, work=work)
    return Status(stored.status_code, stored.body)


@webhook_router.post("/payments/webhooks/{provider}", auth=None, url_name="payment_webhook",
                     response={200: WebhookOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut})
def receive_webhook(request, provider: str):
    """A payment provider reports what happened. Signed ``Jishi-Signature: t=<unix>,v1=<hex HMAC-SHA256 of
    "<t>.<body>">``; refused (400) when unsigned, wrongly signed or more than 5 minutes old. A replayed
    event answers 200 and changes nothing; an amount or currency that does not match is refused (409)."""
    result = services.receive_webhook(provider=provider[:32], headers=request.headers, body=request.body)
    return WebhookOut(received=True, outcome=result.outcome)
