"""Shipping: a store's templates (members with ``edit_store`` change them; every member reads them) and
a public quote of how items ship to a country, per store, before checkout."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from jishi.api.cart import display_currency
from jishi.api.catalog import StoreRef
from jishi.api.schemas import ErrorOut, Quantity, checked
from jishi.core.errors import DomainError
from jishi.money.rules import Money, UnknownCurrency, normalize_code, quantize
from jishi.money.selectors import get_rate_table, list_currency_codes
from jishi.shipping import selectors, services
from jishi.shipping.models import ShippingTemplate
from jishi.stores.selectors import access_store
from jishi.tax.selectors import clean_region, landed_cost_for

router = Router(tags=["shipping"])

Kind = Literal["economy", "standard", "express"]


# --- templates --------------------------------------------------------------------------------------


class MethodIn(Schema):
    kind: Kind
    name: str = Field("", max_length=200)
    pricing: Literal["per_item", "per_weight"] = "per_item"
    transport: Literal["post", "courier"] = Field("courier", description=(
        "How the parcel crosses the border: some destinations' customs limits differ for post and courier."))
    first_amount: Decimal = checked(schema={"minimum": 0},
                                    description="The first item, or the first kilogram, in the store's currency.")
    additional_amount: Decimal = checked(schema={"minimum": 0}, default=Decimal(0),
                                         description="Each further item or started kilogram.")
    free_over: Decimal | None = checked(schema={"minimum": 0}, default=None,
                                        description="Free when the items' subtotal reaches this amount.")
    days_min: int = checked(schema={"minimum": 0, "maximum": 120}, description="Business days in transit, at least.")
    days_max: int = checked(schema={"minimum": 0, "maximum": 120}, description="At most; not below days_min.")


class ZoneIn(Schema):
    name: str = Field(max_length=200)
    countries: list[str] = Field(default_factory=list, max_length=300,
                                 description="ISO 3166-1 alpha-2 codes; leave empty for the rest of the world.")
    is_rest_of_world: bool = False
    methods: list[MethodIn] = Field(max_length=3)


class TemplateIn(Schema):
    name: str = Field(max_length=200)
    ship_from: str = Field(max_length=10)
    handling_days: int = checked(schema={"minimum": 0, "maximum": 60}, default=1,
                                 description="Business days before the parcel leaves.")
    is_default: bool = False
    zones: list[ZoneIn] = Field(max_length=100)


class MethodOut(Schema):
    id: int
    kind: str
    name: str
    pricing: str
    transport: str
    first_amount: Decimal
    additional_amount: Decimal
    free_over: Decimal | None
    currency: str
    days_min: int
    days_max: int


class ZoneOut(Schema):
    id: int
    name: str
    countries: list[str]
    is_rest_of_world: bool
    methods: list[MethodOut]


class TemplateOut(Schema):
    id: int
    name: str
    ship_from: str
    handling_days: int
    currency: str
    is_default: bool
    zones: list[ZoneOut]
    updated_at: dt.datetime


class TemplatePage(Schema):
    items: list[TemplateOut]
    page: int
    page_size: int
    total: int


def template_out(template: ShippingTemplate) -> TemplateOut:
    code = template.currency
    return TemplateOut(
        id=template.id, name=template.name, ship_from=template.ship_from, handling_days=template.handling_days,
        currency=code, is_default=template.is_default, updated_at=template.updated_at, zones=[ZoneOut(
            id=zone.id, name=zone.name, countries=list(zone.countries), is_rest_of_world=zone.is_rest_of_world,
            methods=[MethodOut(
                id=m.id, kind=m.kind, name=m.name, pricing=m.pricing, transport=m.transport, first_amount=quantize(m.first_amount, code),
                additional_amount=quantize(m.additional_amount, code),
                free_over=quantize(m.free_over, code) if m.free_over is not None else None, currency=code,
                days_min=m.days_min, days_max=m.days_max) for m in zone.methods.all()])
            for zone in template.zones.all()])


def _data(payload: TemplateIn) -> dict:
    # Amounts go on as strings: the service checks them against the store currency's minor units.
    data = payload.dict()
    for zone in data["zones"]:
        for method in zone["methods"]:
            for name in ("first_amount", "additional_amount", "free_over"):
                if method[name] is not None:
                    method[name] = str(method[name])
    return data


PATH = "/stores/{slug}/shipping-templates"


@router.get(PATH, response={200: TemplatePage, 404: ErrorOut})
def list_templates(request, slug: str):
    """The store's shipping templates, the default first (all of them: a store has a handful)."""
    access = access_store(user=request.auth, slug=slug)
    templates = selectors.list_templates(store=access.store)
    return TemplatePage(items=[template_out(t) for t in templates], page=1, page_size=max(1, len(templates)),
                        total=len(templates))


@router.post(PATH, response={201: TemplateOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def create_template(request, slug: str, payload: TemplateIn):
    """Add a template; the store's first becomes its default (so does one sent with ``is_default``)."""
    access = access_store(user=request.auth, slug=slug, action="edit_store")
    data = _data(payload)
    return 201, template_out(services.create_template(access=access, data=data, is_default=data["is_default"]))


@router.get(PATH + "/{template_id}", response={200: TemplateOut, 404: ErrorOut})
def get_template(request, slug: str, template_id: int):
    access = access_store(user=request.auth, slug=slug)
    return template_out(selectors.access_template(access=access, template_id=template_id))


@router.put(PATH + "/{template_id}", response={200: TemplateOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def replace_template(request, slug: str, template_id: int, payload: TemplateIn):
    """Replace the template whole: settings, zones and methods (method ids change)."""
    access = access_store(user=request.auth, slug=slug, action="edit_store")
    data = _data(payload)
    return template_out(services.update_template(access=access, template_id=template_id, data=data,
                                                  is_default=data["is_default"]))


@router.delete(PATH + "/{template_id}", response={204: None, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def delete_template(request, slug: str, template_id: int):
    """Delete a template: its products use the default again (409 for the store's last template)."""
    access = access_store(user=request.auth, slug=slug, action="edit_store")
    services.delete_template(access=access, template_id=template_id)
    return 204, None


# --- quote ------------------------------------------------------------------------------------------


class QuoteItemIn(Schema):
    variant_id: int
    quantity: Quantity = 1


class QuoteIn(Schema):
    items: list[QuoteItemIn] = Field(max_length=selectors.MAX_QUOTE_ITEMS)
    country: str = Field(max_length=10, description="Destination, ISO 3166-1 alpha-2.")
    region: str = Field("", max_length=100, description="The destination's state, province or territory (a code "
                                                       "like ON or a name), where its taxes differ by region: "
                                                       "Canada, the United States. Empty: national tax only.")
    currency: str | None = Field(None, max_length=10, description="Display currency (default: the caller's).")


class ProblemOut(Schema):
    code: str
    message: str


class MethodQuoteOut(Schema):
    kind: str
    name: str
    cost: Decimal
    currency: str
    display_cost: Decimal
    display_currency: str
    is_free: bool
    days_min: int = Field(description="Business days from today, handling included.")
    days_max: int
    delivery_from: dt.date
    delivery_to: dt.date


class StoreShippingOut(Schema):
    store: StoreRef
    ship_from: str
    currency: str
    items_total: Decimal
    display_items_total: Decimal
    can_ship: bool
    problem: ProblemOut | None
    methods: list[MethodQuoteOut] = Field(description="Cheapest first; checkout takes the first unless told.")
    landed_cost: dict | None = Field(
        None, description="Duty and import tax with the cheapest method (see the tax rules), when it can ship.")


class QuoteOut(Schema):
    country: str
    display_currency: str
    stores: list[StoreShippingOut]


def _display_code(raw, request) -> str:
    try:
        code = normalize_code(raw) if raw else display_currency(request)
    except UnknownCurrency:
        code = ""
    if code not in list_currency_codes() or not get_rate_table().can_convert(code):
        raise DomainError("shipping.invalid", _("Choose a currency the marketplace supports."),
                          fields={"currency": [_("Choose a currency the marketplace supports.")]})
    return code


def _landed_cost(part, country: str, region: str, option, display: str, rate: Decimal, per_eur) -> dict | None:
    return landed_cost_for(destination=country, ship_from=part.shipping.ship_from, lines=part.lines,
                           shipping=option.cost, per_eur=per_eur, charge_currency=display, charge_rate=rate,
                           region=region, transport=option.transport, prepay=part.store.import_terms).snapshot()


@router.post("/shipping/quote", auth=None, response={200: QuoteOut, 422: ErrorOut})
def quote(request, payload: QuoteIn):
    """How the items ship to ``country``, per store: each method with its cost (in the store's currency
    and the display ``currency``) and delivery dates, or why the store cannot ship there, and the
    landed cost with the cheapest method. Public: nothing is reserved."""
    from jishi.checkout.rules import charge_rate

    display = _display_code(payload.currency, request)
    language = translation.get_language() or "en"
    parts = selectors.quote_items(items=[item.dict() for item in payload.items], country=payload.country,
                                  language=language)
    per_eur = get_rate_table().per_eur
    country = payload.country.strip().upper()
    region = clean_region(country, payload.region)
    stores = []
    for part in parts:
        code = part.store.base_currency_id
        rate = charge_rate(code, display, per_eur)

        def shown(money: Money, rate: Decimal = rate) -> Decimal:
            return quantize(money.amount * rate, display)

        offer = part.shipping
        cheapest = offer.cheapest
        stores.append(StoreShippingOut(
            store=StoreRef(slug=part.store.slug, name=part.store.name, country=part.store.country),
            ship_from=offer.ship_from, currency=code, items_total=quantize(part.items_total.amount, code),
            display_items_total=shown(part.items_total), can_ship=offer.can_ship,
            problem=ProblemOut(code=f"shipping.{offer.problem}", message=part.message) if offer.problem else None,
            methods=[MethodQuoteOut(
                kind=o.kind, name=o.name, cost=quantize(o.cost.amount, code), currency=code, display_cost=shown(o.cost),
                display_currency=display, is_free=o.is_free, days_min=o.days_min, days_max=o.days_max,
                delivery_from=o.delivery_from, delivery_to=o.delivery_to) for o in offer.options],
            landed_cost=_landed_cost(part, country, region, cheapest, display, rate, per_eur) if cheapest else None))
    return QuoteOut(country=country, display_currency=display, stores=stores)
