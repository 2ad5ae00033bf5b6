"""The default rules, read from ``data/`` (see ``data/README.md``: a seed compiled from public notices, not
tax advice; the operator reviews and edits them in the admin):

- ``destinations.csv``: one rule per destination (rates, thresholds, point-of-sale collection);
- ``valuation.csv``: how each destination's law values a parcel (what its limits measure, per item or
  per consignment, CIF or FOB, whether the tax base counts shipping, goods never relieved, who may pay
  at the border);
- ``duty_rates.csv``: duty rates by HS code per destination or customs union, with additional duties
  by origin;
- ``regional_taxes.csv``: provinces' and states' taxes (Canada, the United States);
- ``customs_unions.csv``: the members of the EU's customs union, with their dates.

The CSV states every amount in the destination's currency; where the law states the thresholds in
another currency (``thresholds_defined_in``) its figures are approximate conversions. The rules keep
the legal amounts instead, taken from the row's notes (``LEGAL_AMOUNTS``), so the engine converts them
at the rate of the day.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")
DATA = DATA_DIR / "destinations.csv"
EFFECTIVE_FROM = dt.date(2026, 11, 24)

# Country → the amounts as the law states them, in ``thresholds_defined_in`` (from the CSV's notes).
LEGAL_AMOUNTS: dict[str, dict[str, Decimal | None]] = {
    "PL": {"vat_de_minimis": Decimal(0), "duty_de_minimis": Decimal(150), "collect_limit": Decimal(150),
           "flat_duty_per_tariff_line": Decimal(3)},
    "SE": {"vat_de_minimis": Decimal(0), "duty_de_minimis": Decimal(150), "collect_limit": Decimal(150),
           "flat_duty_per_tariff_line": Decimal(3)},
    "MX": {"vat_de_minimis": Decimal(0), "duty_de_minimis": Decimal(0)},
    "BR": {"vat_de_minimis": Decimal(0), "duty_de_minimis": Decimal(0), "collect_limit": Decimal(3000)},
    "TR": {"vat_de_minimis": Decimal(0), "duty_de_minimis": Decimal(0)},
    "AE": {"vat_de_minimis": Decimal(0), "duty_de_minimis": Decimal(1000)},
    "IL": {"vat_de_minimis": Decimal(130), "duty_de_minimis": Decimal(500)},
    "KR": {"vat_de_minimis": Decimal(150), "duty_de_minimis": Decimal(150)},
    "ID": {"vat_de_minimis": Decimal(3), "duty_de_minimis": Decimal(3)},
}
# Rules the CSV states in its notes rather than its columns (see ``tax.rules`` for how each is applied).
SPECIAL_TERMS: dict[str, dict] = {
    # Remessa Conforme: federal import tax 20 % up to USD 50, 60 % less USD 20 up to USD 3,000 (ICMS on
    # top); above it the simplified regime's plain 60 %.
    "BR": {"duty_bands": [{"above": "0", "rate": "20", "deduct": "0"}, {"above": "50", "rate": "60", "deduct": "20"},
                          {"above": "3000", "rate": "60", "deduct": "0"}],
           "default_duty_rate": None},
    # Personal-use imports: the customs value is 60 % of the overseas retail price.
    "JP": {"customs_value_percent": Decimal(60)},
    # Cross-border e-commerce retail imports (up to CNY 5,000): duty 0 %, import VAT at 70 % of 13 %.
    "CN": {"regime_vat_rate": Decimal("9.1")},
}

# What changes for goods from a trade partner (the CSV's notes on MX, CA and KR), in force with the rules.
ORIGIN_RULES: list[dict] = [
    {"country": "CA", "origins": "MX,US", "match": "made_in", "transport": "courier", "vat_de_minimis": Decimal(40),
     "duty_de_minimis": Decimal(150),
     "notes": "CUSMA-origin goods from the US or Mexico by courier: tax-free up to CAD 40 and duty-free up to "
              "CAD 150.", "source": "CBSA D8-2-16 / CUSMA de minimis"},
    {"country": "KR", "origins": "US", "match": "shipped_from", "vat_de_minimis": Decimal(200),
     "duty_de_minimis": Decimal(200),
     "notes": "Personal-use imports shipped from the US (KORUS): exempt from duty and VAT up to USD 200.",
     "source": "Korea Customs Service personal import clearance rules (verify)"},
    {"country": "MX", "origins": "CA,US", "match": "made_in", "vat_rate": Decimal(0),
     "duty_de_minimis": Decimal(50),
     "duty_bands": [{"above": "50", "rate": "17", "deduct": "0"}, {"above": "117", "rate": "19", "deduct": "0"}],
     "notes": "USMCA-origin goods from the US or Canada: no duty or IVA up to USD 50, a single global rate "
              "(duty and IVA together, shown as duty) of 17 % from USD 50 to 117 and 19 % above.",
     "source": "SAT Reglas Generales de Comercio Exterior 2025; USMCA de minimis commitments"},
]

_AMOUNTS = {"vat_de_minimis": "vat_de_minimis_local", "duty_de_minimis": "duty_de_minimis_local",
            "collect_limit": "collect_at_checkout_up_to_local",
            "flat_duty_per_tariff_line": "flat_duty_per_item_category_local"}


def _decimal(raw: str) -> Decimal | None:
    raw = (raw or "").strip()
    return Decimal(raw) if raw else None


def _date(raw: str) -> dt.date | None:
    raw = (raw or "").strip()
    return dt.date.fromisoformat(raw) if raw else None


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as handle:
        return [{key: (value or "").strip() for key, value in row.items()} for row in csv.DictReader(handle)]


def _valuation(row: dict[str, str]) -> dict:
    return {
        "threshold_basis": row["threshold_basis"], "valuation": row["valuation"],
        "collect_limit_per_item": row["collect_limit_scope"] == "item",
        "de_minimis_per_item": row["de_minimis_scope"] == "item",
        "tax_base_includes_shipping": row["tax_base_includes_shipping"] == "yes",
        "exemption_excludes": row["never_relieved"].replace(" ", ""), "border_terms": row["border_terms"] or "any",
    }


def default_rules() -> list[dict]:
    """One dict of ``DestinationRule`` fields per row of the CSV."""
    with DATA.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    valuation = {row["country"]: _valuation(row) for row in _rows("valuation.csv")}
    rules = []
    for row in rows:
        country, currency, legal = row["country"].strip(), row["currency"].strip(), row["thresholds_defined_in"].strip()
        rule = {
            "country": country, "currency": currency, "tax_name": row["vat_name"].strip()[:80],
            "vat_rate": _decimal(row["standard_vat_rate_percent"]),
            "collect_at_checkout": row["collect_at_checkout"].strip().lower() == "yes",
            "default_duty_rate": _decimal(row["default_duty_rate_percent"]),
            "thresholds_currency": legal or currency, **valuation.get(country, {}),
            "confidence": row["confidence"].strip() or "medium", "notes": row["notes"].strip(),
            "source": row["source"].strip(), "effective_from": EFFECTIVE_FROM,
        }
        for name, column in _AMOUNTS.items():
            rule[name] = _decimal(row[column])
        if legal and legal != currency:
            rule.update(LEGAL_AMOUNTS.get(country, {}))
            for name in _AMOUNTS:
                if name not in LEGAL_AMOUNTS.get(country, {}) and rule[name]:
                    # An amount the notes give no legal figure for: not trusted in the wrong currency.
                    rule[name] = None
        rule.update(SPECIAL_TERMS.get(country, {}))
        rules.append(rule)
    return rules


def default_origin_rules() -> list[dict]:
    """One dict of ``OriginRule`` fields per trade-partner case above, in force with the rules."""
    return [{**rule, "effective_from": EFFECTIVE_FROM} for rule in ORIGIN_RULES]


def default_duty_rates() -> list[dict]:
    """One dict of ``DutyRate`` fields per row of ``duty_rates.csv``."""
    return [{"country": row["country"], "hs_code": row["hs"], "origins": row["origin"], "measure": row["measure"],
             "rate": Decimal(row["rate_percent"]), "effective_from": _date(row["effective_from"]),
             "effective_until": _date(row["effective_until"]), "confidence": row["confidence"] or "medium",
             "source": row["source"], "notes": row["notes"][:300]} for row in _rows("duty_rates.csv")]


def default_regional_taxes() -> list[dict]:
    """One dict of ``RegionalTax`` fields per row of ``regional_taxes.csv``."""
    return [{"country": row["country"], "region": row["region"], "region_name": row["region_name"],
             "tax_name": row["tax_name"], "rate": Decimal(row["rate_percent"]), "base": row["base"],
             "collection": row["collection"], "effective_from": _date(row["effective_from"]),
             "confidence": row["confidence"] or "medium", "source": row["source"], "notes": row["notes"]}
            for row in _rows("regional_taxes.csv")]


def default_union_members() -> list[dict]:
    """One dict of ``UnionMember`` fields per row of ``customs_unions.csv``."""
    return [{"union": row["union"], "country": row["country"], "effective_from": _date(row["member_from"]),
             "effective_until": _date(row["member_until"]), "source": row["source"]}
            for row in _rows("customs_unions.csv")]
