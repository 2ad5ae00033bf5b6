"""The sandbox gateway's own side: what its hosted page does when the shopper approves or cancels, and
``pay()``, which drives the whole real path for tests and the demo.

Test cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined, 4000 0000 0000 9995 fails
for insufficient funds; any other number is refused on the page. Only the last four digits travel on.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from jishi.core import clock
from jishi.core.errors import DomainError, NotFound
from jishi.orders import services as orders
from jishi.payments import deliveries, rules
from jishi.payments.models import Payment, PaymentStatus, WebhookDelivery
from jishi.payments.providers.base import PAYMENT_FAILED, PAYMENT_SUCCEEDED
from jishi.payments.providers.sandbox import SandboxProvider

APPROVE, CANCEL = "approve", "cancel"
CANCELLED_BY_SHOPPER = rules.CANCELLED_BY_SHOPPER


@dataclass(frozen=True)
class Outcome:
    succeeded: bool
    failure_code: str = ""


def get_open_payment(token: str) -> Payment:
    """The sandbox payment behind a hosted page's token (``payment.not_found``, 404, for any other)."""
    payment = (Payment.objects.select_related("group").filter(provider=SandboxProvider.name, token=str(token)[:64])
               .first())
    if payment is None:
        raise NotFound("payment.not_found", _("This payment page does not exist."))
    return payment


def _event_id(payment: Payment) -> str:
    return f"evt_{payment.token}"


def outcome_of(payment: Payment) -> Outcome | None:
    """What the shopper already did on the page (the event it sent), or None while it is open."""
    delivery = WebhookDelivery.objects.filter(provider=SandboxProvider.name, event_id=_event_id(payment)).first()
    if delivery is None:
        return None
    data = json.loads(delivery.body)
    return Outcome(succeeded=data["type"] == PAYMENT_SUCCEEDED, failure_code=data["data"].get("failure_code", ""))


def return_address(payment: Payment, outcome: Outcome) -> str:
    """Where the page sends the shopper once they approved or cancelled: the payment's return URL with
    ``payment`` (its id) and ``status`` (succeeded or failed) added, so the site or app that started it can
    show the result at once (the webhook stays the authority on the money)."""
    parts = urlsplit(payment.return_url or reverse("web:order_group", args=[payment.group_id]))
    query = [*parse_qsl(parts.query, keep_blank_values=True), ("payment", str(payment.pk)),
             ("status", PaymentStatus.SUCCEEDED if outcome.succeeded else PaymentStatus.FAILED)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def submit(*, token: str, action: str, card_number: str = "") -> Outcome:
    """The shopper approved with ``card_number`` or cancelled: the result goes to the site as a webhook.

    Raises ``payment.card_invalid`` (field ``card_number``) for a number that is not a test card, and
    ``payment.already_submitted`` (409) when the page was used already. The card number itself is
    never stored: only its last four digits go into the event.
    """
    payment = get_open_payment(token)
    if action not in (APPROVE, CANCEL):
        raise DomainError("payment.invalid", _("Approve or cancel the payment."), status=400)
    card = rules.clean_card(card_number) if action == APPROVE else ""
    failure = rules.TEST_CARDS[card] if card else CANCELLED_BY_SHOPPER
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status != PaymentStatus.CREATED or outcome_of(locked) is not None:
            raise DomainError("payment.already_submitted", _("This payment was already submitted."), status=409)
        data = {"reference": locked.reference, "amount": str(locked.amount), "currency": locked.currency}
        if card:
            data["card_last4"] = rules.last4(card)
        if failure:
            data["failure_code"] = failure
        approved_at = clock.now()
        deliveries.create_delivery(provider=SandboxProvider.name, event={
            "id": _event_id(locked), "type": PAYMENT_FAILED if failure else PAYMENT_SUCCEEDED,
            "created": int(approved_at.timestamp()), "data": data})
        if not failure:  # approved: the group waits for the notice however late it comes
            orders.expect_approval(group_id=locked.group_id, approved_at=approved_at)
    return Outcome(succeeded=not failure, failure_code=failure)


def send_event(payment: Payment, *, type: str, amount=None, currency=None, event_id: str = "", **extra) -> None:
    """Send a sandbox event about ``payment`` now, through the configured transport (tests, support)."""
    data = {"reference": payment.reference, "amount": str(payment.amount if amount is None else amount),
            "currency": currency or payment.currency, **extra}
    delivery = deliveries.create_delivery(provider=SandboxProvider.name, event={
        "id": event_id or f"evt_{secrets.token_hex(8)}", "type": type, "created": int(clock.now().timestamp()),
        "data": data})
    deliveries.attempt(delivery.pk)


def pay(group, card: str = "4242424242424242") -> Payment:
    """Pay ``group`` the way a shopper does, synchronously: start a payment, submit ``card`` on the hosted
    page and deliver the signed webhook through the real handler (with ``PAYMENT_WEBHOOK_TRANSPORT``)."""
    from jishi.payments.services import start_payment

    payment = start_payment(group=group, provider=SandboxProvider.name)
    submit(token=payment.token, action=APPROVE, card_number=card)
    delivery = WebhookDelivery.objects.get(provider=SandboxProvider.name, event_id=_event_id(payment))
    deliveries.attempt(delivery.pk)
    payment.refresh_from_db()
    return payment
