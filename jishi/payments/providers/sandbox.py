"""The built-in sandbox gateway: a hosted payment page inside the app (``/pay/sandbox/<token>/``, see
``payments.sandbox``) that reports the result with a signed webhook, and refunds that settle at once."""

from __future__ import annotations

from django.urls import reverse

from jishi.payments.providers.base import PaymentProvider, Redirect, RefundResult


class SandboxProvider(PaymentProvider):
    name = "sandbox"

    def create_payment(self, payment) -> Redirect:
        return Redirect(url=reverse("web:sandbox_pay", args=[payment.token]), reference=f"sbx_{payment.token}")

    def capture(self, payment) -> None:
        """The sandbox captures when the shopper approves."""

    def refund(self, refund) -> RefundResult:
        return RefundResult(status="succeeded", reference=f"sbx_re_{refund.pk}")
