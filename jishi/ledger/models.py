"""The double-entry ledger: accounts, immutable journal entries and their postings.

A posting's ``amount`` is an integer count of its currency's minor units (cents, yen, fils), positive
for a debit and negative for a credit, so sums are exact in every database. An entry is written open,
its postings are added, and then it is sealed (``posted``). Triggers installed by the migrations refuse
to seal an entry whose postings do not sum to zero per currency, and refuse any change to a sealed entry
or its postings: a correction is a new entry. Balances are derived from sealed entries only.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jishi.core import clock


class AccountKind(models.TextChoices):
    CASH = "cash", _("Platform cash")
    ESCROW = "escrow", _("Escrow")
    FX_CLEARING = "fx_clearing", _("FX clearing")
    SELLER_PAYABLE = "seller_payable", _("Seller payable")
    COMMISSION = "commission", _("Commission revenue")
    REFUNDS = "refunds", _("Refunds to buyers")
    PAYOUTS_IN_TRANSIT = "payouts_in_transit", _("Payouts in transit")
    # Duties and import taxes collected at checkout, owed to one destination's authority (``country``).
    TAX_PAYABLE = "tax_payable", _("Tax payable")


# Accounts whose natural balance is a credit (what the platform owes or earned): shown with the sign
# flipped, so every balance a person reads is positive in the normal case.
CREDIT_NORMAL = frozenset({AccountKind.ESCROW, AccountKind.SELLER_PAYABLE, AccountKind.COMMISSION,
                           AccountKind.REFUNDS, AccountKind.PAYOUTS_IN_TRANSIT, AccountKind.TAX_PAYABLE})


class Account(models.Model):
    """One account in one currency: platform-wide (cash, FX clearing, commission, refunds), per store
    (seller payable, payouts in transit), per order (escrow, which also names its store) or per
    destination country (tax payable)."""

    kind = models.CharField(_("kind"), max_length=24, choices=AccountKind.choices)
    currency = models.CharField(_("currency"), max_length=3)
    store = models.ForeignKey("stores.Store", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="ledger_accounts")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="ledger_accounts")
    # The destination whose tax authority a tax-payable account owes (blank for every other kind).
    # (Nullable without a default, so SQLite adds the column in place and keeps the ledger's triggers.)
    country = models.CharField(_("country"), max_length=2, null=True, blank=True)
    # kind:currency[:store id][:order id][:country] — one row per such account, found without a join.
    key = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["kind", "currency", "id"]
        indexes = [models.Index(fields=["store", "kind"], name="ledger_account_store")]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.key


class EntryKind(models.TextChoices):
    CAPTURE = "capture", _("Payment captured")
    LATE_PAYMENT = "late_payment", _("Payment after expiry")
    RELEASE = "release", _("Escrow released")
    REFUND = "refund", _("Refund")
    # A refund after release that took more from the seller's balance than it held: the seller owes
    # the difference, which later releases pay back first.
    CLAWBACK = "clawback", _("Refund clawed back from the seller")
    REFUND_SETTLED = "refund_settled", _("Refund settled")
    PAYOUT = "payout", _("Payout")
    PAYOUT_SETTLED = "payout_settled", _("Payout settled")
    PAYOUT_FAILED = "payout_failed", _("Payout failed")


class Entry(models.Model):
    """One money event, recorded once: ``event_key`` names the event (``capture:payment:12``), so
    posting the same event twice returns the first entry instead of counting the money again."""

    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    event_key = models.CharField(max_length=120, unique=True)
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    posted = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")

    def __str__(self) -> str:
        return f"E{self.pk} {self.kind}"


class Posting(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    currency = models.CharField(max_length=3)
    amount = models.BigIntegerField(help_text="Minor units; debit positive, credit negative.")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["account", "entry"], name="ledger_posting_account")]
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="ledger_posting_not_zero")]
        verbose_name = _("posting")
        verbose_name_plural = _("postings")

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount} {self.currency}"


class CommissionRate(models.Model):
    """The platform's commission on the items of an order: per category (inherited by its subcategories)
    and a platform default (the row without a category). Frozen on each order line at checkout."""

    category = models.OneToOneField("catalog.Category", on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="commission_rate")
    rate = models.DecimalField(_("rate"), max_digits=5, decimal_places=4,
                               help_text=_("0.0500 is 5 %. Between 0 and 0.5."))

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(rate__gte=0, rate__lte="0.5"), name="commission_rate_range"),
            models.UniqueConstraint(fields=["category"], condition=models.Q(category__isnull=True),
                                    name="one_default_commission_rate")]
        verbose_name = _("commission rate")
        verbose_name_plural = _("commission rates")

    def __str__(self) -> str:
        return f"{self.category or 'default'}: {self.rate}"


# --- paying sellers ---------------------------------------------------------------------------------


class PayoutStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("In transit")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")


class PayoutAccount(models.Model):
    """Where a store's payouts go: the bank account its owner entered (one per store)."""

    store = models.OneToOneField("stores.Store", on_delete=models.CASCADE, related_name="payout_account")
    holder = models.CharField(_("account holder"), max_length=120)
    number = models.CharField(_("account number (IBAN or local)"), max_length=34)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("payout account")
        verbose_name_plural = _("payout accounts")

    def __str__(self) -> str:
        return f"{self.store_id}: {self.masked}"

    @property
    def masked(self) -> str:
        return f"•••• {self.number[-4:]}"


class Payout(models.Model):
    """Money sent from a store's available balance to its payout account, through a payout provider.

    In transit until the provider reports it paid (settled) or failed (the money is available again).
    ``scheduled`` payouts were started by the payout schedule, the others by ``requested_by``.
    """

    store = models.ForeignKey("stores.Store", on_delete=models.PROTECT, related_name="payouts")
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("amount"), max_digits=15, decimal_places=3)
    status = models.CharField(_("status"), max_length=12, choices=PayoutStatus.choices,
                              default=PayoutStatus.IN_TRANSIT)
    provider = models.CharField(_("provider"), max_length=40)
    reference = models.CharField(_("provider reference"), max_length=120, blank=True)
    destination = models.CharField(_("destination"), max_length=40, help_text=_("The account, masked."))
    failure_reason = models.CharField(_("failure reason"), max_length=300, blank=True)
    scheduled = models.BooleanField(_("scheduled"), default=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    settled_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["store", "-created_at"], name="payout_store_newest")]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_amount_positive")]
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")

    def __str__(self) -> str:
        return f"P{self.pk} {self.amount} {self.currency}"
