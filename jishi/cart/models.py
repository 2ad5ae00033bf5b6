from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jishi.core.models import TimeStampedModel


class Cart(TimeStampedModel):
    """One cart spanning many stores. A signed-in shopper's cart is theirs on every device; an
    anonymous cart belongs to one browser session, which keeps its ``token``, until sign-in merges it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="cart")
    token = models.CharField(max_length=43, unique=True, null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(user__isnull=False) | models.Q(token__isnull=False),
                                              name="cart_has_an_owner")]
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self) -> str:
        return f"cart #{self.pk}"


class CartLine(TimeStampedModel):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    saved_for_later = models.BooleanField(_("saved for later"), default=False)
    # The unit price when the shopper added the line, so the cart can say "price changed from … to …".
    seen_price = models.DecimalField(max_digits=15, decimal_places=3)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="one_line_per_variant_and_cart"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="cart_line_quantity_positive"),
        ]
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
