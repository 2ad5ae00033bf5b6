"""Destination tax rules: everyone may read the rules in force (or at a date). Writing them is the
operator's, in the Django admin (with effective dates); the API has no write route."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from jishi.api.schemas import ErrorOut
from jishi.core.errors import DomainError
from jishi.money.rules import quantize
from jishi.tax import selectors
from jishi.tax.rules import parse_bands, parse_hs_prefixes, parse_origins

router = Router(tags=["tax"])


class DutyRateOut(Schema):
    hs_code: str = Field(description="The first 2 to 6 digits of the HS codes it is for; the longest match wins.")
    origins: list[str] = Field(description="Made in these countries only; empty = all.")
    measure: str = Field(description="The name of an additional duty added to the rate; empty = the rate itself.")
    rate_percent: Decimal
    effective_from: dt.date
    effective_until: dt.date | None = Field(description="The first day it no longer applies; null = open-ended.")
    source: str


class RegionalTaxOut(Schema):
    region: str = Field(description="ISO 3166-2 subdivision code without the country, like ON or CA.")
    region_name: str
    tax_name: str
    rate_percent: Decimal = Field(description="Added to the national rate.")
    base: str = Field(description="import: on the national tax's base; sale: on the goods' price.")
    collection: str = Field(description="with_national, checkout (by the platform) or not_collected.")
    effective_from: dt.date


class DutyBandOut(Schema):
    above: Decimal = Field(description="The band applies to values above this (thresholds currency).")
    rate: Decimal = Field(description="Percent of the whole value.")
    deduct: Decimal = Field(description="Taken off the duty (thresholds currency).")


class OriginRuleOut(Schema):
    origins: list[str] = Field(description="ISO codes of the countries of origin it is for.")
    match: str = Field(description="shipped_from: the goods ship from an origin; made_in: they also are made "
                                   "in one (a line without a stated origin counts as made where it ships from).")
    transport: str = Field(description="post or courier: only for goods sent that way; empty = any.")
    effective_from: dt.date
    effective_until: dt.date | None = Field(description="The first day it no longer applies; null = open-ended.")
    vat_rate_percent: Decimal | None = Field(description="null = the destination rule's.")
    vat_de_minimis: Decimal | None = Field(description="In the rule's thresholds currency; null = the rule's.")
    duty_de_minimis: Decimal | None = Field(description="In the rule's thresholds currency; null = the rule's.")
    default_duty_rate_percent: Decimal | None = Field(description="null = the rule's.")
    duty_bands: list[DutyBandOut] = Field(description="Empty = the rule's.")
    notes: str
    source: str


class RuleOut(Schema):
    country: str
    currency: str = Field(description="The destination's currency.")
    tax_name: str
    vat_rate_percent: Decimal | None
    thresholds_currency: str = Field(description="The currency every threshold below is stated in.")
    vat_de_minimis: Decimal | None = Field(description="Import VAT is not charged at or below this value.")
    duty_de_minimis: Decimal | None = Field(description="Duty is not charged at or below this value; "
                                                        "null = always dutiable.")
    collect_at_checkout: bool
    regime_vat_rate_percent: Decimal | None = Field(description="The rate charged at checkout where it differs "
                                                                "from the VAT rate; null = the VAT rate.")
    collect_limit: Decimal | None = Field(description="Collected at checkout up to this value; null = no limit.")
    flat_duty_per_tariff_line: Decimal | None
    default_duty_rate_percent: Decimal | None
    threshold_basis: str = Field(description="goods: the limits are compared with the intrinsic value of the goods "
                                             "(transport left out); customs_value: with their customs value.")
    collect_limit_per_item: bool = Field(description="The collection limit applies to each item.")
    de_minimis_per_item: bool = Field(description="The duty and VAT de minimis apply to each item.")
    valuation: str = Field(description="cif: the customs value includes transport to the border; fob: it does not.")
    tax_base_includes_shipping: bool
    customs_value_percent: Decimal = Field(description="The share of the goods' price that is their customs value.")
    never_relieved: list[str] = Field(description="HS codes (first digits) the de minimis never relieves.")
    border_terms: str = Field(description="any: a store chooses DDP or DAP for what is due at the border; dap or "
                                          "ddp: the destination allows only that.")
    customs_union: str = Field(description="The customs union it is in (EU), or empty; trade between members is "
                                           "not an import.")
    duty_bands: list[DutyBandOut] = Field(description="Duty by consignment value, instead of the rates per HS "
                                                      "chapter, where set.")
    origin_rules: list[OriginRuleOut] = Field(description="What changes for goods from some origins, in force.")
    effective_from: dt.date
    confidence: str
    notes: str
    source: str
    duty_rates: list[DutyRateOut] = Field([], description="The duty table in force (the union's for a member).")
    regional_taxes: list[RegionalTaxOut] = Field([], description="Provinces' or states' taxes in force; an "
                                                                  "address there needs its region.")


class RulePage(Schema):
    items: list[RuleOut]
    page: int
    page_size: int
    total: int


class RuleFilters(Schema):
    at: dt.date | None = Field(None, description="The day the rules were in force (default: today, UTC).")
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=100)


def _amount(value, currency: str) -> Decimal | None:
    return None if value is None else quantize(Decimal(value), currency)


def _bands_out(raw, code: str) -> list[DutyBandOut]:
    return [DutyBandOut(above=quantize(band.above, code), rate=band.rate, deduct=quantize(band.deduct, code))
            for band in parse_bands(raw)]


def _origin_out(origin, code: str) -> OriginRuleOut:
    return OriginRuleOut(
        origins=sorted(parse_origins(origin.origins)), match=origin.match, effective_from=origin.effective_from,
        transport=origin.transport, effective_until=origin.effective_until, vat_rate_percent=origin.vat_rate,
        vat_de_minimis=_amount(origin.vat_de_minimis, code), duty_de_minimis=_amount(origin.duty_de_minimis, code),
        default_duty_rate_percent=origin.default_duty_rate, duty_bands=_bands_out(origin.duty_bands, code),
        notes=origin.notes, source=origin.source)


def _rule_out(rule, *, detail: bool = False, at: dt.date | None = None) -> RuleOut:
    code = rule.thresholds_currency
    return RuleOut(
        country=rule.country, currency=rule.currency, tax_name=rule.tax_name, vat_rate_percent=rule.vat_rate,
        thresholds_currency=code, vat_de_minimis=_amount(rule.vat_de_minimis, code),
        duty_de_minimis=_amount(rule.duty_de_minimis, code), collect_at_checkout=rule.collect_at_checkout,
        regime_vat_rate_percent=rule.regime_vat_rate,
        collect_limit=_amount(rule.collect_limit, code),
        flat_duty_per_tariff_line=_amount(rule.flat_duty_per_tariff_line, code),
        default_duty_rate_percent=rule.default_duty_rate, threshold_basis=rule.threshold_basis,
        collect_limit_per_item=rule.collect_limit_per_item, de_minimis_per_item=rule.de_minimis_per_item,
        valuation=rule.valuation, tax_base_includes_shipping=rule.tax_base_includes_shipping,
        customs_value_percent=rule.customs_value_percent, never_relieved=list(parse_hs_prefixes(rule.exemption_excludes)),
        border_terms=rule.border_terms, customs_union=selectors.union_of(rule.country, at=at)[0],
        duty_bands=_bands_out(rule.duty_bands, code),
        origin_rules=[_origin_out(origin, code) for origin in selectors.origin_rules_in_force(rule.country, at=at)],
        effective_from=rule.effective_from, confidence=rule.confidence, notes=rule.notes, source=rule.source,
        duty_rates=[DutyRateOut(hs_code=row.hs_code, origins=sorted(parse_origins(row.origins)), measure=row.measure,
                                rate_percent=row.rate, effective_from=row.effective_from,
                                effective_until=row.effective_until, source=row.source)
                    for row in selectors.duty_rates_in_force(rule.country, at=at)] if detail else [],
        regional_taxes=[RegionalTaxOut(region=row.region, region_name=row.region_name, tax_name=row.tax_name,
                                       rate_percent=row.rate, base=row.base, collection=row.collection,
                                       effective_from=row.effective_from)
                        for row in selectors.regional_taxes_in_force(rule.country, at=at)] if detail else [])


@router.get("/tax/rules", auth=None, response=RulePage)
def list_rules(request, filters: Query[RuleFilters]):
    """The destination rule in force for each country (at ``at``), by country code."""
    rules = selectors.list_rules(at=filters.at)
    start = (filters.page - 1) * filters.page_size
    return RulePage(items=[_rule_out(rule, at=filters.at) for rule in rules[start:start + filters.page_size]], page=filters.page,
                    page_size=filters.page_size, total=len(rules))


@router.get("/tax/rules/{country}", auth=None, response={200: RuleOut, 404: ErrorOut, 422: ErrorOut})
def get_rule(request, country: str, at: dt.date | None = None):
    """One destination's rule in force (at ``at``), with its duty table and regional taxes."""
    code = selectors.clean_country(country)
    rule = selectors.get_rule(code, at=at)
    if rule is None:
        raise DomainError("tax.no_rule", _("No tax rule is set for this destination."), status=404)
    return _rule_out(rule, detail=True, at=at)
