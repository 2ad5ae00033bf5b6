"""Checkout: the cart (or one "buy now" item) priced per store, a shipping address, and placing the order group.

Every problem the checkout services name is shown where it belongs: on the line (``lines.<n>.<field>``),
on the address (``address_id``, ``address.<field>``), or at the top of the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _

from jishi.accounts.selectors import list_addresses
from jishi.catalog.selectors import get_variants_for_sale
from jishi.checkout.rules import Quote, StoreQuote
from jishi.checkout.selectors import cart_lines, clean_lines, clean_methods, quote_lines
from jishi.checkout.services import place_order_group, resolve_address
from jishi.core.countries import is_country
from jishi.core.errors import DomainError
from jishi.money.rules import Money
from jishi.shipping.selectors import problem_message
from jishi.web.forms.trade import NEW_ADDRESS, ShippingAddressForm
from jishi.web.views.cart import current_cart
from jishi.web.views.payments import payment_redirect
from jishi.web.views.shipping import shopper_country


def _language() -> str:
    return translation.get_language() or "en"


@dataclass
class Row:
    index: int
    title: str
    options: dict
    thumbnail_url: str
    product_id: int | None
    variant_id: int
    quantity: int
    unit_price: Money | None
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> Money | None:
        return self.unit_price * self.quantity if self.unit_price is not None else None


@dataclass
class Part:
    store: object
    rows: list[Row]
    quote: StoreQuote | None = None
    cannot_ship: str = ""  # why this store's items cannot go to the address (they stay in the cart)


@dataclass
class Problems:
    """Messages sorted by where the page shows them."""

    top: list[str] = field(default_factory=list)
    lines: dict[int, list[str]] = field(default_factory=dict)
    address_choice: list[str] = field(default_factory=list)
    address_fields: dict[str, list[str]] = field(default_factory=dict)

    def add(self, error: DomainError) -> None:
        if not error.fields:
            self.top.append(error.message)
            return
        for name, texts in error.fields.items():
            parts = name.split(".")
            if parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit():
                self.lines.setdefault(int(parts[1]), []).extend(texts)
            elif name in ("address_id", "address"):
                self.address_choice.extend(texts)
            elif parts[0] == "address" and len(parts) == 2:
                self.address_fields.setdefault(parts[1], []).extend(texts)
            else:
                self.top.extend(texts)

    def __bool__(self) -> bool:
        return bool(self.top or self.lines or self.address_choice or self.address_fields)


def _buy_now(data) -> dict | None:
    """The "buy now" item from the query string (or the form's hidden fields), else None: the cart."""
    if "variant" not in data:
        return None
    return {"variant_id": data.get("variant", "").strip(), "quantity": data.get("quantity", "1").strip() or "1"}


def _parts_from_quote(quote: Quote, position_of: dict[int, int]) -> list[Part]:
    return [Part(store=part.store, quote=part, rows=[
        Row(index=position_of.get(line.variant_id, -1), title=line.title, options=line.options,
            thumbnail_url=line.thumbnail_url, product_id=line.product_id, variant_id=line.variant_id,
            quantity=line.quantity, unit_price=line.unit_price) for line in part.lines]) for part in quote.stores]


def _parts_from_items(wanted: list[tuple[int, int]]) -> list[Part]:
    """What the shopper asked for, priced as the catalogue says now, when the quote was refused."""
    items = get_variants_for_sale([variant_id for variant_id, _q in wanted], _language())
    parts: dict[int, Part] = {}
    for index, (variant_id, quantity) in enumerate(wanted):
        item = items.get(variant_id)
        if item is None:
            continue
        variant = item.variant
        parts.setdefault(item.store.id, Part(store=item.store, rows=[])).rows.append(Row(
            index=index, title=item.title, options=variant.options, thumbnail_url=item.thumbnail_url,
            product_id=variant.product_id, variant_id=variant.id, quantity=quantity,
            unit_price=Money(variant.price, variant.currency)))
    return list(parts.values())


def _attach_line_problems(parts: list[Part], problems: Problems) -> None:
    shown = set()
    for part in parts:
        for row in part.rows:
            row.errors = problems.lines.get(row.index, [])
            shown.add(row.index)
    for index, texts in problems.lines.items():
        if index not in shown:
            problems.top.extend(texts)


def _blocked_parts(quote: Quote, position_of: dict[int, int]) -> list[Part]:
    return [Part(store=part.store, cannot_ship=problem_message(part.shipping, part.store.name), rows=[
        Row(index=position_of.get(line.variant_id, -1), title=line.title, options=line.options,
            thumbnail_url=line.thumbnail_url, product_id=line.product_id, variant_id=line.variant_id,
            quantity=line.quantity, unit_price=line.unit_price) for line in part.lines]) for part in quote.blocked]


def _destination(request, addresses, choice: str) -> tuple[str, str]:
    """The country and region shipping and taxes are priced for: the chosen address's, the new
    address's, else the shopper's country (with no region)."""
    if choice == NEW_ADDRESS and request.method == "POST":
        country = request.POST.get("address-country", "").strip().upper()
        region = request.POST.get("address-region", "")
    else:
        chosen = next((a for a in addresses if str(a.id) == choice), None)
        country, region = (chosen.country, chosen.region) if chosen else ("", "")
    if is_country(country):
        return country, region
    return shopper_country(request) or request.user.country, ""


def _chosen_methods(data) -> dict[str, str]:
    """The shipping picked per store on the page (``method-<store id>``)."""
    return {name.removeprefix("method-"): value for name, value in data.items()
            if name.startswith("method-") and name.removeprefix("method-").isdigit()}


def _quoted(quote: Quote | None) -> str:
    return f"{quote.total.amount}:{quote.total.currency}" if quote is not None else ""


@login_required
def checkout(request):
    data = request.POST if request.method == "POST" else request.GET
    buy_now = _buy_now(data)
    charge_currency = (request.POST.get("charge_currency") if request.method == "POST" else "") \
        or request.display_currency
    problems = Problems()

    wanted: list[tuple[int, int]] = []
    if buy_now is not None:
        try:
            wanted = clean_lines([buy_now])
        except DomainError as error:
            problems.add(error)
    else:
        wanted = cart_lines(current_cart(request))
        if not wanted:
            return render(request, "web/checkout/empty.html")

    addresses = list_addresses(user=request.user)
    default_choice = str(addresses[0].id) if addresses else NEW_ADDRESS
    choice = request.POST.get("address_id", "") if request.method == "POST" else default_choice
    country, region = _destination(request, addresses, choice)
    methods = _chosen_methods(request.POST) if request.method == "POST" else {}

    quote = None
    if wanted:
        try:
            quote = quote_lines(buyer=request.user, lines=wanted, charge_currency=charge_currency,
                                language=_language(), country=country, methods=clean_methods(methods),
                                region=region, region_field="address.region")
        except DomainError as error:
            problems.add(error)
    address_form = ShippingAddressForm(request.POST if request.method == "POST" and choice == NEW_ADDRESS else None,
                                       initial={"name": request.user.name, "country": request.user.country})
    changed = False

    if request.method == "POST":
        address_ok = True
        address_id, address, save_address = None, None, False
        if choice == NEW_ADDRESS:
            address_ok = address_form.is_valid()
            if address_ok:
                address, save_address = address_form.address(), address_form.cleaned_data["save_address"]
        else:
            address_id = choice
        if address_ok:
            try:
                resolve_address(buyer=request.user, address_id=address_id, address=address)
            except DomainError as error:
                problems.add(error)
        posted_total = request.POST.get("quoted_total", "")
        changed = bool(quote is not None and posted_total and posted_total != _quoted(quote))
        # "Update shipping" prices the page again for the address and methods chosen, placing nothing.
        if address_ok and not problems and not changed and "refresh" not in request.POST:
            try:
                group = place_order_group(
                    buyer=request.user, charge_currency=charge_currency, language=_language(),
                    lines=[buy_now] if buy_now is not None else None, address_id=address_id, address=address,
                    save_address=save_address, methods=methods, skip_unshippable=True)
            except DomainError as error:
                problems.add(error)
            else:
                messages.success(request, _("Your order is placed."))
                return payment_redirect(request, group)
        for name, texts in problems.address_fields.items():
            for text in texts:
                address_form.add_error(name if name in address_form.fields else None, text)
        problems.address_fields = {}

    position_of = {variant_id: index for index, (variant_id, _q) in enumerate(wanted)}
    parts = _parts_from_quote(quote, position_of) + _blocked_parts(quote, position_of) if quote is not None \
        else _parts_from_items(wanted)
    _attach_line_problems(parts, problems)
    converted = quote is not None and any(part.currency != quote.charge_currency for part in quote.stores)
    return render(request, "web/checkout/checkout.html", {
        "buy_now": buy_now, "quote": quote, "parts": parts, "problems": problems, "price_changed": changed,
        "addresses": addresses, "choice": choice, "new_address": NEW_ADDRESS, "address_form": address_form,
        "charge_currency": quote.charge_currency if quote is not None else charge_currency,
        "quoted_total": _quoted(quote), "converted": converted,
        "payment_minutes": settings.ORDER_PAYMENT_WINDOW_MINUTES,
    }, status=200)


urlpatterns = [path("checkout/", checkout, name="checkout")]
