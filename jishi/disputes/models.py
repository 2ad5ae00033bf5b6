"""Buyer protection: a shopper's refund request on an order and every step it went through.

A request moves through ``rules.TRANSITIONS``; each step is a ``RefundRequestEvent`` carrying the
deadline of the step it opened. At most one request per order is active at a time (a partial unique
index), and the money only ever moves through the refund engine (``payments.refunds``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jishi.core import clock
from jishi.core.models import TimeStampedModel


class RefundReason(models.TextChoices):
    NOT_RECEIVED = "not_received", _("The goods did not arrive")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    DAMAGED = "damaged", _("Arrived damaged")
    WRONG_ITEM = "wrong_item", _("Wrong item or size")
    CHANGED_MIND = "changed_mind", _("I changed my mind")
    OTHER = "other", _("Another reason")


class RefundRequestStatus(models.TextChoices):
    OPEN = "open", _("Awaiting the store")
    ACCEPTED = "accepted", _("Accepted: send the goods back")
    RETURN_SHIPPED = "return_shipped", _("Goods on their way back")
    REJECTED = "rejected", _("Rejected by the store")
    ESCALATED = "escalated", _("With the marketplace")
    REFUNDED = "refunded", _("Refunded")
    CLOSED = "closed", _("Closed without refund")


class Decision(models.TextChoices):
    FOR_BUYER = "for_buyer", _("For the buyer")
    FOR_SELLER = "for_seller", _("For the store")


# Requests still running: one of these per order at most, and they pause the automatic confirmation.
ACTIVE_STATUSES = (RefundRequestStatus.OPEN, RefundRequestStatus.ACCEPTED, RefundRequestStatus.RETURN_SHIPPED,
                   RefundRequestStatus.REJECTED, RefundRequestStatus.ESCALATED)


class RefundRequest(TimeStampedModel):
    """A shopper asks for ``amount`` (in the order's store currency) back, with or without returning goods.

    ``due_at`` is the deadline of the current step (the store's answer, the buyer's return, the store's
    confirmation of the return, the buyer's escalation); the timer sweep acts on it when it passes.
    """

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refund_requests")
    store = models.ForeignKey("stores.Store", on_delete=models.PROTECT, related_name="refund_requests")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="refund_requests")
    status = models.CharField(_("status"), max_length=20, choices=RefundRequestStatus.choices,
                              default=RefundRequestStatus.OPEN)
    reason = models.CharField(_("reason"), max_length=20, choices=RefundReason.choices)
    details = models.CharField(_("details"), max_length=1000, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("amount"), max_digits=15, decimal_places=3)
    goods_return = models.BooleanField(_("goods go back to the store"), default=False)
    due_at = models.DateTimeField(_("deadline of the current step"), null=True, blank=True)
    # Time that was left before receipt would have been confirmed automatically, when the request paused it.
    auto_confirm_left = models.DurationField(null=True, blank=True)
    return_carrier = models.CharField(_("return carrier"), max_length=64, blank=True)
    return_tracking_number = models.CharField(_("return tracking number"), max_length=64, blank=True)
    return_shipped_at = models.DateTimeField(null=True, blank=True)
    return_confirmed_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(_("why the store rejected it"), max_length=500, blank=True)
    escalation_note = models.CharField(_("what the buyer told the marketplace"), max_length=1000, blank=True)
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=1000, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    # The payments refund that paid it (``payments.Refund``), once issued.
    refund_id = models.BigIntegerField(null=True, blank=True)
    refunded_amount = models.DecimalField(max_digits=15, decimal_places=3, null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "due_at"], name="refund_request_due"),
                   models.Index(fields=["store", "-created_at"], name="refund_request_store_newest"),
                   models.Index(fields=["order", "-created_at"], name="refund_request_order")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_request_amount_positive"),
            models.UniqueConstraint(fields=["order"], condition=models.Q(status__in=ACTIVE_STATUSES),
                                    name="one_active_refund_request_per_order"),
        ]
        verbose_name = _("refund request")
        verbose_name_plural = _("refund requests")

    def __str__(self) -> str:
        return f"R{self.pk} (order #{self.order_id})"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class RefundRequestEvent(models.Model):
    """One step of a refund request: who, when, from which status to which, why, and the next deadline."""

    request = models.ForeignKey(RefundRequest, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    # Which side acted: buyer, store, operator or system (the timer sweep).
    by = models.CharField(max_length=10)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    note = models.CharField(max_length=1000, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("refund request event")
        verbose_name_plural = _("refund request events")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status or '—'} → {self.to_status}"
