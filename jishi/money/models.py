from django.db import models
from django.utils.translation import gettext_lazy as _

from jishi.core import clock


class Currency(models.Model):
    """A currency the marketplace prices or displays in. Minor units follow ISO 4217."""

    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    minor_units = models.PositiveSmallIntegerField(_("minor units"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")

    def __str__(self) -> str:
        return self.code


class ExchangeRate(models.Model):
    """One snapshot: 1 EUR = ``rate`` units of ``currency`` as of ``as_of``. Never edited; a new
    snapshot supersedes the old one, so a placed order can always name the rate it used."""

    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="rates")
    rate = models.DecimalField(_("units per EUR"), max_digits=20, decimal_places=8)
    as_of = models.DateTimeField(_("as of"), default=clock.now)
    source = models.CharField(_("source"), max_length=64, default="operator")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["currency_id", "-as_of"]
        indexes = [models.Index(fields=["currency", "-as_of"])]
        constraints = [models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive")]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")

    def __str__(self) -> str:
        return f"1 EUR = {self.rate} {self.currency_id} ({self.as_of:%Y-%m-%d})"
