"""Destination rules for duties and import taxes, and duty rates per HS chapter, each in force from a date.

Rows are versions: the rule in force for a country at a moment is the one with the latest
``effective_from`` on or before that day (UTC). The operator adds a new version to change a rule, so
orders placed before keep the figures they were priced with (they are frozen on the order anyway).

Every threshold and the flat duty are stated in ``thresholds_currency``, the currency the law states
them in (EUR for Poland and Sweden, USD for Korea or Brazil …); the landed-cost engine converts them into
the destination's currency at the order's frozen rates. Rates are percentages (20 is 20 %).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jishi.core.models import TimeStampedModel


class Confidence(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class DestinationRule(TimeStampedModel):
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code, like FR."))
    effective_from = models.DateField(_("effective from"))
    currency = models.CharField(_("currency"), max_length=3, help_text=_("The destination's currency."))
    tax_name = models.CharField(_("tax name"), max_length=80, blank=True)
    vat_rate = models.DecimalField(_("VAT/GST rate (%)"), max_digits=6, decimal_places=3, null=True, blank=True,
                                   help_text=_("Blank where there is no national consumption tax."))
    vat_de_minimis = models.DecimalField(
        _("VAT de minimis"), max_digits=15, decimal_places=3, null=True, blank=True,
        help_text=_("Consignment value at or below which import VAT is not charged; 0 = from the first unit."))
    duty_de_minimis = models.DecimalField(
        _("duty de minimis"), max_digits=15, decimal_places=3, null=True, blank=True,
        help_text=_("Consignment value at or below which duty is not charged; blank = always dutiable."))
    collect_at_checkout = models.BooleanField(
        _("collected at checkout"), default=False,
        help_text=_("The marketplace charges the tax when the shopper pays (IOSS, UK, AU …)."))
    collect_limit = models.DecimalField(
        _("collected up to"), max_digits=15, decimal_places=3, null=True, blank=True,
        help_text=_("Consignment value up to which tax is collected at checkout; blank = no limit."))
    flat_duty_per_tariff_line = models.DecimalField(
        _("flat duty per tariff line"), max_digits=15, decimal_places=3, null=True, blank=True,
        help_text=_("Flat duty per distinct tariff line, instead of the duty rate, for consignments collected "
                    "at checkout."))
    default_duty_rate = models.DecimalField(
        _("default duty rate (%)"), max_digits=6, decimal_places=3, null=True, blank=True,
        help_text=_("Used for lines whose HS chapter has no duty rate; blank = 0."))
    thresholds_currency = models.CharField(
        _("thresholds currency"), max_length=3,
        help_text=_("The currency every threshold and the flat duty above are stated in."))
    value_includes_shipping = models.BooleanField(
        _("value includes shipping"), default=True,
        help_text=_("Whether the consignment value counts the shipping charge."))
    duty_bands = models.JSONField(
        _("duty bands"), default=list, blank=True,
        help_text=_('A single duty rate by consignment value instead of the rates per HS chapter, like '
                    '[{"above": "0", "rate": "20"}, {"above": "50", "rate": "60", "deduct": "20"}]: above each '
                    'amount, the rate of the value less the deduction. Amounts in the thresholds currency.'))
    customs_value_percent = models.DecimalField(
        _("customs value (percent of price)"), max_digits=6, decimal_places=3, default=100,
        help_text=_("The share of the goods' price that counts as their customs value (60 in Japan for "
                    "personal imports)."))
    limits_per_item = models.BooleanField(
        _("limits per item"), default=False,
        help_text=_("The collection limit and the duty de minimis apply to each item, not to the consignment "
                    "(Norway's VOEC)."))
    confidence = models.CharField(_("confidence"), max_length=6, choices=Confidence.choices,
                                  default=Confidence.MEDIUM)
    notes = models.TextField(_("notes"), blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["country", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["country", "effective_from"], name="destination_rule_version"),
            models.CheckConstraint(condition=models.Q(vat_rate__gte=0) | models.Q(vat_rate__isnull=True),
                                   name="destination_rule_vat_rate_not_negative"),
            models.CheckConstraint(
                condition=models.Q(default_duty_rate__gte=0) | models.Q(default_duty_rate__isnull=True),
                name="destination_rule_duty_rate_not_negative"),
            models.CheckConstraint(condition=models.Q(customs_value_percent__gt=0, customs_value_percent__lte=100),
                                   name="destination_rule_customs_value_percent_range"),
        ]
        verbose_name = _("destination rule")
        verbose_name_plural = _("destination rules")

    def __str__(self) -> str:
        return f"{self.country} from {self.effective_from}"


class OriginMatch(models.TextChoices):
    SHIPPED_FROM = "shipped_from", _("Shipped from one of the origins")
    MADE_IN = "made_in", _("Shipped from and made in the origins")


class OriginRule(TimeStampedModel):
    """What changes in a destination's rule for goods from some origins (a trade agreement's de minimis,
    like CUSMA for Canada or KORUS for Korea). Blank fields keep the destination rule's values; amounts are
    in the destination rule's thresholds currency. In force from ``effective_from`` until the day before
    ``effective_until``; where two match, the later ``effective_from`` wins."""

    country = models.CharField(_("destination country"), max_length=2,
                               help_text=_("ISO 3166-1 alpha-2 code, like CA."))
    origins = models.CharField(_("origins"), max_length=200,
                               help_text=_("Countries of origin, as ISO codes separated by commas, like US,MX."))
    match = models.CharField(_("applies to"), max_length=12, choices=OriginMatch.choices,
                             default=OriginMatch.SHIPPED_FROM,
                             help_text=_("Whether the goods must also be made in one of the origins (a line "
                                         "without a country of origin counts as made where it ships from)."))
    effective_from = models.DateField(_("effective from"))
    effective_until = models.DateField(_("effective until"), null=True, blank=True,
                                       help_text=_("The first day it no longer applies; blank = open-ended."))
    vat_rate = models.DecimalField(_("VAT/GST rate (%)"), max_digits=6, decimal_places=3, null=True, blank=True)
    vat_de_minimis = models.DecimalField(_("VAT de minimis"), max_digits=15, decimal_places=3, null=True, blank=True)
    duty_de_minimis = models.DecimalField(_("duty de minimis"), max_digits=15, decimal_places=3, null=True,
                                          blank=True)
    default_duty_rate = models.DecimalField(_("default duty rate (%)"), max_digits=6, decimal_places=3, null=True,
                                            blank=True)
    duty_bands = models.JSONField(_("duty bands"), default=list, blank=True,
                                  help_text=_("As on the destination rule; empty = the rule's."))
    notes = models.TextField(_("notes"), blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["country", "origins", "-effective_from"]
        constraints = [
            models.CheckConstraint(condition=models.Q(vat_rate__gte=0) | models.Q(vat_rate__isnull=True),
                                   name="origin_rule_vat_rate_not_negative"),
            models.CheckConstraint(
                condition=models.Q(default_duty_rate__gte=0) | models.Q(default_duty_rate__isnull=True),
                name="origin_rule_duty_rate_not_negative"),
            models.CheckConstraint(
                condition=models.Q(effective_until__isnull=True) | models.Q(effective_until__gt=models.F("effective_from")),
                name="origin_rule_period"),
        ]
        verbose_name = _("origin rule")
        verbose_name_plural = _("origin rules")

    def __str__(self) -> str:
        return f"{self.country} from {self.origins} ({self.effective_from})"


class DutyRate(TimeStampedModel):
    """The duty rate of one HS chapter (the first two digits of the code) in one destination."""

    country = models.CharField(_("country"), max_length=2)
    hs_chapter = models.CharField(_("HS chapter"), max_length=2, help_text=_("Two digits, like 61."))
    rate = models.DecimalField(_("duty rate (%)"), max_digits=6, decimal_places=3)
    effective_from = models.DateField(_("effective from"))
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["country", "hs_chapter", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["country", "hs_chapter", "effective_from"], name="duty_rate_version"),
            models.CheckConstraint(condition=models.Q(rate__gte=0), name="duty_rate_not_negative"),
        ]
        verbose_name = _("duty rate")
        verbose_name_plural = _("duty rates")

    def __str__(self) -> str:
        return f"{self.country} {self.hs_chapter}: {self.rate} %"
