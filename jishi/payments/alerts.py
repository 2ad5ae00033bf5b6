"""Alerts for the operator: money that needs a person's eyes (a mismatch, a late or duplicate payment, a
refund the provider gave up on)."""

from __future__ import annotations

from jishi.payments.models import Payment, PaymentAlert


def raise_alert(kind: str, message: str, *, payment: Payment | None = None, group_id: int | None = None,
                **details) -> PaymentAlert:
    return PaymentAlert.objects.create(kind=kind, message=message[:500], payment=payment,
                                       group_id=group_id or (payment.group_id if payment else None),
                                       details={key: str(value) for key, value in details.items()})
