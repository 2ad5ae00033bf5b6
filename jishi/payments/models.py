"""Payments for order groups, refunds of orders, provider webhooks (received and, for the sandbox, sent)
and alerts for the operator.

No card number is ever stored: a payment keeps the provider's reference, the outcome and at most the
card's last four digits.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jishi.core import clock
from jishi.core.models import TimeStampedModel


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("Awaiting the shopper")
    FAILED = "failed", _("Failed")
    SUCCEEDED = "succeeded", _("Succeeded")
    REFUNDED = "refunded", _("Refunded")


class Payment(TimeStampedModel):
    """One attempt to pay an order group through a provider. A webhook moves it forward only
    (created → failed or succeeded → refunded; money that arrived after a failure still counts)."""

    group = models.ForeignKey("orders.OrderGroup", on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(_("provider"), max_length=32)
    status = models.CharField(_("status"), max_length=16, choices=PaymentStatus.choices,
                              default=PaymentStatus.CREATED)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=3)
    currency = models.CharField(_("currency"), max_length=3)
    # The provider's name for the payment (the sandbox's is "sbx_" + the token of its hosted page).
    reference = models.CharField(_("provider reference"), max_length=120, blank=True)
    token = models.CharField(max_length=64, unique=True)
    redirect_url = models.CharField(_("payment page"), max_length=500, blank=True)
    return_url = models.CharField(max_length=500, blank=True)
    failure_code = models.CharField(_("failure"), max_length=40, blank=True)
    card_last4 = models.CharField(_("card (last 4 digits)"), max_length=4, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "reference"], condition=~Q(reference=""),
                                    name="payment_reference_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]
        indexes = [models.Index(fields=["group", "status"], name="payment_group_status")]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"P{self.pk} {self.amount} {self.currency} {self.status}"


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Refund(TimeStampedModel):
    """Money going back to the shopper through the provider: part or all of one order (``amount`` in the
    store's currency), or a whole payment that arrived too late or twice (no order; in the charge currency).
    """

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="refunds")
    status = models.CharField(_("status"), max_length=16, choices=RefundStatus.choices,
                              default=RefundStatus.PENDING)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=3)
    currency = models.CharField(_("currency"), max_length=3)
    charge_amount = models.DecimalField(_("amount to the shopper"), max_digits=18, decimal_places=3)
    charge_currency = models.CharField(max_length=3)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    requested_by = models.CharField(_("asked by"), max_length=16)  # buyer, store, system or operator
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    restock = models.BooleanField(_("units back on sale"), default=False)
    # Units put back on sale by this refund: {variant id: units}.
    restocked = models.JSONField(default=dict, blank=True)
    reference = models.CharField(_("provider reference"), max_length=120, blank=True)
    # The caller's name for this refund ("cancel:order:12"): asking again with it returns this row.
    key = models.CharField(max_length=120, blank=True)
    failure_code = models.CharField(_("failure"), max_length=40, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=~Q(key=""), name="refund_key_unique"),
            models.UniqueConstraint(fields=["reference"], condition=~Q(reference=""), name="refund_reference_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0, charge_amount__gt=0), name="refund_amount_positive")]
        indexes = [models.Index(fields=["order", "status"], name="refund_order_status")]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self) -> str:
        return f"R{self.pk} {self.amount} {self.currency} {self.status}"


class WebhookOutcome(models.TextChoices):
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored (nothing to move)")
    REFUSED = "refused", _("Refused")


class WebhookEvent(models.Model):
    """A verified provider event, kept once: a replay of the same event id is answered without effect."""

    provider = models.CharField(_("provider"), max_length=32)
    event_id = models.CharField(_("event id"), max_length=120)
    type = models.CharField(_("type"), max_length=60)
    outcome = models.CharField(_("outcome"), max_length=16, choices=WebhookOutcome.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    payment = models.ForeignKey(Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    received_at = models.DateTimeField(_("received"), default=clock.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_once")]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id} {self.type}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    GAVE_UP = "gave_up", _("Gave up")


class WebhookDelivery(models.Model):
    """A webhook the sandbox provider sends to the site, retried with backoff until it is accepted.
    The body is stored; the signature is made at each attempt (its timestamp must be fresh)."""

    provider = models.CharField(_("provider"), max_length=32)
    event_id = models.CharField(_("event id"), max_length=120)
    url = models.CharField(max_length=500)
    body = models.TextField()
    status = models.CharField(_("status"), max_length=16, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=clock.now)
    last_response = models.CharField(_("last response"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_delivery_once")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event_id} → {self.status}"


class AlertKind(models.TextChoices):
    AMOUNT_MISMATCH = "amount_mismatch", _("Amount or currency mismatch")
    LATE_PAYMENT = "late_payment", _("Payment after expiry (refunded)")
    DUPLICATE_PAYMENT = "duplicate_payment", _("Second payment (refunded)")
    REFUND_FAILED = "refund_failed", _("Refund failed")
    DELIVERY_FAILED = "delivery_failed", _("Webhook delivery gave up")


class PaymentAlert(models.Model):
    """Something about money the operator must look at (shown and filterable in the admin)."""

    kind = models.CharField(_("kind"), max_length=24, choices=AlertKind.choices)
    message = models.CharField(_("message"), max_length=500)
    details = models.JSONField(_("details"), default=dict, blank=True)
    payment = models.ForeignKey(Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts")
    group = models.ForeignKey("orders.OrderGroup", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    resolved = models.BooleanField(_("resolved"), default=False)
    created_at = models.DateTimeField(_("raised"), default=clock.now, db_index=True)

    class Meta:
        ordering = ["resolved", "-created_at", "-id"]
        verbose_name = _("payment alert")
        verbose_name_plural = _("payment alerts")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message[:60]}"
