from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jishi.core import clock
from jishi.core.models import TimeStampedModel


class StoreStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    STAFF = "staff", _("Staff")


class ImportTerms(models.TextChoices):
    DAP = "DAP", _("Paid by the buyer on delivery (DAP)")
    DDP = "DDP", _("Prepaid at checkout (DDP)")


class Store(TimeStampedModel):
    slug = models.SlugField(_("address"), max_length=60, unique=True)
    name = models.CharField(_("store name"), max_length=80)
    country = models.CharField(_("country"), max_length=2)
    base_currency = models.ForeignKey("money.Currency", on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("base currency"))
    description = models.TextField(_("description"), blank=True, max_length=4000)
    logo = models.ImageField(_("logo"), upload_to="stores/logos/", blank=True)
    banner = models.ImageField(_("banner"), upload_to="stores/banners/", blank=True)
    status = models.CharField(_("status"), max_length=12, choices=StoreStatus.choices,
                              default=StoreStatus.ACTIVE, db_index=True)
    suspension_reason = models.TextField(_("suspension reason"), blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    is_featured = models.BooleanField(_("featured"), default=False)
    # One flat shipping charge per order, in the store's currency (shipping templates will replace it).
    shipping_rate = models.DecimalField(_("shipping per order"), max_digits=15, decimal_places=3, default=0)
    import_terms = models.CharField(
        _("duties and import taxes"), max_length=3, choices=ImportTerms.choices, default=ImportTerms.DAP,
        help_text=_("Where the law does not have the marketplace charge them at checkout: whether buyers "
                    "abroad prepay them with the order (DDP) or pay them on delivery (DAP)."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == StoreStatus.ACTIVE


class Membership(TimeStampedModel):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)

    class Meta:
        ordering = ["store_id", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["store", "user"], name="one_membership_per_user_and_store"),
            models.UniqueConstraint(fields=["store"], condition=models.Q(role="owner"), name="one_owner_per_store"),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.store}"


class Invitation(TimeStampedModel):
    """An owner's invitation by email; accepted by the account with that email."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(
            fields=["store", "email"], condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
            name="one_open_invitation_per_email_and_store")]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.store}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class StoreEvent(models.Model):
    """Audit row for every change to a store's status or membership: who, when, what."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("store event")
        verbose_name_plural = _("store events")

    def __str__(self) -> str:
        return f"{self.store_id} {self.kind}"
