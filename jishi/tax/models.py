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


class ThresholdBasis(models.TextChoices):
    GOODS = "goods", _("Intrinsic value of the goods")
    CUSTOMS_VALUE = "customs_value", _("Customs value")


class Valuation(models.TextChoices):
    CIF = "cif", _("CIF (transport included)")
    FOB = "fob", _("FOB (transport left out)")


class BorderTerms(models.TextChoices):
    EITHER = "any", _("The store chooses DDP or DAP")
    DAP = "dap", _("Always the buyer, on delivery (DAP)")
    DDP = "ddp", _("Always prepaid at checkout (DDP)")


class Transport(models.TextChoices):
    """How a parcel crosses the border: some customs rules differ for post and courier (CUSMA's limits)."""

    POST = "post", _("Post")
    COURIER = "courier", _("Courier")


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
    regime_vat_rate = models.DecimalField(
        _("rate at checkout (%)"), max_digits=6, decimal_places=3, null=True, blank=True,
        help_text=_("The rate charged under the point-of-sale regime where it differs from the VAT rate (China's "
                    "cross-border e-commerce: 70 % of 13 %); blank = the VAT rate."))
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
    threshold_basis = models.CharField(
        _("limits measured on"), max_length=14, choices=ThresholdBasis.choices, default=ThresholdBasis.GOODS,
        help_text=_("What the de minimis and the collection limit are compared with: the intrinsic value of the "
                    "goods (transport left out) or their customs value."))
    valuation = models.CharField(
        _("customs valuation"), max_length=3, choices=Valuation.choices, default=Valuation.CIF,
        help_text=_("CIF: the value for duty includes the transport to the border; FOB: it leaves it out."))
    tax_base_includes_shipping = models.BooleanField(
        _("tax base includes shipping"), default=True,
        help_text=_("Whether import VAT/GST (or the tax charged at checkout) is computed on a base that counts "
                    "the shipping charge."))
    exemption_excludes = models.CharField(
        _("never relieved"), max_length=300, blank=True,
        help_text=_("HS codes or their first digits, separated by commas, of goods the de minimis never "
                    "relieves (Japan: knitwear 61, footwear 64, leather bags 4202)."))
    border_terms = models.CharField(
        _("who may pay at the border"), max_length=4, choices=BorderTerms.choices, default=BorderTerms.EITHER,
        help_text=_("Where tax is not charged at checkout by law: whether a store may prepay duties and taxes "
                    "(DDP), leave them to the buyer on delivery (DAP), or either."))
    duty_bands = models.JSONField(
        _("duty bands"), default=list, blank=True,
        help_text=_('A single duty rate by consignment value instead of the rates per HS chapter, like '
                    '[{"above": "0", "rate": "20"}, {"above": "50", "rate": "60", "deduct": "20"}]: above each '
                    'amount, the rate of the value less the deduction. Amounts in the thresholds currency.'))
    customs_value_percent = models.DecimalField(
        _("customs value (percent of price)"), max_digits=6, decimal_places=3, default=100,
        help_text=_("The share of the goods' price that counts as their customs value (60 in Japan for "
                    "personal imports)."))
    collect_limit_per_item = models.BooleanField(
        _("collection limit per item"), default=False,
        help_text=_("The collection limit applies to each item, not to the consignment (Norway's VOEC, "
                    "Australia's low-value goods)."))
    de_minimis_per_item = models.BooleanField(
        _("de minimis per item"), default=False,
        help_text=_("The duty and VAT de minimis apply to each item, not to the consignment (Norway's VOEC)."))
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
    transport = models.CharField(_("transport"), max_length=7, choices=Transport.choices, blank=True,
                                 help_text=_("Only for goods sent by this transport; blank = any (CUSMA's limits "
                                             "are for courier shipments)."))
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
    """A duty rate of the goods whose HS code starts with ``hs_code`` (a chapter, heading or subheading) in
    one destination or customs union (``EU``): the longest matching code wins. With ``measure`` blank it is
    the rate itself (for goods made in ``origins``, if set: a preference, or the rate for everyone); with a
    ``measure`` it is an extra duty added on top for goods made in ``origins`` (Section 301 on Chinese goods
    into the US). In force from ``effective_from`` until the day before ``effective_until``."""

    country = models.CharField(_("country or union"), max_length=2,
                               help_text=_("ISO code of the destination, or EU for the Union's common tariff."))
    hs_code = models.CharField(_("HS code"), max_length=6, help_text=_("2 to 6 digits, like 61 or 6403."))
    origins = models.CharField(_("made in"), max_length=200, blank=True,
                               help_text=_("Countries of origin, as ISO codes separated by commas; blank = all."))
    measure = models.CharField(_("additional duty"), max_length=80, blank=True,
                               help_text=_("The name of an extra duty added to the rate (Section 301); blank = "
                                           "the rate itself."))
    rate = models.DecimalField(_("duty rate (%)"), max_digits=6, decimal_places=3)
    effective_from = models.DateField(_("effective from"))
    effective_until = models.DateField(_("effective until"), null=True, blank=True,
                                       help_text=_("The first day it no longer applies; blank = open-ended."))
    confidence = models.CharField(_("confidence"), max_length=6, choices=Confidence.choices,
                                  default=Confidence.MEDIUM)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["country", "hs_code", "measure", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["country", "hs_code", "origins", "measure", "effective_from"],
                                    name="duty_rate_version"),
            models.CheckConstraint(condition=models.Q(rate__gte=0), name="duty_rate_not_negative"),
            models.CheckConstraint(
                condition=models.Q(effective_until__isnull=True) | models.Q(effective_until__gt=models.F("effective_from")),
                name="duty_rate_period"),
        ]
        verbose_name = _("duty rate")
        verbose_name_plural = _("duty rates")

    def __str__(self) -> str:
        extra = f" + {self.measure}" if self.measure else ""
        return f"{self.country} {self.hs_code}{extra}: {self.rate} %"


class UnionMember(TimeStampedModel):
    """A country in a customs union (the EU): goods moving between two members are not imported, and a
    member's duty rates are the union's (``DutyRate`` rows under the union's code)."""

    union = models.CharField(_("union"), max_length=2, help_text=_("Like EU."))
    country = models.CharField(_("country"), max_length=2)
    effective_from = models.DateField(_("member from"))
    effective_until = models.DateField(_("member until"), null=True, blank=True,
                                       help_text=_("The first day it is no longer a member; blank = still one."))
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["union", "country", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["union", "country", "effective_from"], name="union_member_period"),
            models.CheckConstraint(
                condition=models.Q(effective_until__isnull=True) | models.Q(effective_until__gt=models.F("effective_from")),
                name="union_member_dates"),
        ]
        verbose_name = _("customs union member")
        verbose_name_plural = _("customs union members")

    def __str__(self) -> str:
        return f"{self.country} in {self.union}"


class RegionalBase(models.TextChoices):
    IMPORT = "import", _("As the national tax (value and duty)")
    SALE = "sale", _("The price of the goods")


class RegionalCollection(models.TextChoices):
    WITH_NATIONAL = "with_national", _("With the national tax")
    CHECKOUT = "checkout", _("At checkout by the platform")
    NOT_COLLECTED = "not_collected", _("Not collected (the buyer self-assesses)")


class RegionalTax(TimeStampedModel):
    """A province's or state's consumption tax, added to the destination's national tax for buyers there:
    Canada's HST, PST and QST, a US state's sales tax that marketplace facilitators collect. A country with
    regional rows needs a region on every address; its codes are ISO 3166-2 without the country (ON, CA)."""

    country = models.CharField(_("country"), max_length=2)
    region = models.CharField(_("region code"), max_length=3, help_text=_("ISO 3166-2 subdivision, like ON or CA."))
    region_name = models.CharField(_("region name"), max_length=80)
    tax_name = models.CharField(_("tax name"), max_length=80,
                                help_text=_("What the buyer reads for national and regional tax together."))
    rate = models.DecimalField(_("rate (%)"), max_digits=6, decimal_places=3,
                               help_text=_("Added to the national rate (Ontario: 8, for HST 13 with GST 5)."))
    base = models.CharField(_("charged on"), max_length=6, choices=RegionalBase.choices,
                            default=RegionalBase.IMPORT)
    collection = models.CharField(_("collected"), max_length=13, choices=RegionalCollection.choices,
                                  default=RegionalCollection.WITH_NATIONAL)
    effective_from = models.DateField(_("effective from"))
    confidence = models.CharField(_("confidence"), max_length=6, choices=Confidence.choices,
                                  default=Confidence.MEDIUM)
    notes = models.TextField(_("notes"), blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["country", "region", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["country", "region", "effective_from"], name="regional_tax_version"),
            models.CheckConstraint(condition=models.Q(rate__gte=0), name="regional_tax_rate_not_negative"),
        ]
        verbose_name = _("regional tax")
        verbose_name_plural = _("regional taxes")

    def __str__(self) -> str:
        return f"{self.country}-{self.region}: {self.rate} %"
