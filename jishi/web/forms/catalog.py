"""The product editor: plain fields plus a variants table posted as parallel lists (sku[], price[], …)."""

from __future__ import annotations

import json

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


# --- the quick product form: live in one step ------------------------------------------------------

QUICK_AXES = 2
PHOTO_TYPES = "image/jpeg,image/png,image/webp,image/gif"


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class QuickProductForm(forms.Form):
    """Title, photos, price, stock and a category; sizes or colours optional. The service checks the
    values (prices in the store currency, photos, options) and reports each problem on its field."""

    title = forms.CharField(label=_("What are you selling?"), max_length=200,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
                            help_text=_("A title in your own language; you can add a translation later."))
    photos = forms.Field(label=_("Photos"), required=False,
                         widget=MultiplePhotoInput(attrs={"accept": PHOTO_TYPES}),
                         help_text=_("One or several: JPEG, PNG, WebP or GIF, up to 5 MB each."))
    price = forms.CharField(label=_("Price"), max_length=40,
                            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    stock = forms.CharField(label=_("How many do you have?"), max_length=10, required=False,
                            widget=forms.NumberInput(attrs={"min": "0", "inputmode": "numeric"}))
    category = forms.TypedChoiceField(label=_("Category"), coerce=int)
    option_0_name = forms.CharField(label=_("Option 1"), max_length=30, required=False,
                                    widget=forms.TextInput(attrs={"placeholder": _("Size")}))
    option_0_values = forms.CharField(label=_("Values of option 1"), max_length=500, required=False,
                                      widget=forms.TextInput(attrs={"placeholder": _("S, M, L")}))
    option_1_name = forms.CharField(label=_("Option 2"), max_length=30, required=False,
                                    widget=forms.TextInput(attrs={"placeholder": _("Colour")}))
    option_1_values = forms.CharField(label=_("Values of option 2"), max_length=500, required=False,
                                      widget=forms.TextInput(attrs={"placeholder": _("Red, Blue")}))

    def __init__(self, *args, language: str = "en", currency: str = "", suggest_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Choose a category")), *leaf_category_choices(language)]
        # The service says what is missing, with every other problem of the form at once.
        for name in ("title", "price", "category"):
            self.fields[name].required = False
        # Still marked for assistive technology; the form is sent unchecked (novalidate) all the same.
        self.fields["title"].widget.attrs["required"] = True
        if suggest_url:
            # Categories are suggested as the seller types the title.
            self.fields["title"].widget.attrs.update({
                "hx-get": suggest_url, "hx-trigger": "input changed delay:400ms",
                "hx-target": "#category-suggestions", "hx-sync": "this:replace"})
        if currency:
            self.fields["price"].label = _("Price (%(currency)s)") % {"currency": currency}


def quick_options(data) -> list[dict]:
    """The options as posted, before the form is checked (the variants table is drawn from these)."""
    return [{"name": str(data.get(f"option_{i}_name", ""))[:30].strip(),
             "values": str(data.get(f"option_{i}_values", ""))[:500]} for i in range(QUICK_AXES)]


def combination_key(options: dict) -> str:
    return json.dumps(list(options.values()), ensure_ascii=False)


def quick_variant_rows(data, combinations: list[dict]) -> list[dict]:
    """One row per combination, carrying what the seller typed in the table for it (matched by its values,
    so rows of values since removed are dropped and new values get empty rows)."""
    typed = {}
    for key, price, stock, sku in zip(data.getlist("variant_key"), data.getlist("variant_price"),
                                      data.getlist("variant_stock"), data.getlist("variant_sku"), strict=False):
        typed[key] = {"price": price.strip(), "stock": stock.strip(), "sku": sku.strip()}
    rows = []
    for combination in combinations:
        key = combination_key(combination)
        rows.append({"key": key, "options": combination, **typed.get(key, {"price": "", "stock": "", "sku": ""})})
    return rows
