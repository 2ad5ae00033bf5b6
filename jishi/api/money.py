"""Currencies and exchange rates. Reading is public; recording a rate is for operators."""

import datetime as dt
from decimal import Decimal

from ninja import Router, Schema
from ninja.errors import AuthorizationError

from jishi.api.schemas import Amount, CurrencyCode, ErrorOut
from jishi.money import selectors, services

router = Router(tags=["money"])


class CurrencyOut(Schema):
    code: str
    name: str
    minor_units: int


class RateOut(Schema):
    currency: str
    base: str = "EUR"
    rate: Decimal
    as_of: dt.datetime
    source: str


class RateIn(Schema):
    currency: CurrencyCode
    rate: Amount
    as_of: dt.datetime | None = None


def _rate_out(r) -> RateOut:
    return RateOut(currency=r.currency_id, rate=r.rate, as_of=r.as_of, source=r.source)


@router.get("/currencies", auth=None, response=list[CurrencyOut])
def list_currencies(request):
    return selectors.list_currencies()


@router.get("/rates", auth=None, response=list[RateOut])
def list_rates(request):
    """The current reference rate of each active currency, as units per 1 EUR."""
    return [_rate_out(r) for r in selectors.list_current_rates()]


@router.post("/rates", response={201: RateOut, 403: ErrorOut, 422: ErrorOut})
def record_rate(request, payload: RateIn):
    """Operators only: record a new rate snapshot; earlier snapshots stay for the orders that used them."""
    if not request.auth.is_staff:
        raise AuthorizationError()
    rate = services.record_rate_change(currency=payload.currency, rate=payload.rate, as_of=payload.as_of,
                                       source=f"operator:{request.auth.email}")
    return 201, _rate_out(rate)
