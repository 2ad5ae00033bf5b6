"""Reads for payments."""

from __future__ import annotations

from jishi.payments.models import Payment, PaymentAlert, Refund


def count_open_alerts() -> int:
    return PaymentAlert.objects.filter(resolved=False).count()


def list_open_alerts(*, limit: int = 200) -> list[PaymentAlert]:
    """The payment alerts nobody has resolved yet, newest first."""
    return list(PaymentAlert.objects.filter(resolved=False).order_by("-created_at", "-id")[:limit])


def list_group_payments(*, group) -> list[Payment]:
    return list(Payment.objects.filter(group=group).order_by("-created_at", "-id"))


def list_order_refunds(*, order) -> list[Refund]:
    """The order's refunds, newest first (what its pages show next to the history)."""
    return list(Refund.objects.filter(order=order).order_by("-created_at", "-id"))
