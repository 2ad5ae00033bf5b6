"""Schemas shared by several routers."""

from ninja import Schema


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
