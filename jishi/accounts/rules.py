"""Account rules, pure: who is one of the marketplace's operators, and what an international postal address
needs, country by country."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from jishi.core.countries import is_country, uses_postal_code

ADDRESS_FIELDS = ("name", "phone", "line1", "line2", "city", "region", "postal_code", "country")
_LIMITS = {"name": 120, "phone": 32, "line1": 200, "line2": 200, "city": 100, "region": 100, "postal_code": 20}
_PHONE = re.compile(r"^\+?[0-9 ()\-]+$")
_POSTAL = re.compile(r"^[A-Za-z0-9 \-]{2,12}$")


def is_operator(user) -> bool:
    """One of the marketplace's staff: the people who decide escalated refund requests, refund any order,
    suspend stores and read the platform's reports. Every operator-only door asks this."""
    return user is not None and user.is_authenticated and user.is_staff


def clean_address(data: dict) -> tuple[dict, dict[str, list[str]]]:
    """Return the cleaned address and the per-field problems (empty when valid)."""
    cleaned = {field: str(data.get(field) or "").strip() for field in ADDRESS_FIELDS}
    cleaned["country"] = cleaned["country"].upper()
    problems: dict[str, list[str]] = {}

    def problem(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    for field in ("name", "line1", "city", "country"):
        if not cleaned[field]:
            problem(field, _("This field is required."))
    for field, limit in _LIMITS.items():
        if len(cleaned[field]) > limit:
            problem(field, _("Keep this under %(limit)s characters.") % {"limit": limit})
    if cleaned["country"] and not is_country(cleaned["country"]):
        problem("country", _("Unknown country."))
    elif cleaned["country"] and uses_postal_code(cleaned["country"]):
        if not cleaned["postal_code"]:
            problem("postal_code", _("A postal code is required for this country."))
        elif not _POSTAL.match(cleaned["postal_code"]):
            problem("postal_code", _("Enter a valid postal code."))
    phone = cleaned["phone"]
    if phone:
        digits = sum(ch.isdigit() for ch in phone)
        if not _PHONE.match(phone) or not 6 <= digits <= 20:
            problem("phone", _("Enter a phone number with 6 to 20 digits, like +86 571 8502 2088."))
    return cleaned, problems
