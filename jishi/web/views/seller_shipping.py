"""Seller centre: the store's shipping templates — list, create, edit (zones and their methods on one
form), choose the default, delete. Works without JavaScript: a template is one plain form."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishi.core.countries import country_choices
from jishi.core.errors import DomainError, NotFound
from jishi.money.rules import quantize
from jishi.shipping import selectors, services
from jishi.shipping.models import MethodKind, Pricing, Transport
from jishi.web.access import store_access

BLANK_ZONES = 2  # empty zone rows offered on the form for new zones
FIELDS = ("name", "pricing", "transport", "first_amount", "additional_amount", "free_over", "days_min",
          "days_max")


@dataclass
class MethodRow:
    kind: str
    label: str
    on: bool = False
    values: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@dataclass
class ZoneRow:
    index: int
    name: str = ""
    countries: str = ""
    rest: bool = False
    methods: list[MethodRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _amount(value, currency: str) -> str:
    return "" if value is None else str(quantize(value, currency))


def _rows_from_template(template, currency: str) -> list[ZoneRow]:
    rows = []
    for index, zone in enumerate(template.zones.all() if template else []):
        offered = {method.kind: method for method in zone.methods.all()}
        rows.append(ZoneRow(index=index, name=zone.name, countries=" ".join(zone.countries), rest=zone.is_rest_of_world,
                            methods=[MethodRow(kind=kind, label=label, on=kind in offered, values={
                                "name": offered[kind].name, "pricing": offered[kind].pricing,
                                "transport": offered[kind].transport,
                                "first_amount": _amount(offered[kind].first_amount, currency),
                                "additional_amount": _amount(offered[kind].additional_amount, currency),
                                "free_over": _amount(offered[kind].free_over, currency),
                                "days_min": offered[kind].days_min, "days_max": offered[kind].days_max,
                            } if kind in offered else _blank_method()) for kind, label in MethodKind.choices]))
    return rows


def _blank_method() -> dict:
    return {"name": "", "pricing": Pricing.PER_ITEM, "transport": Transport.COURIER, "first_amount": "",
            "additional_amount": "0", "free_over": "",
            "days_min": "", "days_max": ""}


def _blank_rows(start: int, count: int) -> list[ZoneRow]:
    return [ZoneRow(index=start + n, methods=[MethodRow(kind=kind, label=label, values=_blank_method())
                                              for kind, label in MethodKind.choices]) for n in range(count)]


def _rows_from_post(post) -> list[ZoneRow]:
    count = min(int(post.get("zone_count", "0")) if post.get("zone_count", "").isdigit() else 0, 60)
    rows = []
    for index in range(count):
        prefix = f"z{index}-"
        rows.append(ZoneRow(
            index=index, name=post.get(prefix + "name", "").strip(), countries=post.get(prefix + "countries", "").strip(),
            rest=prefix + "rest" in post, methods=[MethodRow(
                kind=kind, label=label, on=f"{prefix}{kind}-on" in post,
                values={name: post.get(f"{prefix}{kind}-{name}", "").strip() for name in FIELDS})
                for kind, label in MethodKind.choices]))
    return rows


def _data(post, rows: list[ZoneRow]) -> tuple[dict, list[ZoneRow]]:
    """The template as the service takes it, and the form rows in the same order as its zones."""
    used = [row for row in rows if f"z{row.index}-remove" not in post
            and (row.name or row.countries or row.rest or any(m.on for m in row.methods))]
    zones = [{"name": row.name, "countries": row.countries, "is_rest_of_world": row.rest, "methods": [
        {"kind": m.kind, **m.values} for m in row.methods if m.on]} for row in used]
    return {"name": post.get("name", ""), "ship_from": post.get("ship_from", ""),
            "handling_days": post.get("handling_days", ""), "zones": zones}, used


def _place_errors(error: DomainError, used: list[ZoneRow]) -> dict[str, list[str]]:
    """Put each message where the form shows it; the rest (template fields, the top) come back."""
    top: dict[str, list[str]] = {}
    for name, texts in error.fields.items():
        parts = name.split(".")
        if parts[0] == "zones" and len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(used):
            row = used[int(parts[1])]
            if len(parts) >= 4 and parts[2] == "methods" and parts[3].isdigit():
                offered = [m for m in row.methods if m.on]
                if int(parts[3]) < len(offered):
                    offered[int(parts[3])].errors.extend(texts)
                    continue
            row.errors.extend(texts)
        else:
            top.setdefault(parts[0], []).extend(texts)
    return top


def _countries():
    return country_choices("zh_Hans" if translation.get_language() == "zh-hans" else "en")


@login_required
def templates(request, slug: str):
    access = store_access(request, slug)
    return render(request, "web/seller/shipping/list.html", {
        "access": access, "templates": selectors.list_templates(store=access.store),
        "can_edit": access.can(services.EDIT)})


@login_required
def template_editor(request, slug: str, template_id: int | None = None):
    access = store_access(request, slug, services.EDIT)
    store = access.store
    template = selectors.access_template(access=access, template_id=template_id) if template_id else None
    problems: dict[str, list[str]] = {}
    if request.method == "POST":
        rows = _rows_from_post(request.POST)
        data, used = _data(request.POST, rows)
        is_default = "is_default" in request.POST
        try:
            if template is None:
                saved = services.create_template(access=access, data=data, is_default=is_default)
            else:
                saved = services.update_template(access=access, template_id=template.id, data=data,
                                                 is_default=is_default or None)
        except DomainError as error:
            problems = _place_errors(error, used) if error.fields else {"__all__": [error.message]}
        else:
            messages.success(request, _("Shipping template saved."))
            return redirect("web:seller_shipping_template", slug, saved.id)
        values = {"name": data["name"], "ship_from": data["ship_from"].upper(), "handling_days": data["handling_days"],
                  "is_default": is_default or bool(template and template.is_default)}
    else:
        rows = _rows_from_template(template, store.base_currency_id)
        if template is None:
            rows = _blank_rows(0, 1)
            rows[0].rest = True
            rows[0].name = _("Rest of the world")
        values = {"name": template.name if template else "", "handling_days": template.handling_days if template else 1,
                  "ship_from": template.ship_from if template else store.country,
                  "is_default": template.is_default if template else False}
    rows = rows + _blank_rows(len(rows), BLANK_ZONES)
    return render(request, "web/seller/shipping/editor.html", {
        "access": access, "template": template, "rows": rows, "values": values, "problems": problems,
        "countries": _countries(), "pricings": Pricing.choices, "transports": Transport.choices,
        "currency": store.base_currency_id, "zone_count": len(rows)}, status=422 if problems else 200)


@login_required
@require_POST
def make_default(request, slug: str, template_id: int):
    access = store_access(request, slug, services.EDIT)
    selectors.access_template(access=access, template_id=template_id)
    try:
        template = services.make_default_template(access=access, template_id=template_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s is now the default template.") % {"name": template.name})
    return redirect("web:seller_shipping", slug)


@login_required
@require_POST
def delete(request, slug: str, template_id: int):
    access = store_access(request, slug, services.EDIT)
    selectors.access_template(access=access, template_id=template_id)
    try:
        services.delete_template(access=access, template_id=template_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Shipping template deleted."))
    return redirect("web:seller_shipping", slug)


@login_required
@require_POST
def product_template(request, slug: str, product_id: int):
    from jishi.catalog.selectors import access_product

    access = store_access(request, slug, "edit_catalog")
    product = access_product(access=access, product_id=product_id)
    try:
        services.set_product_template(access=access, product=product, template_id=request.POST.get("template", ""))
    except NotFound:
        raise  # another store's template: the 404 page, as for its product
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Shipping saved."))
    return redirect("web:seller_product_edit", slug, product_id)


urlpatterns = [
    path("seller/<slug:slug>/shipping/", templates, name="seller_shipping"),
    path("seller/<slug:slug>/shipping/new/", template_editor, name="seller_shipping_new"),
    path("seller/<slug:slug>/shipping/<int:template_id>/", template_editor, name="seller_shipping_template"),
    path("seller/<slug:slug>/shipping/<int:template_id>/default/", make_default, name="seller_shipping_default"),
    path("seller/<slug:slug>/shipping/<int:template_id>/delete/", delete, name="seller_shipping_delete"),
    path("seller/<slug:slug>/products/<int:product_id>/shipping/", product_template, name="seller_product_shipping"),
]
