"""ISO 3166-1 alpha-2 countries with names from CLDR (Babel), and which ones use postal codes."""

from __future__ import annotations

from functools import cache

from babel import Locale

# Territory codes CLDR lists that are not countries a parcel can go to.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}

# Countries without a postal code system in everyday use (after Google's address metadata).
COUNTRIES_WITHOUT_POSTAL_CODES = frozenset(
    ["AE", "AG", "AN", "AO", "AW", "BF", "BI", "BJ", "BO", "BS", "BW", "BZ", "CD", "CF", "CG", "CI", "CK", "CM", "CW", "DJ", "DM", "ER", "FJ", "GA", "GD", "GH", "GM", "GQ", "GY", "HK", "HM", "KI", "KM", "KN", "KP", "LY", "ML", "MO", "MR", "MW", "NR", "NU", "QA", "RW", "SB", "SC", "SL", "SR", "SS", "ST", "SX", "SY", "TD", "TF", "TG", "TK", "TL", "TO", "TV", "UG", "VU", "YE", "ZW"]
)


@cache
def _names(locale: str) -> dict[str, str]:
    territories = Locale.parse(locale).territories
    return {code: name for code, name in territories.items()
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES}


def country_codes() -> frozenset[str]:
    return frozenset(_names("en"))


def is_country(code: str) -> bool:
    return isinstance(code, str) and code.upper() in country_codes()


def country_name(code: str, locale: str = "en") -> str:
    return _names(locale).get(code.upper(), code)


def country_choices(locale: str = "en") -> list[tuple[str, str]]:
    names = _names(locale)
    return sorted(names.items(), key=lambda item: item[1])


def uses_postal_code(code: str) -> bool:
    return code.upper() not in COUNTRIES_WITHOUT_POSTAL_CODES


def country_from_accept_language(header: str | None, *, default: str = "US") -> str:
    """The country a browser's ``Accept-Language`` most likely comes from: the region of the preferred tag
    (``en-GB`` → GB), else the language's likeliest country in CLDR (``de`` → DE, ``zh`` → CN)."""
    from babel.core import get_global

    likely = get_global("likely_subtags")
    tags = []
    for position, part in enumerate((header or "")[:500].split(",")):
        tag, _sep, params = part.strip().partition(";")
        try:
            quality = float(params.strip().removeprefix("q=")) if params.strip().startswith("q=") else 1.0
        except ValueError:
            quality = 0.0
        if tag and tag != "*" and quality > 0:
            tags.append((-quality, position, tag.replace("-", "_")))
    for _quality, _position, tag in sorted(tags):
        subtags = [s for s in tag.split("_") if s]
        region = next((s.upper() for s in subtags[1:] if len(s) == 2 and s.isalpha()), "")
        if not region and subtags:
            guess = likely.get(tag) or likely.get(subtags[0].lower()) or ""
            region = guess.split("_")[-1] if guess.count("_") else ""
        if is_country(region):
            return region.upper()
    return default
