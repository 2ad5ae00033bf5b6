"""Order groups (paid once), one order per store with frozen lines, and the event history of each order."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jishi.core import clock
from jishi.core.models import TimeStampedModel


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    PAID = "paid", _("Paid")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    # Closed after the shopper got all their money back for goods that had shipped.
    REFUNDED = "refunded", _("Refunded")


class GroupStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    PAID = "paid", _("Paid")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


class OrderGroup(TimeStampedModel):
    """What one checkout placed: one order per store, paid at once in the shopper's charge currency.

    The exchange rates used (units per EUR, with their timestamp) are frozen here; each order keeps the
    resulting store-to-charge rate, so later rate changes never alter what was placed.
    """

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="order_groups")
    status = models.CharField(_("status"), max_length=20, choices=GroupStatus.choices,
                              default=GroupStatus.PENDING_PAYMENT)
    charge_currency = models.CharField(_("charge currency"), max_length=3)
    charge_total = models.DecimalField(_("total to pay"), max_digits=18, decimal_places=3)
    rates = models.JSONField(_("rates used (units per EUR)"), default=dict)
    rates_as_of = models.DateTimeField(_("rates as of"), null=True, blank=True)
    language = models.CharField(max_length=10, default="en")
    expires_at = models.DateTimeField(_("pay before"))
    # The provider approved a payment in time and its notice is on the way: the payment window's sweep
    # leaves the group alone until then (``orders.services.expect_approval``).
    approval_expected_until = models.DateTimeField(_("approval on its way until"), null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "expires_at"], name="order_group_due"),
                   models.Index(fields=["buyer", "-created_at"], name="order_group_buyer")]
        verbose_name = _("order group")
        verbose_name_plural = _("order groups")

    def __str__(self) -> str:
        return f"G{self.pk}"


class Order(TimeStampedModel):
    """One store's part of a checkout. Totals are in the store's currency and, at the frozen rate, in the
    charge currency; the address and every line are copies that later edits never touch."""

    group = models.ForeignKey(OrderGroup, on_delete=models.CASCADE, related_name="orders")
    store = models.ForeignKey("stores.Store", on_delete=models.PROTECT, related_name="orders")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices,
                              default=OrderStatus.PENDING_PAYMENT)
    currency = models.CharField(_("currency"), max_length=3)
    items_total = models.DecimalField(_("items"), max_digits=15, decimal_places=3)
    shipping_total = models.DecimalField(_("shipping"), max_digits=15, decimal_places=3)
    # How it ships, frozen at placement: the method chosen (its name may be empty: then its kind names
    # it), where from, and the delivery dates promised then.
    shipping_method = models.CharField(_("shipping method"), max_length=80, blank=True)
    shipping_kind = models.CharField(_("shipping kind"), max_length=10, blank=True)
    ship_from_country = models.CharField(_("ships from"), max_length=2, blank=True)
    delivery_from = models.DateField(_("estimated delivery from"), null=True, blank=True)
    delivery_to = models.DateField(_("estimated delivery to"), null=True, blank=True)
    total = models.DecimalField(_("total"), max_digits=15, decimal_places=3)
    charge_currency = models.CharField(max_length=3)
    # Units of the charge currency per unit of the store currency, frozen at placement.
    charge_rate = models.DecimalField(max_digits=24, decimal_places=12)
    charge_total = models.DecimalField(max_digits=18, decimal_places=3)
    # Landed cost, frozen at placement (store currency): duties and import taxes collected at checkout
    # (part of ``total``, owed to the destination's authority) and the estimate of what the buyer pays
    # on delivery (never charged); ``landed_cost`` keeps the whole breakdown (``tax.rules.LandedCost``).
    destination_country = models.CharField(_("destination"), max_length=2, blank=True, default="")
    duty_total = models.DecimalField(_("duties"), max_digits=15, decimal_places=3, default=0)
    tax_total = models.DecimalField(_("import taxes"), max_digits=15, decimal_places=3, default=0)
    due_on_delivery = models.DecimalField(_("due on delivery (estimate)"), max_digits=15, decimal_places=3,
                                          default=0)
    landed_cost = models.JSONField(_("landed cost"), default=dict, blank=True)
    shipping_address = models.JSONField(_("shipping address"))
    carrier = models.CharField(_("carrier"), max_length=64, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=500, blank=True)
    # When receipt is confirmed for a buyer who has not confirmed it (set on shipment).
    auto_confirm_at = models.DateTimeField(null=True, blank=True)
    # A refund request is running: receipt is not confirmed (by anyone) and escrow stays held until it
    # ends. Set and cleared by buyer protection through ``services.hold_for_refund`` / ``end_refund_hold``.
    refund_hold = models.BooleanField(_("refund request running"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["store", "status", "-created_at"], name="order_store_status"),
                   models.Index(fields=["store", "-created_at"], name="order_store_newest"),
                   models.Index(fields=["buyer", "-created_at"], name="order_buyer_newest"),
                   models.Index(fields=["status", "auto_confirm_at"], name="order_auto_confirm_due")]
        constraints = [models.CheckConstraint(condition=models.Q(total__gte=0), name="order_total_not_negative")]
        verbose_name = _("order")
        verbose_name_plural = _("orders")

    def __str__(self) -> str:
        return f"#{self.pk}"


class OrderLine(models.Model):
    """A frozen copy of what was bought: title, options, SKU, price and customs data at placement."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    sku = models.CharField(_("SKU"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    options = models.JSONField(_("options"), default=dict, blank=True)
    currency = models.CharField(max_length=3)
    unit_price = models.DecimalField(_("unit price"), max_digits=15, decimal_places=3)
    quantity = models.PositiveIntegerField(_("quantity"))
    line_total = models.DecimalField(_("line total"), max_digits=15, decimal_places=3)
    # The platform's commission on this line, frozen at checkout (0.0500 is 5 %).
    commission_rate = models.DecimalField(_("commission rate"), max_digits=5, decimal_places=4, default=0)
    weight_grams = models.PositiveIntegerField(default=0)
    hs_code = models.CharField(max_length=12, blank=True)
    origin_country = models.CharField(max_length=2, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["variant", "order"], name="order_line_variant")]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gte=1), name="order_line_quantity_positive")]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"


class EventKind(models.TextChoices):
    STATUS = "status", _("Status change")
    REFUND = "refund", _("Refund")


class Actor(models.TextChoices):
    """Who acted on an order: its buyer, a member of its store, the marketplace's staff, or the system."""

    BUYER = "buyer", _("Buyer")
    STORE = "store", _("Store")
    OPERATOR = "operator", _("Marketplace")
    SYSTEM = "system", _("System")


class OrderEvent(models.Model):
    """One step of an order's history: what happened (a status move, a refund), who acted and as whom,
    when, and why. A refund is no status move: its ``from_status``/``to_status`` stay empty and its
    ``amount`` is in the order's currency."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=EventKind.choices, default=EventKind.STATUS)
    by = models.CharField(max_length=10, choices=Actor.choices)
    # The person who acted (a buyer, a named store member, a staff member); none for the system.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    amount = models.DecimalField(max_digits=15, decimal_places=3, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="status", amount__isnull=True)
                           | models.Q(kind="refund", amount__isnull=False, from_status="", to_status="")),
                name="order_event_kind_shape"),
        ]
        verbose_name = _("order event")
        verbose_name_plural = _("order events")

    def __str__(self) -> str:
        if self.kind == EventKind.REFUND:
            return f"{self.order_id}: refund {self.currency} {self.amount}"
        return f"{self.order_id}: {self.from_status or '—'} → {self.to_status}"
