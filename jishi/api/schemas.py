"""Schemas shared by several routers."""

from decimal import Decimal
from typing import Annotated

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field

from jishi.cart.rules import MAX_QUANTITY
from jishi.core.errors import field_error


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class ErrorOut(Schema):
    error: ErrorDetail


class PostalAddressOut(Schema):
    """An international postal address (the address book's and an order's shipping address)."""

    name: str
    phone: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str


# --- the constraints request schemas share, so the spec states what the services accept ---------------

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)

Language = Annotated[str, Field(max_length=10, json_schema_extra={"enum": list(LANGUAGES)},
                                description="A language the marketplace speaks.")]
LanguageOrBlank = Annotated[str, Field(max_length=10, json_schema_extra={"enum": [*LANGUAGES, ""]},
                                       description="A language the marketplace speaks, or blank for none.")]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$", description="ISO 4217 code, e.g. USD.")]
CurrencyOrBlank = Annotated[str, Field(pattern=r"^([A-Za-z]{3})?$", description="ISO 4217 code, or blank.")]
CountryCode = Annotated[str, Field(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 code, e.g. CN.")]
CountryOrBlank = Annotated[str, Field(pattern=r"^([A-Za-z]{2})?$", description="ISO 3166-1 alpha-2 code, or blank.")]
Email = Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$",
                             json_schema_extra={"format": "email"})]
Quantity = Annotated[int, Field(json_schema_extra={"minimum": 1, "maximum": MAX_QUANTITY},
                                description=f"Whole units, 1 to {MAX_QUANTITY} (checked by the cart).")]
Amount = Annotated[Decimal, Field(gt=0, lt=Decimal("1e12"), description="A decimal string, more than 0.")]
AmountOrZero = Annotated[Decimal, Field(ge=0, lt=Decimal("1e12"), description="A decimal string, 0 or more.")]


def checked(*, schema: dict, **kwargs):
    """A field whose limits the spec states (``schema``: JSON Schema keywords) while the service checks them,
    so a wrong value is answered with the service's own error code and translated message (still a 422
    naming the field)."""
    return Field(json_schema_extra=schema, **kwargs)


def status_filter(status: str | None, statuses, *, code: str) -> str | None:
    """A list route's ``status`` query: None (blank or left out) for every status, else one of ``statuses``;
    anything else is ``code`` (422) naming the field."""
    if status in (None, ""):
        return None
    if status not in statuses:
        raise field_error(code, "status", _("Choose one of: %(statuses)s.") % {"statuses": ", ".join(statuses)})
    return status


def one_of(values, **kwargs):
    """A text field the spec states as an enum of ``values``, checked by the service."""
    return checked(schema={"enum": [str(value) for value in values]}, **kwargs)
