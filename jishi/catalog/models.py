from django.db import models
from django.utils.translation import gettext_lazy as _

from jishi.core.models import TimeStampedModel


class Category(models.Model):
    """A node of the category tree. ``names`` maps language codes to names; English is required."""

    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    slug = models.SlugField(max_length=80, unique=True)
    names = models.JSONField(_("names"), default=dict)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.names.get("en") or self.slug

    def name_in(self, language: str) -> str:
        return self.names.get(language) or self.names.get("en") or self.slug


class ProductStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")


class Product(TimeStampedModel):
    """What a store sells. Prices and stock live on its variants; the ``price_*`` and ``stock_total``
    columns are summaries the catalogue services keep in step so listings sort without joins."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    # The top of the category's tree, kept by the catalogue services, so a whole top-level category
    # lists from one index range instead of merging and sorting every one of its leaf categories.
    category_root = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+", null=True,
                                      blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=ProductStatus.choices,
                              default=ProductStatus.DRAFT)
    default_language = models.CharField(_("main language"), max_length=10, default="en")
    option_names = models.JSONField(_("options"), default=list, blank=True,
                                    help_text=_("Axes the variants differ by, e.g. size, colour."))
    currency = models.CharField(max_length=3)
    price_min = models.DecimalField(max_digits=15, decimal_places=3, null=True, blank=True)
    price_max = models.DecimalField(max_digits=15, decimal_places=3, null=True, blank=True)
    # price_min in the platform currency at the current rates, for sorting across stores.
    sort_price = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    stock_total = models.PositiveIntegerField(default=0)
    # How the product ships; empty means the store's default shipping template.
    shipping_template = models.ForeignKey("shipping.ShippingTemplate", on_delete=models.SET_NULL, null=True,
                                          blank=True, related_name="products", verbose_name=_("shipping template"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="product_listed_newest"),
            models.Index(fields=["category", "status", "-created_at"], name="product_category_newest"),
            models.Index(fields=["category", "status", "sort_price"], name="product_category_price"),
            models.Index(fields=["status", "sort_price"], name="product_listed_price"),
            models.Index(fields=["store", "status", "-created_at"], name="product_store_newest"),
            models.Index(fields=["category_root", "status", "-created_at"], name="product_root_newest"),
            models.Index(fields=["category_root", "status", "sort_price"], name="product_root_price"),
        ]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"#{self.pk}"


class ProductTranslation(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=10)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=20000)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "language"], name="one_translation_per_language")]
        indexes = [models.Index(fields=["language", "title"])]
        verbose_name = _("product translation")
        verbose_name_plural = _("product translations")

    def __str__(self) -> str:
        return self.title


class Variant(TimeStampedModel):
    """A SKU: one combination of the product's options, with its own price, stock and customs data."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    # Denormalised from the product so SKUs can be unique per store by a database constraint.
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(_("SKU"), max_length=64)
    options = models.JSONField(_("options"), default=dict, blank=True)
    price = models.DecimalField(_("price"), max_digits=15, decimal_places=3)
    currency = models.CharField(max_length=3)
    stock = models.PositiveIntegerField(_("stock"), default=0)
    weight_grams = models.PositiveIntegerField(_("weight (g)"), default=0)
    hs_code = models.CharField(_("HS code"), max_length=12, blank=True)
    origin_country = models.CharField(_("country of origin"), max_length=2, blank=True)
    # Flash sales: how many units one buyer may hold across their open orders; empty means no limit.
    per_buyer_limit = models.PositiveIntegerField(_("limit per buyer"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "sku"], name="sku_unique_per_store"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="variant_price_not_negative"),
        ]
        verbose_name = _("variant")
        verbose_name_plural = _("variants")

    def __str__(self) -> str:
        return self.sku


class ProductImage(TimeStampedModel):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="products/%Y/%m/")
    thumbnail = models.ImageField(upload_to="products/thumbs/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt = models.CharField(_("description"), max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
