"""What every payment provider does, and the webhook signature all of them share here.

A provider is a class with a ``name``; ``providers.get_provider()`` picks the one named by the
``PAYMENT_PROVIDER`` setting. A real gateway is a new subclass plus settings: it talks to its own API in
``create_payment``, ``capture`` and ``refund``, and turns its webhook into a ``ProviderEvent`` in
``parse_webhook`` (refusing anything it cannot verify).

Webhooks are signed ``Jishi-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` and are
refused more than ``TOLERANCE_SECONDS`` away from ``clock.now()``, so an old captured request cannot be
replayed later.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from jishi.core import clock
from jishi.core.errors import DomainError
from jishi.money.rules import Money, UnknownCurrency, normalize_code, quantize, to_decimal

SIGNATURE_HEADER = "Jishi-Signature"
TOLERANCE_SECONDS = 300

# The kinds of event a provider reports.
PAYMENT_SUCCEEDED = "payment.succeeded"
PAYMENT_FAILED = "payment.failed"
REFUND_SUCCEEDED = "refund.succeeded"
REFUND_FAILED = "refund.failed"
EVENT_TYPES = (PAYMENT_SUCCEEDED, PAYMENT_FAILED, REFUND_SUCCEEDED, REFUND_FAILED)


@dataclass(frozen=True)
class Redirect:
    """Where to send the shopper to pay, and the provider's name for the payment."""

    url: str
    reference: str


@dataclass(frozen=True)
class RefundResult:
    status: str  # "succeeded", "pending" (a webhook will tell) or "failed"
    reference: str = ""
    failure_code: str = ""


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook: what happened to which payment (or refund), with the money it names."""

    id: str
    type: str
    reference: str
    amount: Money | None = None
    failure_code: str = ""
    card_last4: str = ""
    data: dict = field(default_factory=dict)
    # When the provider says it happened (the event's own ``created``, signed with the body), which may be
    # long before its webhook arrives.
    occurred_at: dt.datetime | None = None


def webhook_secret() -> str:
    configured = getattr(settings, "PAYMENT_WEBHOOK_SECRET", "")
    if configured:
        return configured
    return hmac.new(settings.SECRET_KEY.encode(), b"jishi.payments.webhook", hashlib.sha256).hexdigest()


def signature(body: bytes, *, timestamp: int, secret: str | None = None) -> str:
    digest = hmac.new((secret or webhook_secret()).encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def signed_headers(body: bytes, *, secret: str | None = None) -> dict[str, str]:
    return {"Content-Type": "application/json",
            SIGNATURE_HEADER: signature(body, timestamp=int(clock.now().timestamp()), secret=secret)}


def _refused(message: str) -> DomainError:
    return DomainError("payment.webhook_signature", message, status=400)


def verify_signature(headers, body: bytes, *, secret: str | None = None) -> None:
    """Raise ``payment.webhook_signature`` (400) unless ``body`` carries a valid, fresh signature."""
    raw = str(headers.get(SIGNATURE_HEADER) or "")
    parts = dict(item.split("=", 1) for item in raw.split(",") if "=" in item)
    stamp, given = parts.get("t", ""), parts.get("v1", "")
    if not stamp.isdigit() or not given or len(stamp) > 12:
        raise _refused(_("The webhook is not signed."))
    if abs(clock.now().timestamp() - int(stamp)) > TOLERANCE_SECONDS:
        raise _refused(_("The webhook signature is too old or from the future."))
    expected = signature(body, timestamp=int(stamp), secret=secret).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, given):
        raise _refused(_("The webhook signature does not match."))


def _invalid(message: str) -> DomainError:
    return DomainError("payment.webhook_invalid", message, status=400)


def parse_event(body: bytes) -> ProviderEvent:
    """The event in a (verified) body in Jishi's own webhook format."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise _invalid(_("The webhook body is not JSON.")) from None
    if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
        raise _invalid(_("The webhook body is not an event."))
    event_id, kind, inner = str(data.get("id") or ""), str(data.get("type") or ""), data["data"]
    reference = str(inner.get("reference") or "")
    if not (0 < len(event_id) <= 120) or kind not in EVENT_TYPES or not (0 < len(reference) <= 120):
        raise _invalid(_("The webhook event lacks an id, a known type or a reference."))
    amount = None
    if inner.get("amount") is not None:
        try:
            code = normalize_code(str(inner.get("currency") or ""))
            raw = to_decimal(str(inner["amount"]))
            if quantize(raw, code) != raw:  # more digits than the currency has: not rounded away silently
                raise ValueError(raw)
            amount = Money(raw, code)
        except (UnknownCurrency, ValueError, TypeError, ArithmeticError):
            raise _invalid(_("The webhook event names an amount that is not valid.")) from None
    last4 = str(inner.get("card_last4") or "")
    return ProviderEvent(id=event_id, type=kind, reference=reference, amount=amount,
                         failure_code=str(inner.get("failure_code") or "")[:40],
                         card_last4=last4 if len(last4) == 4 and last4.isdigit() else "", data=inner,
                         occurred_at=_event_time(data.get("created")))


def _event_time(raw) -> dt.datetime | None:
    """The event's ``created`` (Unix seconds) as a time, or None when missing or not plausible."""
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 < raw < 32503680000:
        return None
    return dt.datetime.fromtimestamp(raw, tz=dt.UTC)


class PaymentProvider:
    """The interface. ``name`` is the provider's name in URLs and settings."""

    name = ""

    def create_payment(self, payment) -> Redirect:
        """Open ``payment`` at the provider; returns where to send the shopper."""
        raise NotImplementedError

    def capture(self, payment) -> None:
        """Take the money of an authorised payment (providers that capture at approval do nothing)."""
        raise NotImplementedError

    def refund(self, refund) -> RefundResult:
        """Send ``refund.charge_amount`` of ``refund.payment`` back to the shopper."""
        raise NotImplementedError

    def parse_webhook(self, headers, body: bytes) -> ProviderEvent:
        """Verify and read one webhook; raise ``DomainError`` (400) for anything not verifiably sent by us."""
        verify_signature(headers, body)
        return parse_event(body)
