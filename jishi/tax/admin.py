"""The operator's side of duties and import taxes: destination rules and duty rates per HS chapter
(edited with effective dates: add a version rather than rewriting history), and the report of what is
owed to each tax authority per period, on screen and as CSV."""

from __future__ import annotations

import csv
import datetime as dt

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jishi.core import clock
from jishi.core.countries import is_country
from jishi.core.errors import DomainError
from jishi.tax.models import DestinationRule, DutyRate, OriginRule, RegionalTax, UnionMember
from jishi.tax.rules import BadBands, bands_out, hs_digits, parse_bands, parse_origins
from jishi.tax.selectors import authority_totals, clean_country, invalidate_rules, tax_owed, union_codes


class InvalidatesRules:
    """Every change reaches every web node's cached copy of the rules at once."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        invalidate_rules()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        invalidate_rules()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        invalidate_rules()


class BandsForm(forms.ModelForm):
    """Duty bands are checked and stored in one form (sorted, decimal strings), so the engine never reads
    bands it cannot use. (The fields are the admin's fieldsets.)"""

    def clean_duty_bands(self):
        try:
            return bands_out(parse_bands(self.cleaned_data.get("duty_bands")))
        except BadBands as problem:
            raise ValidationError(str(problem)) from None


class OriginRuleForm(BandsForm):
    def clean_country(self):
        try:
            return clean_country(self.cleaned_data.get("country") or "")
        except DomainError as error:
            raise ValidationError(error.message) from None

    def clean_origins(self):
        codes = parse_origins(self.cleaned_data.get("origins") or "")
        wrong = sorted(code for code in codes if not is_country(code))
        if not codes or wrong:
            raise ValidationError(_("List countries by their two-letter codes, separated by commas, like US,MX."))
        return ",".join(sorted(codes))


def report_period(data) -> tuple[dt.date, dt.date]:
    """``since`` and ``until`` (inclusive days) from the query string; the current month by default."""
    today = clock.now().date()

    def day(name, default):
        try:
            return dt.date.fromisoformat(data.get(name, ""))
        except ValueError:
            return default

    since = day("since", today.replace(day=1))
    until = day("until", today)
    return (since, until) if since <= until else (until, since)


@admin.register(DestinationRule)
class DestinationRuleAdmin(InvalidatesRules, admin.ModelAdmin):
    form = BandsForm
    list_display = ["country", "effective_from", "tax_name", "vat_rate", "thresholds_currency", "vat_de_minimis",
                    "duty_de_minimis", "collect_at_checkout", "collect_limit", "default_duty_rate", "confidence"]
    list_filter = ["collect_at_checkout", "confidence", "thresholds_currency"]
    search_fields = ["country", "tax_name", "notes"]
    ordering = ["country", "-effective_from"]
    fieldsets = [
        (None, {"fields": ["country", "effective_from", "currency", "tax_name", "confidence"]}),
        (gettext_lazy("Rates"), {"fields": ["vat_rate", "regime_vat_rate", "default_duty_rate"]}),
        (gettext_lazy("Thresholds"), {"fields": ["thresholds_currency", "vat_de_minimis", "duty_de_minimis",
                                                  "collect_at_checkout", "collect_limit",
                                                  "flat_duty_per_tariff_line", "duty_bands"]}),
        (gettext_lazy("Valuation"), {"fields": ["threshold_basis", "collect_limit_per_item", "de_minimis_per_item",
                                                 "valuation", "customs_value_percent", "tax_base_includes_shipping",
                                                 "exemption_excludes", "border_terms"]}),
        (gettext_lazy("Sources"), {"fields": ["notes", "source"]}),
    ]

    def get_urls(self):
        return [path("report/", self.admin_site.admin_view(self.report_view), name="tax_report"),
                *super().get_urls()]

    def report_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        since, until = report_period(request.GET)
        start = dt.datetime.combine(since, dt.time.min, tzinfo=dt.UTC)
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
        rows = tax_owed(since=start, until=end)
        if request.GET.get("format") == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="tax-owed-{since}-{until}.csv"'
            writer = csv.writer(response)
            # Columns added later go last, so files read by position keep working.
            writer.writerow(["country", "currency", "collected", "refunded", "owed", "orders", "since", "until",
                             "destination_currency", "collected_local", "refunded_local", "owed_local",
                             "corrections", "credit", "corrections_local", "credit_local"])

            def local(money):
                return "" if money is None else money.amount

            for row in rows:
                writer.writerow([row.country, row.amount.currency, row.collected.amount, row.refunded.amount,
                                 row.amount.amount, row.orders, since.isoformat(), until.isoformat(),
                                 row.destination_currency, local(row.collected_local), local(row.refunded_local),
                                 local(row.amount_local), row.corrections.amount, row.credit.amount,
                                 local(row.corrections_local), local(row.credit_local)])
            return response
        return render(request, "admin/tax/report.html", {
            **self.admin_site.each_context(request), "title": _("Duties and taxes owed"), "rows": rows,
            "totals": authority_totals(rows), "since": since, "until": until, "opts": self.model._meta,
            "corrections": [(row.country, correction) for row in rows for correction in row.corrected]})


@admin.register(OriginRule)
class OriginRuleAdmin(InvalidatesRules, admin.ModelAdmin):
    form = OriginRuleForm
    list_display = ["country", "origins", "match", "effective_from", "effective_until", "vat_rate", "vat_de_minimis",
                    "duty_de_minimis", "default_duty_rate"]
    list_filter = ["country", "match"]
    search_fields = ["country", "origins", "notes"]
    fieldsets = [
        (None, {"fields": ["country", "origins", "match", "transport", "effective_from", "effective_until"]}),
        (gettext_lazy("What changes"), {
            "description": gettext_lazy("Blank fields keep the destination rule's values; amounts are in its "
                                        "thresholds currency."),
            "fields": ["vat_rate", "vat_de_minimis", "duty_de_minimis", "default_duty_rate", "duty_bands"]}),
        (gettext_lazy("Sources"), {"fields": ["notes", "source"]}),
    ]


class DutyRateForm(forms.ModelForm):
    def clean_country(self):
        code = (self.cleaned_data.get("country") or "").strip().upper()
        if not (is_country(code) or code in union_codes()):
            raise ValidationError(_("Write a country's two-letter code, like US, or a customs union's, like EU."))
        return code

    def clean_hs_code(self):
        code = hs_digits(self.cleaned_data.get("hs_code") or "")
        if not 2 <= len(code) <= 6:
            raise ValidationError(_("Write 2 to 6 digits of an HS code, like 61 or 6403."))
        return code

    def clean_origins(self):
        codes = parse_origins(self.cleaned_data.get("origins") or "")
        if any(not is_country(code) for code in codes):
            raise ValidationError(_("List countries by their two-letter codes, separated by commas, like US,MX."))
        return ",".join(sorted(codes))


@admin.register(DutyRate)
class DutyRateAdmin(InvalidatesRules, admin.ModelAdmin):
    form = DutyRateForm
    list_display = ["country", "hs_code", "origins", "measure", "rate", "effective_from", "effective_until",
                    "confidence"]
    list_filter = ["country", "confidence", "measure"]
    search_fields = ["country", "hs_code", "measure", "notes"]
    fields = ["country", "hs_code", "origins", "measure", "rate", "effective_from", "effective_until", "confidence",
              "notes", "source"]


class RegionalTaxForm(forms.ModelForm):
    def clean_country(self):
        try:
            return clean_country(self.cleaned_data.get("country") or "")
        except DomainError as error:
            raise ValidationError(error.message) from None

    def clean_region(self):
        return (self.cleaned_data.get("region") or "").strip().upper()


@admin.register(RegionalTax)
class RegionalTaxAdmin(InvalidatesRules, admin.ModelAdmin):
    form = RegionalTaxForm
    list_display = ["country", "region", "region_name", "tax_name", "rate", "base", "collection", "effective_from",
                    "confidence"]
    list_filter = ["country", "collection", "confidence"]
    search_fields = ["country", "region", "region_name", "tax_name"]


@admin.register(UnionMember)
class UnionMemberAdmin(InvalidatesRules, admin.ModelAdmin):
    list_display = ["union", "country", "effective_from", "effective_until"]
    list_filter = ["union"]
    search_fields = ["country"]
