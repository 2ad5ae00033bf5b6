"""Shipping templates: where a store ships from, to which zones of countries, by which methods at what price.

Amounts are in the template's ``currency`` (the store's base currency when the template was made).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jishi.core import clock
from jishi.core.models import TimeStampedModel
from jishi.tax.models import Transport  # how a parcel crosses the border: customs rules differ for post


class MethodKind(models.TextChoices):
    ECONOMY = "economy", _("Economy")
    STANDARD = "standard", _("Standard")
    EXPRESS = "express", _("Express")


class Pricing(models.TextChoices):
    PER_ITEM = "per_item", _("Per item")
    PER_WEIGHT = "per_weight", _("Per weight")


class ShippingTemplate(TimeStampedModel):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="shipping_templates")
    name = models.CharField(_("name"), max_length=80)
    ship_from = models.CharField(_("ships from"), max_length=2)
    handling_days = models.PositiveSmallIntegerField(_("handling time (business days)"), default=1)
    currency = models.CharField(_("currency"), max_length=3)
    is_default = models.BooleanField(_("default template"), default=False)

    class Meta:
        ordering = ["-is_default", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "name"], name="shipping_template_name_unique_per_store"),
            models.UniqueConstraint(fields=["store"], condition=models.Q(is_default=True),
                                    name="one_default_shipping_template_per_store"),
        ]
        verbose_name = _("shipping template")
        verbose_name_plural = _("shipping templates")

    def __str__(self) -> str:
        return self.name


class Zone(models.Model):
    """A set of destination countries, or the rest of the world (every country no other zone names)."""

    template = models.ForeignKey(ShippingTemplate, on_delete=models.CASCADE, related_name="zones")
    name = models.CharField(_("name"), max_length=80)
    countries = models.JSONField(_("countries"), default=list, blank=True)
    is_rest_of_world = models.BooleanField(_("rest of the world"), default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["is_rest_of_world", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["template"], condition=models.Q(is_rest_of_world=True),
                                               name="one_rest_of_world_zone_per_template")]
        verbose_name = _("shipping zone")
        verbose_name_plural = _("shipping zones")

    def __str__(self) -> str:
        return self.name


class Method(models.Model):
    """One way to ship to a zone. Per item: ``first_amount`` for the first item, ``additional_amount``
    for each further one. Per weight: ``first_amount`` for the first kilogram (or part of it),
    ``additional_amount`` for each further kilogram or part of one."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="methods")
    kind = models.CharField(_("kind"), max_length=10, choices=MethodKind.choices, default=MethodKind.STANDARD)
    name = models.CharField(_("name"), max_length=80, blank=True)
    pricing = models.CharField(_("pricing"), max_length=10, choices=Pricing.choices, default=Pricing.PER_ITEM)
    transport = models.CharField(_("sent by"), max_length=7, choices=Transport.choices, default=Transport.COURIER)
    first_amount = models.DecimalField(_("first item or kg"), max_digits=15, decimal_places=3, default=0)
    additional_amount = models.DecimalField(_("each additional item or kg"), max_digits=15, decimal_places=3,
                                            default=0)
    free_over = models.DecimalField(_("free shipping from"), max_digits=15, decimal_places=3, null=True, blank=True)
    days_min = models.PositiveSmallIntegerField(_("delivery days (from)"), default=3)
    days_max = models.PositiveSmallIntegerField(_("delivery days (to)"), default=7)

    class Meta:
        ordering = ["zone_id", "first_amount", "id"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "kind"], name="one_method_per_kind_and_zone"),
            models.CheckConstraint(condition=models.Q(first_amount__gte=0, additional_amount__gte=0),
                                   name="shipping_method_amounts_not_negative"),
            models.CheckConstraint(condition=models.Q(days_max__gte=models.F("days_min")),
                                   name="shipping_method_days_ordered"),
        ]
        verbose_name = _("shipping method")
        verbose_name_plural = _("shipping methods")

    def __str__(self) -> str:
        return self.name or self.get_kind_display()


class ShippingEvent(models.Model):
    """Audit row for every change to a store's templates: who, when, what."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("shipping event")
        verbose_name_plural = _("shipping events")
