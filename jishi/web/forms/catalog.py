"""The product editor: plain fields plus a variants table posted as parallel lists (sku[], price[], …)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from jishi.catalog.models import ProductStatus
from jishi.catalog.selectors import leaf_category_choices

MAX_AXES = 3
VARIANT_COLUMNS = ("variant_id", "sku", "price", "stock", "stock_seen", "weight_grams", "hs_code", "origin_country",
                   "per_buyer_limit")


class ProductForm(forms.Form):
    category = forms.TypedChoiceField(label=_("Category"), coerce=int)
    status = forms.ChoiceField(label=_("Status"), choices=ProductStatus.choices)
    default_language = forms.ChoiceField(label=_("Main language"), choices=settings.LANGUAGES)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    description_en = forms.CharField(label=_("Description (English)"), widget=forms.Textarea, required=False,
                                     max_length=20000)
    title_zh = forms.CharField(label=_("Title (Simplified Chinese)"), max_length=200, required=False)
    description_zh = forms.CharField(label=_("Description (Simplified Chinese)"), widget=forms.Textarea,
                                     required=False, max_length=20000)
    option_names = forms.CharField(label=_("Options"), max_length=100, required=False,
                                   help_text=_("Up to three, separated by commas: size, colour, material."))

    def __init__(self, *args, language: str = "en", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *leaf_category_choices(language)]

    LANGUAGE_FIELDS = {"en": ("title_en", "description_en"), "zh-hans": ("title_zh", "description_zh")}

    def translations(self) -> list[dict]:
        return [{"language": language, "title": self.cleaned_data[title], "description": self.cleaned_data[text]}
                for language, (title, text) in self.LANGUAGE_FIELDS.items()]


def option_axes(option_names: str) -> list[str]:
    names = [n.strip() for n in (option_names or "").split(",") if n.strip()]
    return (names + [""] * MAX_AXES)[:MAX_AXES]


def variant_rows_from_post(data, axes: list[str]) -> list[dict]:
    """Rebuild the table rows the seller posted; fully blank rows are dropped."""
    columns = {name: data.getlist(name) for name in VARIANT_COLUMNS}
    values = [data.getlist(f"option_{i}") for i in range(MAX_AXES)]
    count = max(len(c) for c in columns.values()) if columns else 0
    rows = []
    for index in range(count):
        row = {name: (columns[name][index] if index < len(columns[name]) else "").strip() for name in VARIANT_COLUMNS}
        row["option_values"] = [(values[i][index] if index < len(values[i]) else "").strip() for i in range(MAX_AXES)]
        if not any(v for k, v in row.items() if k not in ("variant_id", "stock_seen", "option_values")) and not any(
                row["option_values"]):
            continue
        rows.append(row)
    return rows


def variant_input(row: dict, axes: list[str]) -> dict:
    return {"id": row["variant_id"] or None, "sku": row["sku"], "price": row["price"], "stock": row["stock"] or "0",
            "weight_grams": row["weight_grams"], "hs_code": row["hs_code"], "origin_country": row["origin_country"],
            "per_buyer_limit": row["per_buyer_limit"] or None, "stock_seen": row["stock_seen"] or None,
            "options": {axis: row["option_values"][i] for i, axis in enumerate(axes) if axis}}


def rows_from_variants(variants, axes: list[str]) -> list[dict]:
    return [{"variant_id": str(v.id), "sku": v.sku, "price": str(v.price.normalize()) if v.price is not None else "",
             "stock": str(v.stock), "stock_seen": str(v.stock), "weight_grams": str(v.weight_grams or ""), "hs_code": v.hs_code,
             "origin_country": v.origin_country, "per_buyer_limit": str(v.per_buyer_limit or ""),
             "option_values": [v.options.get(axis, "") if axis else "" for axis in axes]} for v in variants]


def blank_row() -> dict:
    return {**{name: "" for name in VARIANT_COLUMNS}, "option_values": [""] * MAX_AXES}
