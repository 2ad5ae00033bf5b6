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
from jishi.tax.rules import parse_bands, parse_origins

router = Router(tags=["tax"])


class DutyRateOut(Schema):
    hs_chapter: str
    rate_percent: Decimal


class DutyBandOut(Schema):
    above: Decimal = Field(description="The band applies to values above this (thresholds currency).")
    rate: Decimal = Field(description="Percent of the whole value.")
    deduct: Decimal = Field(description="Taken off the duty (thresholds currency).")


class OriginRuleOut(Schema):
    origins: list[str] = Field(description="ISO codes of the countries of origin it is for.")
    match: str = Field(description="shipped_from: the goods ship from an origin; made_in: they also are made "
                                   "in one (a line without a stated origin counts as made where it ships from).")
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
    collect_limit: Decimal | None = Field(description="Collected at checkout up to this value; null = no limit.")
    flat_duty_per_tariff_line: Decimal | None
    default_duty_rate_percent: Decimal | None
    value_includes_shipping: bool
    limits_per_item: bool = Field(description="The collection limit and the duty de minimis apply to each item, "
                                              "not to the consignment.")
    customs_value_percent: Decimal = Field(description="The share of the goods' price that is their customs value.")
    duty_bands: list[DutyBandOut] = Field(description="Duty by consignment value, instead of the rates per HS "
                                                      "chapter, where set.")
    origin_rules: list[OriginRuleOut] = Field(description="What changes for goods from some origins, in force.")
    effective_from: dt.date
    confidence: str
    notes: str
    source: str
    duty_rates: list[DutyRateOut] = []


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
        effective_until=origin.effective_until, vat_rate_percent=origin.vat_rate,
        vat_de_minimis=_amount(origin.vat_de_minimis, code), duty_de_minimis=_amount(origin.duty_de_minimis, code),
        default_duty_rate_percent=origin.default_duty_rate, duty_bands=_bands_out(origin.duty_bands, code),
        notes=origin.notes, source=origin.source)


def _rule_out(rule, duty_rates: dict[str, Decimal] | None = None, at: dt.date | None = None) -> RuleOut:
    code = rule.thresholds_currency
    return RuleOut(
        country=rule.country, currency=rule.currency, tax_name=rule.tax_name, vat_rate_percent=rule.vat_rate,
        thresholds_currency=code, vat_de_minimis=_amount(rule.vat_de_minimis, code),
        duty_de_minimis=_amount(rule.duty_de_minimis, code), collect_at_checkout=rule.collect_at_checkout,
        collect_limit=_amount(rule.collect_limit, code),
        flat_duty_per_tariff_line=_amount(rule.flat_duty_per_tariff_line, code),
        default_duty_rate_percent=rule.default_duty_rate, value_includes_shipping=rule.value_includes_shipping,
        limits_per_item=rule.limits_per_item, customs_value_percent=rule.customs_value_percent,
        duty_bands=_bands_out(rule.duty_bands, code),
        origin_rules=[_origin_out(origin, code) for origin in selectors.origin_rules_in_force(rule.country, at=at)],
        effective_from=rule.effective_from, confidence=rule.confidence, notes=rule.notes, source=rule.source,
        duty_rates=[DutyRateOut(hs_chapter=chapter, rate_percent=rate)
                    for chapter, rate in sorted((duty_rates or {}).items())])


@router.get("/tax/rules", auth=None, response=RulePage)
def list_rules(request, filters: Query[RuleFilters]):
    """The destination rule in force for each country (at ``at``), by country code."""
    rules = selectors.list_rules(at=filters.at)
    start = (filters.page - 1) * filters.page_size
    return RulePage(items=[_rule_out(rule, at=filters.at) for rule in rules[start:start + filters.page_size]], page=filters.page,
                    page_size=filters.page_size, total=len(rules))


@router.get("/tax/rules/{country}", auth=None, response={200: RuleOut, 404: ErrorOut, 422: ErrorOut})
def get_rule(request, country: str, at: dt.date | None = None):
    """One destination's rule in force (at ``at``), with its duty rates per HS chapter."""
    code = selectors.clean_country(country)
    rule = selectors.get_rule(code, at=at)
    if rule is None:
        raise DomainError("tax.no_rule", _("No tax rule is set for this destination."), status=404)
    return _rule_out(rule, selectors.duty_rates_in_force(code, at=at), at=at)
