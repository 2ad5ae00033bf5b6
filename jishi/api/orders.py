"""Checkout, order groups, the buyer's orders and a store's orders.

A buyer reaches only their own groups and orders; a store's members reach only the store's orders, and
see of the buyer just the name and address the goods go to.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Literal

from django.utils import translation
from ninja import Query, Router, Schema, Status
from pydantic import Field

from jishi.api.cart import display_currency
from jishi.api.catalog import StoreRef
from jishi.api.schemas import CurrencyCode, ErrorOut, PostalAddressOut, Quantity, one_of, status_filter
from jishi.checkout.services import place_order_group, retry_when_locked
from jishi.core.idempotency import clean_key, request_hash, run_once
from jishi.core.ids import MAX_ID
from jishi.ledger.selectors import order_money, seller_share
from jishi.money.rules import quantize
from jishi.orders import rules, selectors, services
from jishi.orders.models import EventKind, Order, OrderEvent, OrderGroup, OrderStatus
from jishi.payments import refunds
from jishi.stores.selectors import access_store

router = Router(tags=["orders"])
store_router = Router(tags=["store orders"])



# --- input ------------------------------------------------------------------------------------------


class CheckoutLineIn(Schema):
    variant_id: int
    quantity: Quantity = 1


class ShippingAddressIn(Schema):
    name: str = Field("", max_length=120)
    phone: str = Field("", max_length=32)
    line1: str = Field("", max_length=200)
    line2: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    region: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=20)
    country: str = Field("", max_length=2, description="ISO 3166-1 alpha-2 code.")


class CheckoutIn(Schema):
    lines: list[CheckoutLineIn] | None = Field(
        None, max_length=100, description="What to buy now; leave out to check out the cart (its lines not saved for later).")
    address_id: int | None = Field(None, ge=1, le=MAX_ID, description="One of the caller's saved addresses.")
    address: ShippingAddressIn | None = Field(None, description="A new address, when no address_id is given.")
    save_address: bool = Field(False, description="Also add the new address to the caller's address book.")
    charge_currency: CurrencyCode | None = Field(None,
                                                 description="Currency to pay in; the display currency when left out.")
    methods: dict[int, Literal["economy", "standard", "express"]] | None = Field(
        None, description="Shipping per store id (see POST /shipping/quote); each store's cheapest when left out.")
    skip_unshippable: bool = Field(
        False, description="Place the other stores' orders when a store cannot ship to the address (its lines "
                           "stay in the cart); otherwise such a checkout is refused with 409 checkout.cannot_ship.")


class CancelIn(Schema):
    reason: str = Field("", max_length=2000)


class StoreCancelIn(Schema):
    reason: str = Field(max_length=2000)


class ShipIn(Schema):
    carrier: str = Field(max_length=200)
    tracking_number: str = Field(max_length=200)


class OrderListQuery(Schema):
    status: str | None = one_of([*OrderStatus.values, ""], default=None, max_length=40, description="Only orders in this status: "
                               "pending_payment, paid, shipped, delivered, completed or cancelled.")
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=100)


# --- output -----------------------------------------------------------------------------------------


class OrderLineOut(Schema):
    id: int
    variant_id: int | None
    product_id: int | None
    sku: str
    title: str
    options: dict[str, str]
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    currency: str


class ShippingAddressOut(PostalAddressOut):
    """Where an order goes, as frozen when it was placed."""


class EventAmountOut(Schema):
    amount: Decimal
    currency: str


class OrderEventOut(Schema):
    kind: Literal["status", "refund"] = Field(description="A status move, or a refund (which moves no status).")
    from_status: str | None = Field(description="The status the order left; null for a refund.")
    to_status: str | None = Field(description="The status the order entered; null for a refund.")
    note: str
    actor: Literal["buyer", "store", "operator", "system"] = Field(
        description="Who acted: the buyer, a member of the store, the marketplace's staff, or the system.")
    amount: EventAmountOut | None = Field(description="What a refund gave back, in the order's currency.")
    created_at: dt.datetime


class OrderSummaryOut(Schema):
    id: int
    group_id: int
    status: str
    store: StoreRef
    currency: str
    items_total: Decimal
    shipping_total: Decimal
    duty_total: Decimal = Field(description="Duties collected at checkout (part of total).")
    tax_total: Decimal = Field(description="Import VAT/GST collected at checkout (part of total).")
    due_on_delivery: Decimal = Field(description="Estimate of duties and taxes the buyer pays on delivery; "
                                                 "not charged, not part of total.")
    destination_country: str
    total: Decimal
    charge_currency: str
    charge_total: Decimal
    created_at: dt.datetime
    lines: list[OrderLineOut]


class OrderProgressOut(Schema):
    """Where an order stands: its address, shipment, milestones, history and the moves open now."""

    shipping_address: ShippingAddressOut
    shipping_method: str = Field(description="The shipping method's name, frozen when the order was placed.")
    shipping_kind: str = Field(description="economy, standard or express; empty for orders placed before "
                                           "shipping templates.")
    ship_from_country: str = Field(description="ISO 3166-1 country the order ships from.")
    delivery_from: dt.date | None = Field(description="First day of the delivery estimate given at checkout.")
    delivery_to: dt.date | None = Field(description="Last day of the delivery estimate given at checkout.")
    carrier: str
    tracking_number: str
    cancel_reason: str
    paid_at: dt.datetime | None
    shipped_at: dt.datetime | None
    delivered_at: dt.datetime | None
    completed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    auto_confirm_at: dt.datetime | None
    updated_at: dt.datetime
    events: list[OrderEventOut]
    actions: list[str] = Field(description="The statuses the caller may move the order to now.")


class OrderOut(OrderSummaryOut, OrderProgressOut):
    """One of the buyer's orders in full."""

    refunded: Decimal = Field(description="What was refunded to the buyer so far, in currency (the order's).")
    charge_refunded: Decimal = Field(description="The same refunds in charge_currency, the currency the buyer "
                                                 "paid in: what went back to them.")


class OrderPage(Schema):
    items: list[OrderSummaryOut]
    page: int
    page_size: int
    total: int


class OrderGroupOut(Schema):
    id: int
    status: str
    charge_currency: str
    charge_total: Decimal
    amount_due: Decimal = Field(description="What is left to pay: the orders not cancelled, in charge_currency.")
    rates_as_of: dt.datetime | None
    expires_at: dt.datetime
    paid_at: dt.datetime | None
    created_at: dt.datetime
    orders: list[OrderSummaryOut]


class StoreOrderSummaryOut(Schema):
    id: int
    status: str
    buyer_name: str
    currency: str
    items_total: Decimal
    shipping_total: Decimal
    duty_total: Decimal = Field(description="Duties collected at checkout (part of total).")
    tax_total: Decimal = Field(description="Import VAT/GST collected at checkout (part of total).")
    due_on_delivery: Decimal = Field(description="Estimate of duties and taxes the buyer pays on delivery; "
                                                 "not charged, not part of total.")
    destination_country: str
    total: Decimal
    created_at: dt.datetime
    lines: list[OrderLineOut]


class StoreOrderOut(StoreOrderSummaryOut, OrderProgressOut):
    """One of the store's orders in full (the buyer only by name and shipping address), with what the store
    keeps of it: total − refunded − tax_to_authority − commission = seller_net."""

    refunded: Decimal = Field(description="What was refunded to the buyer so far, in currency.")
    tax_to_authority: Decimal = Field(description="Duties and import taxes collected at checkout, less what "
                                                  "refunds gave back: paid over to the destination's tax "
                                                  "authority, not the store's.")
    commission: Decimal = Field(description="The platform's commission, in currency: once released, what was "
                                            "charged less what later refunds gave back; before, what release "
                                            "will charge (the lines' frozen rates on what escrow still holds).")
    seller_net: Decimal = Field(description="What the store keeps, in currency: once released, what was credited "
                                            "to its balance less later refunds; before, what release will credit.")
    released: bool = Field(description="Whether escrow was released to the store (commission and seller_net "
                                       "are then final).")


class StoreOrderPage(Schema):
    items: list[StoreOrderSummaryOut]
    page: int
    page_size: int
    total: int


# --- building the answers ---------------------------------------------------------------------------


def _line_out(line) -> OrderLineOut:
    return OrderLineOut(id=line.id, variant_id=line.variant_id, product_id=line.product_id, sku=line.sku,
                        title=line.title, options=line.options or {}, quantity=line.quantity,
                        unit_price=quantize(line.unit_price, line.currency),
                        line_total=quantize(line.line_total, line.currency), currency=line.currency)


def _lines(order: Order) -> list:
    lines = getattr(order, "line_list", None)
    return lines if lines is not None else list(order.lines.all())


def _amounts(order: Order) -> dict:
    return {"currency": order.currency, "items_total": quantize(order.items_total, order.currency),
            "shipping_total": quantize(order.shipping_total, order.currency),
            "duty_total": quantize(order.duty_total, order.currency),
            "tax_total": quantize(order.tax_total, order.currency),
            "due_on_delivery": quantize(order.due_on_delivery, order.currency),
            "destination_country": order.destination_country,
            "total": quantize(order.total, order.currency)}


def _summary(order: Order) -> OrderSummaryOut:
    store = order.store
    return OrderSummaryOut(
        id=order.id, group_id=order.group_id, status=order.status,
        store=StoreRef(slug=store.slug, name=store.name, country=store.country), **_amounts(order),
        charge_currency=order.charge_currency, charge_total=quantize(order.charge_total, order.charge_currency),
        created_at=order.created_at, lines=[_line_out(line) for line in _lines(order)])


def _event(event: OrderEvent) -> OrderEventOut:
    if event.kind == EventKind.REFUND:
        return OrderEventOut(kind=event.kind, from_status=None, to_status=None, note=event.note, actor=event.by,
                             amount=EventAmountOut(amount=quantize(event.amount, event.currency), currency=event.currency),
                             created_at=event.created_at)
    return OrderEventOut(kind=event.kind, from_status=event.from_status, to_status=event.to_status, note=event.note,
                         actor=event.by, amount=None, created_at=event.created_at)


def _address(order: Order) -> ShippingAddressOut:
    address = order.shipping_address if isinstance(order.shipping_address, dict) else {}
    return ShippingAddressOut(**{name: str(address.get(name) or "") for name in ShippingAddressOut.model_fields})


def _progress(order: Order, by: str) -> dict:
    return {"shipping_address": _address(order), "shipping_method": order.shipping_method,
            "shipping_kind": order.shipping_kind, "ship_from_country": order.ship_from_country,
            "delivery_from": order.delivery_from, "delivery_to": order.delivery_to, "carrier": order.carrier, "tracking_number": order.tracking_number,
            "cancel_reason": order.cancel_reason, "paid_at": order.paid_at, "shipped_at": order.shipped_at,
            "delivered_at": order.delivered_at, "completed_at": order.completed_at,
            "cancelled_at": order.cancelled_at, "auto_confirm_at": order.auto_confirm_at,
            "updated_at": order.updated_at,
            "events": [_event(event) for event in order.events.all()],
            "actions": rules.moves_for(order.status, by)}


def order_out(order: Order) -> OrderOut:
    money = order_money(order)
    return OrderOut(**_summary(order).dict(), **_progress(order, rules.BUYER), refunded=money.refunded.amount,
                    charge_refunded=money.charge_refunded.amount)


def _buyer_name(order: Order) -> str:
    address = order.shipping_address if isinstance(order.shipping_address, dict) else {}
    return str(address.get("name") or "")


def _store_summary(order: Order) -> StoreOrderSummaryOut:
    return StoreOrderSummaryOut(id=order.id, status=order.status, buyer_name=_buyer_name(order), **_amounts(order),
                                created_at=order.created_at, lines=[_line_out(line) for line in _lines(order)])


def store_order_out(order: Order) -> StoreOrderOut:
    share = seller_share(order)
    return StoreOrderOut(**_store_summary(order).dict(), **_progress(order, rules.STORE),
                         refunded=share.refunded.amount, tax_to_authority=share.taxes.amount,
                         commission=share.commission.amount, seller_net=share.net.amount, released=share.released)


def group_out(group: OrderGroup, orders: list[Order] | None = None) -> OrderGroupOut:
    """``orders`` when the caller holds them already (as just placed), else the group's prefetched orders."""
    code = group.charge_currency
    orders = list(group.orders.all()) if orders is None else orders
    return OrderGroupOut(id=group.id, status=group.status, charge_currency=code,
                         charge_total=quantize(group.charge_total, code),
                         amount_due=quantize(selectors.charge_amount_due(orders), code), rates_as_of=group.rates_as_of,
                         expires_at=group.expires_at, paid_at=group.paid_at, created_at=group.created_at,
                         orders=[_summary(order) for order in orders])


def _status_filter(status: str | None) -> str | None:
    return status_filter(status, OrderStatus.values, code="order.invalid")


def _page(queryset, query: OrderListQuery) -> tuple[list[Order], int]:
    start = (query.page - 1) * query.page_size
    orders = selectors.attach_lines(list(queryset[start:start + query.page_size]))
    return orders, queryset.count()


# --- checkout and the buyer's orders ----------------------------------------------------------------


@router.post("/checkout", tags=["checkout"],
             response={201: OrderGroupOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 503: ErrorOut})
def checkout(request, payload: CheckoutIn):
    """Place one order group (paid once) with one order per store, from the cart or from ``lines``.

    Stock is reserved until the group is paid or its payment window closes. Send an ``Idempotency-Key``
    header to make retries safe: the same key with the same body answers the first response again and
    places nothing more; the same key with another body is refused (422 ``idempotency.key_reused``).
    A line that cannot be bought is named in ``fields`` (``lines.0.quantity``) and nothing is placed.
    """
    buyer = request.auth
    key = clean_key(request.headers.get("Idempotency-Key"))
    fingerprint = request_hash(method=request.method, path=request.path, body=json.loads(request.body or b"{}"))
    data = payload.dict()
    charge_currency = data["charge_currency"] or display_currency(request)
    language = translation.get_language() or "en"

    def work() -> tuple[int, dict]:
        group = place_order_group(buyer=buyer, charge_currency=charge_currency, language=language,
                                  lines=data["lines"], address_id=data["address_id"], address=data["address"],
                                  save_address=data["save_address"], methods=data["methods"],
                                  skip_unshippable=data["skip_unshippable"])
        # Answer from what was just written: reading it back would hold the stock row longer for nothing.
        return 201, group_out(group, orders=group.placed_orders).model_dump(mode="json")

    # With a key the placing runs inside the key's transaction, which is retried whole when the database
    # refuses it for contention (``place_order_group`` retries only transactions of its own).
    stored = retry_when_locked(
        lambda: run_once(user=buyer, scope="checkout", key=key, fingerprint=fingerprint, work=work))
    return Status(stored.status_code, stored.body)


@router.get("/order-groups/{group_id}", response={200: OrderGroupOut, 404: ErrorOut})
def get_order_group(request, group_id: int):
    """What one checkout placed: its orders, the total to pay and what is still due, and the deadline."""
    return group_out(selectors.access_order_group(user=request.auth, group_id=group_id))


@router.get("/orders", response={200: OrderPage, 422: ErrorOut})
def list_orders(request, query: Query[OrderListQuery]):
    """The caller's orders, newest first, optionally in one ``status``."""
    queryset = selectors.list_buyer_orders(user=request.auth, status=_status_filter(query.status))
    orders, total = _page(queryset, query)
    return OrderPage(items=[_summary(o) for o in orders], page=query.page, page_size=query.page_size, total=total)


@router.get("/orders/{order_id}", response={200: OrderOut, 404: ErrorOut})
def get_order(request, order_id: int):
    """One of the caller's orders with its lines, address, shipment, history and the moves open to the buyer."""
    return order_out(selectors.access_order(user=request.auth, order_id=order_id))


@router.post("/orders/{order_id}/cancel", response={200: OrderOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def cancel_order(request, order_id: int, payload: CancelIn | None = None):
    """Cancel an order that is not paid yet; its units go back on sale."""
    order = selectors.access_order(user=request.auth, order_id=order_id)
    services.cancel_order(order=order, by=rules.BUYER, actor=request.auth, reason=payload.reason if payload else "")
    return order_out(selectors.access_order(user=request.auth, order_id=order_id))


@router.post("/orders/{order_id}/confirm-receipt", response={200: OrderOut, 404: ErrorOut, 409: ErrorOut})
def confirm_receipt(request, order_id: int):
    """The goods arrived: the order is delivered and completed."""
    order = selectors.access_order(user=request.auth, order_id=order_id)
    services.confirm_receipt(order=order, by=rules.BUYER, actor=request.auth)
    return order_out(selectors.access_order(user=request.auth, order_id=order_id))


# --- a store's orders -------------------------------------------------------------------------------


@store_router.get("/stores/{slug}/orders", response={200: StoreOrderPage, 403: ErrorOut, 404: ErrorOut,
                                                     422: ErrorOut})
def list_store_orders(request, slug: str, query: Query[OrderListQuery]):
    """The store's orders, newest first, optionally in one ``status``."""
    access = access_store(user=request.auth, slug=slug, action="view_orders")
    queryset = selectors.list_store_orders(store=access.store, status=_status_filter(query.status))
    orders, total = _page(queryset, query)
    return StoreOrderPage(items=[_store_summary(o) for o in orders], page=query.page, page_size=query.page_size,
                          total=total)


@store_router.get("/stores/{slug}/orders/{order_id}", response={200: StoreOrderOut, 403: ErrorOut, 404: ErrorOut})
def get_store_order(request, slug: str, order_id: int):
    """One of the store's orders: lines, where it goes, its history and the moves open to the store."""
    access = access_store(user=request.auth, slug=slug, action="view_orders")
    return store_order_out(selectors.access_store_order(access=access, order_id=order_id))


@store_router.post("/stores/{slug}/orders/{order_id}/ship",
                   response={200: StoreOrderOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def ship_order(request, slug: str, order_id: int, payload: ShipIn):
    """Hand a paid order to a carrier; the buyer's receipt is confirmed automatically after the protection
    window unless they confirm it first."""
    access = access_store(user=request.auth, slug=slug, action="view_orders")
    order = selectors.access_store_order(access=access, order_id=order_id)
    services.ship_order(access=access, order=order, carrier=payload.carrier, tracking_number=payload.tracking_number)
    return store_order_out(selectors.access_store_order(access=access, order_id=order_id))


@store_router.post("/stores/{slug}/orders/{order_id}/cancel",
                   response={200: StoreOrderOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def cancel_store_order(request, slug: str, order_id: int, payload: StoreCancelIn):
    """Cancel an order before it ships, with a reason for the buyer; its units go back on sale."""
    access = access_store(user=request.auth, slug=slug, action="view_orders")
    order = selectors.access_store_order(access=access, order_id=order_id)
    refunds.cancel_store_order(access=access, order=order, reason=payload.reason)
    return store_order_out(selectors.access_store_order(access=access, order_id=order_id))


# --- customs papers ---------------------------------------------------------------------------------


class CustomsLineOut(Schema):
    sku: str
    title: str
    options: dict[str, str]
    hs_code: str = Field(description="Harmonized System code; empty when the product has none (fill it in).")
    origin_country: str = Field(description="ISO 3166 country of origin; empty when unknown.")
    quantity: int
    unit_value: Decimal
    value: Decimal
    currency: str
    unit_weight_grams: int
    weight_grams: int


class CustomsSenderOut(Schema):
    name: str = Field(description="The store's name.")
    country: str = Field(description="The store's country.")
    ship_from_country: str


class CustomsDeclarationOut(Schema):
    """A cross-border order's commercial invoice / customs declaration, from what the order froze."""

    order_id: int
    placed_at: dt.datetime
    sender: CustomsSenderOut
    recipient: ShippingAddressOut
    destination_country: str
    lines: list[CustomsLineOut]
    currency: str
    items_value: Decimal
    shipping: Decimal
    declared_value: Decimal = Field(description="Items plus shipping; duties and import taxes excluded.")
    units: int
    total_weight_grams: int
    terms: Literal["DDP", "DAP"] = Field(description="DDP: duties and import taxes were collected at checkout; "
                                                     "DAP: anything owed is due from the recipient on delivery.")
    collection: str = Field(description="The frozen landed cost's collection model (checkout, on_delivery, "
                                        "none, unknown).")
    tax_name: str
    duties_collected: Decimal
    taxes_collected: Decimal
    due_on_delivery: Decimal = Field(description="Estimate of duties and taxes the recipient pays on delivery.")
    carrier: str
    tracking_number: str


def customs_declaration_out(paper) -> CustomsDeclarationOut:
    recipient = ShippingAddressOut(**{name: paper.recipient.get(name, "") for name in ShippingAddressOut.model_fields})
    return CustomsDeclarationOut(
        order_id=paper.order_id, placed_at=paper.placed_at,
        sender=CustomsSenderOut(name=paper.sender_name, country=paper.sender_country,
                                ship_from_country=paper.ship_from_country),
        recipient=recipient, destination_country=paper.destination_country,
        lines=[CustomsLineOut(sku=line.sku, title=line.title, options=line.options, hs_code=line.hs_code,
                              origin_country=line.origin_country, quantity=line.quantity,
                              unit_value=line.unit_value.amount, value=line.value.amount, currency=paper.currency,
                              unit_weight_grams=line.unit_weight_grams, weight_grams=line.weight_grams)
               for line in paper.lines],
        currency=paper.currency, items_value=paper.items_value.amount, shipping=paper.shipping.amount,
        declared_value=paper.declared_value.amount, units=paper.units, total_weight_grams=paper.total_weight_grams,
        terms=paper.terms, collection=paper.collection, tax_name=paper.tax_name,
        duties_collected=paper.duties_collected.amount, taxes_collected=paper.taxes_collected.amount,
        due_on_delivery=paper.due_on_delivery.amount, carrier=paper.carrier, tracking_number=paper.tracking_number)


@store_router.get("/stores/{slug}/orders/{order_id}/customs-declaration",
                  response={200: CustomsDeclarationOut, 403: ErrorOut, 404: ErrorOut})
def get_customs_declaration(request, slug: str, order_id: int):
    """The commercial invoice / customs declaration of one of the store's cross-border orders: sender,
    recipient, each line's HS code, origin, quantity, value and weight, totals and the terms of delivery.
    A domestic order has none: 404 with ``order.not_cross_border``."""
    access = access_store(user=request.auth, slug=slug, action="view_orders")
    return customs_declaration_out(selectors.customs_declaration(
        selectors.access_store_order(access=access, order_id=order_id)))
