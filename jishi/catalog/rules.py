"""Catalogue rules as plain functions: what a valid product, variant and price look like.

No database here. Each ``clean_*`` returns the cleaned value or raises ``Invalid`` with a message;
``clean_product_input`` collects every problem under field names the API and forms show
(``variants.2.price``), so one bad row is reported with all the others in one answer.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from jishi.core.countries import is_country
from jishi.money.rules import minor_units, to_decimal

MAX_PRICE = Decimal("1000000000")
MAX_STOCK = 1_000_000
MAX_WEIGHT_GRAMS = 1_000_000
MAX_VARIANTS = 100
MAX_OPTION_AXES = 3
SKU_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class Invalid(ValueError):
    """One value broke a catalogue rule; the message says which and how to fix it."""


def clean_price(raw, currency: str) -> Decimal:
    try:
        value = to_decimal(raw)
    except (TypeError, ValueError):
        raise Invalid(_("Enter a price as a number, like 19.99."))
    if value < 0:
        raise Invalid(_("A price cannot be negative."))
    if value >= MAX_PRICE:
        raise Invalid(_("That price is too high."))
    places = minor_units(currency)
    if -value.normalize().as_tuple().exponent > places:
        if places == 0:
            raise Invalid(_("%(currency)s prices have no decimals.") % {"currency": currency})
        raise Invalid(_("%(currency)s prices have at most %(places)s decimals.") % {"currency": currency,
                                                                                    "places": places})
    return value.quantize(Decimal(1).scaleb(-places))


def clean_whole_number(raw, *, maximum: int, what: str) -> int:
    if isinstance(raw, bool) or isinstance(raw, float) and not raw.is_integer():
        raise Invalid(_("Enter a whole number."))
    try:
        value = int(str(raw).strip()) if not isinstance(raw, int) else raw
    except (TypeError, ValueError):
        raise Invalid(_("Enter a whole number."))
    if value < 0:
        raise Invalid(_("%(what)s cannot be negative.") % {"what": what})
    if value > maximum:
        raise Invalid(_("%(what)s cannot be above %(maximum)s.") % {"what": what, "maximum": f"{maximum:,}"})
    return value


def clean_stock(raw) -> int:
    return clean_whole_number(raw, maximum=MAX_STOCK, what=_("Stock"))


def clean_per_buyer_limit(raw) -> int | None:
    """Blank means no limit; otherwise how many units one buyer may hold in open orders (flash sales)."""
    if raw in (None, "", 0, "0"):
        return None
    return clean_whole_number(raw, maximum=MAX_STOCK, what=_("Limit per buyer")) or None


def clean_weight(raw) -> int:
    if raw in (None, ""):
        return 0
    return clean_whole_number(raw, maximum=MAX_WEIGHT_GRAMS, what=_("Weight"))


def clean_sku(raw) -> str:
    sku = str(raw or "").strip()
    if not SKU_PATTERN.match(sku):
        raise Invalid(_("Use 1 to 64 letters, digits, dots, dashes or underscores."))
    return sku


def clean_hs_code(raw) -> str:
    code = re.sub(r"[\s.]", "", str(raw or ""))
    if code and not (code.isdigit() and 6 <= len(code) <= 10):
        raise Invalid(_("An HS code has 6 to 10 digits."))
    return code


def clean_origin(raw) -> str:
    code = str(raw or "").strip().upper()
    if code and not is_country(code):
        raise Invalid(_("Unknown country code."))
    return code


def clean_variant_id(raw) -> int | None:
    """The id of an existing variant being edited; blank means a new variant."""
    if raw in (None, ""):
        return None
    if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
        return raw
    if isinstance(raw, str) and raw.isdigit() and 0 < int(raw) < 2**63:
        return int(raw)
    raise Invalid(_("This variant does not belong to the product."))


def clean_option_names(raw) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = raw.split(",")
    names = [str(n).strip() for n in raw if str(n).strip()]
    if len(names) > MAX_OPTION_AXES:
        raise Invalid(_("Use at most 3 options, such as size, colour and material."))
    if any(len(n) > 30 for n in names):
        raise Invalid(_("Keep each option name under 30 characters."))
    if len({n.casefold() for n in names}) != len(names):
        raise Invalid(_("Option names must differ."))
    return names


@dataclass
class Problems:
    """Field name → messages, gathered while cleaning a whole product."""

    fields: dict[str, list[str]]

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(str(message))

    def check(self, field: str, cleaner, *args, **kwargs):
        try:
            return cleaner(*args, **kwargs)
        except Invalid as exc:
            self.add(field, str(exc))
            return None


def clean_translations(raw, languages: set[str], problems: Problems) -> dict[str, dict]:
    cleaned: dict[str, dict] = {}
    for index, item in enumerate(raw or []):
        language = str(item.get("language", "")).strip().lower()
        title = str(item.get("title") or "").strip()
        description = str(item.get("description") or "").strip()
        if language not in languages:
            problems.add(f"translations.{index}.language", _("Choose English or Simplified Chinese."))
            continue
        if not title and not description:
            continue
        if not title:
            problems.add(f"translations.{index}.title", _("Give the product a title."))
        elif len(title) > 200:
            problems.add(f"translations.{index}.title", _("Keep the title under 200 characters."))
        if len(description) > 20000:
            problems.add(f"translations.{index}.description", _("Keep the description under 20,000 characters."))
        if language in cleaned:
            problems.add(f"translations.{index}.language", _("Give one title per language."))
        cleaned[language] = {"title": title, "description": description}
    if not cleaned and not any(k.startswith("translations.") for k in problems.fields):
        problems.add("translations", _("Give the product a title in at least one language."))
    return cleaned


def clean_variant(item: dict, *, index: int, option_names: list[str], currency: str, problems: Problems) -> dict:
    prefix = f"variants.{index}."
    options_raw = item.get("options") or {}
    if not isinstance(options_raw, dict):
        problems.add(prefix + "options", _("Options must map each option name to a value."))
        options_raw = {}
    options = {str(k).strip(): str(v).strip() for k, v in options_raw.items() if str(v).strip()}
    missing = [name for name in option_names if not options.get(name)]
    unknown = [name for name in options if name not in option_names]
    if missing:
        problems.add(prefix + "options", _("Give a value for: %(names)s.") % {"names": ", ".join(missing)})
    if unknown:
        problems.add(prefix + "options", _("Not an option of this product: %(names)s.") % {"names": ", ".join(unknown)})
    if any(len(v) > 40 for v in options.values()):
        problems.add(prefix + "options", _("Keep option values under 40 characters."))
    return {
        "id": problems.check(prefix + "id", clean_variant_id, item.get("id")),
        "sku": problems.check(prefix + "sku", clean_sku, item.get("sku")),
        "options": options,
        "price": problems.check(prefix + "price", clean_price, item.get("price"), currency),
        "stock": problems.check(prefix + "stock", clean_stock, item.get("stock", 0)),
        "weight_grams": problems.check(prefix + "weight_grams", clean_weight, item.get("weight_grams")),
        "hs_code": problems.check(prefix + "hs_code", clean_hs_code, item.get("hs_code")),
        "origin_country": problems.check(prefix + "origin_country", clean_origin, item.get("origin_country")),
        "per_buyer_limit": problems.check(prefix + "per_buyer_limit", clean_per_buyer_limit,
                                          item.get("per_buyer_limit")),
        # The stock the editor showed, when it sends it: its change is applied as a difference.
        "stock_seen": (problems.check(prefix + "stock", clean_stock, item["stock_seen"])
                       if item.get("stock_seen") not in (None, "") else None),
    }


def clean_variants(raw, *, option_names: list[str], currency: str, problems: Problems,
                   required: bool = True) -> list[dict]:
    raw = list(raw or [])
    if required and not raw:
        problems.add("variants", _("Add at least one variant with a SKU, price and stock."))
    if len(raw) > MAX_VARIANTS:
        problems.add("variants", _("A product has at most %(maximum)s variants.") % {"maximum": MAX_VARIANTS})
        return []
    cleaned = [clean_variant(item if isinstance(item, dict) else {}, index=i, option_names=option_names,
                             currency=currency, problems=problems) for i, item in enumerate(raw)]
    seen_skus: dict[str, int] = {}
    seen_combinations: dict[tuple, int] = {}
    for index, variant in enumerate(cleaned):
        if variant["sku"]:
            key = variant["sku"].casefold()
            if key in seen_skus:
                problems.add(f"variants.{index}.sku", _("This SKU is used twice in this product."))
            seen_skus.setdefault(key, index)
        combination = tuple(variant["options"].get(name, "").casefold() for name in option_names)
        if combination in seen_combinations and len(cleaned) > 1:
            problems.add(f"variants.{index}.options", _("Two variants have the same options."))
        seen_combinations.setdefault(combination, index)
    return cleaned


def summarize(prices: list[Decimal], stocks: list[int]) -> tuple[Decimal | None, Decimal | None, int]:
    """The listing summary of a product's variants: lowest and highest price, total stock."""
    if not prices:
        return None, None, 0
    return min(prices), max(prices), sum(stocks)


# --- the quick product form: one title, options as lists of values, SKUs made for the seller ----------

MAX_OPTION_VALUES = 30
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_VALUE_SEPARATORS = re.compile(r"[,，、;；]")


def guess_title_language(title: str, *, languages, fallback: str) -> str:
    """The language a title is written in: Chinese when it has Han characters, else English (when the
    marketplace has them), else ``fallback``."""
    guess = "zh-hans" if _HAN.search(title or "") else "en" if (title or "").strip() else fallback
    return guess if guess in languages else fallback


def clean_option_values(raw) -> list[str]:
    """Values typed as one line (``S, M, L`` or ``红色、蓝色``): trimmed, duplicates dropped, order kept."""
    values = raw if isinstance(raw, list | tuple) else _VALUE_SEPARATORS.split(str(raw or ""))
    cleaned, seen = [], set()
    for value in (str(v).strip() for v in values):
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            cleaned.append(value)
    if any(len(v) > 40 for v in cleaned):
        raise Invalid(_("Keep option values under 40 characters."))
    if len(cleaned) > MAX_OPTION_VALUES:
        raise Invalid(_("Use at most %(count)s values per option.") % {"count": MAX_OPTION_VALUES})
    return cleaned


def option_combinations(axes: list[tuple[str, list[str]]]) -> list[dict[str, str]]:
    """One options mapping per combination of the axes' values, in the order typed (first axis slowest)."""
    combinations: list[dict[str, str]] = [{}]
    for name, values in axes:
        combinations = [{**combination, name: value} for combination in combinations for value in values]
    return combinations if axes else []


def quick_combinations(options) -> tuple[list[tuple[str, list[str]]], list[dict[str, str]]]:
    """The axes of the quick form's options (``{"name", "values"}`` as typed; rows without a name or
    without values are left out) and one options mapping per combination of their values.

    Raises ``Invalid`` for a bad value list, or when the combinations would be more than a product may
    have — counted before they are made, as 3 options of 30 values make 27,000."""
    axes = []
    for option in options or []:
        name = str(option.get("name") or "").strip()
        values = clean_option_values(option.get("values")) if name else []
        if values:
            axes.append((name, values))
    count = math.prod(len(values) for _name, values in axes) if axes else 0
    if count > MAX_VARIANTS:
        raise Invalid(_("That makes %(count)s variants; a product has at most %(maximum)s.")
                      % {"count": count, "maximum": MAX_VARIANTS})
    return axes, option_combinations(axes)


def _sku_part(text: str, limit: int) -> str:
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").upper()[:limit].strip("-")


def sku_stem(title: str) -> str:
    """What every SKU ``suggest_skus`` makes for ``title`` starts with: the only existing SKUs it can
    collide with are those starting with this too (compared case-blind)."""
    stem = _sku_part(title, 24)
    return stem if len(stem) >= 2 else "ITEM"


def suggest_skus(title: str, combinations: list[dict[str, str]], *, taken: set[str], count: int = 1) -> list[str]:
    """SKUs for ``count`` new variants (one per combination when there are combinations): made from the
    title's Latin letters and digits (``ITEM`` when it has none) and the option values, with ``-2``, ``-3``…
    added where that is already in ``taken`` (compared case-blind, as shoppers and sellers read them)."""
    stem = sku_stem(title)
    used = {sku.casefold() for sku in taken}
    rows = combinations or [{} for _ in range(count)]
    skus = []
    for index, combination in enumerate(rows):
        parts = [_sku_part(value, 12) for value in combination.values()]
        base = "-".join([stem, *parts]) if all(parts) and parts else (
            stem if len(rows) == 1 else f"{stem}-{index + 1}")
        base = base[:56].strip("-")
        candidate, suffix = base, 2
        while candidate.casefold() in used:
            candidate, suffix = f"{base}-{suffix}", suffix + 1
        used.add(candidate.casefold())
        skus.append(candidate)
    return skus
